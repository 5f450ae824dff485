package dev.vigil.api.runbooks;

import java.time.Instant;
import java.util.List;

/**
 * One execution of a runbook, stored after every step change and served as is.
 *
 * @param id       {@code run-12}
 * @param runbook  the runbook's name
 * @param target   the node (or GPU) it repairs
 * @param dryRun   true: it records what each step would do and changes nothing
 * @param state    where the run is
 * @param reason   why it is in that state, in words
 * @param trigger  what started it: {@code alert GpuXidFatal{node=…}}, {@code schedule}, {@code manual}
 * @param actor    {@code runbook:<name>/<id>}: who its steps act as in the audit log
 * @param startedBy who started it: an operator's token name, or {@code alert} / {@code schedule}
 * @param created  when it was created
 * @param updated  when it last changed
 * @param step     the index of the current step (the number of steps once it ended)
 * @param approvedBy who approved the step that waits for approval, or null
 * @param steps    every step, in order
 */
public record RunRecord(String id, String runbook, RunTarget target, boolean dryRun, RunState state, String reason,
                        String trigger, String actor, String startedBy, Instant created, Instant updated, int step,
                        String approvedBy, List<StepRecord> steps) {
    public RunRecord {
        steps = steps == null ? List.of() : List.copyOf(steps);
    }
}
