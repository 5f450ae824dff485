package dev.vigil.controller.capacity;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.vigil.api.jobs.JobRecord;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What was asked for in the period against the period before: jobs submitted, and the GPU-hours
 * they requested (their GPUs × their runtime limit), whether or not they ran.
 *
 * @param submitted                 jobs submitted in the period
 * @param requestedGpuHours         GPU-hours they requested
 * @param previousSubmitted         jobs submitted in the period before
 * @param previousRequestedGpuHours GPU-hours those requested
 * @param growthPercent             the change of requested GPU-hours in percent, or null when the period
 *                                  before requested none (no previous data: written as null, not left out)
 * @param method                    how demand was measured, in words
 */
public record Demand(int submitted, double requestedGpuHours, int previousSubmitted, double previousRequestedGpuHours,
                     @JsonInclude(JsonInclude.Include.ALWAYS) Double growthPercent, String method) {
    static final String METHOD = "GPUs × runtime limit of the jobs submitted in each period (a MIG slice: its"
            + " compute slices over 7 of a GPU), from the jobs the controller still keeps";

    static Demand of(List<JobRecord> jobs, Instant from, Instant to, Duration period) {
        Instant before = from.minus(period);
        int submitted = 0;
        double requested = 0;
        int previousSubmitted = 0;
        double previousRequested = 0;
        for (JobRecord job : jobs) {
            double asked = HeldTime.gpus(job.spec()) * HeldTime.hours(job.spec().runtimeLimit());
            if (EndStates.within(job.submitted(), from, to)) {
                submitted++;
                requested += asked;
            } else if (EndStates.within(job.submitted(), before, from)) {
                previousSubmitted++;
                previousRequested += asked;
            }
        }
        Double growth = previousRequested > 0
                ? Math.round((requested - previousRequested) / previousRequested * 1000) / 10.0 : null;
        return new Demand(submitted, CapacityReport.round(requested), previousSubmitted,
                CapacityReport.round(previousRequested), growth, METHOD);
    }
}
