package dev.vigil.gpu.nvml;

import com.sun.jna.Structure;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Every struct the binding passes has the C layout: size, each field's offset, and the version words. */
class NvmlStructsTest {
    /** Binding class → the C type name the fake declares. */
    private static final Map<Class<? extends NvmlStructs.NvmlStructure>, String> STRUCTS = new LinkedHashMap<>();

    static {
        STRUCTS.put(NvmlStructs.PciInfo.class, "nvmlPciInfo_t");
        STRUCTS.put(NvmlStructs.Memory.class, "nvmlMemory_t");
        STRUCTS.put(NvmlStructs.MemoryV2.class, "nvmlMemory_v2_t");
        STRUCTS.put(NvmlStructs.TemperatureV1.class, "nvmlTemperature_v1_t");
        STRUCTS.put(NvmlStructs.Utilization.class, "nvmlUtilization_t");
        STRUCTS.put(NvmlStructs.ViolationTime.class, "nvmlViolationTime_t");
        STRUCTS.put(NvmlStructs.FieldValue.class, "nvmlFieldValue_t");
        STRUCTS.put(NvmlStructs.ProcessInfo.class, "nvmlProcessInfo_t");
        STRUCTS.put(NvmlStructs.EventData.class, "nvmlEventData_t");
        STRUCTS.put(NvmlStructs.GpuInstanceProfileInfo.class, "nvmlGpuInstanceProfileInfo_t");
        STRUCTS.put(NvmlStructs.GpuInstancePlacement.class, "nvmlGpuInstancePlacement_t");
        STRUCTS.put(NvmlStructs.GpuInstanceInfo.class, "nvmlGpuInstanceInfo_t");
        STRUCTS.put(NvmlStructs.ComputeInstanceProfileInfo.class, "nvmlComputeInstanceProfileInfo_t");
    }

    @Test
    void everyStructHasTheSizeAndFieldOffsetsOfTheCDeclaration() throws Exception {
        FakeNvml fake = FakeNvml.reset();
        for (Map.Entry<Class<? extends NvmlStructs.NvmlStructure>, String> entry : STRUCTS.entrySet()) {
            NvmlStructs.NvmlStructure struct = entry.getKey().getDeclaredConstructor().newInstance();
            String type = entry.getValue();
            assertThat((long) struct.size()).as("sizeof(%s)", type).isEqualTo(fake.fake_nvml_sizeof(type)).isPositive();
            String[] fields = entry.getKey().getAnnotation(Structure.FieldOrder.class).value();
            for (String field : fields) {
                assertThat((long) struct.offsetOf(field)).as("offsetof(%s, %s)", type, field)
                        .isEqualTo(fake.fake_nvml_offsetof(type, field));
            }
        }
    }

    @Test
    void sizesAreNvmlsOnLp64() {
        // Facts of NVML's ABI on x86_64/aarch64 Linux, independent of the fake.
        assertThat(new NvmlStructs.PciInfo().size()).isEqualTo(68);
        assertThat(NvmlStructs.MemoryV2.SIZE).isEqualTo(40);
        assertThat(NvmlStructs.TemperatureV1.SIZE).isEqualTo(12);
        assertThat(NvmlStructs.ProcessInfo.SIZE).isEqualTo(24);
        assertThat(new NvmlStructs.EventData().size()).isEqualTo(32);
        assertThat(NvmlStructs.FieldValue.SIZE).isEqualTo(40);
        assertThat(new NvmlStructs.GpuInstanceProfileInfo().size()).isEqualTo(48);
        assertThat(new NvmlStructs.GpuInstanceInfo().size()).isEqualTo(24);
        assertThat(new NvmlStructs.ComputeInstanceProfileInfo().size()).isEqualTo(36);
    }

    @Test
    void versionedStructsCarryNvmlStructVersion() {
        FakeNvml fake = FakeNvml.reset();
        assertThat(NvmlStructs.MemoryV2.VERSION).isEqualTo(0x02000028)
                .isEqualTo(fake.fake_nvml_struct_version("nvmlMemory_v2_t"));
        assertThat(NvmlStructs.TemperatureV1.VERSION).isEqualTo(0x0100000C)
                .isEqualTo(fake.fake_nvml_struct_version("nvmlTemperature_v1_t"));
    }

    @Test
    void theOffsetConstantsTheSamplerReadsAreTheStructsOffsets() {
        FakeNvml fake = FakeNvml.reset();
        assertThat((long) NvmlStructs.MemoryV2.OFF_USED).isEqualTo(fake.fake_nvml_offsetof("nvmlMemory_v2_t", "used"));
        assertThat((long) NvmlStructs.FieldValue.OFF_VALUE).isEqualTo(fake.fake_nvml_offsetof("nvmlFieldValue_t", "value"));
        assertThat((long) NvmlStructs.ViolationTime.OFF_VIOLATION_TIME)
                .isEqualTo(fake.fake_nvml_offsetof("nvmlViolationTime_t", "violationTime"));
        assertThat((long) NvmlStructs.ProcessInfo.OFF_COMPUTE_INSTANCE_ID)
                .isEqualTo(fake.fake_nvml_offsetof("nvmlProcessInfo_t", "computeInstanceId"));
    }
}
