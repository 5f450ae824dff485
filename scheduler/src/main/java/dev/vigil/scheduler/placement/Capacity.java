package dev.vigil.scheduler.placement;

import dev.vigil.api.jobs.JobKind;
import dev.vigil.api.jobs.JobSpec;
import dev.vigil.api.jobs.Topology;
import dev.vigil.api.jobs.TopologyLevel;
import dev.vigil.api.jobs.WaitReason;
import dev.vigil.scheduler.topology.ClusterState;
import dev.vigil.scheduler.topology.ClusterState.Node;
import dev.vigil.scheduler.topology.ClusterState.Slice;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Whether a request could ever fit, and what is free for it now: the numbers behind
 * {@code vigil why}. "Ever" means on the cluster as built, with nothing running: a job that does
 * not fit even then waits for a topology it cannot get, or for nodes to come back.
 */
public final class Capacity {
    /** Nodes {@link #notNow} names; the rest it counts. */
    private static final int SHOWN = 3;

    private final ClusterState state;

    public Capacity(ClusterState state) {
        this.state = state;
    }

    /** Why a request cannot fit even on an idle cluster. */
    public record Verdict(WaitReason reason, String why) {
    }

    /**
     * Checks {@code spec} against the idle cluster's nodes of {@code model} that {@code match} allows; what its filter
     * plugins say of the nodes they rejected follows the verdict.
     *
     * @return null when it fits once the running work is gone
     */
    public Verdict idle(int model, JobSpec spec, NodeMatch match) {
        Filters filters = match.filters();
        List<Node> nodes = new ArrayList<>();
        List<Node> rejected = new ArrayList<>();
        for (Node node : state.nodes()) {
            if (node.model() == model) {
                (filters.rejects(node) ? rejected : nodes).add(node);
            }
        }
        String name = state.modelName(model);
        String others = rejected.isEmpty() ? "" : filters.summary(rejected, name);
        if (nodes.isEmpty()) {
            return new Verdict(WaitReason.NO_MATCHING_NODES, "no node" + filters.describe() + " has " + name + " GPUs"
                    + others);
        }
        String what = wants(spec) + " of " + name;
        String built = shortfall(nodes, spec, false);
        if (built != null) {
            WaitReason reason = spec.migProfile() != null ? WaitReason.NO_MATCHING_NODES : WaitReason.TOPOLOGY;
            return new Verdict(reason, "needs " + what + "; " + built + others);
        }
        String usable = shortfall(nodes, spec, true);
        if (usable != null) {
            long down = nodes.stream().filter(Schedulable.FILTER::rejects).count();
            long unhealthy = nodes.stream().filter(n -> !Schedulable.FILTER.rejects(n))
                    .mapToInt(n -> n.gpuCount() - Integer.bitCount(n.usableMask())).sum();
            return new Verdict(WaitReason.UNSCHEDULABLE, "needs " + what + "; counting only schedulable GPUs, "
                    + usable + " (" + down + " of " + nodes.size() + " nodes " + Schedulable.WHY
                    + "; " + unhealthy + " GPUs unhealthy or cordoned on the others)");
        }
        return null;
    }

    /** What is free for {@code spec} on the nodes of {@code model} that {@code match} allows right now, for people. */
    public List<String> now(int model, JobSpec spec, NodeMatch match) {
        Filters filters = match.filters();
        List<String> lines = new ArrayList<>();
        String name = state.modelName(model);
        int total = 0;
        int schedulable = 0;
        int usable = 0;
        // Free GPUs of the nodes counted here, not of the whole model: another pool's are not this job's.
        int freeGpus = 0;
        for (Node node : state.nodes()) {
            if (node.model() == model && !filters.rejects(node)) {
                total++;
                if (!Schedulable.FILTER.rejects(node)) {
                    schedulable++;
                    usable += Integer.bitCount(node.usableMask() & ~node.migMask());
                    freeGpus += node.freeCount();
                }
            }
        }
        lines.add(name + ": " + total + " nodes, " + schedulable + " schedulable, " + freeGpus + " of " + usable
                + " usable GPUs free");
        if (spec.migProfile() != null) {
            int free = 0;
            int onNodes = 0;
            Filters up = filters.and(Schedulable.FILTER);
            for (Node node : state.nodes()) {
                int here = node.model() == model && !up.rejects(node) ? freeSlices(node, spec.migProfile()) : 0;
                free += here;
                onNodes += here > 0 ? 1 : 0;
            }
            lines.add("free " + spec.migProfile() + " slices: " + free + " on " + onNodes + " nodes");
            return lines;
        }
        int perNode = spec.gpusPerNode();
        Filters withRoom = filters.and(new Room(perNode));
        StringBuilder byLeaf = new StringBuilder();
        int fit = 0;
        for (int leaf = 0; leaf < state.leafCount(); leaf++) {
            int here = 0;
            for (Node node : state.leafNodes(leaf)) {
                if (node.model() == model && !withRoom.rejects(node)) {
                    here++;
                }
            }
            if (here > 0) {
                byLeaf.append(byLeaf.length() == 0 ? "" : ", ").append(state.leafName(leaf)).append(' ').append(here);
            }
            fit += here;
        }
        lines.add("nodes with " + perNode + "+ free GPUs now: " + fit + (fit > 0 ? " (" + byLeaf + ")" : "")
                + "; the job needs " + (spec.kind() == JobKind.TRAINING ? spec.nodes() : 1)
                + (spec.kind() == JobKind.TRAINING ? leafWish(spec.topology()) : ""));
        return lines;
    }

    /**
     * Why the nodes of {@code model} that {@code match} allows do not take {@code spec} now, for a job that fits
     * once running work is gone: "not now: 3 of 4 nodes: n1: 2 of 8 GPUs free, needs 4; n2: reserved for job j-7;
     * n0: cordoned, draining or down". The nodes with the most free GPUs come first, as the nearest to taking it;
     * the first {@value #SHOWN} are named, so a fleet of a thousand busy nodes gives one line.
     *
     * @param reservation the backfill reservation's filter where it keeps the job off reserved nodes, else
     *                    {@link Filters#NONE}
     * @return null when every such node could take it now (it waits for something else)
     */
    public String notNow(int model, JobSpec spec, NodeMatch match, NodeFilter reservation) {
        Filters filters = match.filters();
        NodeFilter room = spec.migProfile() != null ? new FreeSlice(spec.migProfile()) : new Room(spec.gpusPerNode());
        Filters now = new Filters(Schedulable.FILTER, room, reservation);
        int total = 0;
        List<Node> refusing = new ArrayList<>();
        for (Node node : state.nodes()) {
            if (node.model() == model && !filters.rejects(node)) {
                total++;
                if (now.rejects(node)) {
                    refusing.add(node);
                }
            }
        }
        if (refusing.isEmpty()) {
            return null;
        }
        refusing.sort(Comparator.comparingInt(Node::freeCount).reversed());
        List<String> shown = refusing.stream().limit(SHOWN).map(n -> n.name + ": " + now.why(n)).toList();
        return "not now: " + refusing.size() + " of " + total + (total == 1 ? " node: " : " nodes: ")
                + String.join("; ", shown) + (refusing.size() > SHOWN ? "; …" : "");
    }

    /** Free MIG slices of a profile on a node's usable GPUs. */
    static int freeSlices(Node node, String profile) {
        int free = 0;
        for (int gpu = 0; gpu < node.gpuCount(); gpu++) {
            if ((node.usableMask() & (1 << gpu)) == 0) {
                continue;
            }
            for (Slice slice : node.slices(gpu)) {
                if (slice.owner() == null && slice.profile.equals(profile)) {
                    free++;
                }
            }
        }
        return free;
    }

    /** Null when {@code nodes} could hold the request with nothing running, else what they lack. */
    private String shortfall(List<Node> nodes, JobSpec spec, boolean usableOnly) {
        if (spec.migProfile() != null) {
            for (Node node : nodes) {
                if (!usableOnly || !Schedulable.FILTER.rejects(node)) {
                    for (int gpu = 0; gpu < node.gpuCount(); gpu++) {
                        if (usableOnly && (node.usableMask() & (1 << gpu)) == 0) {
                            continue;
                        }
                        for (Slice slice : node.slices(gpu)) {
                            if (slice.profile.equals(spec.migProfile())) {
                                return null;
                            }
                        }
                    }
                }
            }
            return "no GPU has " + spec.migProfile() + " MIG instances (MIG layouts are set on the nodes)";
        }
        Topology topology = spec.topology();
        boolean required = topology != null && topology.required();
        boolean oneDomain = required && topology.level() == TopologyLevel.SAME_NVLINK;
        int perNode = spec.gpusPerNode();
        int wanted = spec.kind() == JobKind.TRAINING ? spec.nodes() : 1;
        int[] perLeaf = new int[state.leafCount()];
        int largestNode = 0;
        for (Node node : nodes) {
            if (usableOnly && Schedulable.FILTER.rejects(node)) {
                continue;
            }
            int size = room(node, usableOnly, oneDomain);
            largestNode = Math.max(largestNode, size);
            if (size >= perNode) {
                perLeaf[node.leaf()]++;
            }
        }
        if (wanted == 1) {
            return largestNode >= perNode ? null : "the largest " + (oneDomain ? "NVLink domain" : "node")
                    + " has " + largestNode;
        }
        if (required && (topology.level() == TopologyLevel.SAME_NODE || topology.level() == TopologyLevel.SAME_NVLINK)) {
            return "more than one node cannot be " + (topology.level() == TopologyLevel.SAME_NODE ? "one node"
                    : "one NVLink domain");
        }
        int limit = required ? topology.leafLimit() : perLeaf.length;
        int[] sorted = perLeaf.clone();
        Arrays.sort(sorted);
        int sum = 0;
        for (int i = 0; i < limit && i < sorted.length; i++) {
            sum += sorted[sorted.length - 1 - i];
        }
        if (sum >= wanted) {
            return null;
        }
        String such = sum + (sum == 1 ? " such node" : " such nodes");
        int leaves = Math.min(limit, sorted.length);
        return leaves == 1 ? "the largest leaf switch has " + such : "the " + leaves + " largest leaf switches have "
                + such;
    }

    /** Whole GPUs the node could give one job with nothing running (in one NVLink domain when {@code oneDomain}). */
    private static int room(Node node, boolean usableOnly, boolean oneDomain) {
        int all = node.gpuCount() == 32 ? -1 : (1 << node.gpuCount()) - 1;
        // GPUs in MIG mode take slices only; MIG layouts are the operator's, not changed to fit a job.
        int mask = (usableOnly ? node.usableMask() : all) & ~node.migMask();
        return oneDomain ? largestDomain(node, mask) : Integer.bitCount(mask);
    }

    /**
     * The fewest leaf switches that could hold gang {@code spec} with nothing running, on the
     * schedulable nodes of {@code model} that {@code match} allows; {@link Integer#MAX_VALUE} when no
     * number could.
     */
    public int fewestLeaves(int model, JobSpec spec, NodeMatch match) {
        Filters filters = match.filters().and(Schedulable.FILTER);
        int[] perLeaf = new int[state.leafCount()];
        for (Node node : state.nodes()) {
            if (node.model() == model && !filters.rejects(node)
                    && room(node, true, false) >= spec.gpusPerNode()) {
                perLeaf[node.leaf()]++;
            }
        }
        Arrays.sort(perLeaf);
        int sum = 0;
        for (int i = perLeaf.length - 1; i >= 0; i--) {
            sum += perLeaf[i];
            if (sum >= spec.nodes()) {
                return perLeaf.length - i;
            }
        }
        return Integer.MAX_VALUE;
    }

    private static int largestDomain(Node node, int mask) {
        int largest = 0;
        for (int bits = mask; bits != 0; bits &= bits - 1) {
            int domain = node.nvlinkDomain(Integer.numberOfTrailingZeros(bits));
            int size = 0;
            for (int other = mask; other != 0; other &= other - 1) {
                size += node.nvlinkDomain(Integer.numberOfTrailingZeros(other)) == domain ? 1 : 0;
            }
            largest = Math.max(largest, size);
        }
        return largest;
    }

    /** The request in words: "2 nodes × 8 GPUs under at most 1 leaf switch". */
    public static String wants(JobSpec spec) {
        if (spec.migProfile() != null) {
            return "a " + spec.migProfile() + " slice";
        }
        if (spec.kind() == JobKind.INFERENCE) {
            return spec.gpusPerNode() + " GPU" + (spec.gpusPerNode() == 1 ? "" : "s") + " on one node";
        }
        String size = spec.nodes() == 1 ? spec.gpusPerNode() + " GPUs on one node"
                : spec.nodes() + " nodes × " + spec.gpusPerNode() + " GPUs";
        return size + leafWish(spec.topology());
    }

    private static String leafWish(Topology topology) {
        if (topology == null) {
            return "";
        }
        String how = topology.required() ? " (required)" : " (preferred)";
        return switch (topology.level()) {
            case SAME_NODE -> " on one node" + how;
            case SAME_NVLINK -> " in one NVLink domain" + how;
            case SAME_LEAF -> " under one leaf switch" + how;
            case MAX_LEAVES -> " under at most " + topology.maxLeaves() + " leaf switches" + how;
        };
    }
}
