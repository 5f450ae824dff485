package dev.vigil.gpu.simulated;

import dev.vigil.api.binding.InvalidValueException;

import dev.vigil.gpu.mig.MigGpuModel;
import dev.vigil.gpu.mig.MigPlacement;
import dev.vigil.gpu.mig.MigPlanException;
import dev.vigil.gpu.mig.MigPlanner;

import java.time.Duration;
import java.util.List;

/**
 * A simulated node: which machine it is, what runs on it, which faults to inject when, and its
 * MIG layout. Deterministic for a seed.
 *
 * @param profile   the machine: hgx-h100-8, dgx-a100-8 or pcie-l40s-4
 * @param seed      the seed its telemetry noise derives from
 * @param workloads what runs on its GPUs from the start
 * @param faults    faults to inject, each at a time after start
 * @param mig       MIG layouts to start in
 * @param resetDelay   how long a GPU reset the controller asks for takes
 * @param rebootDelay  how long a reboot the controller asks for keeps the node silent
 * @param diagDuration how long a level-1 diagnostic takes (level 2 takes twice as long)
 */
public record SimulatedSpec(NodeProfile profile, Long seed, List<Workload> workloads, List<FaultSpec> faults,
                            List<MigSpec> mig, Duration resetDelay, Duration rebootDelay, Duration diagDuration) {
    /** The longest simulated repair: a delay is there to be watched, not waited out. */
    private static final Duration MAX_DELAY = Duration.ofMinutes(10);

    public SimulatedSpec {
        // Short defaults: `vigil up` shows a whole repair loop in seconds.
        resetDelay = delay(resetDelay, Duration.ofSeconds(2), "resetDelay");
        rebootDelay = delay(rebootDelay, Duration.ofSeconds(5), "rebootDelay");
        diagDuration = delay(diagDuration, Duration.ofSeconds(1), "diagDuration");
        profile = profile == null ? NodeProfile.HGX_H100_8 : profile;
        seed = seed == null ? 1L : seed;
        workloads = workloads == null ? List.of() : List.copyOf(workloads);
        faults = faults == null ? List.of() : List.copyOf(faults);
        mig = mig == null ? List.of() : List.copyOf(mig);
        String allowed = "a GPU index from 0 to " + (profile.gpuCount() - 1) + " ("
                + profile.name().toLowerCase().replace('_', '-') + " has " + profile.gpuCount() + " GPUs)";
        for (int i = 0; i < workloads.size(); i++) {
            List<Integer> gpus = workloads.get(i).gpus();
            for (int j = 0; gpus != null && j < gpus.size(); j++) {
                requireGpu(profile, gpus.get(j), "workloads[" + i + "].gpus[" + j + "]", allowed);
            }
        }
        for (int i = 0; i < faults.size(); i++) {
            requireGpu(profile, faults.get(i).gpu(), "faults[" + i + "].gpu", allowed);
        }
        for (int i = 0; i < mig.size(); i++) {
            for (int j = 0; j < mig.get(i).gpus().size(); j++) {
                requireGpu(profile, mig.get(i).gpus().get(j), "mig[" + i + "].gpus[" + j + "]", allowed);
            }
            migPlacements(profile, mig.get(i), "mig[" + i + "].devices");
        }
    }

    /** A node with the default repair delays. */
    public SimulatedSpec(NodeProfile profile, Long seed, List<Workload> workloads, List<FaultSpec> faults,
                         List<MigSpec> mig) {
        this(profile, seed, workloads, faults, mig, null, null, null);
    }

    private static Duration delay(Duration value, Duration fallback, String field) {
        Duration delay = value == null ? fallback : value;
        InvalidValueException.require(!delay.isNegative() && delay.compareTo(MAX_DELAY) <= 0, field, value,
                "from 0s to 10m");
        return delay;
    }

    /** The placements of a MIG spec on this profile's GPU model, or why there are none. */
    static List<MigPlacement> migPlacements(NodeProfile profile, MigSpec spec, String field) {
        MigGpuModel model = MigGpuModel.forProductName(profile.gpuProduct()).orElseThrow(() ->
                new InvalidValueException(field, spec.devices(), "nothing: " + profile.gpuProduct() + " has no MIG"));
        try {
            return MigPlanner.plan(model, spec.devices());
        } catch (MigPlanException e) {
            throw new InvalidValueException(field, spec.devices(), "a layout that fits: " + e.getMessage());
        }
    }

    public static SimulatedSpec of(NodeProfile profile, long seed, List<Workload> workloads) {
        return new SimulatedSpec(profile, seed, workloads, List.of(), List.of());
    }

    private static void requireGpu(NodeProfile profile, Integer gpu, String field, String allowed) {
        InvalidValueException.require(gpu != null && gpu >= 0 && gpu < profile.gpuCount(), field, gpu, allowed);
    }
}
