package dev.vigil.scheduler.placement;

import dev.vigil.scheduler.topology.ClusterState.Node;

/**
 * The score stage for one candidate at a time (a node for whole GPUs, one of its GPUs for a MIG slice): the search
 * takes the lowest score, the first among equals. A score never falls as {@code free} grows, so
 * {@code score(node, 0)} bounds every candidate of the node from below. Plugins add up, each in bits of its own, so
 * the sum ranks by the higher plugin first.
 */
public interface NodeScore {
    /**
     * @param free how many units the candidate has free for the request: whole GPUs of the node, or slices of the
     *             request's profile on the GPU
     */
    long score(Node node, int free);

    /** This score, then {@code tieBreak} among candidates it scores the same (whose bits lie below this one's). */
    default NodeScore then(NodeScore tieBreak) {
        return (node, free) -> score(node, free) + tieBreak.score(node, free);
    }
}
