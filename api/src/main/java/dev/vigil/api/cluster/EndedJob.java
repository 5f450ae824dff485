package dev.vigil.api.cluster;

import dev.vigil.api.binding.InvalidValueException;

/**
 * An agent's word that an execution backend's job ended on its node ({@code slurm:1234}, from
 * Slurm's epilog): the controller looks at the job at once instead of at its next poll.
 */
public record EndedJob(String backendJob) {
    public EndedJob {
        InvalidValueException.required(backendJob, "backendJob", "BACKEND:ID, e.g. slurm:1234");
        InvalidValueException.require(backendJob.matches("[a-z]{1,32}:[A-Za-z0-9._-]{1,64}"), "backendJob",
                backendJob, "BACKEND:ID, e.g. slurm:1234");
    }
}
