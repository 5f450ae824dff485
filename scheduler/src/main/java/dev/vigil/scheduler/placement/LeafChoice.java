package dev.vigil.scheduler.placement;

import java.util.List;

/** The score stage for a gang of several nodes: which leaf switches it takes, from what each leaf could give. */
interface LeafChoice {
    /**
     * @param available per leaf, how many nodes could take the gang's share now (after the filters)
     * @param nodes     how many nodes the gang needs
     * @return the leaves, in the order their nodes are taken, or null when this plugin finds none
     */
    List<Integer> choose(int[] available, int nodes);
}
