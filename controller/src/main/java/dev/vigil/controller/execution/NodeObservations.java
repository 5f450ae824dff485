package dev.vigil.controller.execution;

import dev.vigil.api.cluster.ExecutionNode;
import dev.vigil.api.gpu.Severity;

import java.time.Instant;

/**
 * Where a backend that sees the nodes itself (Slurm, Kubernetes) says how it sees them, and what it
 * did there; the leader decides what follows. Called on the leader's event loop.
 */
@FunctionalInterface
public interface NodeObservations {
    /**
     * The backend's view of a node, asked for at {@code asked}: stored with the node, and a node
     * the backend stopped taking work on (someone drained it there) is cordoned.
     */
    void observed(String node, ExecutionNode view, Instant asked);

    /**
     * Something the backend did on a node that people follow in Vigil's events (a drain's
     * evictions, step by step): appended as a cluster event of kind {@code kind}.
     */
    default void told(String node, String kind, Severity severity, String message, String actor, Instant at) {
    }
}
