package dev.vigil.gpu.backend;

import java.time.Instant;
import java.util.List;

/**
 * One sample of a node: every GPU, then every MIG GPU instance, at one time.
 *
 * @param time     when the backend read the values
 * @param entities GPUs (in index order) followed by MIG instances
 */
public record NodeSample(Instant time, List<EntitySample> entities) {
    public NodeSample {
        entities = List.copyOf(entities);
    }

    /** The whole-GPU sample for {@code gpu}, or null if the backend returned none. */
    public EntitySample gpu(int gpu) {
        for (EntitySample entity : entities) {
            if (entity.gpu() == gpu && !entity.isMigInstance()) {
                return entity;
            }
        }
        return null;
    }
}
