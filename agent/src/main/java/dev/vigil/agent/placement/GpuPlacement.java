package dev.vigil.agent.placement;

import java.util.List;

/**
 * One GPU's processes and what the agent makes of them, for {@code GET /v1/node}.
 *
 * @param gpu       the GPU's index
 * @param processes each process with who it is and its verdict
 */
public record GpuPlacement(int gpu, List<ProcessView> processes) {
    public GpuPlacement {
        processes = List.copyOf(processes);
    }

    /**
     * @param pid         the host PID
     * @param gpuInstance the MIG GPU instance it runs in, or null
     * @param user        its uid
     * @param command     its command name
     * @param owner       what it belongs to ({@code slurm:1234}, {@code pod:<uid>}, {@code unit:<name>},
     *                    {@code job:<id>}, {@code unknown})
     * @param job         the Vigil job it belongs to on this node, or null
     * @param verdict     allowed, overreach, rogue, system or unjudged
     */
    public record ProcessView(long pid, Integer gpuInstance, String user, String command, String owner, String job,
                              String verdict) {
        static ProcessView of(Judgement judgement) {
            ProcessIdentity identity = judgement.identity();
            return new ProcessView(identity.pid(), judgement.process().gpuInstanceId(), identity.user(),
                    identity.command(), identity.owner().wire(), judgement.job(), judgement.verdict().wire());
        }
    }
}
