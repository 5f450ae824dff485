package dev.vigil.scheduler.placement;

import dev.vigil.scheduler.topology.ClusterState.Node;

/**
 * Nothing new lands on a cordoned, draining or failed node. The whole-GPU searches read it from the cluster's index
 * (such a node has no free GPUs); the slice search and the explanations ask this filter.
 */
record Schedulable() implements NodeFilter {
    static final Schedulable FILTER = new Schedulable();
    static final String WHY = "cordoned, draining or down";

    @Override
    public boolean rejects(Node node) {
        return !node.schedulable();
    }

    @Override
    public String why(Node node) {
        return WHY;
    }
}
