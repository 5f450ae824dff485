package dev.vigil.api.runbooks;

import java.time.Instant;

/**
 * One step of a run as stored after each change, so that a new leader goes on from exactly here.
 *
 * @param name        the step's name in the runbook (its kind when it has none)
 * @param kind        the step's kind, e.g. {@code drain}, {@code gpu-reset}
 * @param state       where it is
 * @param attempts    attempts made so far (retries included)
 * @param started     when its first attempt began, or null
 * @param ended       when it ended, or null
 * @param nextAttempt when a retry is due after a failed attempt (backoff), or null
 * @param actionId    the agent action it asked for (a reset, a reboot, a health check), so a new
 *                    leader waits for that one instead of asking again; null for other kinds
 * @param output      what it did or found, in words (for dry-run: what it would have done)
 */
public record StepRecord(String name, String kind, StepState state, int attempts, Instant started, Instant ended,
                         Instant nextAttempt, String actionId, String output) {
    public static StepRecord pending(String name, String kind) {
        return new StepRecord(name, kind, StepState.PENDING, 0, null, null, null, null, null);
    }
}
