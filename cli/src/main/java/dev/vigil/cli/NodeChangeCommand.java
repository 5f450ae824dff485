package dev.vigil.cli;

import dev.vigil.api.cluster.CordonedGpu;
import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.cluster.NodeState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.Map;

/**
 * {@code vigil cordon|uncordon|drain|resume NAME --reason TEXT}: an operator changes a node (or,
 * with {@code cordon|uncordon --gpu N}, one of its GPUs). Each needs an operator token and a
 * reason, which lands in the node's history and the audit log.
 */
abstract class NodeChangeCommand extends ApiCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "The node, as 'vigil nodes' lists it.")
    String name;

    @Option(names = "--reason", paramLabel = "TEXT", required = true,
            description = "Why, in words (1 to 500 characters), e.g. \"replacing PSU, ticket OPS-1234\": kept in the "
                    + "node's history and the audit log.")
    String reason;

    /** The last path segment of the route: cordon, uncordon, drain or resume. */
    abstract String action();

    /** The one GPU to change, or null for the node. */
    Integer gpu() {
        return null;
    }

    @Override
    void run(ControllerClient client, PrintWriter out) throws Exception {
        String node = "/v1/nodes/" + ControllerClient.segment(name);
        ControllerClient.Answer answer = client.post(node + (gpu() == null ? "" : "/gpus/" + gpu()) + "/" + action(),
                Map.of("reason", reason));
        if (json()) {
            out.println(answer.pretty());
            return;
        }
        if (gpu() != null) {
            printGpu(answer.as(NodeRecord.class), out);
        } else {
            printNode(answer.as(NodeRecord.class), out);
        }
    }

    private void printGpu(NodeRecord node, PrintWriter out) {
        CordonedGpu cordon = node.cordonedGpus().stream().filter(c -> c.gpu() == gpu()).findFirst().orElse(null);
        out.printf("gpu %d of node %s: %s%n", gpu(), node.name(), cordon == null ? "not cordoned" : "cordoned");
        if (cordon != null) {
            out.printf("  reason  %s%n", cordon.reason());
            out.printf("  actor   %s%n", cordon.actor());
        }
        out.printf("  node    %s%n", Table.wire(node.state()));
    }

    private static void printNode(NodeRecord node, PrintWriter out) {
        out.printf("node %s: %s%n", node.name(), Table.wire(node.state()));
        out.printf("  reason  %s%n", node.reason());
        out.printf("  actor   %s%n", node.actor());
        if (node.state() == NodeState.DRAINING) {
            out.println("  work is leaving the node: 'vigil node " + node.name() + "' shows when it is drained");
        } else if (node.state() == NodeState.UNKNOWN) {
            out.println("  its agent is not reporting: the change applies when it reports again");
        }
    }

    @Command(name = "cordon",
            mixinStandardHelpOptions = true,
            description = {
                    "Cordon a node: no new work lands on it.",
                    "",
                    "What runs there keeps running. The health reflex cordons a node by itself",
                    "when a GPU needs a power cycle or a reboot, and one GPU when it needs a",
                    "reset or an RMA; an operator's uncordon then stands. --gpu N cordons one",
                    "GPU only. Needs an operator token.",
                    ""},
            footer = {"", "Examples:",
                    "  vigil cordon gpu-017 --reason \"XID 79 twice today, ticket OPS-1234\"",
                    "  vigil cordon gpu-017 --gpu 3 --reason \"ECC errors climbing, ticket OPS-1235\"",
                    "  vigil uncordon gpu-017 --reason \"PSU replaced\""})
    static final class Cordon extends NodeChangeCommand {
        @Option(names = "--gpu", paramLabel = "N", description = "Only this GPU (its index, as 'vigil node NAME' lists "
                + "it): the node stays in service.")
        Integer gpu;

        @Override
        String action() {
            return "cordon";
        }

        @Override
        Integer gpu() {
            return gpu;
        }
    }

    @Command(name = "uncordon",
            mixinStandardHelpOptions = true,
            description = {
                    "Uncordon a node: new work may land on it again.",
                    "",
                    "A drained node comes back with 'vigil resume' instead (uncordon refuses",
                    "it). GPUs cordoned one by one stay cordoned: --gpu N uncordons one, e.g.",
                    "after the repair of a GPU the health reflex cordoned. Needs an operator",
                    "token.",
                    ""},
            footer = {"", "Examples:",
                    "  vigil uncordon gpu-017 --reason \"PSU replaced, burn-in passed\"",
                    "  vigil uncordon gpu-017 --gpu 3 --reason \"GPU reset, dcgmi diag -r 3 passed\""})
    static final class Uncordon extends NodeChangeCommand {
        @Option(names = "--gpu", paramLabel = "N", description = "Only this GPU, e.g. one the health reflex cordoned "
                + "after a fault, once repaired.")
        Integer gpu;

        @Override
        String action() {
            return "uncordon";
        }

        @Override
        Integer gpu() {
            return gpu;
        }
    }

    @Command(name = "drain",
            mixinStandardHelpOptions = true,
            description = {
                    "Drain a node: cordon it and move its work off.",
                    "",
                    "It is drained once nothing runs there, and ready for repair. Needs an",
                    "operator token.",
                    ""},
            footer = {"", "Examples:",
                    "  vigil drain gpu-017 --reason \"RMA GPU 3, ticket OPS-1234\"",
                    "  vigil resume gpu-017 --reason \"GPU 3 replaced\""})
    static final class Drain extends NodeChangeCommand {
        @Override
        String action() {
            return "drain";
        }
    }

    @Command(name = "resume",
            mixinStandardHelpOptions = true,
            description = {
                    "Return a node to service after a drain or a cordon.",
                    "",
                    "New work may land on it again, and the cordons of its single GPUs are",
                    "cleared too. Needs an operator token.",
                    ""},
            footer = {"", "Examples:",
                    "  vigil resume gpu-017 --reason \"GPU 3 replaced, dcgmi diag -r 3 passed\""})
    static final class Resume extends NodeChangeCommand {
        @Override
        String action() {
            return "resume";
        }
    }
}
