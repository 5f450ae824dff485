package dev.vigil.api.runbooks;

import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.binding.TextFields;

/**
 * An operator's request to run a runbook by hand ({@code POST /v1/runbooks/{name}/runs}).
 *
 * @param node   the node to run it on; none for a runbook that acts on the fleet (a report)
 * @param gpu    one GPU of it, for runbooks that act on a GPU
 * @param dryRun record what it would do and change nothing (default: the runbook's mode)
 * @param reason why, for the audit log
 */
public record RunRequest(String node, Integer gpu, Boolean dryRun, String reason) {
    public RunRequest {
        TextFields.identifier(node, "node");
        if (gpu != null && gpu < 0) {
            throw new InvalidValueException("gpu", gpu, "a GPU index, 0 or more");
        }
        reason = reason == null ? "run by hand" : TextFields.line(reason, "reason", 1024);
    }
}
