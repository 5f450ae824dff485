package dev.vigil.runbooks.guards;

import java.time.Instant;

/**
 * A node the health reflex or a runbook cordoned (operators' cordons do not count: people chose them).
 *
 * @param node the node
 * @param at   when
 */
public record Cordoning(String node, Instant at) {
}
