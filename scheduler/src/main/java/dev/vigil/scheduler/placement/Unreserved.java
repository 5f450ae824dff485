package dev.vigil.scheduler.placement;

import dev.vigil.scheduler.topology.ClusterState.Node;

/**
 * A job that would still run when the backfill reservation starts keeps off the nodes reserved for it.
 *
 * @param holder whose reservation it is, for people: "a gang ahead of it" in the searches (which never ask why), the
 *               gang's job in {@code vigil why}
 */
public record Unreserved(String holder) implements NodeFilter {
    public static final Unreserved FILTER = new Unreserved("a gang ahead of it");

    @Override
    public boolean rejects(Node node) {
        return node.reserved();
    }

    @Override
    public String why(Node node) {
        return "reserved for " + holder;
    }
}
