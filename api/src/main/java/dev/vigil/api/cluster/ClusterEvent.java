package dev.vigil.api.cluster;

import dev.vigil.api.gpu.RepairAction;
import dev.vigil.api.gpu.Severity;

import java.time.Instant;

/**
 * Something that happened in the fleet, in the controller's log: an XID or health change an agent
 * reported, a state transition, a reflex.
 *
 * @param seq      the controller's sequence number, increasing, for {@code ?since=}
 * @param time     when it happened
 * @param node     the node
 * @param gpu      the GPU's index, or null for the node
 * @param kind     {@code xid}, {@code health}, {@code state}, {@code reflex}, {@code fault}
 * @param severity how urgent
 * @param action   the repair it calls for
 * @param message  what happened, in words
 * @param actor    who or what caused it
 */
public record ClusterEvent(long seq, Instant time, String node, Integer gpu, String kind, Severity severity,
                           RepairAction action, String message, String actor) {
}
