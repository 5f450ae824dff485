package dev.vigil.scheduler;

import dev.vigil.scheduler.placement.Capacity;

import java.util.List;

/**
 * Per GPU model the job may use: what its tenant's quota refuses, what is free now, and why it never could fit or,
 * when it could, which nodes do not take it now and why (busy, reserved, down).
 */
final class FitExplanation implements Explanation {
    private final Fit fit;
    private final Capacity capacity;
    private final Backfill backfill;

    FitExplanation(Fit fit, Capacity capacity, Backfill backfill) {
        this.fit = fit;
        this.capacity = capacity;
        this.backfill = backfill;
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
                continue;
            }
            String notNow = capacity.notNow(model, job.spec, job.form.match, backfill.keptOffBy(job));
            if (notNow != null) {
                details.add(notNow);
            }
        }
    }
}
