package dev.vigil.alerts.fleet;

import dev.vigil.api.cluster.NodeState;

import java.time.Instant;
import java.util.List;

/**
 * A node as the alert rules see it.
 *
 * @param name       the node's name
 * @param state      its lifecycle state; {@link NodeState#UNKNOWN} means its agent stopped reporting
 * @param lastReport when its agent last reported, or null if it never did
 * @param gpus       its GPUs
 */
public record FleetNode(String name, NodeState state, Instant lastReport, List<FleetGpu> gpus) {
    public FleetNode {
        gpus = gpus == null ? List.of() : List.copyOf(gpus);
    }

    /** Whether the controller has lost touch with the node's agent. */
    public boolean unreachable() {
        return state == NodeState.UNKNOWN;
    }
}
