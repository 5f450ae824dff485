package dev.vigil.api.jobs;

import java.time.Instant;
import java.util.List;

/**
 * A job as the scheduler keeps it.
 *
 * @param id         the job's id
 * @param spec       what was asked
 * @param priority   the priority class's value
 * @param state      where it is
 * @param waiting    what it waits for, when it is not running
 * @param reason     why it is there (for pending jobs, the latest reason it could not start)
 * @param submitted  when it was submitted
 * @param started    when it last started running, or null
 * @param finished   when it finished, or null
 * @param placements the GPUs it holds now
 * @param attempts   how many times it started (a requeue starts it again)
 * @param history    its transitions, newest last
 * @param submitter  who submitted it (an API token's name): it may cancel it; null where the scheduler alone
 *                   made the record (the controller adds it)
 */
public record JobRecord(String id, JobSpec spec, int priority, JobState state, WaitReason waiting, String reason, Instant submitted,
                        Instant started, Instant finished, List<Placement> placements, int attempts,
                        List<JobTransition> history, String submitter) {
    public JobRecord {
        waiting = waiting == null ? WaitReason.NONE : waiting;
        placements = placements == null ? List.of() : List.copyOf(placements);
        history = history == null ? List.of() : List.copyOf(history);
    }

    /** A record as the scheduler keeps it, which does not know who submitted the job. */
    public JobRecord(String id, JobSpec spec, int priority, JobState state, WaitReason waiting, String reason,
                     Instant submitted, Instant started, Instant finished, List<Placement> placements, int attempts,
                     List<JobTransition> history) {
        this(id, spec, priority, state, waiting, reason, submitted, started, finished, placements, attempts, history,
                null);
    }

    public JobRecord withSubmitter(String by) {
        return new JobRecord(id, spec, priority, state, waiting, reason, submitted, started, finished, placements,
                attempts, history, by);
    }
}
