package dev.vigil.scheduler.placement;

import dev.vigil.scheduler.topology.ClusterState.Node;

/**
 * The nodes a job may use at all, whatever runs on them: those of its pool, and for a job played
 * on simulated GPUs, only nodes whose GPUs are simulated (on real GPUs such a job would show
 * running and succeeded while nothing ran).
 *
 * @param pool          the pool it asks for, or null for any
 * @param simulatedOnly whether it may only use nodes with simulated GPUs
 */
public record NodeMatch(String pool, boolean simulatedOnly) {
    /** Whether every node matches, so no filter is needed. */
    public boolean any() {
        return pool == null && !simulatedOnly;
    }

    public boolean allows(Node node) {
        return (pool == null || pool.equals(node.pool())) && (!simulatedOnly || node.simulated());
    }

    /** "in pool inference", "with simulated GPUs": which nodes, for people; empty when any. */
    public String describe() {
        return (pool == null ? "" : " in pool " + pool) + (simulatedOnly ? " with simulated GPUs" : "");
    }
}
