package dev.vigil.controller.leader;

import dev.vigil.api.jobs.JobRecord;

import java.util.List;

/** The answer to {@link Mutation.SubmitJobs}: its jobs' records, in the batch's order, with their ids. */
public record SubmittedJobs(List<JobRecord> jobs) {
    public SubmittedJobs {
        jobs = List.copyOf(jobs);
    }
}
