package dev.vigil.scheduler;

import dev.vigil.scheduler.topology.ClusterState;

/**
 * "This gang shape cannot be placed now", kept across cycles. A gang that found no room, reserved nodes included,
 * finds none later until whole GPUs come back under a leaf where it could then fit, or capacity changes: until
 * then a queue of gangs waiting for room costs a few counts a cycle, not a placement search per shape.
 * The counts are a necessary condition only (enough nodes with enough free GPUs): when they allow it, the search
 * runs again.
 */
final class BlockedGangs {
    private final ClusterState state;

    BlockedGangs(ClusterState state) {
        this.state = state;
    }

    /** Whether {@code job}'s shape is known not to fit now on {@code model} within {@code leafLimit} leaf switches. */
    boolean known(Job job, int model, int leafLimit) {
        Form form = job.form;
        if (!form.training) {
            return false;
        }
        boolean oneLeaf = leafLimit == 1;
        long since = form.blockedSince(model, oneLeaf, state.capacityVersion());
        if (since < 0) {
            return false;
        }
        long freed = state.freedCount();
        if (since != freed && mayFitNow(form, model, oneLeaf, since)) {
            return false;
        }
        form.blocked(model, oneLeaf, state.capacityVersion(), freed);
        return true;
    }

    /** The search for {@code job}'s shape, reserved nodes included, found no room now. */
    void remember(Job job, int model, int leafLimit) {
        if (job.form.training) {
            job.form.blocked(model, leafLimit == 1, state.capacityVersion(), state.freedCount());
        }
    }

    /** Whether GPUs given back since {@code since} leave enough nodes with enough free GPUs (under one leaf). */
    private boolean mayFitNow(Form form, int model, boolean oneLeaf, long since) {
        int nodes = form.nodes;
        int perNode = form.perNode;
        int total = 0;
        for (int leaf = 0; leaf < state.leafCount(); leaf++) {
            if (!oneLeaf) {
                total += state.leafNodesWithFree(leaf, model, perNode);
            } else if (state.freedSince(leaf, since) && state.leafNodesWithFree(leaf, model, perNode) >= nodes) {
                return true;
            }
        }
        return !oneLeaf && total >= nodes;
    }
}
