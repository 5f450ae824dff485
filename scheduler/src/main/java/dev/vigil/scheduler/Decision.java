package dev.vigil.scheduler;

import dev.vigil.api.jobs.JobSpec;
import dev.vigil.api.jobs.Placement;

import java.util.List;

/** What the scheduler asks an execution backend to do. Stops come before the starts they make room for. */
public sealed interface Decision {
    String job();

    /**
     * Launch a job, or more replicas of a service, on these GPUs.
     *
     * @param attempt which start of the job this is (a requeued job starts again)
     */
    record Start(String job, JobSpec spec, List<Placement> placements, int attempt) implements Decision {
        public Start {
            placements = List.copyOf(placements);
        }
    }

    /** Stop what runs on these GPUs and give them back: a cancel, an eviction, or a failed node. */
    record Stop(String job, List<Placement> placements, String reason) implements Decision {
        public Stop {
            placements = List.copyOf(placements);
        }
    }
}
