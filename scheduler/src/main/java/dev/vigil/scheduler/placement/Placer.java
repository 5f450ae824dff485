package dev.vigil.scheduler.placement;

import dev.vigil.api.jobs.Topology;
import dev.vigil.api.jobs.TopologyLevel;
import dev.vigil.scheduler.topology.ClusterState;
import dev.vigil.scheduler.topology.ClusterState.Node;
import dev.vigil.scheduler.topology.ClusterState.Slice;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds GPUs for a request on the cluster as it is, without changing it. Filters (model, pool,
 * health, cordons, reservations) then scores:
 * <ul>
 *   <li>a gang takes the fewest leaf switches that can hold it (under one spine when it can), the
 *       best-fitting leaf among equals, and in each node best-fitting GPUs of one NVLink domain
 *       and NUMA node, so whole nodes and leaves stay free for the next big gang;</li>
 *   <li>a single-node job takes the best-fitting node; when that is an idle node, one under the
 *       leaf with the fewest free GPUs, so the roomiest leaves stay whole for gangs;</li>
 *   <li>inference replicas spread over leaves and nodes;</li>
 *   <li>MIG slices pack onto the GPUs already most used, keeping whole GPUs whole.</li>
 * </ul>
 */
public final class Placer {
    private final ClusterState state;

    public Placer(ClusterState state) {
        this.state = state;
    }

    /** Nodes to leave out of a placement: a pool mismatch, a reservation, a node already failed. */
    @FunctionalInterface
    public interface NodeFilter {
        boolean excluded(Node node);

        NodeFilter NONE = node -> false;
    }

    /** GPUs on one node: whole GPUs ({@code mask}) or one MIG slice. */
    public record Pick(Node node, int mask, int gpu, Slice slice, Integer replica) {
    }

    /** A placement: what each node gives, and how many leaf switches it spans. */
    public record Choice(List<Pick> picks, int leaves) {
    }

    /**
     * A training gang: {@code nodes} × {@code perNode} whole GPUs of {@code model}.
     *
     * @return the placement, or null when the cluster cannot hold it as asked
     */
    public Choice gang(int model, int nodes, int perNode, Topology topology, NodeFilter filter) {
        return gang(model, nodes, perNode, topology, Integer.MAX_VALUE, filter);
    }

    /**
     * A training gang on at most {@code leafLimit} leaf switches (and at most what a required
     * topology allows).
     *
     * @return the placement, or null when the cluster cannot hold it so now
     */
    public Choice gang(int model, int nodes, int perNode, Topology topology, int leafLimit, NodeFilter filter) {
        boolean required = topology != null && topology.required();
        if (nodes == 1) {
            // One NVLink domain when the node has one that fits; across domains only if that is not required.
            Choice choice = singleNode(model, perNode, filter, true);
            boolean domainRequired = required && topology.level() == TopologyLevel.SAME_NVLINK;
            return choice != null || domainRequired ? choice : singleNode(model, perNode, filter, false);
        }
        if (required && (topology.level() == TopologyLevel.SAME_NODE || topology.level() == TopologyLevel.SAME_NVLINK)) {
            return null;
        }
        int limit = required ? Math.min(topology.leafLimit(), leafLimit) : leafLimit;
        return multiNode(model, nodes, perNode, limit, filter);
    }

    private Choice singleNode(int model, int perNode, NodeFilter filter, boolean oneDomain) {
        for (int free = perNode; free <= 32; free++) {
            BitSet bucket = state.withFree(model, free);
            if (bucket.isEmpty()) {
                continue;
            }
            // Only a job that takes an idle node takes one from a leaf: then under the fullest leaf.
            boolean idleNodes = state.nodes().get(bucket.nextSetBit(0)).gpuCount() == free;
            Choice fullest = idleNodes && state.leafCount() > 1 ? inFullestLeaf(model, free, perNode, filter, oneDomain)
                    : null;
            if (fullest != null) {
                return fullest;
            }
            for (int i = bucket.nextSetBit(0); i >= 0; i = bucket.nextSetBit(i + 1)) {
                Node node = state.nodes().get(i);
                if (filter.excluded(node)) {
                    continue;
                }
                int mask = Gpus.pick(node, node.freeMask(), perNode, oneDomain);
                if (mask != 0) {
                    return new Choice(List.of(new Pick(node, mask, -1, null, null)), 1);
                }
            }
        }
        return null;
    }

    /**
     * A node with exactly {@code free} free GPUs under the leaf with the fewest free GPUs that has
     * one (best fit by leaf), or null when that leaf's such nodes are all filtered out or split
     * wrong: then any leaf will do. Asked only for idle nodes, where the leaf matters, as it costs a
     * pass over the leaves.
     */
    private Choice inFullestLeaf(int model, int free, int perNode, NodeFilter filter, boolean oneDomain) {
        int fullest = -1;
        for (int leaf = 0; leaf < state.leafCount(); leaf++) {
            if (state.leafHistogram(leaf, model, free) > 0
                    && (fullest < 0 || state.leafFree(leaf, model) < state.leafFree(fullest, model))) {
                fullest = leaf;
            }
        }
        for (Node node : state.leafNodes(fullest)) {
            if (node.model() == model && node.freeCount() == free && !filter.excluded(node)) {
                int mask = Gpus.pick(node, node.freeMask(), perNode, oneDomain);
                if (mask != 0) {
                    return new Choice(List.of(new Pick(node, mask, -1, null, null)), 1);
                }
            }
        }
        return null;
    }

    private Choice multiNode(int model, int nodes, int perNode, int leafLimit, NodeFilter filter) {
        int leaves = state.leafCount();
        int[] available = new int[leaves];
        for (int leaf = 0; leaf < leaves; leaf++) {
            available[leaf] = available(leaf, model, perNode, filter);
        }
        // One leaf if any can: the best-fitting one (the fewest spare nodes), to keep roomy leaves for bigger gangs.
        int best = -1;
        for (int leaf = 0; leaf < leaves; leaf++) {
            if (available[leaf] >= nodes && (best < 0 || available[leaf] < available[best])) {
                best = leaf;
            }
        }
        if (best >= 0) {
            return fill(List.of(best), model, nodes, perNode, filter);
        }
        if (leafLimit == 1) {
            // Held to one leaf and none has room: the search over several leaves could only be refused.
            return null;
        }
        // Otherwise the fewest leaves, preferring one spine: the fullest leaves first.
        List<Integer> chosen = fewestLeaves(available, nodes, true);
        if (chosen == null || chosen.size() > leafLimit) {
            chosen = fewestLeaves(available, nodes, false);
        }
        if (chosen == null || chosen.size() > leafLimit) {
            return null;
        }
        return fill(chosen, model, nodes, perNode, filter);
    }

    /**
     * The fewest leaves whose nodes sum to {@code nodes}, within one spine when {@code oneSpine}: the
     * roomiest leaves, except that the last one is the best-fitting leaf for what remains, so a
     * roomier leaf stays whole.
     */
    private List<Integer> fewestLeaves(int[] available, int nodes, boolean oneSpine) {
        Map<Integer, List<Integer>> groups = new HashMap<>();
        for (int leaf = 0; leaf < available.length; leaf++) {
            if (available[leaf] > 0) {
                groups.computeIfAbsent(oneSpine ? state.spineOfLeaf(leaf) : 0, s -> new ArrayList<>()).add(leaf);
            }
        }
        List<Integer> best = null;
        for (List<Integer> group : groups.values()) {
            group.sort(Comparator.comparingInt((Integer leaf) -> -available[leaf]).thenComparingInt(leaf -> leaf));
            int sum = 0;
            List<Integer> taken = new ArrayList<>();
            for (int i = 0; i < group.size() && sum < nodes; i++) {
                int leaf = group.get(i);
                int remaining = nodes - sum;
                if (available[leaf] >= remaining) {
                    // The smallest leaf from here on that holds the rest, the first of equals: the group is
                    // sorted roomiest first, then by index.
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
            if (sum >= nodes && (best == null || taken.size() < best.size())) {
                best = taken;
            }
        }
        return best;
    }

    /** The best-fitting nodes of the given leaves, in leaf order, until {@code nodes} are taken. */
    private Choice fill(List<Integer> leaves, int model, int nodes, int perNode, NodeFilter filter) {
        List<Pick> picks = new ArrayList<>(nodes);
        for (int leaf : leaves) {
            List<Node> candidates = new ArrayList<>();
            for (Node node : state.leafNodes(leaf)) {
                if (node.model() == model && node.freeCount() >= perNode && !filter.excluded(node)) {
                    candidates.add(node);
                }
            }
            candidates.sort(Comparator.comparingInt(Node::freeCount).thenComparingInt(n -> n.index));
            for (Node node : candidates) {
                int mask = Gpus.pick(node, node.freeMask(), perNode, true);
                if (mask == 0) {
                    mask = Gpus.pick(node, node.freeMask(), perNode, false);
                }
                picks.add(new Pick(node, mask, -1, null, null));
                if (picks.size() == nodes) {
                    return new Choice(picks, leaves.size());
                }
            }
        }
        return null;
    }

    /** Nodes of the leaf that could take {@code perNode} GPUs. */
    public int available(int leaf, int model, int perNode, NodeFilter filter) {
        if (filter == NodeFilter.NONE) {
            int count = 0;
            for (int free = perNode; free <= 32; free++) {
                count += state.leafHistogram(leaf, model, free);
            }
            return count;
        }
        int count = 0;
        for (Node node : state.leafNodes(leaf)) {
            if (node.model() == model && node.freeCount() >= perNode && !filter.excluded(node)) {
                count++;
            }
        }
        return count;
    }

    /**
     * Inference replicas of {@code perReplica} whole GPUs each, spread over leaves and nodes when
     * {@code spread} (else packed onto the fullest nodes), counting the replicas already on
     * {@code alreadyOn}. Places as many of {@code replicaIds} as fit.
     *
     * @return the replicas placed, or null when none fit
     */
    public Choice replicas(int model, List<Integer> replicaIds, int perReplica, boolean spread, NodeFilter filter,
                           List<Node> alreadyOn) {
        Map<Node, Integer> taken = new HashMap<>();
        Spread counts = new Spread(alreadyOn);
        List<Pick> picks = new ArrayList<>();
        for (int replica : replicaIds) {
            Node best = null;
            int bestMask = 0;
            long bestScore = Long.MAX_VALUE;
            for (Node node : state.nodes()) {
                if (node.model() != model || filter.excluded(node)) {
                    continue;
                }
                int free = node.freeMask() & ~taken.getOrDefault(node, 0);
                int freeCount = Integer.bitCount(free);
                if (freeCount < perReplica) {
                    continue;
                }
                long score = spread ? counts.score(node) | freeCount : freeCount;
                if (score < bestScore) {
                    int mask = Gpus.pick(node, free, perReplica, true);
                    mask = mask != 0 ? mask : Gpus.pick(node, free, perReplica, false);
                    best = node;
                    bestMask = mask;
                    bestScore = score;
                }
            }
            if (best == null) {
                break;
            }
            taken.merge(best, bestMask, (a, b) -> a | b);
            counts.add(best);
            picks.add(new Pick(best, bestMask, -1, null, replica));
        }
        return picks.isEmpty() ? null : new Choice(picks, counts.leaves());
    }

    /**
     * Inference replicas of one MIG slice each: spread over nodes when {@code spread}, and within a
     * node packed onto the GPU with the fewest free slices, so other GPUs stay empty for bigger
     * slices. Places as many of {@code replicaIds} as fit.
     *
     * @return the replicas placed, or null when none fit
     */
    public Choice slices(int model, List<Integer> replicaIds, String profile, boolean spread, NodeFilter filter,
                         List<Node> alreadyOn) {
        Map<Slice, Boolean> taken = new HashMap<>();
        Spread counts = new Spread(alreadyOn);
        List<Pick> picks = new ArrayList<>();
        for (int replica : replicaIds) {
            Pick best = null;
            long bestScore = Long.MAX_VALUE;
            for (Node node : state.nodes()) {
                if (node.model() != model || !node.schedulable() || filter.excluded(node)) {
                    continue;
                }
                long spreadScore = spread ? counts.score(node) : 0;
                if (spreadScore >= bestScore) {
                    continue;
                }
                for (int gpu = 0; gpu < node.gpuCount(); gpu++) {
                    if ((node.usableMask() & (1 << gpu)) == 0) {
                        continue;
                    }
                    int free = 0;
                    Slice candidate = null;
                    for (Slice slice : node.slices(gpu)) {
                        if (slice.owner() == null && !taken.containsKey(slice) && slice.profile.equals(profile)) {
                            free++;
                            candidate = candidate == null ? slice : candidate;
                        }
                    }
                    long score = spreadScore | free;
                    if (candidate != null && score < bestScore) {
                        bestScore = score;
                        best = new Pick(node, 0, gpu, candidate, replica);
                    }
                }
            }
            if (best == null) {
                break;
            }
            taken.put(best.slice(), true);
            counts.add(best.node());
            picks.add(best);
        }
        return picks.isEmpty() ? null : new Choice(picks, counts.leaves());
    }

    /** Replicas per leaf and per node, scored so the emptiest leaf, then the emptiest node, wins. */
    private static final class Spread {
        private final Map<Integer, Integer> perLeaf = new HashMap<>();
        private final Map<Node, Integer> perNode = new HashMap<>();

        Spread(List<Node> alreadyOn) {
            alreadyOn.forEach(this::add);
        }

        void add(Node node) {
            perLeaf.merge(node.leaf(), 1, Integer::sum);
            perNode.merge(node, 1, Integer::sum);
        }

        long score(Node node) {
            return ((long) perLeaf.getOrDefault(node.leaf(), 0) << 40) | ((long) perNode.getOrDefault(node, 0) << 20);
        }

        int leaves() {
            return perLeaf.size();
        }
    }
}
