package dev.vigil.scheduler;

import dev.vigil.api.jobs.JobKind;
import dev.vigil.api.jobs.JobSpec;
import dev.vigil.api.jobs.Placement;
import dev.vigil.api.jobs.WaitReason;
import dev.vigil.api.jobs.WhyPending;
import dev.vigil.scheduler.Scheduler.Unrunnable;
import dev.vigil.scheduler.placement.Capacity;
import dev.vigil.scheduler.placement.NodeMatch;
import dev.vigil.scheduler.policy.FairShare;
import dev.vigil.scheduler.policy.SchedulerPolicy;
import dev.vigil.scheduler.topology.ClusterState;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Answers {@code vigil why}: a job's priority and fair share, then what it holds, or what the {@link Explanation}
 * plugins say of why it waits and its place in the queue; and whether a spec could ever run on the known nodes.
 */
final class Explainer {
    private final SchedulerPolicy policy;
    private final ClusterState state;
    private final Capacity capacity;
    private final Queue queue;
    private final FairShare fairShare;
    private final Map<String, Double> shares;
    private final List<Explanation> explanations;

    Explainer(SchedulerPolicy policy, ClusterState state, Capacity capacity, Queue queue, FairShare fairShare,
              Map<String, Double> shares, List<Explanation> explanations) {
        this.policy = policy;
        this.state = state;
        this.capacity = capacity;
        this.queue = queue;
        this.fairShare = fairShare;
        this.shares = shares;
        this.explanations = explanations;
    }

    WhyPending why(Job job) {
        List<String> details = new ArrayList<>();
        Map<String, Double> factors = fairShare.factors(shares);
        details.add("priority " + job.priority + (job.spec.priorityClass() == null ? "" : " (class "
                + job.spec.priorityClass() + ")") + "; tenant " + job.tenant.name() + ": fair-share factor "
                + String.format("%.3f", factors.getOrDefault(job.tenant.name(), 1.0)) + ", "
                + String.format("%.1f", fairShare.gpuHours(job.tenant.name())) + " GPU-hours of recent use, "
                + job.tenant.shares() + " share" + (job.tenant.shares() == 1.0 ? "" : "s"));
        if (!job.needsPlacement()) {
            for (Placement placement : job.placements()) {
                details.add("holds " + placement.node() + " GPUs " + placement.gpus()
                        + (placement.migInstances().isEmpty() ? "" : " MIG instance " + placement.migInstances()));
            }
            return new WhyPending(job.id, job.state, WaitReason.NONE, job.reason, details, null, queue.size());
        }
        List<Job> order = queue.snapshot(factors);
        int position = order.indexOf(job) + 1;
        for (Explanation explanation : explanations) {
            explanation.explain(job, details);
        }
        int ahead = 0;
        for (Job other : order.subList(0, Math.max(0, position - 1))) {
            ahead += other.priority > job.priority ? 1 : 0;
        }
        details.add(position + " of " + order.size() + " in the queue; " + ahead + " ahead of it by priority");
        if (position > policy.maxJobsPerCycle()) {
            return new WhyPending(job.id, job.state, WaitReason.QUEUE_DEPTH, "position " + position
                    + " in the queue; a cycle examines the first " + policy.maxJobsPerCycle(), details, position,
                    order.size());
        }
        return new WhyPending(job.id, job.state, job.wait, job.reason, details, position, order.size());
    }

    /** See {@link Scheduler#unrunnable}. */
    Optional<Unrunnable> unrunnable(JobSpec spec) {
        if (state.modelCount() == 0) {
            return Optional.empty();
        }
        List<String> known = new ArrayList<>();
        List<Integer> matching = new ArrayList<>();
        for (int model = 0; model < state.modelCount(); model++) {
            String name = state.modelName(model);
            known.add(name);
            String lower = name.toLowerCase(Locale.ROOT);
            if (spec.models().isEmpty() || spec.models().stream().anyMatch(w -> lower.contains(w.toLowerCase(Locale.ROOT)))) {
                matching.add(model);
            }
        }
        if (matching.isEmpty()) {
            return Optional.of(new Unrunnable("models", "no known node has a GPU model matching "
                    + String.join(" or ", spec.models()) + " (the fleet has " + String.join(", ", known) + ")"));
        }
        List<String> whys = new ArrayList<>();
        String field = null;
        for (int model : matching) {
            int wanted = model;
            boolean inPool = state.nodes().stream().anyMatch(n -> n.model() == wanted
                    && (spec.pool() == null || spec.pool().equals(n.pool())));
            if (inPool && spec.migProfile() != null) {
                return Optional.empty();
            }
            // Pool only: whether a simulated job may use real GPUs is the backend's matter, and it waits saying so.
            Capacity.Verdict idle = capacity.idle(model, spec, new NodeMatch(spec.pool(), false, null));
            if (idle == null || idle.reason() == WaitReason.UNSCHEDULABLE) {
                return Optional.empty();
            }
            field = field != null ? field : !inPool ? "pool"
                    : spec.topology() != null && spec.topology().required() ? "topology"
                    : spec.kind() == JobKind.TRAINING ? "gpus" : "gpusPerNode";
            whys.add(idle.why());
        }
        return Optional.of(new Unrunnable(field, String.join("; ", whys)));
    }
}
