package dev.vigil.scheduler;

import dev.vigil.scheduler.placement.Placer.Choice;
import dev.vigil.scheduler.policy.Quotas;
import dev.vigil.scheduler.policy.SchedulerPolicy;
import dev.vigil.scheduler.policy.Tenant;
import dev.vigil.scheduler.topology.ClusterState;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Kueue's reclaim within a cohort: a job its tenant's own nominal quota covers (always admitted) that finds no free
 * GPUs because other tenants of its cohort borrowed that quota gets it back. Their jobs are evicted (preemptible or
 * not: borrowed quota is lent, not given), lowest priority and most recently placed first, each only while its
 * tenant still borrows, until the job fits; when that is not enough, nothing is evicted. Only jobs holding what the
 * job would run on are candidates: whole GPUs for a whole-GPU job, slices of its profile for a MIG slice job.
 */
final class QuotaReclaim implements Preemption {
    private static final Comparator<Job> EVICTED_FIRST = Comparator.comparingInt((Job r) -> r.priority)
            .thenComparing((Job r) -> r.placedAt, Comparator.reverseOrder()).thenComparingLong(r -> r.seq);

    private final SchedulerPolicy policy;
    private final ClusterState state;
    private final Quotas quotas;
    private final Fit fit;
    private final LocalityWait locality;
    private final Collection<Job> holding;

    QuotaReclaim(SchedulerPolicy policy, ClusterState state, Quotas quotas, Fit fit, LocalityWait locality,
                 Collection<Job> holding) {
        this.policy = policy;
        this.state = state;
        this.quotas = quotas;
        this.fit = fit;
        this.locality = locality;
        this.holding = holding;
    }

    /** Only while another member of the cohort borrows, so that a full cluster's cycle still stops early when none does. */
    @Override
    public boolean mayHelp(Job job) {
        return policy.preemption() && job.tenant.cohort() != null && quotas.othersBorrow(job.tenant);
    }

    @Override
    public Eviction plan(Job job, int[] models, boolean avoidReserved, Instant now) {
        for (int model : models) {
            String name = state.modelName(model);
            if (!quotas.withinNominal(job.tenant, name, job.training() ? Fit.totalMilli(job.spec)
                    : Fit.unitMilli(job.spec))) {
                continue;
            }
            List<Job> borrowers = new ArrayList<>();
            for (Job running : holding) {
                if (running.tenant != job.tenant && job.tenant.cohort().equals(running.tenant.cohort())
                        && running.holdsWhatFits(job) && running.held.get(0).node().model() == model) {
                    borrowers.add(running);
                }
            }
            borrowers.sort(EVICTED_FIRST);
            int count = fit.admissible(job, model);
            Map<String, Long> given = new HashMap<>();
            List<Job> released = new ArrayList<>();
            Choice choice = null;
            for (Job borrower : borrowers) {
                // What a tenant released so far is no longer borrowed: back within its own quota, it keeps the rest.
                if (quotas.borrowed(borrower.tenant, name) <= given.getOrDefault(borrower.tenant.name(), 0L)) {
                    continue;
                }
                borrower.suspend(state);
                given.merge(borrower.tenant.name(), borrower.heldMilli(), Long::sum);
                released.add(borrower);
                choice = fit.place(job, model, count, locality.leafLimit(job, model, now),
                        job.form.filter(avoidReserved));
                if (choice != null) {
                    break;
                }
            }
            released.forEach(r -> r.resume(state));
            if (choice == null) {
                continue;
            }
            String key = job.tenant.quotaKey(name);
            Map<Job, String> victims = new LinkedHashMap<>();
            for (Job borrower : released) {
                victims.put(borrower, "reclaimed: tenant " + job.tenant.name() + " needs its own "
                        + (Tenant.ANY_MODEL.equals(key) ? "" : key + " ") + "quota back for job " + job.id
                        + " (tenant " + borrower.tenant.name() + " borrowed it in cohort " + job.tenant.cohort() + ")");
            }
            return new Eviction(victims, model, choice);
        }
        return null;
    }
}
