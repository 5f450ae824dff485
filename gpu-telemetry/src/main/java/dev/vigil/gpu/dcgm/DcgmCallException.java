package dev.vigil.gpu.dcgm;

import dev.vigil.gpu.backend.GpuBackendException;

/** A libdcgm call that returned an error: the function, DCGM's code and DCGM's own text for it. */
final class DcgmCallException extends Exception {
    private final String function;
    private final int code;

    DcgmCallException(String function, int code, String text) {
        super(function + ": " + text + " (DCGM error " + code + ")");
        this.function = function;
        this.code = code;
    }

    String function() {
        return function;
    }

    int code() {
        return code;
    }

    /** The host engine went away (nv-hostengine restarted or the socket broke). */
    boolean connectionLost() {
        return code == DcgmCodes.CONNECTION_NOT_VALID;
    }

    GpuBackendException toBackendException(String context) {
        return new GpuBackendException(DcgmCodes.reason(code), context + ": " + getMessage(), this);
    }
}
