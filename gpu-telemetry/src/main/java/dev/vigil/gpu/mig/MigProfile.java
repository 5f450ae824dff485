package dev.vigil.gpu.mig;

import java.util.List;
import java.util.Objects;

/**
 * One GPU-instance profile of a MIG-capable GPU, as {@code nvidia-smi mig -lgip} and
 * {@code -lgipp} describe it.
 *
 * @param name            the profile name as nvidia-smi and mig-parted write it, e.g. {@code 3g.40gb}
 *                        or {@code 1g.10gb+me}
 * @param profileId       the GPU-instance profile id nvidia-smi prints (19, 20, 15, 14, 9, 5, 0)
 * @param memorySlices    how many of the eight memory slices an instance spans (its placement size)
 * @param computeSlices   how many of the seven SM slices it takes
 * @param maxCount        the most instances of this profile one GPU can hold
 * @param starts          the memory slices an instance may start at, ascending
 * @param memoryMiB       framebuffer per instance, approximate and informational only (see
 *                        {@link MigGpuModel} for where each figure comes from); never used by the rules
 * @param mediaExtensions whether the instance holds the media engines ({@code +me})
 */
public record MigProfile(String name, int profileId, int memorySlices, int computeSlices, int maxCount,
                         List<Integer> starts, long memoryMiB, boolean mediaExtensions) {
    public MigProfile {
        Objects.requireNonNull(name, "name");
        starts = List.copyOf(starts);
        if (memorySlices < 1 || memorySlices > MigGpuModel.MEMORY_SLICES
                || computeSlices < 1 || computeSlices > MigGpuModel.COMPUTE_SLICES || maxCount < 1) {
            throw new IllegalArgumentException("impossible MIG profile " + name);
        }
    }

    /** The memory slices an instance starting at {@code start} covers, as a bit mask (bit 0 = slice 0). */
    int mask(int start) {
        int mask = 0;
        for (int slice = Math.max(0, start); slice < MigGpuModel.MEMORY_SLICES && slice < start + memorySlices; slice++) {
            mask |= 1 << slice;
        }
        return mask;
    }
}
