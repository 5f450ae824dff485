package dev.vigil.api.runbooks;

/** Where one step of a run is. */
public enum StepState {
    PENDING,
    RUNNING,
    SUCCEEDED,
    FAILED,
    /** Failed, and its {@code onFailure: continue} let the run go on. */
    FAILED_CONTINUED,
    /** The run ended before it reached this step. */
    SKIPPED;

    public boolean ended() {
        return this != PENDING && this != RUNNING;
    }
}
