package dev.vigil.controller.leader;

import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.gpu.GpuEvent;

import java.util.List;

/**
 * Told of every node the leader stores: the scheduler follows capacity, health and confirmations,
 * the alert rules the fleet. Called on the leader's event loop: must not block.
 */
@FunctionalInterface
public interface NodeListener {
    /** {@code old} is null for a new node. */
    void changed(NodeRecord old, NodeRecord next);

    /** The agent events a report brought that were not stored before (XIDs among them), before its {@link #changed}. */
    default void events(String node, List<GpuEvent> events) {
    }

    /** One listener that tells each of {@code listeners}, in order. */
    static NodeListener all(NodeListener... listeners) {
        List<NodeListener> each = List.of(listeners);
        return new NodeListener() {
            @Override
            public void changed(NodeRecord old, NodeRecord next) {
                each.forEach(listener -> listener.changed(old, next));
            }

            @Override
            public void events(String node, List<GpuEvent> events) {
                each.forEach(listener -> listener.events(node, events));
            }
        };
    }
}
