package dev.vigil.gpu.nvml;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dev.vigil.gpu.backend.GpuBackendException;
import dev.vigil.gpu.mig.MigPlacement;
import dev.vigil.gpu.nvml.NvmlStructs.ComputeInstanceProfileInfo;
import dev.vigil.gpu.nvml.NvmlStructs.GpuInstancePlacement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Changes a GPU's MIG mode and layout through NVML, the way mig-parted does: destroy every compute and
 * GPU instance, switch the mode if it must change, then create each GPU instance at its placement (in
 * the order given: the planner puts 3g first) with one compute instance spanning it. The caller has
 * checked processes and the layout's legality; this class only reports what NVML says, naming the step.
 */
final class NvmlMig {
    private static final Logger LOG = LoggerFactory.getLogger(NvmlMig.class);

    private final String node;

    NvmlMig(String node) {
        this.node = node;
    }

    void apply(NvmlGpu gpu, boolean enabled, List<MigPlacement> placements) throws GpuBackendException {
        try {
            Memory out = new Memory(8);
            NvmlException.check(Nvml.nvmlDeviceGetMigMode(gpu.handle, out, out.share(4)), "read MIG mode");
            boolean current = out.getInt(0) == Nvml.MIG_ENABLE;
            if (current) {
                destroyAll(gpu);
            }
            if (current != enabled) {
                setMode(gpu, enabled);
            }
            if (enabled) {
                if (gpu.profiles == null) {
                    gpu.profiles = MigProfiles.read(gpu.handle, gpu.product);
                }
                for (MigPlacement placement : placements) {
                    create(gpu, placement);
                }
            }
            LOG.atInfo().addKeyValue("node", node).addKeyValue("gpu", gpu.index).addKeyValue("mig", enabled)
                    .addKeyValue("layout", placements.stream().map(MigPlacement::toString)
                            .collect(Collectors.joining(", "))).log("mig_applied");
        } catch (NvmlException e) {
            LOG.atWarn().addKeyValue("node", node).addKeyValue("gpu", gpu.index).addKeyValue("step", e.step())
                    .addKeyValue("error", NvmlLibrary.describe(e.rc())).log("mig_apply_failed");
            GpuBackendException.Reason reason = e.rc() == Nvml.ERROR_NO_PERMISSION
                    ? GpuBackendException.Reason.NO_PERMISSION : GpuBackendException.Reason.DRIVER_ERROR;
            throw new GpuBackendException(reason, "GPU " + gpu.index + ": MIG change failed at step '" + e.step()
                    + "': " + NvmlLibrary.describe(e.rc()) + "; the GPU may be left partly configured");
        }
    }

    /** Compute instances first (a GPU instance with one cannot go), then the GPU instances. */
    private void destroyAll(NvmlGpu gpu) throws NvmlException {
        if (gpu.profiles == null) {
            gpu.profiles = MigProfiles.read(gpu.handle, gpu.product);
        }
        Memory count = new Memory(4);
        ComputeInstanceProfileInfo ciInfo = new ComputeInstanceProfileInfo();
        for (MigProfiles.Profile profile : gpu.profiles.all()) {
            Memory instances = new Memory((long) Math.max(1, profile.instanceCount()) * Native.POINTER_SIZE);
            NvmlException.check(Nvml.nvmlDeviceGetGpuInstances(gpu.handle, profile.id(), instances, count),
                    "list GPU instances of " + profile.name());
            int n = count.getInt(0);
            for (int i = 0; i < n; i++) {
                Pointer gi = instances.getPointer((long) i * Native.POINTER_SIZE);
                String what = profile.name() + " GPU instance";
                for (int index = 0; index < Nvml.COMPUTE_INSTANCE_PROFILE_COUNT; index++) {
                    int rc = Nvml.nvmlGpuInstanceGetComputeInstanceProfileInfo(gi, index,
                            Nvml.COMPUTE_INSTANCE_ENGINE_PROFILE_SHARED, ciInfo.getPointer());
                    if (rc == Nvml.ERROR_NOT_SUPPORTED || rc == Nvml.ERROR_INVALID_ARGUMENT) {
                        continue;
                    }
                    NvmlException.check(rc, "read compute instance profiles of a " + what);
                    ciInfo.read();
                    Memory cis = new Memory((long) Math.max(1, ciInfo.instanceCount) * Native.POINTER_SIZE);
                    NvmlException.check(Nvml.nvmlGpuInstanceGetComputeInstances(gi, ciInfo.id, cis, count),
                            "list compute instances of a " + what);
                    int ciCount = count.getInt(0);
                    for (int c = 0; c < ciCount; c++) {
                        NvmlException.check(Nvml.nvmlComputeInstanceDestroy(cis.getPointer((long) c * Native.POINTER_SIZE)),
                                "destroy a compute instance of a " + what);
                    }
                }
                NvmlException.check(Nvml.nvmlGpuInstanceDestroy(gi), "destroy a " + what);
            }
        }
    }

    /**
     * Switches MIG mode. NVML takes the request and says in the activation status whether it took
     * effect: IN_USE when something holds the GPU, RESET_REQUIRED where only a GPU reset applies it.
     */
    private void setMode(NvmlGpu gpu, boolean enabled) throws NvmlException, GpuBackendException {
        Memory status = new Memory(8);
        status.setInt(0, Nvml.SUCCESS);
        String step = "set MIG mode " + (enabled ? "on" : "off");
        int rc = Nvml.nvmlDeviceSetMigMode(gpu.handle, enabled ? Nvml.MIG_ENABLE : Nvml.MIG_DISABLE, status);
        int activation = rc == Nvml.SUCCESS ? status.getInt(0) : rc;
        if (activation == Nvml.ERROR_IN_USE) {
            throw refused(gpu, "GPU busy: NVML could not switch MIG " + (enabled ? "on" : "off")
                    + " while a client holds the GPU; stop its clients (including persistence daemons) and retry");
        }
        if (activation == Nvml.ERROR_RESET_REQUIRED) {
            throw resetRequired(gpu, enabled);
        }
        NvmlException.check(rc, step);
        NvmlException.check(activation, step);
        NvmlException.check(Nvml.nvmlDeviceGetMigMode(gpu.handle, status, status.share(4)), "read MIG mode");
        if ((status.getInt(0) == Nvml.MIG_ENABLE) != enabled) {
            throw resetRequired(gpu, enabled);
        }
        gpu.migEnabled = enabled;
    }

    private void create(NvmlGpu gpu, MigPlacement placement) throws NvmlException, GpuBackendException {
        MigProfiles.Profile profile = gpu.profiles.named(placement.profile()).orElseThrow(() ->
                new GpuBackendException(GpuBackendException.Reason.NOT_SUPPORTED, "GPU " + gpu.index
                        + ": the driver does not offer MIG profile " + placement.profile() + " (it offers: "
                        + gpu.profiles.names() + ")"));
        int size = placementSize(gpu, profile, placement);
        GpuInstancePlacement wanted = new GpuInstancePlacement();
        wanted.start = placement.start();
        wanted.size = size;
        wanted.write();
        Memory out = new Memory(Native.POINTER_SIZE);
        NvmlException.check(Nvml.nvmlDeviceCreateGpuInstanceWithPlacement(gpu.handle, profile.id(), wanted.getPointer(),
                out), "create GPU instance " + placement);
        Pointer gi = out.getPointer(0);
        int ciProfile = fullComputeProfile(gi, profile, placement);
        NvmlException.check(Nvml.nvmlGpuInstanceCreateComputeInstance(gi, ciProfile, out),
                "create the compute instance of " + placement);
    }

    /** The placement size NVML uses for this start, from its possible placements (count first). */
    private static int placementSize(NvmlGpu gpu, MigProfiles.Profile profile, MigPlacement placement)
            throws NvmlException, GpuBackendException {
        Memory count = new Memory(4);
        String step = "read possible placements of " + profile.name();
        NvmlException.check(Nvml.nvmlDeviceGetGpuInstancePossiblePlacements_v2(gpu.handle, profile.id(), null, count),
                step);
        int n = count.getInt(0);
        Memory placements = new Memory((long) Math.max(1, n) * GpuInstancePlacement.SIZE);
        NvmlException.check(Nvml.nvmlDeviceGetGpuInstancePossiblePlacements_v2(gpu.handle, profile.id(), placements,
                count), step);
        List<Integer> starts = new ArrayList<>();
        for (int i = 0; i < count.getInt(0); i++) {
            long base = (long) i * GpuInstancePlacement.SIZE;
            int start = placements.getInt(base + GpuInstancePlacement.OFF_START);
            if (start == placement.start()) {
                return placements.getInt(base + GpuInstancePlacement.OFF_SIZE);
            }
            starts.add(start);
        }
        throw refused(gpu, "the driver does not place " + profile.name() + " at slice " + placement.start()
                + " (possible starts: " + starts + ")");
    }

    /** The compute-instance profile that spans the whole GPU instance: the default nvidia-smi -C creates. */
    private static int fullComputeProfile(Pointer gi, MigProfiles.Profile profile, MigPlacement placement)
            throws NvmlException {
        ComputeInstanceProfileInfo info = new ComputeInstanceProfileInfo();
        String step = "read compute instance profiles of " + placement;
        for (int index = 0; index < Nvml.COMPUTE_INSTANCE_PROFILE_COUNT; index++) {
            int rc = Nvml.nvmlGpuInstanceGetComputeInstanceProfileInfo(gi, index,
                    Nvml.COMPUTE_INSTANCE_ENGINE_PROFILE_SHARED, info.getPointer());
            if (rc == Nvml.ERROR_NOT_SUPPORTED || rc == Nvml.ERROR_INVALID_ARGUMENT) {
                continue;
            }
            NvmlException.check(rc, step);
            info.read();
            if (info.sliceCount == profile.computeSlices()) {
                return info.id;
            }
        }
        throw new NvmlException(step + " (none spans " + profile.computeSlices() + " slices)", Nvml.ERROR_NOT_SUPPORTED);
    }

    /** The mode is pending in the driver: a GPU reset (or a reboot) makes it current. */
    private static GpuBackendException resetRequired(NvmlGpu gpu, boolean enabled) {
        return new GpuBackendException(GpuBackendException.Reason.RESET_REQUIRED, "GPU " + gpu.index + ": MIG "
                + (enabled ? "on" : "off") + " is pending: a GPU reset is needed to apply it (nvidia-smi -r -i "
                + gpu.index + ", or reboot the node)");
    }

    private static GpuBackendException refused(NvmlGpu gpu, String why) {
        return new GpuBackendException(GpuBackendException.Reason.REFUSED, "GPU " + gpu.index + ": " + why);
    }
}
