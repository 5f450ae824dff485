package dev.vigil.api.jobs;

import java.time.Instant;

/** One change of a job's state, with why. */
public record JobTransition(JobState from, JobState to, String reason, Instant time) {
}
