package dev.vigil.controller.execution;

import dev.vigil.api.jobs.JobRecord;
import dev.vigil.scheduler.Decision;

import java.time.Instant;
import java.util.List;

/**
 * Where jobs run: the port through which the scheduler loop carries out its decisions (bind) and
 * learns that a job runs (confirm) or ended. Called only by the scheduler loop's thread.
 */
public interface ExecutionBackend {
    /** Jobs run for their {@code duration} on the agents' simulated GPUs. */
    String SIMULATED = "simulated";
    /** The backends this controller has, by name. */
    List<String> NAMES = List.of(SIMULATED);

    String name();

    /** Launches a job, or more replicas of a service, on the GPUs of the placements. */
    void start(Decision.Start start);

    /** Stops what runs on the placements; their GPUs are free for the scheduler at once. */
    void stop(Decision.Stop stop);

    /** Looks at what it launched and tells {@code listener} which jobs began running and which ended. */
    void poll(Instant now, Listener listener);

    /**
     * Takes over, for a new leader, the jobs that hold GPUs on this backend (restored by the
     * scheduler) and drops what the previous leader left behind for jobs that no longer do.
     */
    void adopt(List<JobRecord> holding, Instant now);

    /** What a backend tells the scheduler loop. */
    interface Listener {
        /** Every part of the job was confirmed started. */
        void running(String job, Instant at);

        /** The job ended on its own (or could not start); its GPUs are free. */
        void finished(String job, boolean succeeded, String reason, Instant at);
    }
}
