package dev.vigil.api.gpu;

/**
 * A MIG GPU instance.
 *
 * @param gpuInstanceId the GPU instance id NVML and DCGM report ({@code GPU_I_ID})
 * @param profile       the profile name, e.g. {@code 3g.40gb} ({@code GPU_I_PROFILE})
 * @param start         first memory slice of its placement
 * @param size          memory slices it spans
 * @param uuid          the MIG device UUID ({@code MIG-...})
 * @param memoryMiB     its framebuffer
 */
public record MigInstance(int gpuInstanceId, String profile, int start, int size, String uuid, long memoryMiB) {
}
