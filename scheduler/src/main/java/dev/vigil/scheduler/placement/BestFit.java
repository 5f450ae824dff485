package dev.vigil.scheduler.placement;

import dev.vigil.scheduler.topology.ClusterState.Node;

/**
 * The candidate with the fewest free units that holds the request: packs work onto what is already used, so roomier
 * nodes (and GPUs, for slices) stay whole for bigger requests. Bits 0-19.
 */
record BestFit() implements NodeScore {
    static final BestFit SCORE = new BestFit();

    @Override
    public long score(Node node, int free) {
        return free;
    }
}
