package dev.vigil.runbooks.steps;

import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.runbooks.RunTarget;
import dev.vigil.runbooks.Fleet;

import java.time.Instant;
import java.util.Optional;

/**
 * What a step sees of its run.
 *
 * @param runId          the run's id
 * @param runbook        the runbook's name
 * @param index          the step's index in the run
 * @param attempt        the attempt under way, 1 for the first
 * @param attemptStarted when this attempt began
 * @param target         what the run acts on
 * @param actor          {@code runbook:<name>/<run>}, for the audit log
 * @param approvedBy     who approved the run's waiting approval, or null
 * @param fleet          the controller's port
 * @param now            the time of this look
 */
public record StepContext(String runId, String runbook, int index, int attempt, Instant attemptStarted,
                          RunTarget target, String actor, String approvedBy, Fleet fleet, Instant now) {

    /**
     * The id of this attempt's agent action or BMC request: {@code <run>/<step>/<attempt>}. The same
     * for every look at one attempt (a new leader asks for the same id, which the agent carries out
     * once), new for a new attempt.
     */
    public String actionId() {
        return runId + "/" + index + "/" + attempt;
    }

    /** What a step of this scope acts on: the node, the run's GPU, or (no scope) what the run targets. */
    public RunTarget target(Scope scope) {
        if (scope == Scope.NODE) {
            return new RunTarget(target.node(), null);
        }
        return target;
    }

    public Optional<NodeRecord> node() {
        return fleet.node(target.node());
    }

    /** Why this run does what it does, for the audit log. */
    public String reason(String what) {
        return "runbook " + runbook + " run " + runId + ": " + what;
    }
}
