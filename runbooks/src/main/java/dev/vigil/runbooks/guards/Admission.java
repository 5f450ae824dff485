package dev.vigil.runbooks.guards;

/**
 * The guards' answer for a run that wants to start.
 *
 * @param verdict what happens to it
 * @param reason  why, in words (for the run's record and the page)
 */
public record Admission(Verdict verdict, String reason) {
    public enum Verdict {
        /** It may start now. */
        START,
        /** It waits: the fleet-wide limit or its runbook's concurrency is reached. */
        QUEUE,
        /** It cannot run: its target is empty or unresolved, or another run repairs that node. */
        REFUSE,
        /** No automatic repair: a repeat offender goes to people (the RMA path). */
        ESCALATE,
        /** The circuit breaker is open: nothing starts until an operator resumes automation. */
        HALT
    }

    static Admission start() {
        return new Admission(Verdict.START, "the guards let it start");
    }

    static Admission of(Verdict verdict, String reason) {
        return new Admission(verdict, reason);
    }
}
