package dev.vigil.controller.capacity;

import dev.vigil.api.jobs.JobRecord;
import dev.vigil.api.jobs.JobState;
import dev.vigil.api.jobs.JobTransition;
import dev.vigil.controller.scheduling.JobsView;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * How long jobs waited for GPUs: from submission to their first start, for the jobs that first
 * started in the period. Jobs still waiting are counted apart (a percentile of unfinished waits
 * would shrink them).
 *
 * @param started        jobs that first started in the period
 * @param p50            the median wait, or null when none started
 * @param p95            the 95th percentile wait (nearest rank), or null when none started
 * @param max            the longest wait, or null when none started
 * @param waitingNow     jobs pending or admitted at report time
 * @param longestWaiting how long the longest of those has waited since it was submitted or last requeued,
 *                       or null when none waits
 * @param method         how the waits were measured, in words
 */
public record Queueing(int started, Duration p50, Duration p95, Duration max, int waitingNow,
                       Duration longestWaiting, String method) {
    static final String METHOD = "submitted to first running, for jobs first started in the period;"
            + " nearest-rank percentiles";

    static Queueing of(List<JobRecord> jobs, Instant from, Instant to, Instant now) {
        List<Duration> waits = new ArrayList<>();
        int waitingNow = 0;
        Duration longestWaiting = null;
        for (JobRecord job : jobs) {
            Instant first = firstStart(job);
            if (first != null && !first.isBefore(from) && first.isBefore(to)) {
                waits.add(Duration.between(job.submitted(), first).truncatedTo(ChronoUnit.MILLIS));
            }
            if (job.state() == JobState.PENDING || job.state() == JobState.ADMITTED) {
                waitingNow++;
                Duration waited = Duration.between(JobsView.waitingSince(job), now).truncatedTo(ChronoUnit.MILLIS);
                longestWaiting = longestWaiting == null || waited.compareTo(longestWaiting) > 0 ? waited : longestWaiting;
            }
        }
        Collections.sort(waits);
        return new Queueing(waits.size(), percentile(waits, 50), percentile(waits, 95),
                waits.isEmpty() ? null : waits.get(waits.size() - 1), waitingNow, longestWaiting, METHOD);
    }

    /** When {@code job} first ran: its first move to RUNNING, else (no history) its recorded start. */
    static Instant firstStart(JobRecord job) {
        for (JobTransition transition : job.history()) {
            if (transition.to() == JobState.RUNNING) {
                return transition.time();
            }
        }
        return job.history().isEmpty() ? job.started() : null;
    }

    /** The nearest-rank percentile of sorted {@code values}: the smallest value at or above p % of them. */
    static Duration percentile(List<Duration> sorted, int p) {
        if (sorted.isEmpty()) {
            return null;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(rank, 1) - 1);
    }
}
