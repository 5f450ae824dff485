package dev.vigil.api.mig;

import dev.vigil.api.binding.InvalidValueException;

import java.time.Instant;
import java.util.List;

/**
 * The controller's record of one GPU's MIG layout: what was asked, where the change is, and what it
 * waits for. Stored with the node; a GPU that keeps its layout is recorded too, in
 * {@link MigPhase#SUCCESS} at once, so that its agent keeps it.
 *
 * @param gpu       the GPU's index
 * @param config    the named config asked for
 * @param enabled   MIG mode on or off
 * @param instances with MIG on, the GPU instances in creation order
 * @param phase     where the change is
 * @param message   one line: what it waits for, or why it failed
 * @param since     when it entered its phase
 * @param deadline  when its phase times out (a drain's end, an apply's limit); null in
 *                  {@link MigPhase#SUCCESS} and {@link MigPhase#FAILED}
 * @param force     whether jobs still on the GPU at the drain's end are requeued (else the change fails)
 * @param actor     who asked
 * @param version   the desired-state version that carried the layout to the agent; 0 before it was sent
 */
public record GpuMig(int gpu, String config, boolean enabled, List<MigSlot> instances, MigPhase phase,
                     String message, Instant since, Instant deadline, boolean force, String actor, long version) {
    public GpuMig {
        InvalidValueException.required(phase, "phase", "a MIG phase");
        instances = instances == null ? List.of() : List.copyOf(instances);
    }

    /** What the agent is told to hold. */
    public GpuMigTarget target() {
        return new GpuMigTarget(gpu, config, enabled, instances, version);
    }

    /** This record in another phase. */
    public GpuMig in(MigPhase next, String why, Instant at, Instant until) {
        return new GpuMig(gpu, config, enabled, instances, next, why, at, until, force, actor, version);
    }

    /** This record carried to the agent by desired-state {@code carriedBy}. */
    public GpuMig sent(long carriedBy, String why, Instant at, Instant until) {
        return new GpuMig(gpu, config, enabled, instances, MigPhase.APPLYING, why, at, until, force, actor, carriedBy);
    }
}
