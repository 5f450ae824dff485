package dev.vigil.gpu.nvml;

/** An NVML call that failed: which step, and NVML's return code. Never leaves the package. */
final class NvmlException extends Exception {
    private final String step;
    private final int rc;

    NvmlException(String step, int rc) {
        super(step + ": " + NvmlLibrary.describe(rc), null, false, false);
        this.step = step;
        this.rc = rc;
    }

    String step() {
        return step;
    }

    int rc() {
        return rc;
    }

    /** Throws unless {@code rc} is SUCCESS. */
    static void check(int rc, String step) throws NvmlException {
        if (rc != Nvml.SUCCESS) {
            throw new NvmlException(step, rc);
        }
    }
}
