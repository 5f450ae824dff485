package dev.vigil.agent.mig;

import dev.vigil.agent.repair.NodeRepairs;
import dev.vigil.agent.repair.Outcome;
import dev.vigil.api.cluster.AgentAction;

import java.time.Clock;

/**
 * Resets one GPU the way the agent's repairs do ({@code nvidia-smi -r -i N} on a host, the simulator's
 * reset on simulated GPUs): what a MIG mode change that waits for a reset needs.
 */
@FunctionalInterface
public interface GpuReset {
    /** Resets {@code gpu}, refused while processes hold it; the outcome says how it went. */
    Outcome reset(int gpu) throws InterruptedException;

    /** The reset the controller's {@code gpu-reset} action runs, asked for by the MIG reconciler. */
    static GpuReset through(NodeRepairs repairs, Clock clock) {
        return gpu -> repairs.resetGpu(new AgentAction("mig-reset/gpu-" + gpu, AgentAction.Kind.GPU_RESET, gpu, null,
                clock.instant()));
    }
}
