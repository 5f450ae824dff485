package dev.vigil.api.cluster;

import java.time.Instant;

/** A GPU taken out of service: which, why, by whom, since when. */
public record CordonedGpu(int gpu, String uuid, String reason, String actor, Instant since) {
}
