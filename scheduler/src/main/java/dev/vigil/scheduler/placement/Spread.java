package dev.vigil.scheduler.placement;

import dev.vigil.scheduler.topology.ClusterState.Node;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Replicas of a service spread: the leaf switch with the fewest of its replicas first (bits 40 and up), then the node
 * with the fewest (bits 20-39), counting those already placed and those this search placed so far.
 */
final class Spread implements NodeScore {
    private final Map<Integer, Integer> perLeaf = new HashMap<>();
    private final Map<Node, Integer> perNode = new HashMap<>();

    Spread(List<Node> alreadyOn) {
        alreadyOn.forEach(this::add);
    }

    /** One more replica on {@code node}. */
    void add(Node node) {
        perLeaf.merge(node.leaf(), 1, Integer::sum);
        perNode.merge(node, 1, Integer::sum);
    }

    @Override
    public long score(Node node, int free) {
        return ((long) perLeaf.getOrDefault(node.leaf(), 0) << 40) | ((long) perNode.getOrDefault(node, 0) << 20);
    }

    /** Leaf switches the replicas span. */
    int leaves() {
        return perLeaf.size();
    }
}
