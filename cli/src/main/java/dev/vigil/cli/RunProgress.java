package dev.vigil.cli;

import dev.vigil.api.runbooks.RunRecord;
import dev.vigil.api.runbooks.RunState;
import dev.vigil.api.runbooks.StepRecord;
import dev.vigil.api.runbooks.StepState;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What changed in a run since the last look, as rows of {@code vigil run ID --follow}: one per
 * step whose state, attempt or output changed (in the steps' order, which is the order they run
 * in), and one when the run's own state changed. A step not yet under way has no row.
 */
final class RunProgress {
    static final String[] HEADERS = {"TIME", "STEP", "STATE", "ATTEMPT", "OUTPUT"};

    /** The last row shown for each step, by index, without its time. */
    private final Map<Integer, List<String>> shown = new HashMap<>();
    private RunState runState;

    /** The rows since the last call; the first call has no row for the run's state (the header shows it). */
    List<Object[]> since(RunRecord run) {
        List<Object[]> rows = new ArrayList<>();
        List<StepRecord> steps = run.steps();
        for (int i = 0; i < steps.size(); i++) {
            StepRecord step = steps.get(i);
            if (step.state() == StepState.PENDING && step.attempts() == 0 && step.output() == null) {
                continue;
            }
            List<String> cells = Arrays.asList(RunsCommand.label(i, steps), Table.wire(step.state()),
                    String.valueOf(step.attempts()), output(step));
            if (!cells.equals(shown.put(i, cells))) {
                rows.add(row(when(step, run), cells));
            }
        }
        if (runState != null && run.state() != runState) {
            rows.add(new Object[]{Table.time(run.updated()), "run", Table.wire(run.state()), null, run.reason()});
        }
        runState = run.state();
        return rows;
    }

    /** What the step did or found, and when its next attempt is due after a failed one. */
    static String output(StepRecord step) {
        if (step.nextAttempt() == null || step.state().ended()) {
            return step.output();
        }
        String next = "next attempt " + Table.time(step.nextAttempt());
        return step.output() == null ? next : step.output() + " (" + next + ")";
    }

    /**
     * When the step last changed: its end, else its first attempt's start; for a later attempt (the
     * record keeps only the first start), when the run was last stored.
     */
    private static Instant when(StepRecord step, RunRecord run) {
        if (step.ended() != null) {
            return step.ended();
        }
        return step.started() != null && step.attempts() <= 1 ? step.started() : run.updated();
    }

    private static Object[] row(Instant time, List<String> cells) {
        Object[] row = new Object[HEADERS.length];
        row[0] = Table.time(time);
        for (int i = 0; i < cells.size(); i++) {
            row[i + 1] = cells.get(i);
        }
        return row;
    }
}
