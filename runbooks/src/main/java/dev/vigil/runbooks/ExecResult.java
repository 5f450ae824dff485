package dev.vigil.runbooks;

import dev.vigil.api.cluster.AgentActionResult;

/**
 * How a command run on a node over SSH went.
 *
 * @param id      the request's id
 * @param state   running, succeeded (exit status 0) or failed
 * @param message one line: the exit status and the output's last line, or why it could not run (no SSH
 *                configured, a host key not pinned or changed, a timeout)
 */
public record ExecResult(String id, AgentActionResult.State state, String message) {
}
