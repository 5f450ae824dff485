package dev.vigil.api.gpu;

/**
 * A process using a GPU.
 *
 * @param pid               the host PID
 * @param gpu               the GPU's index
 * @param gpuInstanceId     the MIG GPU instance it runs on, or null when MIG is off
 * @param computeInstanceId the MIG compute instance, or null
 * @param usedMemoryMiB     framebuffer it holds
 */
public record GpuProcess(long pid, int gpu, Integer gpuInstanceId, Integer computeInstanceId, long usedMemoryMiB) {
}
