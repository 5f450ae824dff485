package dev.vigil.controller.leader;

import dev.vigil.api.cluster.NodeRecord;

/** Told of every node the leader stores: the scheduler follows capacity, health and confirmations. */
@FunctionalInterface
public interface NodeListener {
    /** {@code old} is null for a new node. Called with the applier's lock held: must not block. */
    void changed(NodeRecord old, NodeRecord next);
}
