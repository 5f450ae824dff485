package dev.vigil.api.mig;

/**
 * Where a GPU's MIG change is. Every phase but {@link #SUCCESS} and {@link #FAILED} has a timeout
 * that ends in {@link #FAILED} with the reason: nothing waits forever.
 */
public enum MigPhase {
    /** Asked for; the controller has not reached the node's agent yet (it is not reporting). */
    PENDING,
    /** The GPU takes no new work; the controller waits for the jobs on it to leave. */
    DRAINING,
    /** The layout is in the node's desired state; its agent is applying it. */
    APPLYING,
    /** The GPU holds the layout; its agent keeps it so (it recreates instances lost at a reboot). */
    SUCCESS,
    /** The change ended without the layout; the message says why. The GPU is left as it is. */
    FAILED,
    /** The MIG mode change waits for a GPU reset that the agent may not or cannot do. */
    RESET_REQUIRED;

    /** Whether the GPU is being changed: it takes no new work in these phases. */
    public boolean changing() {
        return this == PENDING || this == DRAINING || this == APPLYING || this == RESET_REQUIRED;
    }

    /** Whether the node's agent works on (or keeps) the layout in this phase: it travels in the desired state. */
    public boolean sent() {
        return this == APPLYING || this == SUCCESS || this == RESET_REQUIRED;
    }

    /** {@code reset-required}, as the API and the CLI write it. */
    public String wire() {
        return name().toLowerCase().replace('_', '-');
    }
}
