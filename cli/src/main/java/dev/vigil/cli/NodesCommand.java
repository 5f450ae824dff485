package dev.vigil.cli;

import dev.vigil.api.cluster.NodeSummary;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;

/** {@code vigil nodes}: the fleet's nodes, one line each. */
@Command(name = "nodes",
        mixinStandardHelpOptions = true,
        description = {
                "List the fleet's nodes, one line each.",
                "",
                "Each line: the node's state; its GPUs (how many, how many failed, how",
                "many cordoned one by one), their model; its node pool and leaf switch (from",
                "the controller's scheduler.pools and fabric); when its agent last reported (the",
                "controller keeps that time to within 5 s, so a recent report reads <10s ago);",
                "and why the node is in its state.",
                "",
                "States: registered (reported, no inventory yet), ready (takes work),",
                "cordoned (no new work: an operator or the health reflex), draining and",
                "drained (work leaves; then ready for repair), unknown (the agent stopped",
                "reporting). A node appears when its agent first reports.",
                ""},
        footer = {"", "Examples:",
                "  vigil nodes",
                "  vigil nodes -o json | jq -r '.nodes[] | select(.state != \"ready\") | .name'",
                "  vigil node gpu-017                  # one node in detail"})
final class NodesCommand extends ApiCommand {
    /** The body of GET /v1/nodes. */
    record Nodes(List<NodeSummary> nodes) {
    }

    @Override
    void run(ControllerClient client, PrintWriter out) throws Exception {
        ControllerClient.Answer answer = client.get("/v1/nodes");
        if (json()) {
            out.println(answer.pretty());
            return;
        }
        List<NodeSummary> nodes = answer.as(Nodes.class).nodes();
        if (nodes == null || nodes.isEmpty()) {
            out.println("No nodes yet: a node appears when its agent first reports to " + client.url() + ".");
            return;
        }
        Instant now = Instant.now();
        Table table = new Table("NAME", "STATE", "GPUS", "FAILED", "CORDONED", "MODEL", "POOL", "LEAF", "LAST-REPORT",
                "REASON");
        for (NodeSummary node : nodes) {
            table.row(node.name(), Table.wire(node.state()), node.gpus(), node.gpusFailed(), node.gpusCordoned(),
                    node.model(), node.pool(), node.leaf(), Table.reported(node.lastReport(), now), node.reason());
        }
        table.print(out);
    }
}
