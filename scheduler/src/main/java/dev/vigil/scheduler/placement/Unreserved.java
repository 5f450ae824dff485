package dev.vigil.scheduler.placement;

import dev.vigil.scheduler.topology.ClusterState.Node;

/** A job that would still run when the backfill reservation starts keeps off the nodes reserved for it. */
public record Unreserved() implements NodeFilter {
    public static final Unreserved FILTER = new Unreserved();

    @Override
    public boolean rejects(Node node) {
        return node.reserved();
    }

    @Override
    public String why(Node node) {
        return "reserved for a gang ahead of it";
    }
}
