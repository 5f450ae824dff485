package dev.vigil.scheduler;

import dev.vigil.api.binding.HumanDurations;
import dev.vigil.api.jobs.JobSpec;
import dev.vigil.scheduler.Job.Held;
import dev.vigil.scheduler.placement.Filters;
import dev.vigil.scheduler.placement.NodeFilter;
import dev.vigil.scheduler.placement.Placer;
import dev.vigil.scheduler.placement.Placer.Choice;
import dev.vigil.scheduler.placement.Placer.Pick;
import dev.vigil.scheduler.placement.Unreserved;
import dev.vigil.scheduler.policy.SchedulerPolicy;
import dev.vigil.scheduler.topology.ClusterState;
import dev.vigil.scheduler.topology.ClusterState.Node;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The reserve stage, EASY backfill: the first gang of a cycle that cannot start gets a reservation on the nodes it
 * will get once running jobs reach their runtime limits (under one leaf switch while it waits for one); jobs behind
 * it keep off those nodes unless they end before it is due.
 */
final class Backfill {
    /** Planning is bounded: a reservation tries at most this many placements per cycle. */
    private static final int TRIES = 256;

    private final SchedulerPolicy policy;
    private final ClusterState state;
    private final Placer placer;
    private final Fit fit;
    private final LocalityWait locality;
    /** Jobs holding GPUs, by when they are expected to end. */
    private final Collection<Job> holding;
    /** Why a job is kept off a reservation's nodes, by runtime limit: the same few texts, written once. */
    private final Map<Duration, String> keptOff = new HashMap<>();
    private Reservation reservation;
    private boolean tried;

    /** A blocked gang's hold on nodes from when its GPUs are expected free, planned by the cycle at {@code planned}. */
    record Reservation(Job job, Instant planned, Instant start, List<Node> nodes) {
        /** "job j-7's reservation on 4 nodes (gpu-001, …)". */
        String holder() {
            List<String> names = new ArrayList<>();
            for (Node node : nodes.subList(0, Math.min(8, nodes.size()))) {
                names.add(node.name);
            }
            return "job " + job.id + "'s reservation on " + nodes.size() + " node" + (nodes.size() == 1 ? "" : "s")
                    + " (" + String.join(", ", names) + (nodes.size() > 8 ? ", …" : "") + ")";
        }
    }

    Backfill(SchedulerPolicy policy, ClusterState state, Placer placer, Fit fit, LocalityWait locality,
             Collection<Job> holding) {
        this.policy = policy;
        this.state = state;
        this.placer = placer;
        this.fit = fit;
        this.locality = locality;
        this.holding = holding;
    }

    /** A new cycle plans its own reservation: the last one's nodes are free again. */
    void newCycle() {
        if (reservation != null) {
            for (Node node : reservation.nodes) {
                state.reserve(node, false);
            }
            reservation = null;
        }
        tried = false;
    }

    /** This cycle's reservation, or null. */
    Reservation reservation() {
        return reservation;
    }

    /** Whether this cycle asks for no more reservations: one was planned or tried already, or backfill is off. */
    boolean settled() {
        return tried || !policy.backfill();
    }

    /** Whether the job must keep off reserved nodes: it would still run when the reservation starts. */
    boolean avoids(Job job, Instant now) {
        return reservation != null && reservation.job != job
                && job.runtimeLimitNanos > Job.nanos(reservation.start) - Job.nanos(now);
    }

    /** The reservation as its cycle kept {@code job} off the reserved nodes, naming its gang; none when it did not. */
    NodeFilter keptOffBy(Job job) {
        return reservation != null && avoids(job, reservation.planned) ? new Unreserved("job " + reservation.job.id)
                : Filters.NONE;
    }

    /** Why a job that fits only on the reserved nodes waits. */
    String keptOff(Job job) {
        return keptOff.computeIfAbsent(job.spec.runtimeLimit(),
                limit -> "fits only on nodes reserved for a gang ahead of it, and its runtime limit ("
                        + HumanDurations.format(limit) + ") would end after that gang is due to start");
    }

    /**
     * Reserves for {@code head} if it is the cycle's first blocked gang and backfill is on.
     *
     * @return the reservation, or null when there is none for it
     */
    Reservation reserveFor(Job head, int[] models, Instant now) {
        if (tried || !policy.backfill() || !head.training()) {
            return null;
        }
        tried = true;
        for (int model : models) {
            if (fit.admissible(head, model) == 0) {
                continue;
            }
            reservation = plan(head, model, now);
            if (reservation != null) {
                return reservation;
            }
        }
        return null;
    }

    /**
     * Releases running jobs of {@code model} in the order their runtime limits end until the gang fits, and holds
     * the nodes it would get from then on.
     */
    private Reservation plan(Job head, int model, Instant now) {
        JobSpec spec = head.spec;
        int need = spec.nodes() * spec.gpusPerNode();
        int leafLimit = locality.leafLimit(head, model, now);
        // Held to one leaf: no leaf had room when the gang was tried this cycle, so only the leaves of the
        // jobs released since the last try can have it now; the others are not searched again.
        BitSet changedLeaves = leafLimit == 1 ? new BitSet() : null;
        List<Job> released = new ArrayList<>();
        Choice found = null;
        Instant start = null;
        int tries = 0;
        for (Job running : holding) {
            if (!running.wholeGpus() || running.held.get(0).node().model() != model) {
                continue;
            }
            running.suspend(state);
            released.add(running);
            if (changedLeaves != null) {
                running.held.forEach(h -> changedLeaves.set(h.node().leaf()));
            }
            if (state.freeGpus(model) < need || spec.nodes() == 1 && !freedEnoughOnOneNode(running, spec)) {
                continue;
            }
            Choice choice = changedLeaves == null || roomOnOne(changedLeaves, head, model)
                    ? placer.gang(model, spec.nodes(), spec.gpusPerNode(), spec.topology(), leafLimit,
                    head.form.filter(false)) : null;
            if (choice != null) {
                found = choice;
                start = running.expectedEnd().isAfter(now) ? running.expectedEnd() : now;
                break;
            }
            if (++tries == TRIES) {
                break;
            }
            if (changedLeaves != null) {
                changedLeaves.clear();
            }
        }
        released.forEach(r -> r.resume(state));
        if (found == null) {
            return null;
        }
        List<Node> nodes = new ArrayList<>();
        for (Pick pick : found.picks()) {
            state.reserve(pick.node(), true);
            nodes.add(pick.node());
        }
        return new Reservation(head, now, start, nodes);
    }

    /** Whether one of {@code leaves} has enough nodes with room for the gang (a one-leaf placement may succeed). */
    private boolean roomOnOne(BitSet leaves, Job gang, int model) {
        for (int leaf = leaves.nextSetBit(0); leaf >= 0; leaf = leaves.nextSetBit(leaf + 1)) {
            if (placer.available(leaf, model, gang.spec.gpusPerNode(), gang.form.filter(false)) >= gang.spec.nodes()) {
                return true;
            }
        }
        return false;
    }

    private static boolean freedEnoughOnOneNode(Job released, JobSpec spec) {
        for (Held held : released.held) {
            if (held.node().freeCount() >= spec.gpusPerNode()) {
                return true;
            }
        }
        return false;
    }
}
