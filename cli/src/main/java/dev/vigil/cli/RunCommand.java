package dev.vigil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.api.binding.Documents;
import dev.vigil.api.runbooks.RunRecord;
import dev.vigil.api.runbooks.RunState;
import dev.vigil.api.runbooks.StepRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** {@code vigil run ID [--follow]}, {@code vigil run approve|abort ID}: one runbook run. */
@Command(name = "run",
        mixinStandardHelpOptions = true,
        description = {
                "Show one runbook run and its steps; --follow shows them as they happen.",
                "",
                "The run's state and why, what started it and who, the actor its steps act as in",
                "the audit log; then each step with its state, attempts (retries included), when it",
                "started and ended, and what it did or found (for a dry run: what it would have",
                "done).",
                "",
                "--follow prints each step change as it happens (it asks every second) until the",
                "run ends, then exits with status 0 if it succeeded, 1 if it failed, escalated or",
                "was aborted. If the controller is briefly unavailable (a new leader takes over the",
                "run), it says so and keeps asking. Ctrl-C stops following only: the run goes on.",
                "With -o json, --follow prints the run once per change, one per line (JSON Lines).",
                ""},
        subcommands = {RunCommand.Approve.class, RunCommand.Abort.class},
        footer = {"", "Examples:",
                "  vigil run run-12",
                "  vigil run run-12 --follow",
                "  vigil run run-12 -o json | jq '.steps[] | {name, state, output}'",
                "  vigil run approve run-12 --reason \"node drained, go ahead\""})
final class RunCommand extends ApiCommand {
    /** Optional to picocli only: a parent's required parameter would be asked of 'vigil run approve ID' too. */
    @Parameters(index = "0", paramLabel = "ID", arity = "0..1", description = "The run's id, as 'vigil runs' lists it.")
    String id;

    @Option(names = {"-f", "--follow"}, description = "Print each step change as it happens, until the run ends.")
    boolean follow;

    /** How often --follow asks; tests shorten it. */
    Duration poll = Duration.ofSeconds(1);

    @Override
    void run(ControllerClient client, PrintWriter out) throws Exception {
        if (id == null) {
            throw new ControllerClient.Failure("missing ID: the run's id, as 'vigil runs' lists it (see 'vigil run "
                    + "--help')", ExitCodes.CONFIG, null);
        }
        if (follow) {
            follow(client, out);
            return;
        }
        ControllerClient.Answer answer = client.get(path());
        if (json()) {
            out.println(answer.pretty());
            return;
        }
        RunRecord run = answer.as(RunRecord.class);
        Instant now = Instant.now();
        print(run, now, out);
        out.println();
        out.println("Steps:");
        Table table = new Table("#", "STEP", "KIND", "STATE", "ATTEMPTS", "STARTED", "ENDED", "OUTPUT");
        List<StepRecord> steps = run.steps();
        for (int i = 0; i < steps.size(); i++) {
            StepRecord step = steps.get(i);
            table.row(i + 1, step.name(), step.kind(), Table.wire(step.state()), step.attempts(),
                    Table.time(step.started()), Table.time(step.ended()), RunProgress.output(step));
        }
        table.print(out);
        if (!run.state().ended()) {
            out.println();
            out.printf("Follow it: vigil run %s --follow%n", run.id());
        }
    }

    /** The run's header: its state and why, then one field a line. */
    static void print(RunRecord run, Instant now, PrintWriter out) {
        out.printf("Run %s (%s) on %s: %s%s%n", run.id(), run.runbook(), run.target(), Table.wire(run.state()),
                run.dryRun() ? ", dry run (changes nothing)" : "");
        field(out, "reason", run.reason());
        field(out, "step", RunsCommand.position(run));
        field(out, "trigger", run.trigger() + (run.startedBy() == null ? "" : ", started by " + run.startedBy()));
        field(out, "created", Table.time(run.created()) + " (" + Table.ago(run.created(), now) + ")");
        field(out, "updated", Table.time(run.updated()) + " (" + Table.ago(run.updated(), now) + ")");
        field(out, "actor", run.actor());
        if (run.approvedBy() != null) {
            field(out, "approved", "by " + run.approvedBy());
        }
        if (run.state() == RunState.WAITING_APPROVAL) {
            out.printf("  an operator decides: vigil run approve %s (or vigil run abort %s)%n", run.id(), run.id());
        }
    }

    /**
     * Prints the run's changes until it ends, asking every {@link #poll}. Ctrl-C (the JVM ends)
     * and an interrupt say that the run goes on without this command.
     */
    private void follow(ControllerClient client, PrintWriter out) throws Exception {
        String stopped = "stopped following " + id + " before it ended; the run goes on ('vigil run " + id
                + " --follow' follows it again, 'vigil run abort " + id + "' stops it)";
        Thread onCtrlC = new Thread(() -> fail(stopped, ExitCodes.FAILED), "vigil-run-follow");
        Runtime.getRuntime().addShutdownHook(onCtrlC);
        try {
            RunRecord run = followUntilEnded(client, out);
            if (run.state() != RunState.SUCCEEDED) {
                throw new ControllerClient.Failure("run " + run.id() + " " + Table.wire(run.state()) + ": "
                        + run.reason(), ExitCodes.FAILED, null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ControllerClient.Failure(stopped, ExitCodes.FAILED, null);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(onCtrlC);
            } catch (IllegalStateException shuttingDown) {
                // The hook is running: Ctrl-C came as the run ended.
            }
        }
    }

    private RunRecord followUntilEnded(ControllerClient client, PrintWriter out) throws Exception {
        RunProgress progress = new RunProgress();
        Table table = new Table(RunProgress.HEADERS);
        JsonNode last = null;
        boolean answered = false;
        boolean waiting = false;
        while (true) {
            ControllerClient.Answer answer;
            try {
                answer = client.get(path());
            } catch (ControllerClient.Failure e) {
                if (!e.passing() || !answered) {
                    throw e;
                }
                if (!waiting) {
                    fail(e.getMessage() + "; asking again every second", ExitCodes.FAILED);
                    waiting = true;
                }
                Thread.sleep(poll.toMillis());
                continue;
            }
            if (waiting) {
                spec.commandLine().getErr().println(spec.qualifiedName() + ": the controller answers again");
                spec.commandLine().getErr().flush();
                waiting = false;
            }
            RunRecord run = answer.as(RunRecord.class);
            if (json()) {
                JsonNode tree = answer.tree();
                if (!tree.equals(last)) {
                    out.println(Documents.json().writeValueAsString(tree));
                    out.flush();
                    last = tree;
                }
            } else {
                if (!answered) {
                    print(run, Instant.now(), out);
                    out.println();
                }
                progress.since(run).forEach(table::row);
                table.print(out);
            }
            answered = true;
            if (run.state().ended()) {
                return run;
            }
            Thread.sleep(poll.toMillis());
        }
    }

    private String path() {
        return "/v1/runs/" + ControllerClient.segment(id);
    }

    private static void field(PrintWriter out, String label, String value) {
        out.printf("  %-9s %s%n", label, value == null ? "-" : value);
    }

    /** Approve and abort: a POST with a reason that answers the run. */
    abstract static class Decision extends ApiCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "The run's id, as 'vigil runs' lists it.")
        String id;

        /** The last path segment: approve or abort. */
        abstract String action();

        abstract String reason();

        @Override
        void run(ControllerClient client, PrintWriter out) throws Exception {
            ControllerClient.Answer answer = client.post("/v1/runs/" + ControllerClient.segment(id) + "/" + action(),
                    Map.of("reason", reason()));
            if (json()) {
                out.println(answer.pretty());
                return;
            }
            RunRecord run = answer.as(RunRecord.class);
            out.printf("run %s of %s on %s: %s%n", run.id(), run.runbook(), run.target(), Table.wire(run.state()));
            out.printf("  reason  %s%n", run.reason());
            if (!run.state().ended()) {
                out.printf("  follow it: vigil run %s --follow%n", run.id());
            }
        }
    }

    @Command(name = "approve",
            mixinStandardHelpOptions = true,
            description = {
                    "Let a run that waits for approval go on.",
                    "",
                    "A runbook's approve step stops the run (state waiting-approval) until an",
                    "operator approves or aborts it, or its timeout fails the run. A run that does not",
                    "wait for approval is refused (exit status 1). Needs an operator token; who",
                    "approved, and why, are kept in the run and the audit log.",
                    ""},
            footer = {"", "Examples:",
                    "  vigil runs --state waiting-approval",
                    "  vigil run approve run-12 --reason \"node drained, go ahead\""})
    static final class Approve extends Decision {
        @Option(names = "--reason", paramLabel = "TEXT", defaultValue = "approved by hand",
                description = "Why, in words, for the audit log (default: ${DEFAULT-VALUE}).")
        String reason;

        @Override
        String action() {
            return "approve";
        }

        @Override
        String reason() {
            return reason;
        }
    }

    @Command(name = "abort",
            mixinStandardHelpOptions = true,
            description = {
                    "Stop a run that has not ended.",
                    "",
                    "The step under way is not undone: the node stays as the last step left it",
                    "(cordoned if it was; 'vigil node NAME' shows it, 'vigil uncordon' returns it).",
                    "A run that already ended is refused (exit status 1). Needs an operator token;",
                    "the reason is kept in the run and the audit log.",
                    ""},
            footer = {"", "Examples:",
                    "  vigil run abort run-12 --reason \"repairing gpu-017 by hand, ticket OPS-1234\""})
    static final class Abort extends Decision {
        @Option(names = "--reason", paramLabel = "TEXT", defaultValue = "aborted by hand",
                description = "Why, in words, for the audit log (default: ${DEFAULT-VALUE}).")
        String reason;

        @Override
        String action() {
            return "abort";
        }

        @Override
        String reason() {
            return reason;
        }
    }
}
