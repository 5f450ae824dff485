package dev.vigil.alerts.fleet;

/**
 * Who holds a GPU.
 *
 * @param job    the job's id
 * @param tenant who pays for it
 */
public record GpuAllocation(String job, String tenant) {
}
