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
 * Finds GPUs for a request on the cluster as it is, without changing it: the driver of the filter and score stages.
 * GPU model, health and free room come from the cluster's index (nodes bucketed by model and free GPUs); the
 * {@link NodeFilter} the caller gives rules out the rest (pool, backend, reservation). Then the score plugins:
 * <ul>
 *   <li>a gang takes the fewest leaf switches that can hold it ({@link BestFitLeaf}, else {@link FewestLeaves}, one
 *       spine first), the {@link BestFit} nodes there, and in each node the GPUs {@link Gpus} picks (one NVLink
 *       domain, one NUMA node, best fitting);</li>
 *   <li>a single-node job takes the {@link BestFit} node; when that is an idle node, one under the
 *       {@link FullestLeaf}, so the roomiest leaves stay whole for gangs;</li>
 *   <li>inference replicas {@link Spread} over leaves and nodes (else {@link BestFit});</li>
 *   <li>MIG slices pack ({@link BestFit}) onto the GPUs with the fewest free slices of their profile.</li>
 * </ul>
 */
public final class Placer {
    private final ClusterState state;
    private final FullestLeaf fullestLeaf;
    private final List<LeafChoice> fewestLeaves;

    public Placer(ClusterState state) {
        this.state = state;
        this.fullestLeaf = new FullestLeaf(state);
        this.fewestLeaves = List.of(new FewestLeaves(state, true), new FewestLeaves(state, false));
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

    /** The best-fitting node: the buckets of nodes by free GPUs, fewest first. */
    private Choice singleNode(int model, int perNode, NodeFilter filter, boolean oneDomain) {
        for (int free = perNode; free <= 32; free++) {
            BitSet bucket = state.withFree(model, free);
            if (bucket.isEmpty()) {
                continue;
            }
            if (state.leafCount() > 1 && state.nodes().get(bucket.nextSetBit(0)).gpuCount() == free) {
                // That leaf's such nodes may all be filtered out or split wrong: then any leaf will do.
                Choice choice = inLeaf(fullestLeaf.choose(model, free), model, free, perNode, filter, oneDomain);
                if (choice != null) {
                    return choice;
                }
            }
            for (int i = bucket.nextSetBit(0); i >= 0; i = bucket.nextSetBit(i + 1)) {
                Choice choice = take(state.nodes().get(i), perNode, filter, oneDomain);
                if (choice != null) {
                    return choice;
                }
            }
        }
        return null;
    }

    /** The first node of {@code model} under {@code leaf} with exactly {@code free} free GPUs that gives them. */
    private Choice inLeaf(int leaf, int model, int free, int perNode, NodeFilter filter, boolean oneDomain) {
        for (Node node : state.leafNodes(leaf)) {
            Choice choice = node.model() == model && node.freeCount() == free
                    ? take(node, perNode, filter, oneDomain) : null;
            if (choice != null) {
                return choice;
            }
        }
        return null;
    }

    /** {@code perNode} GPUs of {@code node}, or null when the filter rejects it or its free GPUs are split wrong. */
    private static Choice take(Node node, int perNode, NodeFilter filter, boolean oneDomain) {
        int mask = filter.rejects(node) ? 0 : Gpus.pick(node, node.freeMask(), perNode, oneDomain);
        return mask == 0 ? null : new Choice(List.of(new Pick(node, mask, -1, null, null)), 1);
    }

    private Choice multiNode(int model, int nodes, int perNode, int leafLimit, NodeFilter filter) {
        int[] available = new int[state.leafCount()];
        for (int leaf = 0; leaf < available.length; leaf++) {
            available[leaf] = available(leaf, model, perNode, filter);
        }
        List<Integer> chosen = BestFitLeaf.CHOICE.choose(available, nodes);
        // Held to one leaf and none has room: the search over several leaves could only be refused.
        for (int i = 0; chosen == null && leafLimit > 1 && i < fewestLeaves.size(); i++) {
            chosen = fewestLeaves.get(i).choose(available, nodes);
            chosen = chosen == null || chosen.size() > leafLimit ? null : chosen;
        }
        return chosen == null ? null : fill(chosen, model, nodes, perNode, filter);
    }

    /** The best-fitting nodes of the given leaves, in leaf order, until {@code nodes} are taken. */
    private Choice fill(List<Integer> leaves, int model, int nodes, int perNode, NodeFilter filter) {
        List<Pick> picks = new ArrayList<>(nodes);
        for (int leaf : leaves) {
            List<Node> candidates = new ArrayList<>();
            for (Node node : state.leafNodes(leaf)) {
                if (node.model() == model && node.freeCount() >= perNode && !filter.rejects(node)) {
                    candidates.add(node);
                }
            }
            // A stable sort of nodes in index order: the first of equals stays first.
            candidates.sort(Comparator.comparingLong(n -> BestFit.SCORE.score(n, n.freeCount())));
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
        if (filter == Filters.NONE) {
            return state.leafNodesWithFree(leaf, model, perNode);
        }
        int count = 0;
        for (Node node : state.leafNodes(leaf)) {
            if (node.model() == model && node.freeCount() >= perNode && !filter.rejects(node)) {
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
        NodeScore scores = spread ? counts.then(BestFit.SCORE) : BestFit.SCORE;
        List<Pick> picks = new ArrayList<>();
        for (int replica : replicaIds) {
            Node best = null;
            int bestMask = 0;
            long bestScore = Long.MAX_VALUE;
            for (Node node : state.nodes()) {
                if (node.model() != model || filter.rejects(node)) {
                    continue;
                }
                int free = node.freeMask() & ~taken.getOrDefault(node, 0);
                int freeCount = Integer.bitCount(free);
                if (freeCount < perReplica) {
                    continue;
                }
                long score = scores.score(node, freeCount);
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
        NodeScore scores = spread ? counts.then(BestFit.SCORE) : BestFit.SCORE;
        List<Pick> picks = new ArrayList<>();
        for (int replica : replicaIds) {
            Pick best = null;
            long bestScore = Long.MAX_VALUE;
            for (Node node : state.nodes()) {
                if (node.model() != model || Schedulable.FILTER.rejects(node) || filter.rejects(node)
                        || scores.score(node, 0) >= bestScore) {
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
                    long score = candidate == null ? Long.MAX_VALUE : scores.score(node, free);
                    if (score < bestScore) {
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
}
