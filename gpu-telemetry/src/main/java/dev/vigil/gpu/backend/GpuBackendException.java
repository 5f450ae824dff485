package dev.vigil.gpu.backend;

/** Why a backend cannot work, or why a call on it failed, in words an operator can act on. */
public final class GpuBackendException extends Exception {
    /** The kind of failure: what the operator should look at. */
    public enum Reason {
        /** The vendor library is not installed or cannot be loaded. */
        LIBRARY_MISSING,
        /** The library loaded but there is no GPU. */
        NO_GPUS,
        /** The agent lacks the privilege (root, CAP_SYS_ADMIN, device permissions). */
        NO_PERMISSION,
        /** The connection to the host engine is gone; the backend reconnects. */
        CONNECTION_LOST,
        /** The driver or library reported an error. */
        DRIVER_ERROR,
        /** A request the backend refuses as it stands (e.g. MIG change while processes run). */
        REFUSED,
        /**
         * The change is taken but waits for a GPU reset (or a reboot) to take effect: NVML's MIG mode
         * switch on GPUs that cannot switch live. Nothing is wrong; someone must reset the GPU.
         */
        RESET_REQUIRED,
        /** The backend cannot do this at all. */
        NOT_SUPPORTED
    }

    private final Reason reason;

    public GpuBackendException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public GpuBackendException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
