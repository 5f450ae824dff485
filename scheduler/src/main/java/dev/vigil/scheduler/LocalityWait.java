package dev.vigil.scheduler;

import dev.vigil.api.binding.HumanDurations;
import dev.vigil.api.jobs.JobSpec;
import dev.vigil.scheduler.placement.Capacity;
import dev.vigil.scheduler.policy.SchedulerPolicy;
import dev.vigil.scheduler.topology.ClusterState;

import java.time.Duration;
import java.time.Instant;

/**
 * The score stage's locality rule, after Slurm's {@code --switches=N@maxtime}: a gang that fits under one leaf
 * switch of the idle cluster is held to one leaf for {@link SchedulerPolicy#localityWait()} from when it could
 * first have started on more. (The {@link dev.vigil.scheduler.placement.Placer} scores the rest: fewest leaves,
 * best fit.)
 */
final class LocalityWait {
    private final Duration wait;
    private final ClusterState state;
    private final Capacity capacity;

    LocalityWait(SchedulerPolicy policy, ClusterState state, Capacity capacity) {
        this.wait = policy.localityWait();
        this.state = state;
        this.capacity = capacity;
    }

    /**
     * The most leaf switches a gang may take now: one while its wait lasts; else no limit beyond its topology's.
     * A gang too wide for one leaf takes the fewest leaves that have room at once: waiting for several whole
     * leaves to drain would cost more than it gives.
     */
    int leafLimit(Job job, int model, Instant now) {
        JobSpec spec = job.spec;
        // A gang whose topology requires one leaf is held to one anyway: the limit changes nothing for it.
        if (!job.training() || spec.nodes() == 1 || wait.isZero() || state.leafCount() == 1
                || job.localitySince != null && !now.isBefore(ends(job))) {
            return Integer.MAX_VALUE;
        }
        int fewest = job.form.fewestLeaves(model, state.capacityVersion());
        if (fewest == 0) {
            fewest = capacity.fewestLeaves(model, spec, job.form.match);
            job.form.rememberFewestLeaves(model, fewest);
        }
        return fewest == 1 ? 1 : Integer.MAX_VALUE;
    }

    /** When the locality wait of a gang whose wait has started ends. */
    Instant ends(Job job) {
        return job.localitySince.plus(wait);
    }

    /**
     * What a job that fits no free GPUs waits for; a gang in its locality wait says until when (written once per
     * wait: it is said every cycle).
     */
    String waitingFor(Job job, int[] models, Instant now) {
        if (leafLimit(job, models[0], now) == Integer.MAX_VALUE || job.localitySince == null) {
            return job.form.waitingFor;
        }
        if (job.localityWhyFor != job.localitySince) {
            job.localityWhyFor = job.localitySince;
            job.localityWhy = job.form.waitingFor + " under one leaf switch; it fits on more now and takes them from "
                    + ends(job) + " (locality wait " + HumanDurations.format(wait) + ")";
        }
        return job.localityWhy;
    }
}
