package dev.vigil.scheduler;

import dev.vigil.scheduler.placement.Capacity;

import java.util.List;

/** Per GPU model the job may use: what its tenant's quota refuses, what is free now, and why it never could fit. */
final class FitExplanation implements Explanation {
    private final Fit fit;
    private final Capacity capacity;

    FitExplanation(Fit fit, Capacity capacity) {
        this.fit = fit;
        this.capacity = capacity;
    }

    @Override
    public void explain(Job job, List<String> details) {
        for (int model : fit.models(job)) {
            String quota = fit.quotaWhy(job, model);
            if (quota != null) {
                details.add("quota: " + quota);
            }
            details.addAll(capacity.now(model, job.spec, job.form.match));
            Capacity.Verdict idle = capacity.idle(model, job.spec, job.form.match);
            if (idle != null) {
                details.add(idle.why());
            }
        }
    }
}
