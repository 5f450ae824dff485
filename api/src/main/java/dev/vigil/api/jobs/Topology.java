package dev.vigil.api.jobs;

import dev.vigil.api.binding.InvalidValueException;

/**
 * A job's topology wish, as Slurm's {@code --switches} and Kueue's podset topology put it.
 *
 * @param level     how close the GPUs must be
 * @param required  true: wait until it can be met; false: prefer it, take less when it cannot be met
 * @param maxLeaves for {@code max-leaves}: how many leaf switches at most
 */
public record Topology(TopologyLevel level, Boolean required, Integer maxLeaves) {
    public Topology {
        InvalidValueException.required(level, "level", "one of same-node, same-nvlink, same-leaf, max-leaves");
        required = required == null || required;
        if (level == TopologyLevel.MAX_LEAVES) {
            InvalidValueException.required(maxLeaves, "maxLeaves", "how many leaf switches at most, 1 or more");
            InvalidValueException.require(maxLeaves >= 1, "maxLeaves", maxLeaves, "1 or more");
        } else {
            InvalidValueException.require(maxLeaves == null, "maxLeaves", maxLeaves, "only with level max-leaves");
        }
    }

    /** The most leaf switches this allows. */
    public int leafLimit() {
        return switch (level) {
            case SAME_NODE, SAME_NVLINK, SAME_LEAF -> 1;
            case MAX_LEAVES -> maxLeaves;
        };
    }
}
