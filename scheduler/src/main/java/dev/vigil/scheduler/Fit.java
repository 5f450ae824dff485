package dev.vigil.scheduler;

import dev.vigil.api.jobs.JobKind;
import dev.vigil.api.jobs.JobSpec;
import dev.vigil.scheduler.Job.Held;
import dev.vigil.scheduler.placement.NodeFilter;
import dev.vigil.scheduler.placement.Placer;
import dev.vigil.scheduler.placement.Placer.Choice;
import dev.vigil.scheduler.policy.Quotas;
import dev.vigil.scheduler.topology.ClusterState;
import dev.vigil.scheduler.topology.ClusterState.Node;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The filter stage and the search it feeds: the GPU models a job may use, how much of it its tenant's quota
 * admits, and the {@link Placer}'s scored placement on the nodes its {@link Form#filter} lets it use (pool,
 * simulated GPUs, backend, a reservation it would delay).
 */
final class Fit {
    private final ClusterState state;
    private final Placer placer;
    private final Quotas quotas;

    Fit(ClusterState state, Placer placer, Quotas quotas) {
        this.state = state;
        this.placer = placer;
        this.quotas = quotas;
    }

    /** Node models a job may use, as indices; kept in its form until a new model joins. */
    int[] models(Job job) {
        Form form = job.form;
        if (form.modelsKnown != state.modelCount()) {
            List<String> wanted = job.spec.models();
            List<Integer> matches = new ArrayList<>();
            for (int model = 0; model < state.modelCount(); model++) {
                String name = state.modelName(model).toLowerCase(Locale.ROOT);
                if (wanted.isEmpty() || wanted.stream().anyMatch(w -> name.contains(w.toLowerCase(Locale.ROOT)))) {
                    matches.add(model);
                }
            }
            form.models = matches.stream().mapToInt(Integer::intValue).toArray();
            form.modelsKnown = state.modelCount();
        }
        return form.models;
    }

    /** Why the tenant's quota keeps the job (one replica of a service) off {@code model}; null: it does not. */
    String quotaWhy(Job job, int model) {
        return quotas.check(job.tenant, state.modelName(model), job.training() ? totalMilli(job.spec)
                : unitMilli(job.spec));
    }

    /** Replicas (or 1 for a whole gang) the tenant's quota lets this job take on {@code model} now; 0: none. */
    int admissible(Job job, int model) {
        String name = state.modelName(model);
        if (job.training()) {
            return quotas.check(job.tenant, name, totalMilli(job.spec)) == null ? 1 : 0;
        }
        long unit = unitMilli(job.spec);
        int low = 0;
        int high = job.missingReplicas().size();
        while (low < high) {
            int mid = (low + high + 1) / 2;
            if (quotas.check(job.tenant, name, unit * mid) == null) {
                low = mid;
            } else {
                high = mid - 1;
            }
        }
        return low;
    }

    /** Places {@code count} replicas of a service, or a gang on at most {@code leafLimit} leaf switches. */
    Choice place(Job job, int model, int count, int leafLimit, NodeFilter filter) {
        JobSpec spec = job.spec;
        if (job.training()) {
            return placer.gang(model, spec.nodes(), spec.gpusPerNode(), spec.topology(), leafLimit, filter);
        }
        List<Integer> missing = job.missingReplicas();
        missing = missing.subList(0, Math.min(count, missing.size()));
        List<Node> on = new ArrayList<>();
        for (Held h : job.held) {
            on.add(h.node());
        }
        return spec.migProfile() != null
                ? placer.slices(model, missing, spec.migProfile(), spec.spread(), filter, on)
                : placer.replicas(model, missing, spec.gpusPerNode(), spec.spread(), filter, on);
    }

    /** Thousandths of a GPU one replica takes: a MIG slice is its compute slices out of 7. */
    static long unitMilli(JobSpec spec) {
        return spec.migProfile() != null ? sliceMilli(spec.migProfile()) : spec.gpusPerNode() * 1000L;
    }

    static long totalMilli(JobSpec spec) {
        return spec.kind() == JobKind.TRAINING ? spec.gpus() * 1000L : spec.replicas() * unitMilli(spec);
    }

    static long sliceMilli(String profile) {
        int computeSlices = Integer.parseInt(profile.substring(0, profile.indexOf('g')));
        return (computeSlices * 1000L + 6) / 7;
    }
}
