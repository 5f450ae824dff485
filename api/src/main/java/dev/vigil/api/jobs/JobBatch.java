package dev.vigil.api.jobs;

import dev.vigil.api.binding.InvalidValueException;

import java.util.List;

/**
 * Jobs submitted together ({@code POST /v1/jobs:batch}), e.g. the points of a hyperparameter
 * sweep: all are queued, in this order, or none is (the first one refused names its index,
 * {@code jobs[3].gpus}), so a sweep is never left half submitted.
 *
 * @param jobs the jobs, each as {@code POST /v1/jobs} takes one
 */
public record JobBatch(List<JobSpec> jobs) {
    /** The most jobs one batch takes: a sweep's points, not a backlog. */
    public static final int MAX_JOBS = 1000;

    public JobBatch {
        InvalidValueException.required(jobs, "jobs", "a list of 1 to " + MAX_JOBS + " jobs");
        InvalidValueException.require(!jobs.isEmpty() && jobs.size() <= MAX_JOBS, "jobs", jobs.size() + " jobs",
                "1 to " + MAX_JOBS + " jobs (submit more in several batches)");
        for (int i = 0; i < jobs.size(); i++) {
            InvalidValueException.required(jobs.get(i), "jobs[" + i + "]", "a job spec, as POST /v1/jobs takes one");
        }
        jobs = List.copyOf(jobs);
    }
}
