package dev.vigil.api.cluster;

import java.time.Instant;

/**
 * One change of a node's state, with who made it and why.
 *
 * @param from   the state before
 * @param to     the state after
 * @param reason why, in words
 * @param actor  who: a token's name, {@code health-reflex}, or {@code agent}
 * @param time   when
 */
public record Transition(NodeState from, NodeState to, String reason, String actor, Instant time) {
}
