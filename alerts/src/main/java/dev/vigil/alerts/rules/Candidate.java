package dev.vigil.alerts.rules;

import java.util.Map;

/**
 * What one rule kind finds in the fleet: one thing that is wrong right now.
 *
 * @param labels      what identifies it (node, gpu, xid, ...)
 * @param annotations the facts about it (message, action, job, ...)
 * @param value       the number behind it (a temperature, a percentage, an XID)
 */
public record Candidate(Map<String, String> labels, Map<String, String> annotations, double value) {
}
