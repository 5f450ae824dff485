package dev.vigil.agent.placement;

import dev.vigil.api.gpu.GpuProcess;

import java.util.Objects;

/**
 * One process on one GPU, who it is and the verdict.
 *
 * @param process  the process as the GPU backend lists it (GPU, MIG instance, memory)
 * @param identity who it is
 * @param verdict  what the agent makes of it
 * @param job      the Vigil job it belongs to on this node, or null when it belongs to none here
 */
public record Judgement(GpuProcess process, ProcessIdentity identity, Verdict verdict, String job) {
    public Judgement {
        Objects.requireNonNull(process, "process");
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(verdict, "verdict");
    }
}
