package dev.vigil.scheduler.placement;

import java.util.List;

/**
 * One leaf switch when any holds the gang: the one with the fewest such nodes (the first of equals), so roomier
 * leaves stay whole for bigger gangs.
 */
record BestFitLeaf() implements LeafChoice {
    static final BestFitLeaf CHOICE = new BestFitLeaf();

    @Override
    public List<Integer> choose(int[] available, int nodes) {
        int best = -1;
        for (int leaf = 0; leaf < available.length; leaf++) {
            if (available[leaf] >= nodes && (best < 0 || available[leaf] < available[best])) {
                best = leaf;
            }
        }
        return best < 0 ? null : List.of(best);
    }
}
