package dev.vigil.api.runbooks;

/** Where a run is. A run ends succeeded, failed, escalated or aborted; only an operator ends a waiting run early. */
public enum RunState {
    /** Admitted, waiting for the guards (fleet-wide limit, the runbook's concurrency) to let it start. */
    QUEUED,
    RUNNING,
    /** An {@code approve} step waits for an operator. */
    WAITING_APPROVAL,
    SUCCEEDED,
    /** A step failed; the node stays cordoned. */
    FAILED,
    /** A guard or a step handed the node to people (a page says why); no automatic repair. */
    ESCALATED,
    /** An operator stopped it; the node stays as the last step left it (cordoned if it was). */
    ABORTED;

    public boolean ended() {
        return this == SUCCEEDED || this == FAILED || this == ESCALATED || this == ABORTED;
    }
}
