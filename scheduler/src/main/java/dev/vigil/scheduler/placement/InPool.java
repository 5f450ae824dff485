package dev.vigil.scheduler.placement;

import dev.vigil.scheduler.topology.ClusterState.Node;

import java.util.List;

/** A job that names a pool runs only on that pool's nodes. */
record InPool(String pool) implements NodeFilter {
    @Override
    public boolean rejects(Node node) {
        return !pool.equals(node.pool());
    }

    @Override
    public String why(Node node) {
        return node.pool() == null ? "in no pool" : "in pool " + node.pool();
    }

    @Override
    public String describe() {
        return " in pool " + pool;
    }

    /** Nothing: the verdict names the pool, and another pool's nodes are not this job's business. */
    @Override
    public String summary(List<Node> rejected, String model) {
        return "";
    }
}
