package dev.vigil.scheduler.placement;

import dev.vigil.scheduler.topology.ClusterState;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The fewest leaf switches whose nodes add up to the gang, within one spine when {@code oneSpine} (the spine needing
 * the fewest, the first of equals): the roomiest leaves, except that the last is the best-fitting leaf for what
 * remains, so a roomier one stays whole.
 */
record FewestLeaves(ClusterState state, boolean oneSpine) implements LeafChoice {
    @Override
    public List<Integer> choose(int[] available, int nodes) {
        Map<Integer, List<Integer>> groups = new HashMap<>();
        for (int leaf = 0; leaf < available.length; leaf++) {
            if (available[leaf] > 0) {
                groups.computeIfAbsent(oneSpine ? state.spineOfLeaf(leaf) : 0, s -> new ArrayList<>()).add(leaf);
            }
        }
        List<Integer> best = null;
        for (List<Integer> group : groups.values()) {
            List<Integer> taken = take(group, available, nodes);
            if (taken != null && (best == null || taken.size() < best.size())) {
                best = taken;
            }
        }
        return best;
    }

    private static List<Integer> take(List<Integer> group, int[] available, int nodes) {
        // A stable sort of leaves in index order: the first of equals stays first.
        group.sort(Comparator.comparingInt(leaf -> -available[leaf]));
        int sum = 0;
        List<Integer> taken = new ArrayList<>();
        for (int i = 0; i < group.size() && sum < nodes; i++) {
            int leaf = group.get(i);
            int remaining = nodes - sum;
            if (available[leaf] >= remaining) {
                // The smallest leaf from here on that holds the rest, the first of equals: the group is sorted
                // roomiest first, then by index.
                int last = i;
                while (last + 1 < group.size() && available[group.get(last + 1)] >= remaining) {
                    last++;
                }
                while (last > i && available[group.get(last - 1)] == available[group.get(last)]) {
                    last--;
                }
                leaf = group.get(last);
            }
            taken.add(leaf);
            sum += available[leaf];
        }
        return sum >= nodes ? taken : null;
    }
}
