package dev.vigil.controller.execution;

import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.jobs.Allocation;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
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

    /**
     * Drops the allocations of a backend's jobs ({@code ours}) that no held job claims any more: they ended while no
     * leader watched. A new leader's {@code adopt} does this before it takes over what runs.
     */
    default void dropUnclaimed(Predicate<Allocation> ours, Set<String> held) {
        for (NodeRecord node : allocated()) {
            if (node.allocations().stream().anyMatch(a -> ours.test(a) && !held.contains(a.job()))) {
                change(node.name(), current -> current.stream().filter(a -> !ours.test(a) || held.contains(a.job()))
                        .toList());
            }
        }
    }
}
