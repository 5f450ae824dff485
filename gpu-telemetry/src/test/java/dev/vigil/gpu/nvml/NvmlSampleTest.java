package dev.vigil.gpu.nvml;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.vigil.api.gpu.GpuEvent;
import dev.vigil.gpu.backend.EntitySample;
import dev.vigil.gpu.backend.FieldStatus;
import dev.vigil.gpu.backend.NodeSample;
import dev.vigil.gpu.fields.Field;
import dev.vigil.gpu.fields.FieldCatalog;
import dev.vigil.gpu.fields.FieldSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.vigil.gpu.fields.FieldCatalog.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Every field NVML gives reads the fake's value in the catalog's unit; failures become statuses, never numbers. */
class NvmlSampleTest {
    private static final FieldSet ALL = new FieldSet(FieldCatalog.ALL);
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeEach
    void captureLogs() {
        logs.start();
        ((Logger) LoggerFactory.getLogger(NvmlSampler.class)).addAppender(logs);
    }

    @AfterEach
    void releaseLogs() {
        ((Logger) LoggerFactory.getLogger(NvmlSampler.class)).detachAppender(logs);
    }

    @Test
    void everyMappedFieldReadsTheFakesValueInTheCatalogsUnit() throws Exception {
        FakeNvml fake = FakeNvml.reset();
        Map<String, Long> values = new LinkedHashMap<>();
        values.put("gpu_temp", 61L);
        values.put("memory_temp", 73L);
        values.put("power_mw", 412_345L);
        values.put("energy_mj", 123_456_789_012L);
        values.put("power_limit_mw", 650_000L);
        values.put("util_gpu", 87L);
        values.put("util_memory", 45L);
        values.put("enc_util", 3L);
        values.put("dec_util", 4L);
        values.put("sm_clock", 1755L);
        values.put("mem_clock", 2619L);
        values.put("clocks_event_reasons", 0x44L);
        values.put("fb_total", 81_559 * FakeNvml.MIB);
        values.put("fb_reserved", 534 * FakeNvml.MIB);
        values.put("fb_used", 12_345 * FakeNvml.MIB + 123);
        values.put("ecc_sbe_volatile", 5L);
        values.put("ecc_dbe_volatile", 1L);
        values.put("ecc_sbe_aggregate", 50L);
        values.put("ecc_dbe_aggregate", 2L);
        values.put("remapped_correctable", 3L);
        values.put("remapped_uncorrectable", 1L);
        values.put("remap_pending", 1L);
        values.put("remap_failure", 0L);
        values.put("pcie_replay", 17L);
        values.put("violation_power", 1_000_000_000L);
        values.put("violation_thermal", 2_000_000_000L);
        values.put("violation_sync_boost", 3L);
        values.put("violation_board_limit", 4L);
        values.put("violation_low_util", 5L);
        values.put("violation_reliability", 6L);
        values.put("pcie_tx_kbs", 1000L);
        values.put("pcie_rx_kbs", 3000L);
        values.put("recovery_action", 2L);
        values.forEach((quantity, value) -> fake.set(5, quantity, value));
        fake.fake_nvml_set_link(5, 0, "crc_flit", 5);
        fake.fake_nvml_set_link(5, 17, "crc_flit", 7);
        fake.fake_nvml_set_link(5, 1, "crc_data", 2);
        fake.fake_nvml_set_link(5, 2, "replay", 9);
        fake.fake_nvml_set_link(5, 3, "recovery", 1);
        try (NvmlBackend backend = FakeNvml.open()) {
            EntitySample gpu = backend.sample(ALL).gpu(5);
            Map<Field, Double> expected = new LinkedHashMap<>();
            expected.put(GPU_TEMP, 61.0);
            expected.put(MEMORY_TEMP, 73.0);
            expected.put(POWER_USAGE, 412.345);
            expected.put(TOTAL_ENERGY, 123_456_789_012.0);
            expected.put(ENFORCED_POWER_LIMIT, 650.0);
            expected.put(GPU_UTIL, 87.0);
            expected.put(MEM_COPY_UTIL, 45.0);
            expected.put(ENC_UTIL, 3.0);
            expected.put(DEC_UTIL, 4.0);
            expected.put(SM_CLOCK, 1755.0);
            expected.put(MEM_CLOCK, 2619.0);
            expected.put(CLOCKS_EVENT_REASONS, (double) 0x44);
            expected.put(FB_TOTAL, 81_559.0);
            expected.put(FB_RESERVED, 534.0);
            expected.put(FB_USED, 12_345.0);
            expected.put(FB_FREE, 68_679.0); // 68680 MiB less 123 bytes, in whole MiB as DCGM reports it
            expected.put(ECC_SBE_VOL_TOTAL, 5.0);
            expected.put(ECC_DBE_VOL_TOTAL, 1.0);
            expected.put(ECC_SBE_AGG_TOTAL, 50.0);
            expected.put(ECC_DBE_AGG_TOTAL, 2.0);
            expected.put(CORRECTABLE_REMAPPED_ROWS, 3.0);
            expected.put(UNCORRECTABLE_REMAPPED_ROWS, 1.0);
            expected.put(ROW_REMAP_PENDING, 1.0);
            expected.put(ROW_REMAP_FAILURE, 0.0);
            expected.put(PCIE_REPLAY, 17.0);
            expected.put(NVLINK_CRC_FLIT_ERRORS, 12.0);
            expected.put(NVLINK_CRC_DATA_ERRORS, 2.0);
            expected.put(NVLINK_REPLAY_ERRORS, 9.0);
            expected.put(NVLINK_RECOVERY_ERRORS, 1.0);
            expected.put(POWER_VIOLATION, 1e9);
            expected.put(THERMAL_VIOLATION, 2e9);
            expected.put(SYNC_BOOST_VIOLATION, 3.0);
            expected.put(BOARD_LIMIT_VIOLATION, 4.0);
            expected.put(LOW_UTIL_VIOLATION, 5.0);
            expected.put(RELIABILITY_VIOLATION, 6.0);
            expected.put(PROF_PCIE_TX_BYTES, 1_024_000.0);
            expected.put(PROF_PCIE_RX_BYTES, 3_072_000.0);
            expected.put(XID_ERRORS, 0.0);
            expected.put(GPU_RECOVERY_ACTION, 2.0);
            expected.forEach((field, value) -> {
                int slot = ALL.slot(field);
                assertThat(gpu.status(slot)).as(field.name()).isEqualTo(FieldStatus.OK);
                assertThat(gpu.value(slot)).as(field.name()).isCloseTo(value, within(1e-9));
            });
            // What NVML has no call for is NOT_SUPPORTED, never a made-up number.
            for (Field field : List.of(RETIRED_SBE, RETIRED_DBE, RETIRED_PENDING, NVLINK_BANDWIDTH_TOTAL,
                    VGPU_LICENSE_STATUS, PROF_GR_ENGINE_ACTIVE, PROF_SM_ACTIVE, PROF_SM_OCCUPANCY,
                    PROF_PIPE_TENSOR_ACTIVE, PROF_DRAM_ACTIVE, PROF_PIPE_FP64_ACTIVE, PROF_PIPE_FP32_ACTIVE,
                    PROF_PIPE_FP16_ACTIVE, PROF_NVLINK_TX_BYTES, PROF_NVLINK_RX_BYTES)) {
                assertThat(gpu.status(ALL.slot(field))).as(field.name()).isEqualTo(FieldStatus.NOT_SUPPORTED);
            }
            assertThat(ALL.fields()).allMatch(f -> expected.containsKey(f) || gpu.status(ALL.slot(f)) != FieldStatus.OK);
        }
    }

    @Test
    void pageRetiringGpusReportRetiredPagesAndNoRowRemapping() throws Exception {
        FakeNvml fake = FakeNvml.reset(4, "NVIDIA L40S");
        fake.set(1, "retired_sbe", 2);
        fake.set(1, "retired_dbe", 1);
        fake.set(1, "retired_pending", 1);
        try (NvmlBackend backend = FakeNvml.open()) {
            EntitySample gpu = backend.sample(ALL).gpu(1);
            assertThat(value(gpu, RETIRED_SBE)).isEqualTo(2);
            assertThat(value(gpu, RETIRED_DBE)).isEqualTo(1);
            assertThat(value(gpu, RETIRED_PENDING)).isEqualTo(1);
            for (Field field : List.of(CORRECTABLE_REMAPPED_ROWS, UNCORRECTABLE_REMAPPED_ROWS, ROW_REMAP_PENDING,
                    ROW_REMAP_FAILURE, MEMORY_TEMP, NVLINK_CRC_FLIT_ERRORS, NVLINK_RECOVERY_ERRORS)) {
                assertThat(gpu.status(ALL.slot(field))).as(field.name()).isEqualTo(FieldStatus.NOT_SUPPORTED);
            }
            assertThat(value(gpu, GPU_RECOVERY_ACTION)).isZero();
        }
    }

    @Test
    void eachFailureBecomesItsFieldsStatusAndUnexpectedOnesAreLoggedOnce() throws Exception {
        FakeNvml fake = FakeNvml.reset();
        try (NvmlBackend backend = FakeNvml.open()) {
            fake.fail(0, "nvmlDeviceGetPowerUsage", Nvml.ERROR_NOT_SUPPORTED);
            fake.fail(0, "nvmlDeviceGetTotalEnergyConsumption", Nvml.ERROR_NO_PERMISSION);
            fake.fail(0, "nvmlDeviceGetTemperatureV", Nvml.ERROR_NO_DATA);
            fake.fail(0, "field:230", Nvml.ERROR_NOT_READY);
            fake.fail(0, "nvmlDeviceGetClockInfo", Nvml.ERROR_UNKNOWN);
            fake.fail(0, "nvmlDeviceGetRemappedRows", Nvml.ERROR_NO_PERMISSION);
            fake.fail(0, "nvmlDeviceGetNvLinkErrorCounter", Nvml.ERROR_NOT_SUPPORTED);
            fake.fail(0, "nvmlDeviceGetViolationStatus", Nvml.ERROR_NO_DATA);

            for (int round = 0; round < 2; round++) {
                NodeSample sample = backend.sample(ALL);
                EntitySample gpu = sample.gpu(0);
                assertThat(status(gpu, POWER_USAGE)).isEqualTo(FieldStatus.NOT_SUPPORTED);
                assertThat(status(gpu, TOTAL_ENERGY)).isEqualTo(FieldStatus.NO_PERMISSION);
                assertThat(status(gpu, GPU_TEMP)).isEqualTo(FieldStatus.NO_DATA);
                assertThat(status(gpu, GPU_RECOVERY_ACTION)).isEqualTo(FieldStatus.NO_DATA);
                assertThat(status(gpu, MEMORY_TEMP)).as("its own entry answered").isEqualTo(FieldStatus.OK);
                assertThat(status(gpu, SM_CLOCK)).isEqualTo(FieldStatus.NO_DATA);
                assertThat(status(gpu, MEM_CLOCK)).isEqualTo(FieldStatus.NO_DATA);
                for (Field field : List.of(CORRECTABLE_REMAPPED_ROWS, UNCORRECTABLE_REMAPPED_ROWS, ROW_REMAP_PENDING,
                        ROW_REMAP_FAILURE)) {
                    assertThat(status(gpu, field)).isEqualTo(FieldStatus.NO_PERMISSION);
                }
                assertThat(status(gpu, NVLINK_REPLAY_ERRORS)).isEqualTo(FieldStatus.NOT_SUPPORTED);
                assertThat(status(gpu, THERMAL_VIOLATION)).isEqualTo(FieldStatus.NO_DATA);
                assertThat(status(gpu, FB_USED)).as("the rest of the GPU reads").isEqualTo(FieldStatus.OK);
                assertThat(status(sample.gpu(1), POWER_USAGE)).as("other GPUs unaffected").isEqualTo(FieldStatus.OK);
                assertNoSentinels(sample);
            }
            assertThat(logs.list).filteredOn(e -> e.getMessage().equals("nvml_read_failed"))
                    .as("an unexpected error is logged once per GPU and field").hasSize(2)
                    .allSatisfy(e -> {
                        assertThat(e.getKeyValuePairs()).anyMatch(kv -> kv.key.equals("gpu") && kv.value.equals(0));
                        assertThat(e.getKeyValuePairs()).anyMatch(kv -> kv.key.equals("error")
                                && kv.value.toString().contains("NVML 999"));
                    });
        }
    }

    @Test
    void aLostGpuIsALostSampleAndXid79ReportedOnce() throws Exception {
        FakeNvml fake = FakeNvml.reset();
        try (NvmlBackend backend = FakeNvml.open()) {
            int[] woken = new int[1];
            backend.onEvent(() -> woken[0]++);
            fake.fake_nvml_set_lost(2, 1);
            NodeSample sample = backend.sample(ALL);
            EntitySample gpu = sample.gpu(2);
            assertThat(gpu.lost()).isTrue();
            assertThat(ALL.fields()).allMatch(f -> gpu.status(ALL.slot(f)) == FieldStatus.GPU_LOST);
            assertThat(sample.gpu(1).lost()).isFalse();
            List<GpuEvent> events = backend.drainEvents();
            assertThat(events).singleElement().satisfies(event -> {
                assertThat(event.gpu()).isEqualTo(2);
                assertThat(event.xid()).isEqualTo(79);
                assertThat(event.uuid()).isEqualTo(backend.inventory().gpus().get(2).uuid());
            });
            assertThat(woken[0]).isEqualTo(1);

            assertThat(backend.sample(ALL).gpu(2).lost()).isTrue();
            assertThat(backend.drainEvents()).as("not again while it stays lost").isEmpty();
            EntitySample xid = backend.sample(new FieldSet(List.of(XID_ERRORS, GPU_TEMP))).gpu(2);
            assertThat(xid.lost()).isTrue();
        }
    }

    @Test
    void aLostGpuWhoseDriverSentXid79GetsNoSecondOne() throws Exception {
        FakeNvml fake = FakeNvml.reset();
        try (NvmlBackend backend = FakeNvml.open()) {
            fake.fake_nvml_push_xid(6, 79, FakeNvml.NO_INSTANCE, FakeNvml.NO_INSTANCE);
            assertThat(NvmlBackendTest.drainUntil(backend, 1)).extracting(GpuEvent::xid).containsExactly(79);
            fake.fake_nvml_set_lost(6, 1);
            assertThat(backend.sample(ALL).gpu(6).lost()).isTrue();
            assertThat(backend.drainEvents()).isEmpty();
        }
    }

    @Test
    void migInstancesHaveTheirOwnFramebufferAndUtilizationIsNotSupportedInMigMode() throws Exception {
        FakeNvml fake = FakeNvml.reset();
        fake.fake_nvml_set_mig(0, 1);
        int threeG = fake.fake_nvml_add_instance(0, 9, 0);
        int oneG = fake.fake_nvml_add_instance(0, 19, 4);
        fake.fake_nvml_add_process(0, 4242, 2048 * FakeNvml.MIB, threeG, 0);
        try (NvmlBackend backend = FakeNvml.open()) {
            NodeSample sample = backend.sample(ALL);
            assertThat(sample.entities()).hasSize(10);
            assertThat(sample.entities().subList(8, 10)).extracting(EntitySample::gpuInstanceId)
                    .containsExactly(threeG, oneG);
            EntitySample instance = sample.entities().get(8);
            assertThat(instance.gpu()).isZero();
            assertThat(value(instance, FB_TOTAL)).isEqualTo(40448);
            assertThat(value(instance, FB_USED)).isEqualTo(2048);
            assertThat(value(instance, FB_FREE)).isEqualTo(38400);
            assertThat(value(instance, FB_RESERVED)).isZero();
            assertThat(status(instance, GPU_TEMP)).isEqualTo(FieldStatus.NOT_SUPPORTED);
            assertThat(status(instance, PROF_GR_ENGINE_ACTIVE)).isEqualTo(FieldStatus.NOT_SUPPORTED);
            assertThat(value(sample.entities().get(9), FB_TOTAL)).isEqualTo(9984);
            assertThat(status(sample.gpu(0), GPU_UTIL)).isEqualTo(FieldStatus.NOT_SUPPORTED);
            assertThat(status(sample.gpu(0), MEM_COPY_UTIL)).isEqualTo(FieldStatus.NOT_SUPPORTED);
            assertThat(value(sample.gpu(1), GPU_UTIL)).isEqualTo(37);
        }
    }

    @Test
    void anOlderDriverWithoutTheNewerFunctionsStillReads() throws Exception {
        FakeNvml fake = FakeNvml.reset();
        fake.set(0, "gpu_temp", 58);
        fake.set(0, "clocks_event_reasons", 0x4);
        try (NvmlBackend backend = FakeNvml.open(Set.of("nvmlDeviceGetTemperatureV", "nvmlDeviceGetMemoryInfo_v2",
                "nvmlDeviceGetCurrentClocksEventReasons"))) {
            EntitySample gpu = backend.sample(ALL).gpu(0);
            assertThat(value(gpu, GPU_TEMP)).isEqualTo(58);
            assertThat(value(gpu, CLOCKS_EVENT_REASONS)).isEqualTo(4);
            assertThat(value(gpu, FB_TOTAL)).isEqualTo(81559);
            assertThat(value(gpu, FB_USED)).as("v1 counts the reserved memory as used").isEqualTo(534 + 4);
            assertThat(status(gpu, FB_RESERVED)).isEqualTo(FieldStatus.NOT_SUPPORTED);
            assertThat(fake.calls("nvmlDeviceGetTemperatureV")).isZero();
            assertThat(fake.calls("nvmlDeviceGetMemoryInfo_v2")).isZero();
            assertThat(fake.calls("nvmlDeviceGetCurrentClocksEventReasons")).isZero();
            assertThat(fake.calls("nvmlDeviceGetTemperature")).isEqualTo(8);
            assertThat(fake.calls("nvmlDeviceGetCurrentClocksThrottleReasons")).isEqualTo(8);
        }
    }

    @Test
    void theNewerFunctionsAreUsedWhereTheDriverHasThem() throws Exception {
        FakeNvml fake = FakeNvml.reset();
        try (NvmlBackend backend = FakeNvml.open()) {
            backend.sample(ALL);
            assertThat(fake.calls("nvmlDeviceGetTemperatureV")).isEqualTo(8);
            assertThat(fake.calls("nvmlDeviceGetTemperature")).isZero();
            assertThat(fake.calls("nvmlDeviceGetCurrentClocksThrottleReasons")).isZero();
        }
    }

    @Test
    void onlyTheFieldsAskedForAreRead() throws Exception {
        FakeNvml fake = FakeNvml.reset();
        try (NvmlBackend backend = FakeNvml.open()) {
            FieldSet temperature = new FieldSet(List.of(GPU_TEMP));
            NodeSample sample = backend.sample(temperature);
            assertThat(sample.entities()).hasSize(8).allSatisfy(e -> assertThat(e.has(0)).isTrue());
            assertThat(fake.calls("nvmlDeviceGetPowerUsage")).isZero();
            assertThat(fake.calls("nvmlDeviceGetNvLinkErrorCounter")).isZero();
            assertThat(fake.calls("nvmlDeviceGetFieldValues")).isZero();
        }
    }

    private static void assertNoSentinels(NodeSample sample) {
        for (EntitySample entity : sample.entities()) {
            for (int slot = 0; slot < ALL.size(); slot++) {
                if (entity.status(slot) != FieldStatus.OK) {
                    assertThat(entity.value(slot)).as("value behind a %s status", entity.status(slot)).isZero();
                } else {
                    assertThat(entity.value(slot)).isFinite().isBetween(0.0, 1e15);
                }
            }
        }
    }

    private static double value(EntitySample sample, Field field) {
        int slot = ALL.slot(field);
        assertThat(sample.status(slot)).as(field.name()).isEqualTo(FieldStatus.OK);
        return sample.value(slot);
    }

    private static FieldStatus status(EntitySample sample, Field field) {
        return sample.status(ALL.slot(field));
    }
}
