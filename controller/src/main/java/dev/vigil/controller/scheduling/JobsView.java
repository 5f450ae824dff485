package dev.vigil.controller.scheduling;

import dev.vigil.api.jobs.JobRecord;
import dev.vigil.api.jobs.JobTransition;
import dev.vigil.scheduler.policy.SchedulerPolicy;
import dev.vigil.scheduler.policy.Tenant;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The leader's jobs as the alert rules and the metrics see them, published by the scheduler loop
 * whenever jobs change: what waits for GPUs, what each tenant holds, and the tenants' quotas.
 * Empty on a member that does not lead.
 *
 * @param waiting   jobs waiting for GPUs (services short of replicas included)
 * @param heldMilli thousandths of a GPU each tenant's jobs hold (a MIG slice is part of a GPU)
 * @param quotas    the nominal GPU quota of each tenant that has one, all models together
 */
public record JobsView(List<JobRecord> waiting, Map<String, Long> heldMilli, Map<String, Integer> quotas) {
    public static final JobsView EMPTY = new JobsView(List.of(), Map.of(), Map.of());

    public JobsView {
        waiting = List.copyOf(waiting);
        heldMilli = Map.copyOf(heldMilli);
        quotas = Map.copyOf(quotas);
    }

    static Map<String, Integer> quotas(SchedulerPolicy policy) {
        Map<String, Integer> quotas = new TreeMap<>();
        for (Tenant tenant : policy.tenants()) {
            if (tenant.limited()) {
                quotas.put(tenant.name(), tenant.quota().values().stream().mapToInt(Integer::intValue).sum());
            }
        }
        return quotas;
    }

    /** Since when {@code job} waits: its last return to the queue (a requeue), else its submission. */
    public static Instant waitingSince(JobRecord job) {
        return waitingSince(job, job.history().size());
    }

    /** As {@link #waitingSince(JobRecord)}, looking only at the first {@code transitions} of its history. */
    static Instant waitingSince(JobRecord job, int transitions) {
        for (int i = transitions - 1; i >= 0; i--) {
            JobTransition transition = job.history().get(i);
            if (transition.from() != null && transition.from().holdsGpus() && !transition.to().holdsGpus()) {
                return transition.time();
            }
        }
        return job.submitted();
    }
}
