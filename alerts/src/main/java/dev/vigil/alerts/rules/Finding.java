package dev.vigil.alerts.rules;

import java.util.Map;
import java.util.SortedMap;

/**
 * One thing a rule finds wrong, with the rule's labels and rendered annotations: an alert's
 * content before the lifecycle decides whether it is pending or firing.
 *
 * @param rule        the rule that found it
 * @param labels      every label, {@code alertname} and {@code severity} included, sorted by name
 * @param annotations the kind's facts, then the rule's annotations and {@code runbook_url}
 * @param value       the number behind it
 */
public record Finding(Rule rule, SortedMap<String, String> labels, Map<String, String> annotations, double value) {
}
