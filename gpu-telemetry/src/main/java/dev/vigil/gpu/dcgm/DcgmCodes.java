package dev.vigil.gpu.dcgm;

import dev.vigil.gpu.backend.FieldStatus;
import dev.vigil.gpu.backend.GpuBackendException.Reason;

/**
 * DCGM's return codes ({@code dcgmReturn_t}) and blank sentinels, and what they mean for Vigil:
 * the reason of a failed call, the status of a value that is not a number.
 */
final class DcgmCodes {
    static final int OK = 0;
    static final int BADPARAM = -1;
    static final int NOT_SUPPORTED = -6;
    static final int NO_DATA = -14;
    static final int STALE_DATA = -15;
    static final int NOT_WATCHED = -16;
    static final int NO_PERMISSION = -17;
    static final int GPU_IS_LOST = -18;
    static final int CONNECTION_NOT_VALID = -21;
    static final int GPU_NOT_SUPPORTED = -22;
    static final int LIBRARY_NOT_FOUND = -25;
    static final int REQUIRES_ROOT = -29;
    static final int MODULE_NOT_LOADED = -33;
    static final int PROFILING_NOT_SUPPORTED = -36;
    static final int NVML_NOT_LOADED = -56;

    /** {@code DCGM_INT64_BLANK}: this and the values above it are sentinels, never measurements. */
    static final long INT64_BLANK = 0x7ffffffffffffff0L;
    /** {@code DCGM_FP64_BLANK} (2^47). */
    static final double FP64_BLANK = 140737488355328.0;

    private DcgmCodes() {
    }

    /** What an operator should look at when a call failed with {@code code}. */
    static Reason reason(int code) {
        return switch (code) {
            case NO_PERMISSION, REQUIRES_ROOT -> Reason.NO_PERMISSION;
            case CONNECTION_NOT_VALID -> Reason.CONNECTION_LOST;
            case NOT_SUPPORTED, GPU_NOT_SUPPORTED, PROFILING_NOT_SUPPORTED -> Reason.NOT_SUPPORTED;
            case LIBRARY_NOT_FOUND, NVML_NOT_LOADED -> Reason.LIBRARY_MISSING;
            default -> Reason.DRIVER_ERROR;
        };
    }

    /** The status of a value DCGM returned with a non-OK per-value status (GPU_IS_LOST is handled by the caller). */
    static FieldStatus valueStatus(int status) {
        return switch (status) {
            case NOT_SUPPORTED, GPU_NOT_SUPPORTED, PROFILING_NOT_SUPPORTED -> FieldStatus.NOT_SUPPORTED;
            case NO_PERMISSION, REQUIRES_ROOT -> FieldStatus.NO_PERMISSION;
            case GPU_IS_LOST -> FieldStatus.GPU_LOST;
            default -> FieldStatus.NO_DATA; // NO_DATA, STALE_DATA, NOT_WATCHED and anything unexpected: no value
        };
    }

    /**
     * The status a blank sentinel stands for, by its distance from the blank: +0 BLANK (no value
     * yet), +1 NOT_FOUND and +2 NOT_SUPPORTED (the GPU has no such thing), +3 NOT_PERMISSIONED.
     */
    static FieldStatus blankStatus(long aboveBlank) {
        if (aboveBlank == 1 || aboveBlank == 2) {
            return FieldStatus.NOT_SUPPORTED;
        }
        return aboveBlank == 3 ? FieldStatus.NO_PERMISSION : FieldStatus.NO_DATA;
    }
}
