package dev.vigil.scheduler;

import dev.vigil.api.jobs.JobKind;
import dev.vigil.api.jobs.JobRecord;
import dev.vigil.api.jobs.JobSpec;
import dev.vigil.api.jobs.JobState;
import dev.vigil.api.jobs.JobTransition;
import dev.vigil.api.jobs.Placement;
import dev.vigil.api.jobs.WaitReason;
import dev.vigil.scheduler.policy.Tenant;
import dev.vigil.scheduler.topology.ClusterState;
import dev.vigil.scheduler.topology.ClusterState.Node;
import dev.vigil.scheduler.topology.ClusterState.Slice;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A job while the scheduler knows it: its spec, where it is, and what it holds. */
final class Job {
    private static final Duration NANOS_MAX = Duration.ofNanos(Long.MAX_VALUE);
    final String id;
    final JobSpec spec;
    final Form form;
    final Tenant tenant;
    final int priority;
    final Instant submitted;
    final long seq;
    /** Whether it runs on whole GPUs, not MIG slices, and its runtime limit: read as the walk passes it, so kept here. */
    private final boolean wholeGpus;
    final long runtimeLimitNanos;
    JobState state = JobState.PENDING;
    WaitReason wait = WaitReason.NONE;
    String reason = "queued";
    Instant placedAt;
    Instant started;
    Instant finished;
    int attempts;
    final List<JobTransition> history = new ArrayList<>();
    /**
     * When a queued gang that fits under one leaf switch could first have started on more (null: not
     * yet, or it has been placed since): its locality wait runs from then. With the wait in words,
     * as of that time.
     */
    Instant localitySince;
    String localityWhy;
    Instant localityWhyFor;
    /**
     * Parked: a cycle left it waiting for room with its gang shape known blocked wherever it may go (not for a
     * reservation, quota or a preemption), and later cycles pass it by while what that rests on holds
     * ({@code Scheduler.stillBlocked}): the capacity version then (-1: not parked), whether it was held to one leaf
     * switch (its wait text says so), and when its locality wait ends, in nanoseconds since the epoch
     * ({@link Long#MAX_VALUE}: none running). Kept in the job itself, as a walk past thousands of parked jobs reads
     * little else.
     */
    long parkedAt = -1;
    boolean parkedHeld;
    long parkedUntil;
    /** What it holds: one entry per node for a gang, one per replica for a service. */
    final List<Held> held = new ArrayList<>();

    /** GPUs held on one node: whole GPUs ({@code mask}) or one MIG slice on {@code gpu}. */
    record Held(Node node, int mask, int gpu, Slice slice, Integer replica, String model, long milli) {
        Placement placement() {
            List<Integer> gpus = new ArrayList<>();
            List<String> uuids = new ArrayList<>();
            if (slice != null) {
                gpus.add(gpu);
                uuids.add(node.uuid(gpu));
                return new Placement(node.name, gpus, uuids, List.of(slice.gpuInstanceId), replica);
            }
            for (int bits = mask; bits != 0; bits &= bits - 1) {
                int index = Integer.numberOfTrailingZeros(bits);
                gpus.add(index);
                uuids.add(node.uuid(index));
            }
            return new Placement(node.name, gpus, uuids, List.of(), replica);
        }
    }

    Job(String id, JobSpec spec, Form form, Tenant tenant, int priority, Instant submitted, long seq) {
        this.id = id;
        this.spec = spec;
        this.form = form;
        this.tenant = tenant;
        this.priority = priority;
        this.submitted = submitted;
        this.seq = seq;
        this.wholeGpus = spec.migProfile() == null;
        this.runtimeLimitNanos = nanos(spec.runtimeLimit());
    }

    /** Nanoseconds of {@code duration}, {@link Long#MAX_VALUE} past about 292 years. */
    static long nanos(Duration duration) {
        return duration.compareTo(NANOS_MAX) > 0 ? Long.MAX_VALUE : duration.toNanos();
    }

    /** Nanoseconds since the epoch (times of this century and the next two fit). */
    static long nanos(Instant time) {
        return time.getEpochSecond() * 1_000_000_000L + time.getNano();
    }

    boolean training() {
        return spec.kind() == JobKind.TRAINING;
    }

    /** Replica ids a service still needs placed (all of them for a gang that holds nothing is not asked here). */
    List<Integer> missingReplicas() {
        boolean[] placed = new boolean[spec.replicas()];
        for (Held h : held) {
            placed[h.replica()] = true;
        }
        List<Integer> missing = new ArrayList<>();
        for (int r = 0; r < placed.length; r++) {
            if (!placed[r]) {
                missing.add(r);
            }
        }
        return missing;
    }

    /** Whether it needs (more) GPUs: a waiting job, or a service short of replicas. */
    boolean needsPlacement() {
        if (state == JobState.PENDING || state == JobState.ADMITTED) {
            return true;
        }
        return !training() && state.holdsGpus() && held.size() < spec.replicas();
    }

    /** When backfill expects its GPUs back: placed plus its runtime limit. */
    Instant expectedEnd() {
        return placedAt.plus(spec.runtimeLimit());
    }

    long heldMilli() {
        long milli = 0;
        for (Held h : held) {
            milli += h.milli;
        }
        return milli;
    }

    /** Frees a job's GPUs and slices in the cluster state only, to plan as if it had ended. */
    void suspend(ClusterState state) {
        for (Held h : held) {
            state.release(h.node(), id);
        }
    }

    /** Takes back what {@link #suspend} freed: a slice as the node now has it (a report replaces the objects). */
    void resume(ClusterState state) {
        for (Held h : held) {
            if (h.slice() != null) {
                Slice slice = h.node().slice(h.gpu(), h.slice().gpuInstanceId);
                if (slice != null) {
                    state.allocate(h.node(), h.gpu(), slice, id);
                }
            } else {
                state.allocate(h.node(), h.mask(), id);
            }
        }
    }

    /** Whether it holds what {@code preemptor} would run on: whole GPUs for a whole-GPU job, else slices of its profile. */
    boolean holdsWhatFits(Job preemptor) {
        if (preemptor.wholeGpus()) {
            return wholeGpus();
        }
        for (Held h : held) {
            if (h.slice() != null && h.slice().profile.equals(preemptor.spec.migProfile())) {
                return true;
            }
        }
        return false;
    }

    boolean wholeGpus() {
        return wholeGpus;
    }

    void move(JobState to, String why, Instant now) {
        if (to != state) {
            history.add(new JobTransition(state, to, why, now));
            state = to;
        }
        reason = why;
    }

    List<Placement> placements() {
        List<Placement> placements = new ArrayList<>(held.size());
        for (Held h : held) {
            placements.add(h.placement());
        }
        return placements;
    }

    JobRecord record() {
        return new JobRecord(id, spec, priority, state, wait, reason, submitted, started, finished, placements(),
                attempts, history);
    }
}
