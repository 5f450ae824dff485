package dev.vigil.cli;

import dev.vigil.api.cluster.GpuView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** {@code vigil gpus}: every GPU of the fleet, one line each. */
@Command(name = "gpus",
        mixinStandardHelpOptions = true,
        description = {
                "List the fleet's GPUs, one line each.",
                "",
                "Each line: node, index, model, health (healthy, degraded, failed) with",
                "the repair it calls for (reset-gpu, reboot-node, power-cycle, rma, ...),",
                "whether new work may land on it, the job on it (with MIG instances for",
                "slices), and why. A GPU counts as cordoned when",
                "it is cordoned itself (the health reflex, after a fault that needs a GPU",
                "reset or an RMA, or the cordon-gpu placement policy) or when its node is not ready.",
                "",
                "PROCESSES counts the processes on each GPU by its agent's verdict: allowed (its",
                "job holds the GPU), OVERREACH (its job holds other GPUs), ROGUE (no job), system",
                "(NVIDIA's daemons), unjudged (an allocation changed within the grace period).",
                "--processes lists every process with its PID, user, command, owner and job.",
                ""},
        footer = {"", "Examples:",
                "  vigil gpus",
                "  vigil gpus --node gpu-017",
                "  vigil gpus --node gpu-017 --processes       # who runs on each GPU",
                "  vigil gpus -o json | jq -r '.gpus[] | select(.health == \"failed\") | .uuid'"})
final class GpusCommand extends ApiCommand {
    /** The body of GET /v1/gpus. */
    record Gpus(List<GpuView> gpus) {
    }

    @Option(names = "--node", paramLabel = "NAME", description = "Only this node's GPUs.")
    String node;

    @Option(names = "--processes", description = "List each GPU's processes, one line each, instead of the GPUs.")
    boolean processes;

    @Override
    void run(ControllerClient client, PrintWriter out) throws Exception {
        ControllerClient.Answer answer = client.get("/v1/gpus" + ControllerClient.query("node", node));
        if (json()) {
            out.println(answer.pretty());
            return;
        }
        List<GpuView> gpus = answer.as(Gpus.class).gpus();
        if (gpus == null || gpus.isEmpty()) {
            out.println("No GPUs yet: they appear with their node's inventory, in its agent's first reports.");
            return;
        }
        if (processes) {
            Table table = ProcessTable.table(true);
            gpus.forEach(gpu -> ProcessTable.rows(table, gpu.node(), gpu.processes()));
            table.print(out);
            return;
        }
        Table table = new Table("NODE", "GPU", "MODEL", "HEALTH", "ACTION", "CORDONED", "JOB", "PROCESSES", "WHY");
        for (GpuView gpu : gpus) {
            List<String> why = new ArrayList<>();
            if (gpu.reason() != null) {
                why.add(gpu.reason());
            }
            if (gpu.cordonReason() != null) {
                why.add(gpu.cordonReason());
            }
            table.row(gpu.node(), gpu.gpu(), gpu.model(), Table.wire(gpu.health()), Table.wire(gpu.action()),
                    Table.yesNo(gpu.cordoned()), gpu.allocation(), ProcessTable.counts(gpu.processes()),
                    String.join("; ", why));
        }
        table.print(out);
    }
}
