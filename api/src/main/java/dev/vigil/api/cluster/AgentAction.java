package dev.vigil.api.cluster;

import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.binding.TextFields;

import java.time.Instant;

/**
 * A repair the controller asks a node's agent to carry out, in the desired state it sends with
 * every reply. The agent carries out each id once, however often it sees it, and reports the
 * outcome ({@link AgentActionResult}) until the controller takes the action out again: the
 * request rides the channel the agent already trusts, and a new leader finds it where the old one
 * left it.
 *
 * @param id        unique per action, e.g. {@code run-12/3} (run 12, step 3)
 * @param kind      what to do
 * @param gpu       the GPU's index, for a reset or a health check of one GPU; null for the node
 * @param level     the diagnostic's level (1 quick, 2 medium), for a health check
 * @param requested when the controller asked
 */
public record AgentAction(String id, Kind kind, Integer gpu, Integer level, Instant requested) {
    /** The longest id: a run id and a step number with room to spare. */
    public static final int MAX_ID = 128;

    public enum Kind {
        /** Reset one GPU (no process may hold it). */
        GPU_RESET,
        /** Reboot the node. */
        REBOOT,
        /** Run the diagnostic and the health checks; fails when any check fails. */
        HEALTH_CHECK
    }

    public AgentAction {
        InvalidValueException.required(id, "id", "an action id");
        TextFields.line(id, "id", MAX_ID);
        InvalidValueException.required(kind, "kind", "gpu-reset, reboot or health-check");
        if (kind == Kind.GPU_RESET && gpu == null) {
            throw new InvalidValueException("gpu", null, "a GPU index: a reset is of one GPU");
        }
        if (gpu != null && gpu < 0) {
            throw new InvalidValueException("gpu", gpu, "a GPU index, 0 or more");
        }
        if (level != null && (level < 1 || level > 2)) {
            throw new InvalidValueException("level", level, "1 (quick) or 2 (medium)");
        }
    }
}
