package dev.vigil.cli;

import dev.vigil.api.jobs.JobSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;

/** {@code vigil jobs}: jobs, one line each. */
@Command(name = "jobs",
        mixinStandardHelpOptions = true,
        description = {
                "List jobs, oldest first, one line each.",
                "",
                "Each line: id, name, tenant, state, GPUs (or MIG slices), the nodes it holds,",
                "when it was submitted, and why it is in its state. States: pending (waiting,",
                "e.g. for quota), admitted (within quota, waiting for room), placed (GPUs",
                "held, starting), running, succeeded, failed, cancelled, preempted (evicted",
                "or its node failed; requeued). 'vigil why ID' explains a waiting job.",
                ""},
        footer = {"", "Examples:",
                "  vigil jobs",
                "  vigil jobs --state pending,admitted --tenant research",
                "  vigil jobs -o json | jq -r '.jobs[] | select(.state == \"running\") | .id'"})
final class JobsCommand extends ApiCommand {
    /** The body of GET /v1/jobs. */
    record Page(List<JobSummary> jobs, String next) {
    }

    @Option(names = "--state", paramLabel = "STATES", description = "Only jobs in these states, comma-separated.")
    String state;

    @Option(names = "--tenant", paramLabel = "TENANT", description = "Only this tenant's jobs.")
    String tenant;

    @Option(names = "--after", paramLabel = "ID", description = "Only jobs after this one (the next page).")
    String after;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "1000",
            description = "At most this many, 1 to 10000 (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    void run(ControllerClient client, PrintWriter out) throws Exception {
        ControllerClient.Answer answer = client.get("/v1/jobs" + ControllerClient.query("state", state, "tenant",
                tenant, "after", after, "limit", limit));
        if (json()) {
            out.println(answer.pretty());
            return;
        }
        Page page = answer.as(Page.class);
        if (page.jobs() == null || page.jobs().isEmpty()) {
            out.println(state == null && tenant == null && after == null ? "No jobs yet: 'vigil submit --help' shows "
                    + "how to submit one." : "No jobs match.");
            return;
        }
        Instant now = Instant.now();
        Table table = new Table("ID", "NAME", "TENANT", "STATE", "GPUS", "NODES", "SUBMITTED", "REASON");
        for (JobSummary job : page.jobs()) {
            table.row(job.id(), job.name(), job.tenant(), Table.wire(job.state()), gpus(job), nodes(job.nodes()),
                    Table.ago(job.submitted(), now), job.reason());
        }
        table.print(out);
        if (page.next() != null) {
            spec.commandLine().getErr().println("(more jobs: vigil jobs --after " + page.next() + ")");
            spec.commandLine().getErr().flush();
        }
    }

    /** {@code 16}, or {@code 4×1g.10gb} for MIG slices. */
    static String gpus(JobSummary job) {
        return job.migProfile() == null ? String.valueOf(job.gpus()) : job.gpus() + "×" + job.migProfile();
    }

    /** The first nodes, and how many more. */
    private static String nodes(List<String> nodes) {
        if (nodes.size() <= 3) {
            return String.join(",", nodes);
        }
        return String.join(",", nodes.subList(0, 3)) + ",+" + (nodes.size() - 3);
    }
}
