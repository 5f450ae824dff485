package dev.vigil.api.jobs;

import java.util.List;

/**
 * The answer to {@code vigil why}: why a job waits, with the numbers behind it.
 *
 * @param job      the job's id
 * @param state    its state
 * @param reason   what it waits for
 * @param summary  one line for people
 * @param details  the numbers: capacity by leaf, quota use, the reservation ahead of it
 * @param position its place in the queue (1 is next), or null when it is not queued
 * @param queued   how many jobs are queued
 */
public record WhyPending(String job, JobState state, WaitReason reason, String summary, List<String> details,
                         Integer position, Integer queued) {
    public WhyPending {
        details = details == null ? List.of() : List.copyOf(details);
    }
}
