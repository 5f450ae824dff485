package dev.vigil.alerts.lifecycle;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An alert, as stored: what it is (labels, annotations), where it is in its lifecycle and since
 * when. A new cycle after a resolution keeps the fingerprint and gets a new {@code activeAt}.
 *
 * @param fingerprint  {@link Fingerprint#of} the labels
 * @param labels       what identifies it, sorted by name
 * @param annotations  the facts and the rule's text for people
 * @param value        the number behind it when it was last evaluated
 * @param state        pending, firing or resolved
 * @param source       {@code rule} for Vigil's own rules, {@code alertmanager} for one that came in
 *                     through the webhook receiver
 * @param activeAt     when its condition started to hold (this cycle)
 * @param firedAt      when it started firing, or null while pending
 * @param lastTrueAt   when its condition was last seen holding
 * @param resolvedAt   when it resolved, or null
 * @param generatorUrl for an alert from Alertmanager: where it came from; else null
 */
public record Alert(String fingerprint, SortedMap<String, String> labels, Map<String, String> annotations, double value,
                    AlertState state, String source, Instant activeAt, Instant firedAt, Instant lastTrueAt,
                    Instant resolvedAt, String generatorUrl) {
    public static final String RULE = "rule";
    public static final String ALERTMANAGER = "alertmanager";
    /** An alert Vigil raised itself, not from a rule: a runbook's note or page. */
    public static final String RAISED = "raised";

    public Alert {
        labels = Collections.unmodifiableSortedMap(new TreeMap<>(labels));
        annotations = annotations == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(annotations));
    }

    public String name() {
        return labels.getOrDefault("alertname", "");
    }

    public boolean firing() {
        return state == AlertState.FIRING;
    }

    public boolean resolved() {
        return state == AlertState.RESOLVED;
    }

    public boolean fromRule() {
        return RULE.equals(source);
    }

    Alert with(AlertState newState, Map<String, String> newAnnotations, double newValue, Instant newActiveAt,
               Instant newFiredAt, Instant newLastTrueAt, Instant newResolvedAt) {
        return new Alert(fingerprint, labels, newAnnotations, newValue, newState, source, newActiveAt, newFiredAt,
                newLastTrueAt, newResolvedAt, generatorUrl);
    }

    /** This alert resolved at {@code at}. */
    public Alert resolvedAt(Instant at) {
        return with(AlertState.RESOLVED, annotations, value, activeAt, firedAt, lastTrueAt, at);
    }

    /**
     * Whether {@code next} differs from this stored copy enough to write it: a new state, new
     * labels, or facts and readings more than {@code refresh} newer. Readings change on every
     * evaluation; writing each would turn every report into a replicated write per alert.
     */
    public boolean worthStoring(Alert next, Duration refresh) {
        if (next.state != state || !next.labels.equals(labels) || !Objects.equals(next.activeAt, activeAt)) {
            return true;
        }
        boolean contentChanged = !next.annotations.equals(annotations) || next.value != value
                || !Objects.equals(next.lastTrueAt, lastTrueAt);
        return contentChanged && (lastTrueAt == null || next.lastTrueAt == null
                || Duration.between(lastTrueAt, next.lastTrueAt).compareTo(refresh) >= 0);
    }
}
