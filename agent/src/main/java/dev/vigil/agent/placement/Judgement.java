package dev.vigil.agent.placement;

import dev.vigil.api.gpu.GpuProcess;
import dev.vigil.api.placement.Enforcement;
import dev.vigil.api.placement.JudgedProcess;
import dev.vigil.api.placement.PlacementVerdict;

import java.time.Instant;
import java.util.Objects;

/**
 * One process on one GPU, who it is and the verdict.
 *
 * @param process  the process as the GPU backend lists it (GPU, MIG instance, memory)
 * @param identity who it is
 * @param verdict  what the agent makes of it
 * @param job      the Vigil job it belongs to on this node, or null when it belongs to none here
 */
public record Judgement(GpuProcess process, ProcessIdentity identity, PlacementVerdict verdict, String job) {
    /** As long as {@link JudgedProcess} lets a command or an owner be. */
    private static final int TEXT_MAX = 256;

    public Judgement {
        Objects.requireNonNull(process, "process");
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(verdict, "verdict");
    }

    /**
     * As the agent reports it; the command and owner made fit for the wire (a process names itself).
     *
     * @param enforcement what the agent did about it, kept only when the verdict is a violation
     * @param since       when it was first seen violating, kept only when the verdict is a violation
     */
    public JudgedProcess judged(Enforcement enforcement, Instant since) {
        boolean violation = verdict.violation();
        return new JudgedProcess(process.gpu(), process.gpuInstanceId(), identity.pid(), identity.user(),
                WireText.line(identity.command(), TEXT_MAX), WireText.line(identity.owner().wire(), TEXT_MAX), job,
                verdict, violation ? enforcement : null, violation ? since : null);
    }
}
