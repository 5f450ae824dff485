package dev.vigil.agent;

import dev.vigil.api.gpu.GpuHealth;
import dev.vigil.api.gpu.GpuProcess;

import java.util.List;

/**
 * One GPU in the agent's {@code GET /v1/gpus}: what a Slurm prolog or epilog asks before and
 * after a job ({@code vigil agent gate}).
 *
 * @param gpu          its index
 * @param uuid         its UUID
 * @param pciBusId     its PCI bus id (Slurm numbers GPUs in this order)
 * @param health       its health as last sampled, with reasons and the repair they call for
 * @param processes    the processes on it now
 * @param processError why the processes could not be read (a GPU that does not answer), or null
 */
public record GpuStatus(int gpu, String uuid, String pciBusId, GpuHealth health, List<GpuProcess> processes,
                        String processError) {
    public GpuStatus {
        processes = List.copyOf(processes);
    }
}
