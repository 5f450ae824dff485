package dev.vigil.controller.capacity;

import dev.vigil.api.jobs.JobRecord;
import dev.vigil.api.jobs.JobState;
import dev.vigil.api.jobs.JobTransition;

import java.time.Instant;
import java.util.List;

/**
 * How jobs ended in the period.
 *
 * @param succeeded jobs that finished succeeded in the period
 * @param failed    jobs that finished failed
 * @param cancelled jobs that were cancelled
 * @param requeued  requeues in the period (preemption, a lost node or GPU, an application fault retried):
 *                  a job requeued twice counts twice
 */
public record EndStates(int succeeded, int failed, int cancelled, int requeued) {
    static EndStates of(List<JobRecord> jobs, Instant from, Instant to) {
        int succeeded = 0;
        int failed = 0;
        int cancelled = 0;
        int requeued = 0;
        for (JobRecord job : jobs) {
            if (job.state().finished() && job.finished() != null && within(job.finished(), from, to)) {
                switch (job.state()) {
                    case SUCCEEDED -> succeeded++;
                    case FAILED -> failed++;
                    default -> cancelled++;
                }
            }
            for (JobTransition transition : job.history()) {
                if (transition.to() == JobState.PREEMPTED && within(transition.time(), from, to)) {
                    requeued++;
                }
            }
        }
        return new EndStates(succeeded, failed, cancelled, requeued);
    }

    static boolean within(Instant time, Instant from, Instant to) {
        return !time.isBefore(from) && time.isBefore(to);
    }
}
