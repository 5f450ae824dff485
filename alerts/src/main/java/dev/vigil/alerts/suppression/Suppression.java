package dev.vigil.alerts.suppression;

import dev.vigil.alerts.lifecycle.Alert;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which alerts are muted right now, and by what: active silences, and inhibition by firing
 * alerts. Built once per evaluation from the firing alerts, so each question is a lookup rather
 * than a scan of every pair.
 */
public final class Suppression {
    private final List<Silence> silences;
    private final Instant now;
    private final List<InhibitRule> rules;
    /** Per rule: the firing sources by their values of the rule's equal labels. */
    private final List<Map<List<String>, List<Alert>>> sources = new ArrayList<>();

    public Suppression(List<InhibitRule> rules, Collection<Silence> silences, Collection<Alert> firing, Instant now) {
        this.rules = rules;
        this.now = now;
        this.silences = silences.stream().filter(s -> s.status(now) == Silence.Status.ACTIVE).toList();
        for (InhibitRule rule : rules) {
            Map<List<String>, List<Alert>> byEqual = new HashMap<>();
            for (Alert alert : firing) {
                if (alert.firing() && rule.source(alert.labels())) {
                    byEqual.computeIfAbsent(equalValues(rule, alert.labels()), k -> new ArrayList<>()).add(alert);
                }
            }
            sources.add(byEqual);
        }
    }

    /** Why an alert is muted, or null when it is not. */
    public Muted muted(Alert alert) {
        List<String> silencedBy = new ArrayList<>();
        for (Silence silence : silences) {
            if (silence.mutes(alert.labels(), now)) {
                silencedBy.add(silence.id());
            }
        }
        String inhibitedBy = inhibitedBy(alert);
        return silencedBy.isEmpty() && inhibitedBy == null ? null : new Muted(List.copyOf(silencedBy), inhibitedBy);
    }

    /** The fingerprint of a firing alert that inhibits this one, or null. */
    public String inhibitedBy(Alert target) {
        for (int i = 0; i < rules.size(); i++) {
            InhibitRule rule = rules.get(i);
            if (!rule.target(target.labels())) {
                continue;
            }
            boolean targetIsSourceToo = rule.source(target.labels());
            for (Alert source : sources.get(i).getOrDefault(equalValues(rule, target.labels()), List.of())) {
                if (source.fingerprint().equals(target.fingerprint())) {
                    continue;
                }
                // Alertmanager's guard: alerts that match both sides cannot inhibit each other.
                if (targetIsSourceToo && rule.target(source.labels())) {
                    continue;
                }
                return source.fingerprint();
            }
        }
        return null;
    }

    private static List<String> equalValues(InhibitRule rule, Map<String, String> labels) {
        List<String> values = new ArrayList<>(rule.equal().size());
        for (String name : rule.equal()) {
            values.add(labels.getOrDefault(name, ""));
        }
        return values;
    }

    /**
     * Why an alert is not notified.
     *
     * @param silencedBy  the ids of the active silences that match it
     * @param inhibitedBy the fingerprint of the firing alert that inhibits it, or null
     */
    public record Muted(List<String> silencedBy, String inhibitedBy) {
    }
}
