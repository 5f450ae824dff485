package dev.vigil.controller.state;

import dev.vigil.api.cluster.GpuSummary;

import java.time.Instant;
import java.util.List;

/**
 * A node's vital signs as its agent last sent them, and when: written by whichever member took
 * the report, without the leader, and laid over the stored node when it is read.
 */
public record NodeVitals(Instant lastReport, List<GpuSummary> gpus) {
    public NodeVitals {
        gpus = gpus == null ? List.of() : List.copyOf(gpus);
    }
}
