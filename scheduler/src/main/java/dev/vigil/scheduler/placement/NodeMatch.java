package dev.vigil.scheduler.placement;

import dev.vigil.scheduler.topology.ClusterState.Node;

/**
 * The nodes a job may use at all, whatever runs on them: those of its pool; for a job played on
 * simulated GPUs, only nodes whose GPUs are simulated (on real GPUs such a job would show running
 * and succeeded while nothing ran); for a job of an execution backend that runs nodes of its own
 * (Slurm, Kubernetes), only the nodes that backend runs (elsewhere it could not start: a mixed fleet,
 * or a node its backend has not seen yet); and of those, the ones its backend's filter allows (a
 * Kubernetes pod's nodeSelector).
 *
 * @param pool          the pool it asks for, or null for any
 * @param simulatedOnly whether it may only use nodes with simulated GPUs
 * @param backend       the execution backend that runs it, or null when it may use nodes whatever runs them
 * @param filter        what else its backend asks of the node, or null for nothing
 */
public record NodeMatch(String pool, boolean simulatedOnly, String backend, NodeConstraint filter) {
    /** Any node. */
    public static final NodeMatch ANY = new NodeMatch(null, false, null);

    /** Nodes by pool, GPUs and backend only. */
    public NodeMatch(String pool, boolean simulatedOnly, String backend) {
        this(pool, simulatedOnly, backend, null);
    }

    /** Whether every node matches, so no filter is needed. */
    public boolean any() {
        return pool == null && !simulatedOnly && backend == null && filter == null;
    }

    public boolean allows(Node node) {
        return (pool == null || pool.equals(node.pool())) && (!simulatedOnly || node.simulated())
                && (backend == null || backend.equals(node.backend()))
                && (filter == null || filter.allows(node.name));
    }

    /** The same nodes but for the filter: those the filter alone keeps the job off are the ones it excludes. */
    public NodeMatch unfiltered() {
        return new NodeMatch(pool, simulatedOnly, backend);
    }

    /** "in pool inference", "with simulated GPUs", "run by slurm": which nodes, for people; empty when any. */
    public String describe() {
        return (pool == null ? "" : " in pool " + pool) + (simulatedOnly ? " with simulated GPUs" : "")
                + (backend == null ? "" : " run by " + backend)
                + (filter == null ? "" : " matching " + filter.describe());
    }
}
