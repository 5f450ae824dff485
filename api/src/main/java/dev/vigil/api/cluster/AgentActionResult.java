package dev.vigil.api.cluster;

import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.binding.TextFields;

import java.time.Instant;

/**
 * How an {@link AgentAction} went, as the agent reports it.
 *
 * @param id       the action's id
 * @param kind     the action's kind
 * @param state    running, succeeded or failed
 * @param message  one line: what happened, e.g. {@code diag level 1 passed in 41 s}
 * @param output   what the tool printed or the checks found, bounded, for the run's record
 * @param started  when the agent began
 * @param finished when it ended; null while running
 */
public record AgentActionResult(String id, AgentAction.Kind kind, State state, String message, String output,
                                Instant started, Instant finished) {
    public static final int MAX_OUTPUT = 16_384;

    public enum State {
        RUNNING,
        SUCCEEDED,
        FAILED;

        public boolean ended() {
            return this != RUNNING;
        }
    }

    public AgentActionResult {
        InvalidValueException.required(id, "id", "the action's id");
        TextFields.line(id, "id", AgentAction.MAX_ID);
        InvalidValueException.required(kind, "kind", "gpu-reset, reboot or health-check");
        InvalidValueException.required(state, "state", "running, succeeded or failed");
        TextFields.text(message, "message", 1024);
        TextFields.text(output, "output", MAX_OUTPUT);
    }
}
