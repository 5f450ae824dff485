package dev.vigil.gpu.nvml;

import com.sun.jna.Pointer;
import com.sun.jna.Structure;

/**
 * The NVML structs the binding passes, with NVML's field order and sizes (x86_64 and aarch64 Linux).
 * NvmlStructsTest holds each against the layout the fake library was compiled with. The classes
 * are public only because JNA reads their fields by reflection.
 *
 * <p>On the sampling path the binding does not call {@link Structure#read()} (reflection and boxing
 * per field); it reads the struct's memory at the offsets these classes compute once ({@code OFF_*}).
 */
final class NvmlStructs {
    private NvmlStructs() {
    }

    /** Exposes {@link Structure#fieldOffset} to the package, for the layout tests and the offset constants. */
    public abstract static class NvmlStructure extends Structure {
        NvmlStructure() {
        }

        int offsetOf(String field) {
            return fieldOffset(field);
        }
    }

    /** nvmlPciInfo_t (read by nvmlDeviceGetPciInfo_v3 and nvmlDeviceGetNvLinkRemotePciInfo_v2). */
    @Structure.FieldOrder({"busIdLegacy", "domain", "bus", "device", "pciDeviceId", "pciSubSystemId", "busId"})
    public static final class PciInfo extends NvmlStructure {
        public byte[] busIdLegacy = new byte[16];
        public int domain;
        public int bus;
        public int device;
        public int pciDeviceId;
        public int pciSubSystemId;
        public byte[] busId = new byte[32];
    }

    /** nvmlMemory_t: what drivers without nvmlDeviceGetMemoryInfo_v2 report ("used" includes the reserved part). */
    @Structure.FieldOrder({"total", "free", "used"})
    public static final class Memory extends NvmlStructure {
        static final Memory LAYOUT = new Memory();
        static final int SIZE = LAYOUT.size();
        static final int OFF_TOTAL = LAYOUT.offsetOf("total");
        static final int OFF_FREE = LAYOUT.offsetOf("free");
        static final int OFF_USED = LAYOUT.offsetOf("used");

        public long total;
        public long free;
        public long used;
    }

    /** nvmlMemory_v2_t: adds the memory the driver and firmware reserve. */
    @Structure.FieldOrder({"version", "total", "reserved", "free", "used"})
    public static final class MemoryV2 extends NvmlStructure {
        static final MemoryV2 LAYOUT = new MemoryV2();
        static final int SIZE = LAYOUT.size();
        /** NVML_STRUCT_VERSION(Memory, 2). */
        static final int VERSION = SIZE | 2 << 24;
        static final int OFF_VERSION = LAYOUT.offsetOf("version");
        static final int OFF_TOTAL = LAYOUT.offsetOf("total");
        static final int OFF_RESERVED = LAYOUT.offsetOf("reserved");
        static final int OFF_FREE = LAYOUT.offsetOf("free");
        static final int OFF_USED = LAYOUT.offsetOf("used");

        public int version;
        public long total;
        public long reserved;
        public long free;
        public long used;
    }

    /** nvmlTemperature_v1_t, for nvmlDeviceGetTemperatureV. */
    @Structure.FieldOrder({"version", "sensorType", "temperature"})
    public static final class TemperatureV1 extends NvmlStructure {
        static final TemperatureV1 LAYOUT = new TemperatureV1();
        static final int SIZE = LAYOUT.size();
        /** NVML_STRUCT_VERSION(Temperature, 1). */
        static final int VERSION = SIZE | 1 << 24;
        static final int OFF_VERSION = LAYOUT.offsetOf("version");
        static final int OFF_SENSOR_TYPE = LAYOUT.offsetOf("sensorType");
        static final int OFF_TEMPERATURE = LAYOUT.offsetOf("temperature");

        public int version;
        public int sensorType;
        public int temperature;
    }

    /** nvmlUtilization_t, percent. */
    @Structure.FieldOrder({"gpu", "memory"})
    public static final class Utilization extends NvmlStructure {
        static final Utilization LAYOUT = new Utilization();
        static final int SIZE = LAYOUT.size();
        static final int OFF_GPU = LAYOUT.offsetOf("gpu");
        static final int OFF_MEMORY = LAYOUT.offsetOf("memory");

        public int gpu;
        public int memory;
    }

    /** nvmlViolationTime_t: violationTime in ns. */
    @Structure.FieldOrder({"referenceTime", "violationTime"})
    public static final class ViolationTime extends NvmlStructure {
        static final ViolationTime LAYOUT = new ViolationTime();
        static final int SIZE = LAYOUT.size();
        static final int OFF_VIOLATION_TIME = LAYOUT.offsetOf("violationTime");

        public long referenceTime;
        public long violationTime;
    }

    /**
     * nvmlFieldValue_t. {@code value} is nvmlValue_t, a union of 8-byte (and smaller) members: a
     * {@code long} has its size and alignment, and the reader picks the member by {@code valueType}.
     */
    @Structure.FieldOrder({"fieldId", "scopeId", "timestamp", "latencyUsec", "valueType", "nvmlReturn", "value"})
    public static final class FieldValue extends NvmlStructure {
        static final FieldValue LAYOUT = new FieldValue();
        static final int SIZE = LAYOUT.size();
        static final int OFF_FIELD_ID = LAYOUT.offsetOf("fieldId");
        static final int OFF_SCOPE_ID = LAYOUT.offsetOf("scopeId");
        static final int OFF_VALUE_TYPE = LAYOUT.offsetOf("valueType");
        static final int OFF_RETURN = LAYOUT.offsetOf("nvmlReturn");
        static final int OFF_VALUE = LAYOUT.offsetOf("value");

        public int fieldId;
        public int scopeId;
        public long timestamp;
        public long latencyUsec;
        public int valueType;
        public int nvmlReturn;
        public long value;
    }

    /** nvmlProcessInfo_t (v2 layout, which nvmlDeviceGetComputeRunningProcesses_v3 fills). */
    @Structure.FieldOrder({"pid", "usedGpuMemory", "gpuInstanceId", "computeInstanceId"})
    public static final class ProcessInfo extends NvmlStructure {
        static final ProcessInfo LAYOUT = new ProcessInfo();
        static final int SIZE = LAYOUT.size();
        static final int OFF_PID = LAYOUT.offsetOf("pid");
        static final int OFF_USED_GPU_MEMORY = LAYOUT.offsetOf("usedGpuMemory");
        static final int OFF_GPU_INSTANCE_ID = LAYOUT.offsetOf("gpuInstanceId");
        static final int OFF_COMPUTE_INSTANCE_ID = LAYOUT.offsetOf("computeInstanceId");

        public int pid;
        public long usedGpuMemory;
        public int gpuInstanceId;
        public int computeInstanceId;
    }

    /** nvmlEventData_t (with the GPU and compute instance ids NVML added for MIG). */
    @Structure.FieldOrder({"device", "eventType", "eventData", "gpuInstanceId", "computeInstanceId"})
    public static final class EventData extends NvmlStructure {
        public Pointer device;
        public long eventType;
        public long eventData;
        public int gpuInstanceId;
        public int computeInstanceId;
    }

    /** nvmlGpuInstanceProfileInfo_t; {@code id} is the profile id the create calls take. */
    @Structure.FieldOrder({"id", "isP2pSupported", "sliceCount", "instanceCount", "multiprocessorCount",
            "copyEngineCount", "decoderCount", "encoderCount", "jpegCount", "ofaCount", "memorySizeMB"})
    public static final class GpuInstanceProfileInfo extends NvmlStructure {
        public int id;
        public int isP2pSupported;
        public int sliceCount;
        public int instanceCount;
        public int multiprocessorCount;
        public int copyEngineCount;
        public int decoderCount;
        public int encoderCount;
        public int jpegCount;
        public int ofaCount;
        public long memorySizeMB;
    }

    /** nvmlGpuInstancePlacement_t, in memory slices. */
    @Structure.FieldOrder({"start", "size"})
    public static final class GpuInstancePlacement extends NvmlStructure {
        static final GpuInstancePlacement LAYOUT = new GpuInstancePlacement();
        static final int SIZE = LAYOUT.size();
        static final int OFF_START = LAYOUT.offsetOf("start");
        static final int OFF_SIZE = LAYOUT.offsetOf("size");

        public int start;
        public int size;
    }

    /** nvmlGpuInstanceInfo_t. */
    @Structure.FieldOrder({"device", "id", "profileId", "placement"})
    public static final class GpuInstanceInfo extends NvmlStructure {
        public Pointer device;
        public int id;
        public int profileId;
        public GpuInstancePlacement placement;
    }

    /** nvmlComputeInstanceProfileInfo_t. */
    @Structure.FieldOrder({"id", "sliceCount", "instanceCount", "multiprocessorCount", "sharedCopyEngineCount",
            "sharedDecoderCount", "sharedEncoderCount", "sharedJpegCount", "sharedOfaCount"})
    public static final class ComputeInstanceProfileInfo extends NvmlStructure {
        public int id;
        public int sliceCount;
        public int instanceCount;
        public int multiprocessorCount;
        public int sharedCopyEngineCount;
        public int sharedDecoderCount;
        public int sharedEncoderCount;
        public int sharedJpegCount;
        public int sharedOfaCount;
    }
}
