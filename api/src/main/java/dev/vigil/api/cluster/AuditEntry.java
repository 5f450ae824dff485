package dev.vigil.api.cluster;

import java.time.Instant;

/**
 * One mutation, as the audit log keeps it.
 *
 * @param seq    the controller's sequence number
 * @param time   when
 * @param actor  who (a token's name, or {@code health-reflex})
 * @param role   the actor's role
 * @param remote where the request came from
 * @param action what, e.g. {@code POST /v1/nodes/gpu-1/cordon}
 * @param detail the request in words, e.g. the reason given
 * @param status the HTTP status answered
 * @param result what came of it, in words
 */
public record AuditEntry(long seq, Instant time, String actor, String role, String remote, String action,
                         String detail, int status, String result) {
}
