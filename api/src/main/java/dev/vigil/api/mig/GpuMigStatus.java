package dev.vigil.api.mig;

import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.binding.TextFields;

import java.time.Instant;

/**
 * How a node's agent says a GPU's MIG target stands, in every report while the target is in its
 * desired state.
 *
 * @param gpu     the GPU's index
 * @param version the target's version this is about
 * @param phase   {@link MigPhase#APPLYING}, {@link MigPhase#SUCCESS}, {@link MigPhase#FAILED} or
 *                {@link MigPhase#RESET_REQUIRED}
 * @param message one line: what the agent did or waits for, e.g. {@code refused: pids 4121, 4188 use GPU 6}
 * @param since   when the agent's phase for this target began
 */
public record GpuMigStatus(int gpu, long version, MigPhase phase, String message, Instant since) {
    public GpuMigStatus {
        InvalidValueException.require(gpu >= 0, "gpu", gpu, "a GPU index, 0 or more");
        InvalidValueException.required(phase, "phase", "applying, success, failed or reset-required");
        TextFields.text(message, "message", 1024);
    }
}
