package dev.vigil.scheduler;

import dev.vigil.api.jobs.JobKind;
import dev.vigil.api.jobs.JobSpec;
import dev.vigil.api.jobs.Topology;
import dev.vigil.scheduler.placement.Capacity;
import dev.vigil.scheduler.placement.Filters;
import dev.vigil.scheduler.placement.NodeFilter;
import dev.vigil.scheduler.placement.NodeMatch;
import dev.vigil.scheduler.placement.Unreserved;

import java.util.Arrays;
import java.util.List;

/**
 * What a job asks of the cluster, shared by every job that asks the same (most queued jobs
 * share a few forms). It remembers what did not fit within the current cycle, so a queue of
 * thousands of blocked jobs costs a few placement attempts a cycle, not thousands.
 */
final class Form {
    /** The parts of a spec that decide where it can go. */
    record Key(JobKind kind, int nodes, int perNode, Topology topology, String migProfile, boolean spread,
               NodeMatch match, List<String> models) {
        static Key of(JobSpec spec, NodeMatch match) {
            return new Key(spec.kind(), spec.nodes() == null ? 0 : spec.nodes(),
                    spec.gpusPerNode() == null ? 0 : spec.gpusPerNode(), spec.topology(), spec.migProfile(),
                    spec.spread(), match, spec.models());
        }
    }

    /** "waiting for 2 nodes × 8 GPUs": written once, as every blocked job of this form says it each cycle. */
    final String waitingFor;
    /** The nodes it may use at all. */
    final NodeMatch match;
    /**
     * Its match's filter plugins, and those then the reservation: built once, as every placement search asks for
     * them. A form any node suits gets {@link Filters#NONE}, which the searches answer from the cluster's index, or
     * the reservation alone.
     */
    private final NodeFilter mayUse;
    private final NodeFilter keepsOffReserved;
    /** A training gang's shape (or a one-node training job's): read by {@link BlockedGangs} without the spec. */
    final boolean training;
    final int nodes;
    final int perNode;
    /** The node models it may use, as of {@link #modelsKnown} models in the cluster. */
    int[] models;
    int modelsKnown = -1;
    /**
     * By model × (keeping off reserved nodes or not) × (held to its fewest leaves or not): the memo
     * epoch in which it did not fit.
     */
    private long[] failed = new long[0];
    /**
     * By model × (held to its fewest leaves or not): the memo epoch in which it was asked whether it
     * fits ignoring the reservation, and the answer.
     */
    private long[] fitsIgnoringAsked = new long[0];
    private boolean[] fitsIgnoring = new boolean[0];
    /**
     * By model × (held to one leaf or not), for {@link BlockedGangs}: the count of GPUs given back as of which it did
     * not fit, reserved nodes included, and the capacity version then.
     */
    private long[] blockedFreed = new long[0];
    private long[] blockedCapacity = new long[0];
    /** By model: why it can never fit (null: it can), as of capacity version {@link #idleVersion}. */
    private Capacity.Verdict[] idle = new Capacity.Verdict[0];
    private boolean[] idleKnown = new boolean[0];
    /** By model: the fewest leaf switches that could hold it (0: not known), as of {@link #idleVersion}. */
    private int[] fewestLeaves = new int[0];
    private long idleVersion = -1;

    Form(JobSpec spec, NodeMatch match) {
        this.waitingFor = "waiting for " + Capacity.wants(spec);
        this.match = match;
        Filters filters = match.filters();
        this.mayUse = filters;
        this.keepsOffReserved = match.any() ? Unreserved.FILTER : filters.and(Unreserved.FILTER);
        this.training = spec.kind() == JobKind.TRAINING;
        this.nodes = training ? spec.nodes() : 0;
        this.perNode = training ? spec.gpusPerNode() : 0;
    }

    /** The filter plugins for its placement searches: its match's, then the reservation's if {@code avoidReserved}. */
    NodeFilter filter(boolean avoidReserved) {
        return avoidReserved ? keepsOffReserved : mayUse;
    }

    boolean failed(int model, boolean avoidReserved, boolean fewestLeaves, long epoch) {
        int slot = model * 4 + (avoidReserved ? 2 : 0) + (fewestLeaves ? 1 : 0);
        return slot < failed.length && failed[slot] == epoch;
    }

    void fail(int model, boolean avoidReserved, boolean fewestLeaves, long epoch) {
        int slot = model * 4 + (avoidReserved ? 2 : 0) + (fewestLeaves ? 1 : 0);
        if (slot >= failed.length) {
            failed = Arrays.copyOf(failed, slot + 4);
        }
        failed[slot] = epoch;
    }

    /** The remembered answer to "does it fit ignoring the reservation", or null when not asked this epoch. */
    Boolean fitsIgnoringReservation(int model, boolean fewestLeaves, long epoch) {
        int slot = model * 2 + (fewestLeaves ? 1 : 0);
        return slot < fitsIgnoringAsked.length && fitsIgnoringAsked[slot] == epoch ? fitsIgnoring[slot] : null;
    }

    void fitsIgnoringReservation(int model, boolean fewestLeaves, long epoch, boolean fits) {
        int slot = model * 2 + (fewestLeaves ? 1 : 0);
        if (slot >= fitsIgnoringAsked.length) {
            fitsIgnoringAsked = Arrays.copyOf(fitsIgnoringAsked, slot + 2);
            fitsIgnoring = Arrays.copyOf(fitsIgnoring, slot + 2);
        }
        fitsIgnoringAsked[slot] = epoch;
        fitsIgnoring[slot] = fits;
    }

    /** The count of GPUs given back as of which it did not fit; -1: not known at this capacity version. */
    long blockedSince(int model, boolean oneLeaf, long capacityVersion) {
        int slot = model * 2 + (oneLeaf ? 1 : 0);
        return slot < blockedFreed.length && blockedCapacity[slot] == capacityVersion ? blockedFreed[slot] : -1;
    }

    void blocked(int model, boolean oneLeaf, long capacityVersion, long freed) {
        int slot = model * 2 + (oneLeaf ? 1 : 0);
        if (slot >= blockedFreed.length) {
            int known = blockedFreed.length;
            blockedFreed = Arrays.copyOf(blockedFreed, slot + 2);
            blockedCapacity = Arrays.copyOf(blockedCapacity, slot + 2);
            Arrays.fill(blockedCapacity, known, slot + 2, -1);
        }
        blockedFreed[slot] = freed;
        blockedCapacity[slot] = capacityVersion;
    }

    /** Whether the idle verdict for {@code model} is known for this capacity version. */
    boolean idleKnown(int model, long capacityVersion) {
        at(capacityVersion);
        return model < idleKnown.length && idleKnown[model];
    }

    /** The fewest leaf switches that could hold it on {@code model}'s nodes at this capacity version; 0: not known. */
    int fewestLeaves(int model, long capacityVersion) {
        at(capacityVersion);
        return model < fewestLeaves.length ? fewestLeaves[model] : 0;
    }

    void rememberFewestLeaves(int model, int leaves) {
        if (model >= fewestLeaves.length) {
            fewestLeaves = Arrays.copyOf(fewestLeaves, model + 1);
        }
        fewestLeaves[model] = leaves;
    }

    /** Forgets what a change of capacity may have changed. */
    private void at(long capacityVersion) {
        if (capacityVersion != idleVersion) {
            idleKnown = new boolean[0];
            idle = new Capacity.Verdict[0];
            fewestLeaves = new int[0];
            idleVersion = capacityVersion;
        }
    }

    Capacity.Verdict idle(int model) {
        return idle[model];
    }

    void idle(int model, Capacity.Verdict verdict) {
        if (model >= idleKnown.length) {
            idleKnown = Arrays.copyOf(idleKnown, model + 1);
            idle = Arrays.copyOf(idle, model + 1);
        }
        idleKnown[model] = true;
        idle[model] = verdict;
    }
}
