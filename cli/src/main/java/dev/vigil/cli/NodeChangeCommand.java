package dev.vigil.cli;

import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.cluster.NodeState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.Map;

/**
 * {@code vigil cordon|uncordon|drain|resume NAME --reason TEXT}: an operator changes a node. Each
 * needs an operator token and a reason, which lands in the node's history and the audit log.
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

    @Override
    void run(ControllerClient client, PrintWriter out) throws Exception {
        ControllerClient.Answer answer = client.post("/v1/nodes/" + ControllerClient.segment(name) + "/" + action(),
                Map.of("reason", reason));
        if (json()) {
            out.println(answer.pretty());
            return;
        }
        NodeRecord node = answer.as(NodeRecord.class);
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
                    "when a GPU needs a power cycle or a reboot; an operator's uncordon then",
                    "stands. Needs an operator token.",
                    ""},
            footer = {"", "Examples:",
                    "  vigil cordon gpu-017 --reason \"XID 79 twice today, ticket OPS-1234\"",
                    "  vigil uncordon gpu-017 --reason \"PSU replaced\""})
    static final class Cordon extends NodeChangeCommand {
        @Override
        String action() {
            return "cordon";
        }
    }

    @Command(name = "uncordon",
            mixinStandardHelpOptions = true,
            description = {
                    "Uncordon a node: new work may land on it again.",
                    "",
                    "A drained node comes back with 'vigil resume' instead (uncordon refuses",
                    "it). GPUs cordoned one by one stay cordoned. Needs an operator token.",
                    ""},
            footer = {"", "Examples:",
                    "  vigil uncordon gpu-017 --reason \"PSU replaced, burn-in passed\""})
    static final class Uncordon extends NodeChangeCommand {
        @Override
        String action() {
            return "uncordon";
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
