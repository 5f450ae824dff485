package dev.vigil.scheduler.placement;

import dev.vigil.scheduler.topology.ClusterState.Node;

/**
 * The nodes a job may use at all, whatever runs on them: those of its pool; for a job played on
 * simulated GPUs, only nodes whose GPUs are simulated (on real GPUs such a job would show running
 * and succeeded while nothing ran); for a job of an execution backend that runs nodes of its own
 * (Slurm, Kubernetes), only the nodes that backend runs (elsewhere it could not start: a mixed fleet,
 * or a node its backend has not seen yet).
 *
 * @param pool          the pool it asks for, or null for any
 * @param simulatedOnly whether it may only use nodes with simulated GPUs
 * @param backend       the execution backend that runs it, or null when it may use nodes whatever runs them
 */
public record NodeMatch(String pool, boolean simulatedOnly, String backend) {
    /** Any node. */
    public static final NodeMatch ANY = new NodeMatch(null, false, null);

    /** Whether every node matches, so no filter is needed. */
    public boolean any() {
        return pool == null && !simulatedOnly && backend == null;
    }

    public boolean allows(Node node) {
        return (pool == null || pool.equals(node.pool())) && (!simulatedOnly || node.simulated())
                && (backend == null || backend.equals(node.backend()));
    }

    /** "in pool inference", "with simulated GPUs", "run by slurm": which nodes, for people; empty when any. */
    public String describe() {
        return (pool == null ? "" : " in pool " + pool) + (simulatedOnly ? " with simulated GPUs" : "")
                + (backend == null ? "" : " run by " + backend);
    }
}
