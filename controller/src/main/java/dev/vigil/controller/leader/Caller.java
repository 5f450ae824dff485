package dev.vigil.controller.leader;

import dev.vigil.api.cluster.Role;

/**
 * Who asked for a mutation, for the audit log.
 *
 * @param actor  a token's name, {@code health-reflex}, or a node's agent
 * @param role   the token's role
 * @param remote the client's address
 * @param member the controller member that took the request
 * @param action the request, e.g. {@code POST /v1/nodes/gpu-1/cordon}
 */
public record Caller(String actor, Role role, String remote, String member, String action) {
}
