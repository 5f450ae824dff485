package dev.vigil.controller.leader;

import dev.vigil.api.cluster.AuditEntry;
import dev.vigil.api.cluster.Role;

import java.time.Instant;
import java.util.Locale;

/**
 * Who asked for a mutation, for the audit log.
 *
 * @param actor  a token's name, {@code health-reflex}, or a node's agent
 * @param role   the token's role
 * @param remote the client's address
 * @param member the controller member that took the request
 * @param action the request, e.g. {@code POST /v1/nodes/gpu-1/cordon}
 * @param request the request's id: the same for every try of it (a client's {@code Idempotency-Key},
 *                or one the member made), so that the leader applies it once however often it comes
 */
public record Caller(String actor, Role role, String remote, String member, String action, String request) {
    /** The audit entry for what this caller's request came to. */
    public AuditEntry audited(Instant at, String detail, int status, String result) {
        return new AuditEntry(0, at, actor, role == null ? null : role.name().toLowerCase(Locale.ROOT).replace('_', '-'),
                remote, action, detail, status, result);
    }
}
