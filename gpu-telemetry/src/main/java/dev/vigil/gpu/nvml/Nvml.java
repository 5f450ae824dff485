package dev.vigil.gpu.nvml;

import com.sun.jna.Pointer;

/**
 * NVML's C functions, bound by JNA direct mapping ({@code Native.register}, done by {@link NvmlLibrary}):
 * a call costs a JNI transition and allocates nothing, which matters on the sampling path. The
 * versioned symbols are bound directly (the header's {@code #define nvmlInit nvmlInit_v2} does not
 * exist for a dynamic binding). Handles and out-parameters are {@link Pointer}s, unsigned ints are
 * {@code int}, unsigned long longs are {@code long}; every function returns an nvmlReturn_t.
 *
 * <p>The functions an older driver may lack live in the nested holders, each registered only when
 * the library has the symbol ({@link NvmlLibrary} probes once and remembers).
 */
final class Nvml {
    private Nvml() {
    }

    // Return codes (nvmlReturn_t).
    static final int SUCCESS = 0;
    static final int ERROR_UNINITIALIZED = 1;
    static final int ERROR_INVALID_ARGUMENT = 2;
    static final int ERROR_NOT_SUPPORTED = 3;
    static final int ERROR_NO_PERMISSION = 4;
    static final int ERROR_NOT_FOUND = 6;
    static final int ERROR_INSUFFICIENT_SIZE = 7;
    static final int ERROR_DRIVER_NOT_LOADED = 9;
    static final int ERROR_TIMEOUT = 10;
    static final int ERROR_GPU_IS_LOST = 15;
    static final int ERROR_RESET_REQUIRED = 16;
    static final int ERROR_IN_USE = 19;
    static final int ERROR_NO_DATA = 21;
    static final int ERROR_INSUFFICIENT_RESOURCES = 23;
    static final int ERROR_NOT_READY = 27;
    static final int ERROR_UNKNOWN = 999;

    /** "Not attributable to a MIG instance" in process and event data. */
    static final int NO_INSTANCE = 0xFFFFFFFF;
    /** NVML_NVLINK_MAX_LINKS of NVML 13; older drivers answer INVALID_ARGUMENT past their own maximum. */
    static final int NVLINK_MAX_LINKS = 36;
    static final long EVENT_XID_CRITICAL_ERROR = 0x8L;
    static final int TEMPERATURE_GPU = 0;
    static final int CLOCK_SM = 1;
    static final int CLOCK_MEM = 2;
    static final int MEMORY_ERROR_CORRECTED = 0;
    static final int MEMORY_ERROR_UNCORRECTED = 1;
    static final int ECC_VOLATILE = 0;
    static final int ECC_AGGREGATE = 1;
    static final int RETIREMENT_MULTIPLE_SBE = 0;
    static final int RETIREMENT_DBE = 1;
    static final int PCIE_TX_BYTES = 0;
    static final int PCIE_RX_BYTES = 1;
    static final int NVLINK_ERROR_REPLAY = 0;
    static final int NVLINK_ERROR_RECOVERY = 1;
    static final int NVLINK_ERROR_CRC_FLIT = 2;
    static final int NVLINK_ERROR_CRC_DATA = 3;
    static final int NVLINK_REMOTE_GPU = 0;
    static final int NVLINK_REMOTE_SWITCH = 2;
    static final int TOPOLOGY_INTERNAL = 0;
    static final int TOPOLOGY_SINGLE = 10;
    static final int TOPOLOGY_MULTIPLE = 20;
    static final int FIELD_MEMORY_TEMP = 82;
    static final int FIELD_GPU_RECOVERY_ACTION = 230;
    static final int VALUE_TYPE_DOUBLE = 0;
    static final int VALUE_TYPE_UNSIGNED_INT = 1;
    static final int VALUE_TYPE_UNSIGNED_LONG = 2;
    static final int VALUE_TYPE_UNSIGNED_LONG_LONG = 3;
    static final int VALUE_TYPE_SIGNED_LONG_LONG = 4;
    static final int VALUE_TYPE_SIGNED_INT = 5;
    static final int VALUE_TYPE_UNSIGNED_SHORT = 6;
    static final int MIG_DISABLE = 0;
    static final int MIG_ENABLE = 1;
    static final int COMPUTE_INSTANCE_ENGINE_PROFILE_SHARED = 0;
    /** NVML_COMPUTE_INSTANCE_PROFILE_1_SLICE .. 6_SLICE and 1_SLICE_REV1: the indexes to ask about. */
    static final int COMPUTE_INSTANCE_PROFILE_COUNT = 8;
    /** Buffer sizes NVML guarantees to be enough (the _V2 sizes for name and UUID). */
    static final int NAME_BUFFER = 96;
    static final int UUID_BUFFER = 96;
    static final int DRIVER_VERSION_BUFFER = 80;

    static native int nvmlInit_v2();

    static native int nvmlShutdown();

    static native String nvmlErrorString(int result);

    static native int nvmlSystemGetDriverVersion(Pointer version, int length);

    static native int nvmlDeviceGetCount_v2(Pointer count);

    static native int nvmlDeviceGetHandleByIndex_v2(int index, Pointer device);

    static native int nvmlDeviceGetName(Pointer device, Pointer name, int length);

    static native int nvmlDeviceGetUUID(Pointer device, Pointer uuid, int length);

    static native int nvmlDeviceGetPciInfo_v3(Pointer device, Pointer pci);

    static native int nvmlDeviceGetMemoryInfo(Pointer device, Pointer memory);

    static native int nvmlDeviceGetCpuAffinity(Pointer device, int cpuSetSize, Pointer cpuSet);

    static native int nvmlDeviceGetTopologyCommonAncestor(Pointer device1, Pointer device2, Pointer level);

    static native int nvmlDeviceGetNvLinkState(Pointer device, int link, Pointer isActive);

    static native int nvmlDeviceGetNvLinkRemoteDeviceType(Pointer device, int link, Pointer type);

    static native int nvmlDeviceGetNvLinkRemotePciInfo_v2(Pointer device, int link, Pointer pci);

    static native int nvmlDeviceGetNvLinkErrorCounter(Pointer device, int link, int counter, Pointer value);

    static native int nvmlDeviceGetTemperature(Pointer device, int sensorType, Pointer temp);

    static native int nvmlDeviceGetPowerUsage(Pointer device, Pointer milliwatts);

    static native int nvmlDeviceGetTotalEnergyConsumption(Pointer device, Pointer millijoules);

    static native int nvmlDeviceGetEnforcedPowerLimit(Pointer device, Pointer milliwatts);

    static native int nvmlDeviceGetUtilizationRates(Pointer device, Pointer utilization);

    static native int nvmlDeviceGetEncoderUtilization(Pointer device, Pointer utilization, Pointer samplingPeriodUs);

    static native int nvmlDeviceGetDecoderUtilization(Pointer device, Pointer utilization, Pointer samplingPeriodUs);

    static native int nvmlDeviceGetClockInfo(Pointer device, int type, Pointer mhz);

    static native int nvmlDeviceGetTotalEccErrors(Pointer device, int errorType, int counterType, Pointer count);

    static native int nvmlDeviceGetRetiredPages(Pointer device, int cause, Pointer pageCount, Pointer addresses);

    static native int nvmlDeviceGetRetiredPagesPendingStatus(Pointer device, Pointer isPending);

    static native int nvmlDeviceGetRemappedRows(Pointer device, Pointer corrRows, Pointer uncRows, Pointer isPending,
                                                Pointer failureOccurred);

    static native int nvmlDeviceGetPcieReplayCounter(Pointer device, Pointer value);

    static native int nvmlDeviceGetViolationStatus(Pointer device, int policy, Pointer violationTime);

    static native int nvmlDeviceGetPcieThroughput(Pointer device, int counter, Pointer kilobytesPerSecond);

    static native int nvmlDeviceGetFieldValues(Pointer device, int valuesCount, Pointer values);

    static native int nvmlDeviceGetComputeRunningProcesses_v3(Pointer device, Pointer infoCount, Pointer infos);

    static native int nvmlEventSetCreate(Pointer set);

    static native int nvmlDeviceRegisterEvents(Pointer device, long eventTypes, Pointer set);

    static native int nvmlEventSetWait_v2(Pointer set, Pointer data, int timeoutMs);

    static native int nvmlEventSetFree(Pointer set);

    static native int nvmlDeviceGetMigMode(Pointer device, Pointer currentMode, Pointer pendingMode);

    static native int nvmlDeviceSetMigMode(Pointer device, int mode, Pointer activationStatus);

    static native int nvmlDeviceGetGpuInstanceProfileInfo(Pointer device, int profile, Pointer info);

    static native int nvmlDeviceGetGpuInstancePossiblePlacements_v2(Pointer device, int profileId, Pointer placements,
                                                                     Pointer count);

    static native int nvmlDeviceCreateGpuInstanceWithPlacement(Pointer device, int profileId, Pointer placement,
                                                               Pointer gpuInstance);

    static native int nvmlDeviceGetGpuInstances(Pointer device, int profileId, Pointer gpuInstances, Pointer count);

    static native int nvmlGpuInstanceGetInfo(Pointer gpuInstance, Pointer info);

    static native int nvmlGpuInstanceDestroy(Pointer gpuInstance);

    static native int nvmlGpuInstanceGetComputeInstanceProfileInfo(Pointer gpuInstance, int profile, int engProfile,
                                                                   Pointer info);

    static native int nvmlGpuInstanceCreateComputeInstance(Pointer gpuInstance, int profileId, Pointer computeInstance);

    static native int nvmlGpuInstanceGetComputeInstances(Pointer gpuInstance, int profileId, Pointer computeInstances,
                                                         Pointer count);

    static native int nvmlComputeInstanceDestroy(Pointer computeInstance);

    static native int nvmlDeviceGetMaxMigDeviceCount(Pointer device, Pointer count);

    static native int nvmlDeviceGetMigDeviceHandleByIndex(Pointer device, int index, Pointer migDevice);

    static native int nvmlDeviceGetGpuInstanceId(Pointer device, Pointer id);

    /** nvmlDeviceGetTemperatureV: the replacement of the deprecated nvmlDeviceGetTemperature (r570+). */
    static final class TemperatureV {
        private TemperatureV() {
        }

        static native int nvmlDeviceGetTemperatureV(Pointer device, Pointer temperature);
    }

    /** nvmlDeviceGetMemoryInfo_v2: adds the reserved memory. */
    static final class MemoryInfoV2 {
        private MemoryInfoV2() {
        }

        static native int nvmlDeviceGetMemoryInfo_v2(Pointer device, Pointer memory);
    }

    /** nvmlDeviceGetCurrentClocksEventReasons: the r535+ name of the throttle reasons. */
    static final class ClocksEventReasons {
        private ClocksEventReasons() {
        }

        static native int nvmlDeviceGetCurrentClocksEventReasons(Pointer device, Pointer reasons);
    }

    /** nvmlDeviceGetCurrentClocksThrottleReasons: deprecated, and what drivers before r535 have. */
    static final class ClocksThrottleReasons {
        private ClocksThrottleReasons() {
        }

        static native int nvmlDeviceGetCurrentClocksThrottleReasons(Pointer device, Pointer reasons);
    }

    /** nvmlDeviceGetNumaNodeId: newer drivers only. */
    static final class NumaNodeId {
        private NumaNodeId() {
        }

        static native int nvmlDeviceGetNumaNodeId(Pointer device, Pointer node);
    }
}
