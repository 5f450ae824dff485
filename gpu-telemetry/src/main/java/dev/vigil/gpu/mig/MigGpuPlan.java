package dev.vigil.gpu.mig;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * What a mig-parted config asks of one GPU.
 *
 * @param gpu       the GPU
 * @param action    keep, disable or enable MIG
 * @param entry     the index of the config entry that selects the GPU, or null when none does
 * @param instances for {@link Action#ENABLE_MIG}, the GPU instances in creation order (possibly
 *                  none, as {@code all-enabled} asks); empty otherwise
 */
public record MigGpuPlan(NodeGpu gpu, Action action, Integer entry, List<Instance> instances) {
    /** What happens to the GPU's MIG mode. */
    public enum Action {
        /** No entry of the config selects the GPU: its MIG mode and instances stay as they are. */
        KEEP_CURRENT,
        /** MIG off. */
        DISABLE_MIG,
        /** MIG on, with exactly {@link #instances()}. */
        ENABLE_MIG
    }

    /**
     * One GPU instance and the compute instances to create in it.
     *
     * @param placement        the GPU instance's profile and start
     * @param computeInstances compute-instance profiles in mig-parted's naming: the profile name itself
     *                         for one compute instance spanning the whole GPU instance, {@code 1c.3g.40gb}
     *                         style for smaller ones
     */
    public record Instance(MigPlacement placement, List<String> computeInstances) {
        public Instance {
            Objects.requireNonNull(placement, "placement");
            computeInstances = List.copyOf(computeInstances);
        }

        @Override
        public String toString() {
            return computeInstances.equals(List.of(placement.profile()))
                    ? placement.toString()
                    : placement + " [" + String.join(", ", computeInstances) + "]";
        }
    }

    public MigGpuPlan {
        Objects.requireNonNull(gpu, "gpu");
        Objects.requireNonNull(action, "action");
        instances = List.copyOf(instances);
        if ((action == Action.KEEP_CURRENT) != (entry == null)) {
            throw new IllegalArgumentException("an entry index goes with a change, and only with one");
        }
        if (action != Action.ENABLE_MIG && !instances.isEmpty()) {
            throw new IllegalArgumentException("instances need MIG enabled");
        }
    }

    /** Whether MIG ends up on (false also for a GPU that keeps its current state; see {@link #action()}). */
    public boolean migEnabled() {
        return action == Action.ENABLE_MIG;
    }

    /** The GPU instances alone, in creation order. */
    public List<MigPlacement> placements() {
        return instances.stream().map(Instance::placement).toList();
    }

    /** One line for logs and CLI output. */
    public String describe() {
        return switch (action) {
            case KEEP_CURRENT -> gpu + ": no entry selects it; it keeps its current MIG state";
            case DISABLE_MIG -> gpu + ": entry [" + entry + "]: MIG disabled";
            case ENABLE_MIG -> gpu + ": entry [" + entry + "]: MIG enabled, "
                    + (instances.isEmpty() ? "no instances"
                    : instances.stream().map(Instance::toString).collect(Collectors.joining(", ")));
        };
    }
}
