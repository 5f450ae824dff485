package dev.vigil.scheduler.placement;

import dev.vigil.scheduler.topology.ClusterState.Node;

/**
 * A node takes a job only with {@code perNode} whole GPUs free now. The searches read it from the cluster's index
 * (nodes bucketed by free GPUs); {@code vigil why} counts with this filter.
 */
record Room(int perNode) implements NodeFilter {
    @Override
    public boolean rejects(Node node) {
        return node.freeCount() < perNode;
    }

    @Override
    public String why(Node node) {
        return node.freeCount() + " of " + node.gpuCount() + " GPUs free, needs " + perNode;
    }
}
