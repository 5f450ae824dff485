package dev.vigil.runbooks.run;

import dev.vigil.api.binding.HumanDurations;
import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.runbooks.RunRecord;
import dev.vigil.api.runbooks.RunState;
import dev.vigil.api.runbooks.RunTarget;
import dev.vigil.api.runbooks.StepRecord;
import dev.vigil.api.runbooks.StepState;
import dev.vigil.runbooks.Fleet;
import dev.vigil.runbooks.Mode;
import dev.vigil.runbooks.Runbook;
import dev.vigil.runbooks.guards.Admission;
import dev.vigil.runbooks.steps.Progress;
import dev.vigil.runbooks.steps.StepContext;
import dev.vigil.runbooks.steps.StepKind;
import dev.vigil.runbooks.steps.StepSpec;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A run's state machine, one pure step at a time in the spirit of the alerts' lifecycle: given the
 * stored run, its runbook, the port and the time, the run as it is now, advanced as far as it goes
 * without waiting. The controller stores every run this returns before it advances it again; a new
 * leader advances the stored record and goes on exactly where the old one stopped (a step's effect
 * is never repeated: cordons are states, agent actions and BMC requests carry the attempt's id).
 *
 * <p>Each step's attempt may take its timeout; a failed or timed-out attempt is retried after the
 * step's backoff (doubling) while retries are left, then the step's {@code onFailure} stops the run
 * (failed), escalates it, or goes on. A failed or escalated run leaves its target cordoned, never
 * reaches {@code return}, and pages with the node's history.
 */
public final class Runs {
    private Runs() {
    }

    /** A new run, queued until the guards let it start; dry when its runbook or the request says so. */
    public static RunRecord create(String id, Runbook runbook, RunTarget target, Boolean dryRun, String trigger,
                                   String startedBy, Instant now) {
        List<StepRecord> steps = runbook.steps().stream().map(step -> StepRecord.pending(step.name(),
                step.kind().wireName())).toList();
        boolean dry = dryRun != null ? dryRun : runbook.mode() == Mode.DRY_RUN;
        return new RunRecord(id, runbook.name(), target, dry, RunState.QUEUED, "waiting for the guards", trigger,
                "runbook:" + runbook.name() + "/" + id, startedBy, now, now, 0, null, steps);
    }

    /**
     * Applies the guards' answer to a queued run: it starts (and goes as far as it can), waits, is
     * refused (failed, nothing done), escalates (target cordoned, a page), or waits for the breaker.
     */
    public static RunRecord admit(RunRecord run, Admission admission, Runbook runbook, Fleet fleet, Instant now) {
        if (run.state() != RunState.QUEUED) {
            return run;
        }
        return switch (admission.verdict()) {
            case START -> advance(with(run, RunState.RUNNING, "started", run.step(), run.steps(), now), runbook,
                    fleet, now);
            case QUEUE, HALT -> run.reason().equals(admission.reason()) ? run
                    : with(run, RunState.QUEUED, admission.reason(), run.step(), run.steps(), now);
            case REFUSE -> end(run, RunState.FAILED, "refused: " + admission.reason(), run.steps(), now);
            case ESCALATE -> handOver(run, RunState.ESCALATED, "escalated: " + admission.reason(), run.steps(),
                    fleet, now);
        };
    }

    /** Advances a run as far as it goes now. Queued runs wait for {@link #admit}; ended ones only tidy up. */
    public static RunRecord advance(RunRecord run, Runbook runbook, Fleet fleet, Instant now) {
        withdrawEnded(run, fleet);
        if (run.state().ended() || run.state() == RunState.QUEUED) {
            return run;
        }
        if (!sameSteps(run, runbook)) {
            // A reload changed the runbook under the run: its step indexes no longer mean what they did.
            return handOver(run, RunState.FAILED, "runbook " + runbook.name()
                    + " changed while the run was under way (its steps differ)", run.steps(), fleet, now);
        }
        List<StepRecord> steps = new ArrayList<>(run.steps());
        String approvedBy = run.approvedBy();
        for (int index = run.step(); index < steps.size(); index++) {
            StepSpec spec = runbook.steps().get(index);
            StepRecord record = steps.get(index);
            if (!run.dryRun() && record.state() == StepState.PENDING && record.attempts() == 0 && spec.fallback()
                    && steps.get(index - 1).state() != StepState.FAILED_CONTINUED) {
                steps.set(index, ended(record, StepState.SKIPPED, "skipped: the step before it succeeded", now));
                continue;
            }
            if (record.state() == StepState.PENDING) {
                if (record.attempts() > 0 && now.isBefore(record.nextAttempt())) {
                    return with(run, RunState.RUNNING, "step " + spec.name() + ": attempt " + (record.attempts() + 1)
                            + " at " + record.nextAttempt(), index, steps, now);
                }
                record = new StepRecord(record.name(), record.kind(), StepState.RUNNING, record.attempts() + 1,
                        record.started() == null ? now : record.started(), null, record.nextAttempt(), null,
                        record.output());
            }
            // A retry's attempt began when it was due; its first, when the step started.
            Instant attemptStarted = record.attempts() == 1 ? record.started() : record.nextAttempt();
            StepContext context = new StepContext(run.id(), run.runbook(), index, record.attempts(), attemptStarted,
                    run.target(), run.actor(), approvedBy, fleet, now);
            if (run.dryRun()) {
                steps.set(index, ended(record, StepState.SUCCEEDED, "dry run: " + (spec.fallback()
                        ? "if the step before fails, " : "") + spec.step().plan(context), now));
                continue;
            }
            Progress progress = spec.step().attempt(context);
            String actionId = progress.actionId() != null ? progress.actionId() : record.actionId();
            boolean timedOut = progress.status() == Progress.Status.PENDING
                    && !now.isBefore(attemptStarted.plus(spec.timeout()));
            if (progress.status() == Progress.Status.DONE) {
                steps.set(index, ended(withAction(record, actionId), StepState.SUCCEEDED, progress.output(), now));
                if (spec.kind() == StepKind.APPROVE) {
                    approvedBy = null;
                }
                continue;
            }
            if (progress.status() == Progress.Status.PENDING && !timedOut) {
                steps.set(index, withOutput(withAction(record, actionId), progress.output()));
                RunState state = spec.kind() == StepKind.APPROVE
                        ? RunState.WAITING_APPROVAL : RunState.RUNNING;
                return withApproval(with(run, state, "step " + spec.name() + ": " + progress.output(), index, steps,
                        now), approvedBy);
            }
            String failure = timedOut ? progress.output() + "; timed out after " + HumanDurations.format(spec.timeout())
                    : progress.output();
            if (record.attempts() <= spec.retries()) {
                Instant retryAt = now.plus(spec.backoffBefore(record.attempts()));
                steps.set(index, new StepRecord(record.name(), record.kind(), StepState.PENDING, record.attempts(),
                        record.started(), null, retryAt, actionId, failure));
                return with(run, RunState.RUNNING, "step " + spec.name() + " failed (attempt " + record.attempts()
                        + " of " + (spec.retries() + 1) + "), retry at " + retryAt + ": " + failure, index, steps, now);
            }
            StepRecord failed = withAction(record, actionId);
            switch (spec.onFailure()) {
                case CONTINUE -> steps.set(index, ended(failed, StepState.FAILED_CONTINUED, failure, now));
                case STOP -> {
                    steps.set(index, ended(failed, StepState.FAILED, failure, now));
                    return handOver(run, RunState.FAILED, "step " + spec.name() + " failed: " + failure, steps, fleet,
                            now);
                }
                case ESCALATE -> {
                    steps.set(index, ended(failed, StepState.FAILED, failure, now));
                    return handOver(run, RunState.ESCALATED, "step " + spec.name() + " failed, escalated: " + failure,
                            steps, fleet, now);
                }
            }
        }
        return withApproval(end(run, RunState.SUCCEEDED, run.dryRun() ? "dry run: every step planned" : "every step done",
                steps, now), approvedBy);
    }

    /** An operator approves the step the run waits on; the next advance goes on. */
    public static RunRecord approve(RunRecord run, String by, Instant now) {
        if (run.state() != RunState.WAITING_APPROVAL) {
            throw new IllegalStateException("run " + run.id() + " is " + run.state().name().toLowerCase(
                    Locale.ROOT) + ", not waiting for approval");
        }
        return withApproval(with(run, RunState.RUNNING, "approved by " + by, run.step(), run.steps(), now), by);
    }

    /**
     * An operator stops the run: its current step fails, the rest are skipped, the node stays as the
     * last step left it; an agent action the step asked for is withdrawn.
     */
    public static RunRecord abort(RunRecord run, String by, String reason, Fleet fleet, Instant now) {
        if (run.state().ended()) {
            throw new IllegalStateException("run " + run.id() + " already ended "
                    + run.state().name().toLowerCase(Locale.ROOT));
        }
        List<StepRecord> steps = new ArrayList<>(run.steps());
        if (steps.get(run.step()).attempts() > 0) {
            steps.set(run.step(), ended(steps.get(run.step()), StepState.FAILED, "aborted by " + by, now));
        }
        RunRecord aborted = end(run, RunState.ABORTED, "aborted by " + by + ": " + reason, steps, now);
        withdrawEnded(aborted, fleet);
        return aborted;
    }

    private static boolean sameSteps(RunRecord run, Runbook runbook) {
        return run.steps().stream().map(StepRecord::kind).toList()
                .equals(runbook.steps().stream().map(step -> step.kind().wireName()).toList());
    }

    /** Ends the run failed or escalated: its target stays (or is put) cordoned, and people are paged. */
    private static RunRecord handOver(RunRecord run, RunState state, String reason, List<StepRecord> steps, Fleet fleet,
                                      Instant now) {
        RunRecord ended = end(run, state, reason, steps, now);
        if (run.dryRun()) {
            return ended;
        }
        NodeRecord node = null;
        if (run.target() != null) {
            fleet.cordon(run.target(), run.actor(), "runbook " + run.runbook() + " run " + run.id() + ": " + reason);
            node = fleet.node(run.target().node()).orElse(null);
        }
        fleet.page(run.id() + "/page", "runbook " + run.runbook() + " " + state.name().toLowerCase(Locale.ROOT)
                + " on " + (run.target() == null ? "the fleet" : run.target()) + ": " + reason, History.of(ended, node));
        return ended;
    }

    private static RunRecord end(RunRecord run, RunState state, String reason, List<StepRecord> steps, Instant now) {
        List<StepRecord> ended = steps.stream().map(step -> step.state().ended() || step.attempts() > 0 ? step
                : new StepRecord(step.name(), step.kind(), StepState.SKIPPED, 0, null, null, null, null,
                step.output())).toList();
        return with(run, state, reason, steps.size(), ended, now);
    }

    /**
     * Takes back the agent actions of steps whose attempt ended in the stored run: the step's outcome
     * is stored, so the agent may stop reporting it.
     */
    private static void withdrawEnded(RunRecord run, Fleet fleet) {
        if (run.target() == null) {
            return;
        }
        List<String> done = run.steps().stream().filter(step -> step.actionId() != null
                && (step.state().ended() || step.state() == StepState.PENDING)).map(StepRecord::actionId).toList();
        if (done.isEmpty()) {
            return;
        }
        fleet.node(run.target().node()).ifPresent(node -> node.actions().stream()
                .filter(action -> done.contains(action.id()))
                .forEach(action -> fleet.withdraw(node.name(), action.id())));
    }

    private static StepRecord ended(StepRecord step, StepState state, String output, Instant now) {
        return new StepRecord(step.name(), step.kind(), state, step.attempts(), step.started(), now,
                step.nextAttempt(), step.actionId(), output);
    }

    private static StepRecord withAction(StepRecord step, String actionId) {
        return new StepRecord(step.name(), step.kind(), step.state(), step.attempts(), step.started(), step.ended(),
                step.nextAttempt(), actionId, step.output());
    }

    private static StepRecord withOutput(StepRecord step, String output) {
        return new StepRecord(step.name(), step.kind(), step.state(), step.attempts(), step.started(), step.ended(),
                step.nextAttempt(), step.actionId(), output);
    }

    private static RunRecord with(RunRecord run, RunState state, String reason, int step, List<StepRecord> steps,
                                  Instant now) {
        return new RunRecord(run.id(), run.runbook(), run.target(), run.dryRun(), state, reason, run.trigger(),
                run.actor(), run.startedBy(), run.created(), now, step, run.approvedBy(), steps);
    }

    private static RunRecord withApproval(RunRecord run, String approvedBy) {
        return new RunRecord(run.id(), run.runbook(), run.target(), run.dryRun(), run.state(), run.reason(),
                run.trigger(), run.actor(), run.startedBy(), run.created(), run.updated(), run.step(), approvedBy,
                run.steps());
    }
}
