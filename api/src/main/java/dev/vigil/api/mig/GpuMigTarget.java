package dev.vigil.api.mig;

import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.binding.TextFields;

import java.util.List;

/**
 * The MIG layout a node's agent must bring one GPU to and keep it in.
 *
 * @param gpu       the GPU's index
 * @param config    the named config it comes from, e.g. {@code all-1g.10gb}
 * @param enabled   MIG mode on or off
 * @param instances with MIG on, the GPU instances in creation order (none with MIG off)
 * @param version   the desired-state version that first carried this target: a new one is a new change
 */
public record GpuMigTarget(int gpu, String config, boolean enabled, List<MigSlot> instances, long version) {
    public GpuMigTarget {
        InvalidValueException.require(gpu >= 0, "gpu", gpu, "a GPU index, 0 or more");
        TextFields.line(config, "config", 128);
        instances = instances == null ? List.of() : List.copyOf(instances);
        InvalidValueException.require(enabled || instances.isEmpty(), "instances", instances,
                "no instances when MIG is off");
    }

    /** {@code MIG off} or {@code MIG on: 3g.40gb@0, 3g.40gb@4}. */
    public String describe() {
        return !enabled ? "MIG off" : instances.isEmpty() ? "MIG on, no instances"
                : "MIG on: " + String.join(", ", instances.stream().map(MigSlot::toString).toList());
    }
}
