package dev.vigil.controller.state;

import dev.vigil.api.cluster.GpuSummary;
import dev.vigil.api.placement.JudgedProcess;

import java.time.Instant;
import java.util.List;

/**
 * A node's vital signs as its agent last sent them, and when: written by whichever member took
 * the report, without the leader, and laid over the stored node when it is read.
 *
 * @param processes every process on its GPUs with the agent's verdict (they come and go with every job)
 */
public record NodeVitals(Instant lastReport, List<GpuSummary> gpus, List<JudgedProcess> processes) {
    public NodeVitals {
        gpus = gpus == null ? List.of() : List.copyOf(gpus);
        processes = processes == null ? List.of() : List.copyOf(processes);
    }
}
