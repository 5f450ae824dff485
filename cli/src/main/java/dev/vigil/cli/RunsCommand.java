package dev.vigil.cli;

import dev.vigil.api.runbooks.RunRecord;
import dev.vigil.api.runbooks.StepRecord;
import dev.vigil.api.runbooks.StepState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;

/** {@code vigil runs}: runbook runs, newest first, one line each. */
@Command(name = "runs",
        mixinStandardHelpOptions = true,
        description = {
                "List runbook runs, newest first, one line each.",
                "",
                "Each line: the run's id ('vigil run ID' shows its steps), the runbook, the node",
                "(or GPU) it repairs, its state, the step it is at (or where it stopped) as i/n",
                "and the step's name, when it last changed, and whether it is a dry run. States:",
                "queued (waiting for the guards to let it start), running, waiting-approval (an",
                "approve step waits for 'vigil run approve'), succeeded, failed (the node stays",
                "cordoned), escalated (handed to people, a page says why), aborted.",
                ""},
        footer = {"", "Examples:",
                "  vigil runs",
                "  vigil runs --state waiting-approval,queued",
                "  vigil runs --runbook gpu-fallen-off-bus --node gpu-017",
                "  vigil runs -o json | jq -r '.[] | select(.state == \"failed\") | .id'"})
final class RunsCommand extends ApiCommand {
    /** How many runs the controller answers when not told. */
    static final int DEFAULT_LIMIT = 100;

    @Option(names = "--state", paramLabel = "STATES",
            description = "Only runs in these states, comma-separated: queued, running, waiting-approval, succeeded, "
                    + "failed, escalated, aborted.")
    String state;

    @Option(names = "--runbook", paramLabel = "NAME", description = "Only this runbook's runs.")
    String runbook;

    @Option(names = "--node", paramLabel = "NODE", description = "Only runs on this node.")
    String node;

    @Option(names = "--limit", paramLabel = "N",
            description = "At most this many, the newest, 1 to 10000 (default: the controller's, 100).")
    Integer limit;

    @Override
    void run(ControllerClient client, PrintWriter out) throws Exception {
        ControllerClient.Answer answer = client.get("/v1/runs" + ControllerClient.query("state", state, "runbook",
                runbook, "node", node, "limit", limit));
        if (json()) {
            out.println(answer.pretty());
            return;
        }
        List<RunRecord> runs = List.of(answer.as(RunRecord[].class));
        if (runs.isEmpty()) {
            out.println(state == null && runbook == null && node == null ? "No runs yet: 'vigil runbooks' lists the "
                    + "runbooks, 'vigil runbook run NAME --node NODE' starts one by hand." : "No runs match.");
            return;
        }
        Instant now = Instant.now();
        Table table = new Table("ID", "RUNBOOK", "TARGET", "STATE", "STEP", "UPDATED", "DRY-RUN");
        for (RunRecord run : runs) {
            table.row(run.id(), run.runbook(), run.target(), Table.wire(run.state()), position(run),
                    Table.ago(run.updated(), now), Table.yesNo(run.dryRun()));
        }
        table.print(out);
        if (runs.size() >= (limit == null ? DEFAULT_LIMIT : limit)) {
            spec.commandLine().getErr().println("(older runs may not be shown: --limit N shows more)");
            spec.commandLine().getErr().flush();
        }
    }

    /**
     * The step a run is at, {@code 2/5 reboot}; once it ended, the last step that got under way
     * (where it stopped; {@code 0/5} when none did). Null for a run without steps.
     */
    static String position(RunRecord run) {
        List<StepRecord> steps = run.steps();
        if (steps.isEmpty()) {
            return null;
        }
        if (run.step() >= 0 && run.step() < steps.size()) {
            return label(run.step(), steps);
        }
        for (int i = steps.size() - 1; i >= 0; i--) {
            StepState state = steps.get(i).state();
            if (state != StepState.PENDING && state != StepState.SKIPPED) {
                return label(i, steps);
            }
        }
        return "0/" + steps.size();
    }

    /** {@code 2/5 reboot}: the step at {@code index}, counted from 1. */
    static String label(int index, List<StepRecord> steps) {
        return (index + 1) + "/" + steps.size() + " " + steps.get(index).name();
    }
}
