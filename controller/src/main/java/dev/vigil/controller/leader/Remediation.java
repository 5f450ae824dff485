package dev.vigil.controller.leader;

/** The leader's runbooks, as the leader service drives them and members reach them. */
public interface Remediation {
    /** This member leads: take over the stored runs and the breaker, fire the schedules. */
    void startLeading();

    /** This member no longer leads: stop advancing runs; they stay stored where they are. */
    void stopLeading();

    /** Starts, approves or aborts a run, resumes automation, or reloads the runbooks. */
    Outcome apply(Mutation.RunbookMutation mutation);

    /** The runbooks and whether automation may act, as {@code GET /v1/runbooks} shows them. */
    Outcome view();
}
