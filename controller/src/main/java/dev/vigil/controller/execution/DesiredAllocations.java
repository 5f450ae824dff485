package dev.vigil.controller.execution;

import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.jobs.Allocation;

import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The allocations in the nodes' desired states: what a backend that works through the agents
 * writes to (and reads the agents' confirmations from).
 */
public interface DesiredAllocations {
    /**
     * Replaces a node's allocations with what {@code change} makes of them. A change bumps the
     * node's desired-state version, and the allocations it adds are stamped with that version.
     *
     * @return the node as stored afterwards; empty for a node the controller does not know
     */
    Optional<NodeRecord> change(String node, UnaryOperator<List<Allocation>> change);

    Optional<NodeRecord> node(String node);

    /** Every node that carries allocations. */
    List<NodeRecord> allocated();
}
