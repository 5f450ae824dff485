package dev.vigil.agent.mig;

import dev.vigil.api.gpu.GpuDevice;
import dev.vigil.api.gpu.MigInstance;
import dev.vigil.api.gpu.MigStatus;
import dev.vigil.api.mig.GpuMigTarget;
import dev.vigil.api.mig.MigSlot;
import dev.vigil.gpu.mig.MigGpuModel;
import dev.vigil.gpu.mig.MigLayoutValidator;
import dev.vigil.gpu.mig.MigPlacement;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** A GPU's MIG state against its target: what is wrong with it, and both in words ({@link GpuMigTarget#heldBy} says whether it holds it). */
final class MigLayouts {
    private MigLayouts() {
    }

    /** The target's instances as the backend takes them, in the target's (creation) order. */
    static List<MigPlacement> placements(GpuMigTarget target) {
        return target.instances().stream().map(s -> new MigPlacement(s.profile(), s.start())).toList();
    }

    /** Why the GPU cannot take the target, or empty when it can. */
    static Optional<String> problem(GpuDevice device, GpuMigTarget target) {
        String gpu = "GPU " + device.index() + " (" + device.model() + ")";
        if (!device.mig().capable()) {
            return Optional.of(gpu + " does not support MIG");
        }
        if (!target.enabled()) {
            return Optional.empty();
        }
        Optional<MigGpuModel> model = MigGpuModel.forPciDeviceId(device.pciDeviceId())
                .or(() -> MigGpuModel.forProductName(device.model()));
        if (model.isEmpty()) {
            return Optional.of(gpu + ": Vigil does not know this GPU's MIG geometry");
        }
        List<String> problems = MigLayoutValidator.problems(model.get(), placements(target));
        return problems.isEmpty() ? Optional.empty() : Optional.of(gpu + ": illegal MIG layout for "
                + model.get().displayName() + ": " + String.join("; ", problems));
    }

    /** {@code MIG on: 1×3g.40gb, 4×1g.10gb}, {@code MIG on, no instances} or {@code MIG off}. */
    static String summary(GpuMigTarget target) {
        return summary(target.enabled(), target.instances().stream().map(MigSlot::profile).toList());
    }

    /** The GPU's state in the same words; an instance without a compute instance is named so. */
    static String summary(MigStatus mig) {
        String summary = summary(mig.enabled(), mig.instances().stream().map(MigInstance::profile).toList());
        long bare = mig.instances().stream().filter(i -> i.uuid() == null).count();
        return bare == 0 ? summary : summary + " (" + bare + " without a compute instance)";
    }

    private static String summary(boolean enabled, List<String> profiles) {
        if (!enabled) {
            return "MIG off";
        }
        if (profiles.isEmpty()) {
            return "MIG on, no instances";
        }
        Map<String, Long> counts = profiles.stream()
                .collect(Collectors.groupingBy(p -> p, LinkedHashMap::new, Collectors.counting()));
        return "MIG on: " + counts.entrySet().stream().map(e -> e.getValue() + "×" + e.getKey())
                .collect(Collectors.joining(", "));
    }
}
