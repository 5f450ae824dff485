package dev.vigil.scheduler;

import dev.vigil.scheduler.placement.NodeFilter;
import dev.vigil.scheduler.topology.ClusterState;
import dev.vigil.scheduler.topology.ClusterState.Node;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What to evict so a job can start. For whole GPUs: per node, the preemptible jobs of lower priority that free
 * enough GPUs there, lowest priority first, then the most recently placed (the least work lost); then the nodes
 * whose eviction costs least: the fewest victims, the lowest priority, the least work lost. For a MIG slice: the
 * preemptible jobs of lower priority holding slices of its profile, in the same order (a MIG GPU takes slice
 * work only, so evicting slices never frees whole GPUs, nor a slice of one profile room for another).
 */
final class Victims {
    private Victims() {
    }

    private record NodeCost(List<Job> victims, int highestPriority, long gpuSecondsLost) {
    }

    /** Lowest priority first, then the most recently placed (the least work lost). */
    private static final Comparator<Job> EVICTED_FIRST = Comparator.comparingInt((Job j) -> j.priority)
            .thenComparing((Job j) -> j.placedAt, Comparator.reverseOrder()).thenComparingLong(j -> j.seq);

    private static final Comparator<NodeCost> CHEAPEST = Comparator.comparingInt((NodeCost c) -> c.victims.size())
            .thenComparingInt(c -> c.highestPriority).thenComparingLong(c -> c.gpuSecondsLost);

    /**
     * @param nodes   how many nodes need {@code perNode} free GPUs
     * @return the jobs to evict, or null when evicting cannot free enough
     */
    static List<Job> choose(ClusterState state, Map<String, Job> jobs, Job preemptor, int model, int nodes,
                            int perNode, NodeFilter filter, Instant now) {
        List<NodeCost> costs = new ArrayList<>();
        for (Node node : state.nodes()) {
            if (node.model() != model || !node.schedulable() || filter.rejects(node)) {
                continue;
            }
            NodeCost cost = cost(node, jobs, preemptor, perNode, now);
            if (cost != null) {
                costs.add(cost);
            }
        }
        if (costs.size() < nodes) {
            return null;
        }
        costs.sort(CHEAPEST);
        Set<Job> victims = new LinkedHashSet<>();
        for (NodeCost cost : costs.subList(0, nodes)) {
            victims.addAll(cost.victims);
        }
        return new ArrayList<>(victims);
    }

    /** Running jobs {@code preemptor} may evict that hold slices of its profile on {@code model}, cheapest first. */
    static List<Job> holdingSlices(Collection<Job> jobs, Job preemptor, int model) {
        List<Job> candidates = new ArrayList<>();
        for (Job job : jobs) {
            if (job.spec.preemptible() && job.priority < preemptor.priority && job.holdsWhatFits(preemptor)
                    && job.held.get(0).node().model() == model) {
                candidates.add(job);
            }
        }
        candidates.sort(EVICTED_FIRST);
        return candidates;
    }

    /** The cheapest victims that leave {@code perNode} GPUs free on {@code node}, or null when none can. */
    private static NodeCost cost(Node node, Map<String, Job> jobs, Job preemptor, int perNode, Instant now) {
        int free = node.freeCount();
        if (free >= perNode) {
            return new NodeCost(List.of(), Integer.MIN_VALUE, 0);
        }
        Set<Job> here = new LinkedHashSet<>();
        for (int gpu = 0; gpu < node.gpuCount(); gpu++) {
            String owner = node.owner(gpu);
            Job job = owner == null ? null : jobs.get(owner);
            if (job != null && job.spec.preemptible() && job.priority < preemptor.priority) {
                here.add(job);
            }
        }
        List<Job> candidates = new ArrayList<>(here);
        candidates.sort(EVICTED_FIRST);
        List<Job> victims = new ArrayList<>();
        int highest = Integer.MIN_VALUE;
        long lost = 0;
        for (Job victim : candidates) {
            victims.add(victim);
            highest = Math.max(highest, victim.priority);
            lost += victim.heldMilli() / 1000 * Math.max(0, Duration.between(victim.placedAt, now).toSeconds());
            for (Job.Held held : victim.held) {
                if (held.node() == node) {
                    free += Integer.bitCount(held.mask() & node.usableMask());
                }
            }
            if (free >= perNode) {
                return new NodeCost(victims, highest, lost);
            }
        }
        return null;
    }
}
