package dev.vigil.cli;

import dev.vigil.api.mig.GpuLayout;
import dev.vigil.api.mig.GpuMig;
import dev.vigil.api.mig.NodeMig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;

/** {@code vigil mig show [NODE]}: each GPU's MIG layout and where its change is. */
@Command(name = "show",
        mixinStandardHelpOptions = true,
        description = {
                "Show each GPU's MIG layout now, the config asked for it and where the change is.",
                "",
                "One line per GPU: its model, its layout now (as its agent last reported it), the",
                "config asked for it, the change's phase and since when, and what the change waits",
                "for or why it failed, with when its phase times out. Phases: pending (the agent is",
                "not reporting), draining (jobs leave the GPU), applying (the agent changes it),",
                "success (the agent holds the layout), failed, reset-required (a MIG mode change",
                "waits for a GPU reset). Without NODE: every node's MIG-capable GPUs.",
                ""},
        footer = {"", "Examples:",
                "  vigil mig show gpu-017",
                "  vigil mig show",
                "  vigil mig show -o json | jq '.[].gpus[] | select(.change.phase == \"failed\")'"})
final class MigShowCommand extends ApiCommand {
    @Parameters(index = "0", paramLabel = "NODE", arity = "0..1", description = "The node, as 'vigil nodes' lists it "
            + "(default: every node).")
    String node;

    @Override
    void run(ControllerClient client, PrintWriter out) throws Exception {
        ControllerClient.Answer answer = client.get(node == null ? "/v1/mig" : path(node));
        if (json()) {
            out.println(answer.pretty());
            return;
        }
        Instant now = Instant.now();
        if (node != null) {
            print(List.of(answer.as(NodeMig.class)), false, now, out);
            return;
        }
        List<NodeMig> nodes = List.of(answer.as(NodeMig[].class)).stream()
                .map(n -> new NodeMig(n.node(), n.gpus().stream().filter(MigShowCommand::shown).toList()))
                .filter(n -> !n.gpus().isEmpty()).toList();
        if (nodes.isEmpty()) {
            out.println("No MIG-capable GPUs: none of the nodes that reported has one.");
            return;
        }
        print(nodes, true, now, out);
    }

    /** In the fleet's view: GPUs that can do MIG, or that were asked to (and refused). */
    private static boolean shown(GpuLayout gpu) {
        return gpu.migCapable() || gpu.change() != null;
    }

    static String path(String node) {
        return "/v1/nodes/" + ControllerClient.segment(node) + "/mig";
    }

    /** One table of the nodes' GPUs; with {@code named}, a NODE column first. */
    static void print(List<NodeMig> nodes, boolean named, Instant now, PrintWriter out) {
        Table table = named ? new Table("NODE", "GPU", "MODEL", "NOW", "CONFIG", "PHASE", "SINCE", "MESSAGE")
                : new Table("GPU", "MODEL", "NOW", "CONFIG", "PHASE", "SINCE", "MESSAGE");
        for (NodeMig node : nodes) {
            for (GpuLayout gpu : node.gpus()) {
                GpuMig change = gpu.change();
                Object[] cells = {gpu.gpu(), gpu.model(), gpu.migCapable() ? gpu.actual() : "no MIG",
                        change == null ? null : change.config(), change == null ? null : change.phase().wire(),
                        change == null ? null : Table.ago(change.since(), now),
                        change == null ? null : message(change)};
                if (named) {
                    Object[] withNode = new Object[cells.length + 1];
                    withNode[0] = node.node();
                    System.arraycopy(cells, 0, withNode, 1, cells.length);
                    cells = withNode;
                }
                table.row(cells);
            }
        }
        table.print(out);
    }

    /** What the change waits for or why it failed, and when a phase that waits times out. */
    static String message(GpuMig change) {
        String message = change.message() == null ? "" : change.message();
        if (change.deadline() == null || !change.phase().changing()) {
            return message;
        }
        return (message.isEmpty() ? "" : message + " ") + "(times out " + Table.time(change.deadline()) + ")";
    }
}
