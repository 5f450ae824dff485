package dev.vigil.gpu.backend;

import dev.vigil.api.gpu.HealthReason;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One sample of a node: every GPU, then every MIG GPU instance, at one time.
 *
 * @param time           when the backend read the values
 * @param entities       GPUs (in index order) followed by MIG instances
 * @param backendHealth  health reasons the backend itself reports, by GPU index (DCGM's health
 *                       watches); empty for backends that have none
 */
public record NodeSample(Instant time, List<EntitySample> entities, Map<Integer, List<HealthReason>> backendHealth) {
    public NodeSample {
        entities = List.copyOf(entities);
        backendHealth = Map.copyOf(backendHealth);
    }

    public NodeSample(Instant time, List<EntitySample> entities) {
        this(time, entities, Map.of());
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
