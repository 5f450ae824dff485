package dev.vigil.api.placement;

/** What the agent has done so far about one violating process. */
public enum Enforcement {
    /** Reported (event, metric, alert) and left running: the {@code report} policy, or cordon asked. */
    REPORTED,
    /** SIGTERM sent; SIGKILL follows when the grace period ends. */
    SIGTERM_SENT,
    /** SIGKILL sent after the grace period. */
    SIGKILL_SENT,
    /** The agent could not signal it (permission, or the PID is not on this host's /proc): the reason is logged. */
    SIGNAL_FAILED,
    /** The GPU is to be cordoned: the controller does it when it reads the report. */
    CORDON_GPU;

    /** {@code sigterm-sent}, as the API and the CLI write it. */
    public String wire() {
        return name().toLowerCase().replace('_', '-');
    }
}
