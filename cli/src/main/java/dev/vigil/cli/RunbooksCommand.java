package dev.vigil.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.api.binding.Documents;
import dev.vigil.api.runbooks.AutomationStatus;
import dev.vigil.api.runbooks.RunbookSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** {@code vigil runbooks [reload|resume]}: the runbooks the controller has, and whether automation may act. */
@Command(name = "runbooks",
        mixinStandardHelpOptions = true,
        description = {
                "List the runbooks, and say whether automation may start runs.",
                "",
                "Each line: the runbook's name, what triggers it (an alert and its labels, a cron",
                "schedule, or manual only), what it acts on (the alert's node or GPU, or a selector),",
                "its mode (active, or dry-run: it records what it would do and changes nothing), its",
                "steps in order, and how many of its runs have not ended.",
                "",
                "Below, the guards: whether automation is active or halted (the circuit breaker trips",
                "when too many nodes were cordoned within its window; only 'vigil runbooks resume'",
                "resets it), nodes in remediation against the fleet-wide limit, and recent cordons",
                "against the breaker's limit. With -o json: {\"runbooks\": [...], \"automation\": {...}},",
                "the two answers of the API as they are.",
                ""},
        subcommands = {RunbooksCommand.Reload.class, RunbooksCommand.Resume.class},
        footer = {"", "Examples:",
                "  vigil runbooks",
                "  vigil runbooks -o json | jq -r '.runbooks[] | select(.mode == \"dry-run\") | .name'",
                "  vigil runbooks reload                       # after editing the runbook files",
                "  vigil runbooks resume --reason \"rack B7 power restored, ticket OPS-1234\""})
final class RunbooksCommand extends ApiCommand {
    @Override
    void run(ControllerClient client, PrintWriter out) throws Exception {
        ControllerClient.Answer runbooks = client.get("/v1/runbooks");
        ControllerClient.Answer automation = client.get("/v1/runbooks/automation");
        if (json()) {
            ObjectNode both = Documents.json().createObjectNode();
            both.set("runbooks", runbooks.tree());
            both.set("automation", automation.tree());
            out.println(Documents.json().writerWithDefaultPrettyPrinter().writeValueAsString(both));
            return;
        }
        print(List.of(runbooks.as(RunbookSummary[].class)), out);
        out.println();
        print(automation.as(AutomationStatus.class), Instant.now(), out);
    }

    static void print(List<RunbookSummary> runbooks, PrintWriter out) {
        if (runbooks.isEmpty()) {
            out.println("No runbooks: the controller reads them from its runbook files at start and on "
                    + "'vigil runbooks reload'.");
            return;
        }
        Table table = new Table("NAME", "TRIGGER", "TARGET", "MODE", "STEPS", "RUNNING");
        for (RunbookSummary runbook : runbooks) {
            table.row(runbook.name(), runbook.trigger(), runbook.target(), runbook.mode(),
                    String.join(", ", runbook.steps()), runbook.running());
        }
        table.print(out);
    }

    /** One line on whether runbooks may act, and when halted, why and how to resume. */
    static void print(AutomationStatus automation, Instant now, PrintWriter out) {
        out.printf("Automation: %s; in remediation %d/%d nodes; recent cordons %d/%d%n",
                automation.halted() ? "HALTED" : "active", automation.inRemediation(), automation.remediationLimit(),
                automation.recentCordons(), automation.breakerLimit());
        if (automation.halted()) {
            out.printf("  halted %s (%s): %s%n", Table.time(automation.since()), Table.ago(automation.since(), now),
                    automation.reason());
            out.println("  no run starts until an operator resumes: vigil runbooks resume --reason TEXT");
        }
    }

    @Command(name = "reload",
            mixinStandardHelpOptions = true,
            description = {
                    "Read the runbook files again, and list what the controller now has.",
                    "",
                    "A file with an unknown field, step kind or alert name, or a bad cron schedule, is",
                    "refused naming the file, the field and the value (exit status 2), and the",
                    "runbooks in force stay as they were. Runs under way go on with the steps they",
                    "started with. Needs an operator token; the reason goes into the audit log.",
                    ""},
            footer = {"", "Examples:",
                    "  vigil runbooks reload",
                    "  vigil runbooks reload --reason \"gpu-reset-needed: health-check level 2\""})
    static final class Reload extends ApiCommand {
        @Option(names = "--reason", paramLabel = "TEXT", defaultValue = "runbook files changed",
                description = "Why, in words, for the audit log (default: ${DEFAULT-VALUE}).")
        String reason;

        @Override
        void run(ControllerClient client, PrintWriter out) throws Exception {
            ControllerClient.Answer answer = client.post("/v1/runbooks/reload", Map.of("reason", reason));
            if (json()) {
                out.println(answer.pretty());
                return;
            }
            List<RunbookSummary> runbooks = List.of(answer.as(RunbookSummary[].class));
            out.printf("Reloaded: %d runbook%s%n", runbooks.size(), runbooks.size() == 1 ? "" : "s");
            if (!runbooks.isEmpty()) {
                print(runbooks, out);
            }
        }
    }

    @Command(name = "resume",
            mixinStandardHelpOptions = true,
            description = {
                    "Let runbooks start runs again after the circuit breaker halted them.",
                    "",
                    "The breaker halts automation when more nodes than its limit were cordoned within",
                    "its window (a rack losing power is not repaired node by node) and pages",
                    "AutomationHalted. Look at what failed first ('vigil nodes', 'vigil runs'): once",
                    "resumed, alerts start runs again. Needs an operator token; the reason goes into",
                    "the audit log and 'vigil runbooks' shows it.",
                    ""},
            footer = {"", "Examples:",
                    "  vigil runbooks resume --reason \"rack B7 power restored, ticket OPS-1234\""})
    static final class Resume extends ApiCommand {
        @Option(names = "--reason", paramLabel = "TEXT", required = true,
                description = "Why it is safe to resume, in words: kept in the audit log.")
        String reason;

        @Override
        void run(ControllerClient client, PrintWriter out) throws Exception {
            ControllerClient.Answer answer = client.post("/v1/runbooks/resume", Map.of("reason", reason));
            if (json()) {
                out.println(answer.pretty());
                return;
            }
            print(answer.as(AutomationStatus.class), Instant.now(), out);
        }
    }
}
