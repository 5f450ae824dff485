package dev.vigil.runbooks;

import dev.vigil.api.cluster.AgentActionResult;

/**
 * How a power cycle through a node's BMC went.
 *
 * @param id      the request's id
 * @param state   running, succeeded or failed
 * @param message one line: what ipmitool said, or why nothing was tried (no BMC configured)
 */
public record BmcResult(String id, AgentActionResult.State state, String message) {
}
