package dev.vigil.cli;

import dev.vigil.api.placement.PlacementViolation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;

/** {@code vigil violations}: processes on GPUs their jobs were not given, fleet-wide. */
@Command(name = "violations",
        mixinStandardHelpOptions = true,
        description = {
                "List processes on GPUs their jobs were not given, fleet-wide.",
                "",
                "Every node's agent attributes each process on its GPUs to its Slurm job,",
                "Kubernetes pod or systemd unit (from /proc/PID/cgroup) and judges it. Listed here:",
                "  overreach  its job holds other GPUs on that node, not this one",
                "  rogue      it belongs to no job there (a forgotten notebook, an orphan, a miner)",
                "ENFORCEMENT is what the node pool's placement policy did (controller.yaml,",
                "placement:): reported, sigterm-sent, sigkill-sent, signal-failed or cordon-gpu.",
                "Each violation is also the alert GpuPlacementViolation, and each action is in",
                "'vigil audit'.",
                ""},
        footer = {"", "Examples:",
                "  vigil violations",
                "  vigil violations --node gpu-017 --verdict rogue",
                "  vigil violations -o json | jq -r '.violations[] | \"\\(.node) \\(.pid)\"'"})
final class ViolationsCommand extends ApiCommand {
    /** The body of GET /v1/violations. */
    record Violations(List<PlacementViolation> violations) {
    }

    @Option(names = "--node", paramLabel = "NAME", description = "Only this node's.")
    String node;

    @Option(names = "--verdict", paramLabel = "VERDICT", description = "Only overreach or only rogue.")
    String verdict;

    @Override
    void run(ControllerClient client, PrintWriter out) throws Exception {
        ControllerClient.Answer answer = client.get("/v1/violations" + ControllerClient.query("node", node,
                "verdict", verdict));
        if (json()) {
            out.println(answer.pretty());
            return;
        }
        List<PlacementViolation> found = answer.as(Violations.class).violations();
        if (found == null || found.isEmpty()) {
            out.println("No placement violations: every process on a GPU belongs to a job that holds it.");
            return;
        }
        Instant now = Instant.now();
        Table table = new Table("NODE", "GPU", "PID", "USER", "COMMAND", "OWNER", "JOB", "VERDICT", "ENFORCEMENT",
                "SINCE");
        for (PlacementViolation violation : found) {
            table.row(violation.node(), violation.gpu(), violation.pid(), violation.user(), violation.command(),
                    violation.owner(), violation.job(), violation.verdict().wire(),
                    violation.enforcement() == null ? null : violation.enforcement().wire(),
                    violation.since() == null ? null : Table.ago(violation.since(), now));
        }
        table.print(out);
    }
}
