package dev.vigil.api.mig;

import dev.vigil.api.binding.HumanDurations;
import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.binding.TextFields;

import java.time.Duration;
import java.util.List;

/**
 * What an operator sends to put a node's GPUs (all, or those listed) into a named MIG config:
 * {@code PUT /v1/nodes/{node}/mig} and {@code PUT /v1/pools/{pool}/mig}.
 *
 * @param config       a config name from {@code GET /v1/mig/configs}
 * @param gpus         GPU indices to change; null or empty for every GPU of the node
 * @param drainTimeout how long jobs that may not be preempted get to finish, e.g. {@code 30m};
 *                     null for the controller's default
 * @param force        requeue the jobs still there when the drain times out (else the change fails)
 * @param reason       why, for the audit log
 */
public record MigRequest(String config, List<Integer> gpus, String drainTimeout, Boolean force, String reason) {
    public MigRequest {
        InvalidValueException.required(config, "config", "a MIG config name (GET /v1/mig/configs lists them)");
        TextFields.line(config, "config", 128);
        gpus = gpus == null ? List.of() : List.copyOf(gpus);
        for (Integer gpu : gpus) {
            InvalidValueException.require(gpu != null && gpu >= 0 && gpu < 32, "gpus", gpus,
                    "GPU indices 0 to 31, e.g. [6, 7]");
        }
        InvalidValueException.require(gpus.stream().distinct().count() == gpus.size(), "gpus", gpus,
                "each GPU index once");
        TextFields.line(drainTimeout, "drainTimeout", 32);
        if (drainTimeout != null) {
            HumanDurations.parse(drainTimeout, "drainTimeout");
        }
        force = force != null && force;
        TextFields.text(reason, "reason", 1024);
    }

    /** The drain timeout asked for, or null for the controller's default. */
    public Duration drain() {
        return drainTimeout == null ? null : HumanDurations.parse(drainTimeout, "drainTimeout");
    }
}
