package dev.vigil.cli;

import dev.vigil.api.runbooks.RunRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code vigil runbook run NAME --node N}: an operator starts a runbook by hand. */
@Command(name = "runbook",
        mixinStandardHelpOptions = true,
        description = {
                "Start a runbook by hand.",
                "",
                "'vigil runbooks' lists the runbooks; 'vigil runs' and 'vigil run ID' show their runs.",
                ""},
        subcommands = {RunbookCommand.Run.class},
        footer = {"", "Examples:",
                "  vigil runbook run gpu-reset-needed --node gpu-017 --gpu 3 --dry-run"})
final class RunbookCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "run",
            mixinStandardHelpOptions = true,
            description = {
                    "Start a run of a runbook on a node, or on one GPU of it.",
                    "",
                    "Prints the run's id; 'vigil run ID --follow' shows its steps as they happen.",
                    "The run goes through the same guards as one an alert starts: it waits (queued)",
                    "for room under the fleet-wide limit on nodes in remediation and the runbook's",
                    "concurrency; a halted circuit breaker refuses it (exit status 1); on a node",
                    "remediated more than twice in 7 days it escalates to people instead of repairing.",
                    "--dry-run records what each step would do and changes nothing; without it, the",
                    "run takes the runbook's mode. Needs an operator token; the reason goes into the",
                    "audit log.",
                    ""},
            footer = {"", "Examples:",
                    "  vigil runbook run gpu-fallen-off-bus --node gpu-017 --dry-run",
                    "  vigil runbook run gpu-reset-needed --node gpu-017 --gpu 3 --reason \"ECC DBE, ticket OPS-1234\"",
                    "  vigil run $(vigil runbook run gpu-fallen-off-bus --node gpu-017 -o json | jq -r .id) --follow"})
    static final class Run extends ApiCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "The runbook, as 'vigil runbooks' lists it.")
        String name;

        @Option(names = "--node", paramLabel = "NODE",
                description = "The node to run it on, as 'vigil nodes' lists it (not for a fleet runbook such as "
                        + "capacity-report).")
        String node;

        @Option(names = "--gpu", paramLabel = "GPU", description = "One GPU of the node (its index), for runbooks "
                + "that act on a GPU.")
        Integer gpu;

        @Option(names = "--dry-run", description = "Record what each step would do and change nothing.")
        boolean dryRun;

        @Option(names = "--reason", paramLabel = "TEXT",
                description = "Why, in words, for the audit log (default: the controller's \"run by hand\").")
        String reason;

        @Override
        void run(ControllerClient client, PrintWriter out) throws Exception {
            Map<String, Object> request = new LinkedHashMap<>();
            request.put("node", node);
            if (gpu != null) {
                request.put("gpu", gpu);
            }
            if (dryRun) {
                request.put("dryRun", true);
            }
            if (reason != null) {
                request.put("reason", reason);
            }
            ControllerClient.Answer answer = client.post("/v1/runbooks/" + ControllerClient.segment(name) + "/runs",
                    request);
            if (json()) {
                out.println(answer.pretty());
                return;
            }
            RunRecord run = answer.as(RunRecord.class);
            out.printf("run %s of %s on %s: %s%s%n", run.id(), run.runbook(), run.target(), Table.wire(run.state()),
                    run.dryRun() ? " (dry run: changes nothing)" : "");
            out.printf("  follow it: vigil run %s --follow%n", run.id());
        }

        @Override
        String optionFor(String field) {
            return field.equals("dryRun") ? "--dry-run" : "--" + field;
        }
    }
}
