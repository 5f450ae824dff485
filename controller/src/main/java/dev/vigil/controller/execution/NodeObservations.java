package dev.vigil.controller.execution;

import dev.vigil.api.cluster.ExecutionNode;

import java.time.Instant;

/** Where a backend that sees the nodes itself (Slurm) says how it sees them; the leader decides what follows. */
@FunctionalInterface
public interface NodeObservations {
    /**
     * The backend's view of a node, asked for at {@code asked}: stored with the node, and a node
     * the backend stopped taking work on (someone drained it there) is cordoned.
     */
    void observed(String node, ExecutionNode view, Instant asked);
}
