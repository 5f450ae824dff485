package dev.vigil.api.cluster;

/**
 * A GPU's vital signs in a report: enough for the controller and the CLI to show load, not a
 * metrics pipeline (that is /metrics and Prometheus). Null when the GPU did not give the value.
 *
 * @param gpu             the GPU's index
 * @param utilization     percent busy
 * @param temperature     degrees C
 * @param power           watts
 * @param memoryUsedMiB   framebuffer in use
 */
public record GpuSummary(int gpu, Double utilization, Double temperature, Double power, Double memoryUsedMiB) {
}
