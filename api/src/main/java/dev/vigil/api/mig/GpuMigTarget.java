package dev.vigil.api.mig;

import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.binding.TextFields;

import dev.vigil.api.gpu.MigStatus;

import java.util.Comparator;
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

    /**
     * Whether a GPU whose MIG state is {@code mig} (null: a GPU without MIG) holds this layout: the same
     * mode, and with MIG on the same instances at the same starts, each created (it has a UUID).
     */
    public boolean heldBy(MigStatus mig) {
        boolean on = mig != null && mig.enabled();
        if (on != enabled) {
            return false;
        }
        if (!on) {
            return true;
        }
        if (mig.instances().stream().anyMatch(i -> i.uuid() == null)) {
            return false;
        }
        Comparator<MigSlot> byStart = Comparator.comparingInt(MigSlot::start).thenComparing(MigSlot::profile);
        return mig.instances().stream().map(i -> new MigSlot(i.profile(), i.start())).sorted(byStart).toList()
                .equals(instances.stream().sorted(byStart).toList());
    }

    /** {@code MIG off} or {@code MIG on: 3g.40gb@0, 3g.40gb@4}. */
    public String describe() {
        return !enabled ? "MIG off" : instances.isEmpty() ? "MIG on, no instances"
                : "MIG on: " + String.join(", ", instances.stream().map(MigSlot::toString).toList());
    }
}
