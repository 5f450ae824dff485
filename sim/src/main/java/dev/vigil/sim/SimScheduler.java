package dev.vigil.sim;

import dev.vigil.scheduler.Decision;
import dev.vigil.scheduler.topology.NodeCapacity;
import dev.vigil.sim.trace.TraceJob;

import java.time.Instant;
import java.util.List;

/**
 * A scheduler a {@link Simulation} drives the way an execution backend drives the controller's:
 * it submits jobs, runs cycles, carries out the decisions and reports jobs running and finished.
 */
public sealed interface SimScheduler permits VigilScheduler, FifoFirstFit {
    /**
     * What one cycle decided, and how long deciding took.
     *
     * @param decisions what to start and stop, in order
     * @param nanos     wall time spent deciding
     */
    record Round(List<Decision> decisions, long nanos) {
    }

    /** The name reports use. */
    String name();

    void submit(TraceJob job, Instant now);

    Round schedule(Instant now);

    void running(String id, Instant now);

    /** Whether it places MIG slices as slices, so that changing layouts matters to it. */
    default boolean changesLayouts() {
        return false;
    }

    /** A node's GPUs changed (a MIG layout change begun or done); only when it {@link #changesLayouts()}. */
    default void upsertNode(NodeCapacity node) {
        throw new UnsupportedOperationException(name() + " keeps static layouts");
    }

    /** The job ended: ran to its end, or (not {@code succeeded}) was killed at its runtime limit. */
    void finished(String id, boolean succeeded, Instant now);
}
