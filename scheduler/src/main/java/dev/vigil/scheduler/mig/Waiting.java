package dev.vigil.scheduler.mig;

import dev.vigil.api.jobs.JobKind;
import dev.vigil.api.jobs.JobSpec;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A job that waits for GPUs.
 *
 * @param job        its id
 * @param migProfile the MIG profile of each unit, or null for whole GPUs
 * @param units      GPUs, or slices, it needs in all (a service short of replicas: what it still lacks)
 * @param models     the GPU models it allows (a name matches when it is part of the model, ignoring case); empty: any
 * @param waited     how long it has waited
 * @param perNode    whole GPUs that must share one node (a gang's GPUs per node, a replica's GPUs): its units come
 *                   in groups of that many, each group on one node; 1 for slices (added to the brief's fields)
 * @param gang       all groups start together or none does, each on a node of its own, all of one model: a training
 *                   gang (added to the brief's fields); otherwise each group (a replica) starts on its own
 */
public record Waiting(String job, String migProfile, int units, List<String> models, Duration waited, int perNode,
                      boolean gang) {
    public Waiting {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(waited, "waited");
        models = List.copyOf(models);
        if (units < 1 || perNode < 1 || units % perNode != 0) {
            throw new IllegalArgumentException("job " + job + ": units (" + units + ") must be a positive multiple of "
                    + "perNode (" + perNode + ")");
        }
        if (migProfile != null && (gang || perNode != 1)) {
            throw new IllegalArgumentException("job " + job + ": slice work is one slice per replica, never a gang");
        }
    }

    /** Slices, or whole GPUs with no node constraint and no gang: any unit starts on its own. */
    public Waiting(String job, String migProfile, int units, List<String> models, Duration waited) {
        this(job, migProfile, units, models, waited, 1, false);
    }

    /**
     * What a queued job still waits for: a gang's GPUs in groups of its GPUs per node, a service's missing
     * replicas as slices or as groups of its GPUs per replica.
     *
     * @param placedReplicas the replicas of a service that run already
     */
    public static Waiting of(String id, JobSpec spec, int placedReplicas, Duration waited) {
        if (spec.kind() == JobKind.TRAINING) {
            return new Waiting(id, null, spec.gpus(), spec.models(), waited, spec.gpusPerNode(), true);
        }
        int missing = spec.replicas() - placedReplicas;
        if (spec.migProfile() != null) {
            return new Waiting(id, spec.migProfile(), missing, spec.models(), waited);
        }
        int perReplica = spec.gpusPerNode() == null ? 1 : spec.gpusPerNode();
        return new Waiting(id, null, missing * perReplica, spec.models(), waited, perReplica, false);
    }

    /** Whether it may use GPUs of {@code model}: the scheduler's rule, a wanted name is part of it, ignoring case. */
    public boolean allows(String model) {
        String name = model.toLowerCase(Locale.ROOT);
        return models.isEmpty() || models.stream().anyMatch(w -> name.contains(w.toLowerCase(Locale.ROOT)));
    }

    /** How many groups of {@link #perNode} GPUs it needs. */
    int groups() {
        return units / perNode;
    }
}
