package dev.vigil.runbooks.steps;

/** What a run does when a step failed its last attempt. */
public enum OnFailure {
    /** The run fails; the target stays cordoned and people are paged. */
    STOP,
    /** The run escalates: the target stays cordoned and a page hands it to people (the RMA path). */
    ESCALATE,
    /** The run goes on with the next step. */
    CONTINUE
}
