package dev.vigil.alerts.fleet;

import dev.vigil.api.gpu.RepairAction;
import dev.vigil.api.gpu.Severity;

import java.time.Instant;

/**
 * An XID a GPU reported, with what NVIDIA's catalog says about it (the agent looked it up).
 *
 * @param xid      the XID
 * @param action   the catalog's immediate action: the XID's class for rules
 * @param severity how urgent the catalog says it is
 * @param message  what it means, in words
 * @param at       when it was seen
 */
public record XidSeen(int xid, RepairAction action, Severity severity, String message, Instant at) {
}
