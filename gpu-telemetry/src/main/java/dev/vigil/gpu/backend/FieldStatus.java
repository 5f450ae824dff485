package dev.vigil.gpu.backend;

/**
 * Why a sampled field has (or has no) value. Anything but {@link #OK} means the series is left
 * out of /metrics and the reason is shown in the agent's /v1/node: never a sentinel number.
 */
public enum FieldStatus {
    OK,
    /** The GPU or driver does not support the field (DCGM's NOT_SUPPORTED blank). */
    NOT_SUPPORTED,
    /** No value yet (DCGM's blank or NO_DATA): the watch has not produced one. */
    NO_DATA,
    /** The agent lacks the privilege to read it (profiling fields without CAP_SYS_ADMIN). */
    NO_PERMISSION,
    /** The GPU does not answer (fallen off the bus). */
    GPU_LOST;

    static final FieldStatus[] VALUES = values();
}
