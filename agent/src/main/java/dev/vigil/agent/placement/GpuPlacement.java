package dev.vigil.agent.placement;

import dev.vigil.api.placement.JudgedProcess;

import java.util.List;

/**
 * One GPU's processes and what the agent makes of them, for {@code GET /v1/node}.
 *
 * @param gpu       the GPU's index
 * @param processes each process with who it is, its verdict and, for a violation, what the agent did about it
 */
public record GpuPlacement(int gpu, List<JudgedProcess> processes) {
    public GpuPlacement {
        processes = List.copyOf(processes);
    }
}
