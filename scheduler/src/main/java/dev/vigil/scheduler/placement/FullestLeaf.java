package dev.vigil.scheduler.placement;

import dev.vigil.scheduler.topology.ClusterState;

/**
 * For a job that takes a whole idle node: one under the leaf switch with the fewest free GPUs that has one (the first
 * of equals), so the roomiest leaves stay whole for gangs. A job that fits a part-used node takes the best-fitting
 * node wherever it is: only idle nodes make a leaf's room.
 */
record FullestLeaf(ClusterState state) {
    /** The leaf, or -1 when none has a node of {@code model} with exactly {@code free} free GPUs. */
    int choose(int model, int free) {
        int fullest = -1;
        for (int leaf = 0; leaf < state.leafCount(); leaf++) {
            if (state.leafHistogram(leaf, model, free) > 0
                    && (fullest < 0 || state.leafFree(leaf, model) < state.leafFree(fullest, model))) {
                fullest = leaf;
            }
        }
        return fullest;
    }
}
