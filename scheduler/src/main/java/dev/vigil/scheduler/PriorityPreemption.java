package dev.vigil.scheduler;

import dev.vigil.scheduler.Job.Held;
import dev.vigil.scheduler.placement.NodeFilter;
import dev.vigil.scheduler.placement.Placer.Choice;
import dev.vigil.scheduler.placement.Placer.Pick;
import dev.vigil.scheduler.policy.SchedulerPolicy;
import dev.vigil.scheduler.topology.ClusterState;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Preemption by priority: a job may evict preemptible jobs of lower priority, the {@link Victims} that cost least,
 * and of those only the ones whose GPUs (or MIG slices) it then takes.
 */
final class PriorityPreemption implements Preemption {
    private final SchedulerPolicy policy;
    private final ClusterState state;
    private final Fit fit;
    private final LocalityWait locality;
    private final Map<String, Job> jobs;
    private final Preemptible preemptible;

    PriorityPreemption(SchedulerPolicy policy, ClusterState state, Fit fit, LocalityWait locality,
                       Map<String, Job> jobs, Preemptible preemptible) {
        this.policy = policy;
        this.state = state;
        this.fit = fit;
        this.locality = locality;
        this.jobs = jobs;
        this.preemptible = preemptible;
    }

    /** Preemption is on and a lower-priority preemptible job runs on what this one would (whole GPUs, or slices). */
    @Override
    public boolean mayHelp(Job job) {
        return policy.preemption() && preemptible.anyBelow(job);
    }

    @Override
    public Eviction plan(Job job, int[] models, boolean avoidReserved, Instant now) {
        for (int model : models) {
            int count = fit.admissible(job, model);
            if (count == 0) {
                continue;
            }
            NodeFilter filter = job.form.filter(avoidReserved);
            int leafLimit = locality.leafLimit(job, model, now);
            List<Job> released = new ArrayList<>();
            Choice choice = null;
            if (job.wholeGpus()) {
                int slots = job.training() ? job.spec.nodes() : count;
                List<Job> chosen = Victims.choose(state, jobs, job, model, slots, job.spec.gpusPerNode(), filter, now);
                if (chosen == null) {
                    continue;
                }
                released.addAll(chosen);
                released.forEach(r -> r.suspend(state));
                choice = fit.place(job, model, count, leafLimit, filter);
            } else {
                // Slices are freed one victim at a time, cheapest first, until enough of its profile are free.
                for (Job candidate : Victims.holdingSlices(jobs.values(), job, model)) {
                    candidate.suspend(state);
                    released.add(candidate);
                    choice = fit.place(job, model, count, leafLimit, filter);
                    if (choice != null && choice.picks().size() == count) {
                        break;
                    }
                }
            }
            released.forEach(r -> r.resume(state));
            if (choice == null || !job.training() && choice.picks().size() < count) {
                continue;
            }
            Map<Job, String> victims = new LinkedHashMap<>();
            for (Job candidate : released) {
                if (overlaps(candidate, choice)) {
                    victims.put(candidate, "preempted by job " + job.id + " (priority " + job.priority + " > "
                            + candidate.priority + ")");
                }
            }
            return new Eviction(victims, model, choice);
        }
        return null;
    }

    private static boolean overlaps(Job running, Choice choice) {
        for (Held held : running.held) {
            for (Pick pick : choice.picks()) {
                if (pick.node() == held.node() && (pick.slice() != null ? pick.slice() == held.slice()
                        : (pick.mask() & held.mask()) != 0)) {
                    return true;
                }
            }
        }
        return false;
    }
}
