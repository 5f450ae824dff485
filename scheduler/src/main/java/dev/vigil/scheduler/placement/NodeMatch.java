package dev.vigil.scheduler.placement;

import java.util.ArrayList;
import java.util.List;

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

    /** The filter plugins that say which nodes these are, in the order they are asked; none for {@link #ANY}. */
    public Filters filters() {
        if (any()) {
            return Filters.NONE;
        }
        List<NodeFilter> plugins = new ArrayList<>(4);
        if (pool != null) {
            plugins.add(new InPool(pool));
        }
        if (simulatedOnly) {
            plugins.add(new SimulatedGpus());
        }
        if (backend != null) {
            plugins.add(new RunBy(backend));
        }
        if (filter != null) {
            plugins.add(new BackendConstraint(filter));
        }
        return new Filters(plugins.toArray(NodeFilter[]::new));
    }

    /** "in pool inference", "with simulated GPUs", "run by slurm": which nodes, for people; empty when any. */
    public String describe() {
        return filters().describe();
    }
}
