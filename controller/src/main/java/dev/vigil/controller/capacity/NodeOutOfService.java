package dev.vigil.controller.capacity;

import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.cluster.NodeState;

import java.time.Instant;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A node whose GPUs take no work at report time: cordoned, draining, drained or silent.
 *
 * @param node   the node
 * @param state  its state
 * @param gpus   the GPUs it takes out of service
 * @param reason why
 * @param since  since when
 */
public record NodeOutOfService(String node, NodeState state, int gpus, String reason, Instant since) {
    private static final Set<NodeState> OUT = EnumSet.of(NodeState.CORDONED, NodeState.DRAINING, NodeState.DRAINED,
            NodeState.UNKNOWN);

    static List<NodeOutOfService> of(List<NodeRecord> nodes) {
        return nodes.stream().filter(n -> n.cordoned() || OUT.contains(n.state()))
                .sorted(Comparator.comparing(NodeRecord::name))
                .map(n -> new NodeOutOfService(n.name(), n.state(), JobModels.devices(n).size(), n.reason(), n.since()))
                .toList();
    }
}
