package dev.vigil.scheduler.placement;

import dev.vigil.scheduler.topology.ClusterState.Node;

/** A node takes a replica of MIG slices only with a free slice of its profile now; {@code vigil why} asks it. */
record FreeSlice(String profile) implements NodeFilter {
    @Override
    public boolean rejects(Node node) {
        return Capacity.freeSlices(node, profile) == 0;
    }

    @Override
    public String why(Node node) {
        return "no free " + profile + " slice";
    }
}
