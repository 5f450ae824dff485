package dev.vigil.gpu.nvml;

import com.sun.jna.Pointer;
import dev.vigil.gpu.mig.MigGpuModel;
import dev.vigil.gpu.nvml.NvmlStructs.GpuInstanceProfileInfo;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The GPU-instance profiles one GPU's driver offers, read through nvmlDeviceGetGpuInstanceProfileInfo
 * over NVML's profile index constants. The create calls take the profile id from that answer
 * ({@code info.id}), never a hard-coded one; the names are {@link MigGpuModel}'s, so the validator,
 * the planner and the inventory speak of the same profiles.
 */
final class MigProfiles {
    /** One profile: Vigil's name, NVML's index and id, compute slices, how many fit, memory. */
    record Profile(String name, int index, int id, int computeSlices, int instanceCount, long memoryMiB) {
    }

    /**
     * NVML_GPU_INSTANCE_PROFILE_* indexes in the order of {@link MigGpuModel#profiles()}: 1_SLICE (1g),
     * 1_SLICE_REV1 (1g+me), 1_SLICE_REV2 (1g with two memory slices), 2_SLICE, 3_SLICE, 4_SLICE, 7_SLICE.
     */
    private static final int[] INDEXES = {0x0, 0x7, 0x9, 0x1, 0x2, 0x3, 0x4};

    private final List<Profile> profiles;

    private MigProfiles(List<Profile> profiles) {
        this.profiles = List.copyOf(profiles);
    }

    /** Reads the table; needs MIG mode on. Profiles the GPU lacks (NOT_SUPPORTED) are left out. */
    static MigProfiles read(Pointer device, String product) throws NvmlException {
        Optional<MigGpuModel> model = MigGpuModel.forProductName(product);
        List<Profile> profiles = new ArrayList<>();
        GpuInstanceProfileInfo info = new GpuInstanceProfileInfo();
        for (int i = 0; i < INDEXES.length; i++) {
            int rc = Nvml.nvmlDeviceGetGpuInstanceProfileInfo(device, INDEXES[i], info.getPointer());
            if (rc == Nvml.ERROR_NOT_SUPPORTED || rc == Nvml.ERROR_INVALID_ARGUMENT) {
                continue;
            }
            NvmlException.check(rc, "read GPU instance profile " + INDEXES[i]);
            info.read();
            String name = model.isPresent() && model.get().profiles().size() == INDEXES.length
                    ? model.get().profiles().get(i).name() : approximateName(i, info);
            profiles.add(new Profile(name, INDEXES[i], info.id, info.sliceCount, info.instanceCount, info.memorySizeMB));
        }
        return new MigProfiles(profiles);
    }

    /** For a GPU without a Vigil table: {@code <compute>g.<GiB>gb}, which can be off by a GB from NVIDIA's name. */
    private static String approximateName(int position, GpuInstanceProfileInfo info) {
        return info.sliceCount + "g." + Math.round(info.memorySizeMB / 1024.0) + "gb" + (position == 1 ? "+me" : "");
    }

    List<Profile> all() {
        return profiles;
    }

    Optional<Profile> named(String name) {
        return profiles.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    Optional<Profile> withId(int id) {
        return profiles.stream().filter(p -> p.id() == id).findFirst();
    }

    String names() {
        return profiles.stream().map(Profile::name).collect(Collectors.joining(", "));
    }
}
