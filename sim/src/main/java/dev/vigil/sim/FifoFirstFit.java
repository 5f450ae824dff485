package dev.vigil.sim;

import dev.vigil.api.jobs.JobKind;
import dev.vigil.api.jobs.JobSpec;
import dev.vigil.api.jobs.Placement;
import dev.vigil.scheduler.Decision;
import dev.vigil.scheduler.topology.NodeCapacity;
import dev.vigil.sim.cluster.SimCluster;
import dev.vigil.sim.trace.TraceJob;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The classic baseline: strict FIFO in submit order, so a job that does not fit blocks every job
 * behind it (no backfill); first fit over nodes in index order; whole GPUs only (a MIG request
 * takes a whole GPU, and GPUs in MIG mode count as whole); no topology awareness, no priorities,
 * quotas or preemption. It keeps the jobs' model and pool constraints.
 */
public final class FifoFirstFit implements SimScheduler {
    private final List<NodeCapacity> nodes;
    private final int[] free;
    private final Set<String> models = new LinkedHashSet<>();
    private final ArrayDeque<TraceJob> queue = new ArrayDeque<>();
    private final Map<String, List<Placement>> held = new HashMap<>();
    private final Map<String, Integer> index = new HashMap<>();

    public FifoFirstFit(SimCluster cluster) {
        this.nodes = cluster.nodes();
        this.free = new int[nodes.size()];
        for (int i = 0; i < nodes.size(); i++) {
            int count = nodes.get(i).gpus().size();
            free[i] = count == 32 ? -1 : (1 << count) - 1;
            models.add(nodes.get(i).model());
            index.put(nodes.get(i).name(), i);
        }
    }

    @Override
    public String name() {
        return "fifo-first-fit";
    }

    @Override
    public void submit(TraceJob job, Instant now) {
        queue.add(job);
    }

    @Override
    public Round schedule(Instant now) {
        long start = System.nanoTime();
        List<Decision> decisions = new ArrayList<>();
        while (!queue.isEmpty()) {
            TraceJob head = queue.peek();
            List<Placement> placements = place(head.spec());
            if (placements == null) {
                break;
            }
            queue.poll();
            held.put(head.id(), placements);
            decisions.add(new Decision.Start(head.id(), head.spec(), placements, 1));
        }
        return new Round(decisions, System.nanoTime() - start);
    }

    /** Takes GPUs for the whole job, or none: a gang's first nodes of one model, or each replica's first node. */
    private List<Placement> place(JobSpec spec) {
        int perNode = spec.migProfile() != null ? 1 : spec.gpusPerNode();
        boolean gang = spec.kind() == JobKind.TRAINING;
        for (String model : models) {
            if (!SimCluster.allows(spec.models(), model)) {
                continue;
            }
            List<Placement> placements = new ArrayList<>();
            int wanted = gang ? spec.nodes() : spec.replicas();
            for (int i = 0; i < nodes.size() && placements.size() < wanted; i++) {
                NodeCapacity node = nodes.get(i);
                if (!node.model().equals(model) || spec.pool() != null && !spec.pool().equals(node.pool())) {
                    continue;
                }
                int left = free[i];
                while (Integer.bitCount(left) >= perNode && placements.size() < wanted) {
                    int mask = lowest(left, perNode);
                    left &= ~mask;
                    placements.add(placement(i, mask, gang ? null : placements.size()));
                    if (gang) {
                        break;
                    }
                }
            }
            if (placements.size() == wanted) {
                for (Placement placement : placements) {
                    free[indexOf(placement)] &= ~mask(placement);
                }
                return placements;
            }
        }
        return null;
    }

    @Override
    public void running(String id, Instant now) {
        // Nothing to track: a job holds its GPUs from its start decision on.
    }

    @Override
    public void finished(String id, boolean succeeded, Instant now) {
        for (Placement placement : held.remove(id)) {
            free[indexOf(placement)] |= mask(placement);
        }
    }

    private Placement placement(int node, int mask, Integer replica) {
        List<Integer> gpus = new ArrayList<>();
        List<String> uuids = new ArrayList<>();
        for (int bits = mask; bits != 0; bits &= bits - 1) {
            int gpu = Integer.numberOfTrailingZeros(bits);
            gpus.add(gpu);
            uuids.add(nodes.get(node).gpus().get(gpu).uuid());
        }
        return new Placement(nodes.get(node).name(), gpus, uuids, List.of(), replica);
    }

    private int indexOf(Placement placement) {
        return index.get(placement.node());
    }

    private static int mask(Placement placement) {
        int mask = 0;
        for (int gpu : placement.gpus()) {
            mask |= 1 << gpu;
        }
        return mask;
    }

    /** The {@code count} lowest-indexed GPUs of {@code mask}. */
    private static int lowest(int mask, int count) {
        int taken = 0;
        for (int bits = mask; bits != 0 && Integer.bitCount(taken) < count; bits &= bits - 1) {
            taken |= Integer.lowestOneBit(bits);
        }
        return taken;
    }
}
