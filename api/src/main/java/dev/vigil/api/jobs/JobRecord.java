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
 */
public record JobRecord(String id, JobSpec spec, int priority, JobState state, WaitReason waiting, String reason, Instant submitted,
                        Instant started, Instant finished, List<Placement> placements, int attempts,
                        List<JobTransition> history) {
    public JobRecord {
        waiting = waiting == null ? WaitReason.NONE : waiting;
        placements = placements == null ? List.of() : List.copyOf(placements);
        history = history == null ? List.of() : List.copyOf(history);
    }
}
