package dev.vigil.cli;

import dev.vigil.api.binding.HumanDurations;
import dev.vigil.api.jobs.JobKind;
import dev.vigil.api.jobs.JobRecord;
import dev.vigil.api.jobs.JobSpec;
import dev.vigil.api.jobs.JobTransition;
import dev.vigil.api.jobs.Placement;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** {@code vigil job ID}: one job in detail. */
@Command(name = "job",
        mixinStandardHelpOptions = true,
        description = {
                "Show one job in detail.",
                "",
                "What was asked (size, GPU models, topology, tenant, priority, limits, command),",
                "where it is and why, where it runs (each GPU by node, index and UUID, and the MIG",
                "instance for a slice), and every transition it went through.",
                ""},
        footer = {"", "Examples:",
                "  vigil job j-000042",
                "  vigil job j-000042 -o json | jq -r '.placements[].uuids[]'"})
final class JobCommand extends ApiCommand {
    @Parameters(index = "0", paramLabel = "ID", description = "The job's id, as 'vigil submit' printed it.")
    String id;

    @Override
    void run(ControllerClient client, PrintWriter out) throws Exception {
        ControllerClient.Answer answer = client.get("/v1/jobs/" + ControllerClient.segment(id));
        if (json()) {
            out.println(answer.pretty());
            return;
        }
        print(answer.as(JobRecord.class), Instant.now(), out);
    }

    static void print(JobRecord job, Instant now, PrintWriter out) {
        JobSpec spec = job.spec();
        out.printf("Job %s (%s): %s%n", job.id(), spec.name(), Table.wire(job.state()));
        field(out, "reason", job.reason() + (job.waiting() == null || job.state().holdsGpus()
                || job.state().finished() ? "" : " (waiting: " + Table.wire(job.waiting()) + ")"));
        field(out, "asks", size(spec));
        field(out, "tenant", spec.tenant() + ", queue " + spec.queue() + ", priority " + job.priority()
                + (spec.priorityClass() == null ? "" : " (" + spec.priorityClass() + ")")
                + (spec.preemptible() ? ", preemptible" : ""));
        field(out, "limits", "runtime limit " + HumanDurations.format(spec.runtimeLimit()) + ", duration "
                + HumanDurations.format(spec.duration()) + (spec.pool() == null ? "" : ", pool " + spec.pool())
                + (spec.backend() == null ? "" : ", backend " + spec.backend()));
        field(out, "command", spec.command().isEmpty() ? null : String.join(" ", spec.command())
                + (spec.image() == null ? "" : " (image " + spec.image() + ")"));
        if (!spec.env().isEmpty()) {
            field(out, "env", spec.env().entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" ")));
        }
        field(out, "submitted", Table.time(job.submitted()) + " (" + Table.ago(job.submitted(), now) + ")"
                + (job.submitter() == null ? "" : " by " + job.submitter()));
        field(out, "started", job.started() == null ? null : Table.time(job.started()) + " ("
                + Table.ago(job.started(), now) + "), attempt " + job.attempts());
        field(out, "finished", job.finished() == null ? null : Table.time(job.finished()) + " ("
                + Table.ago(job.finished(), now) + ")");
        out.println();
        if (job.placements().isEmpty()) {
            out.println("Placements: none (it holds no GPUs now)");
        } else {
            out.println("Placements:");
            Table table = new Table("NODE", "REPLICA", "GPU", "UUID", "MIG-INSTANCE");
            for (Placement placement : job.placements()) {
                for (int i = 0; i < placement.gpus().size(); i++) {
                    table.row(placement.node(), placement.replica(), placement.gpus().get(i),
                            placement.uuids().get(i), placement.migInstances().isEmpty() ? null
                                    : placement.migInstances().stream().map(String::valueOf)
                                    .collect(Collectors.joining(",")));
                }
            }
            table.print(out);
        }
        out.println();
        out.println("History (newest last):");
        Table history = new Table("TIME", "AGE", "FROM", "TO", "REASON");
        for (JobTransition transition : job.history()) {
            history.row(Table.time(transition.time()), Table.ago(transition.time(), now),
                    transition.from() == null ? "new" : Table.wire(transition.from()), Table.wire(transition.to()),
                    transition.reason());
        }
        history.print(out);
    }

    /** "training: 2 nodes × 8 GPUs (H100), same-leaf required". */
    private static String size(JobSpec spec) {
        List<String> parts = new ArrayList<>();
        if (spec.kind() == JobKind.TRAINING) {
            parts.add("training: " + spec.nodes() + " node" + (spec.nodes() == 1 ? "" : "s") + " × "
                    + spec.gpusPerNode() + " GPUs");
        } else {
            parts.add("inference: " + spec.replicas() + " replica" + (spec.replicas() == 1 ? "" : "s") + " × "
                    + (spec.migProfile() != null ? "MIG " + spec.migProfile() : spec.gpusPerNode() + " GPUs")
                    + (spec.spread() ? ", spread" : ""));
        }
        if (!spec.models().isEmpty()) {
            parts.add("models " + String.join(" or ", spec.models()));
        }
        if (spec.topology() != null) {
            parts.add("topology " + Table.wire(spec.topology().level())
                    + (spec.topology().maxLeaves() == null ? "" : "=" + spec.topology().maxLeaves())
                    + (spec.topology().required() ? " (required)" : " (preferred)"));
        }
        return String.join(", ", parts);
    }

    private static void field(PrintWriter out, String label, String value) {
        out.printf("  %-10s %s%n", label, value == null ? "-" : value);
    }
}
