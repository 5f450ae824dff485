package dev.vigil.alerts;

import dev.vigil.alerts.lifecycle.AlertState;
import dev.vigil.alerts.notify.Delivery;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * An alert as {@code vigil alerts} and the REST API show it: what, where in its lifecycle, whether
 * it is muted and why, and how its notifications went.
 *
 * @param fingerprint   its identity (PagerDuty's dedup_key)
 * @param name          its alertname
 * @param state         pending, firing or resolved
 * @param source        rule or alertmanager
 * @param labels        its labels
 * @param annotations   its facts and text
 * @param value         the number behind it
 * @param activeAt      when its condition started to hold
 * @param firedAt       when it started firing
 * @param resolvedAt    when it resolved
 * @param silencedBy    the active silences that mute it
 * @param inhibitedBy   the alert that inhibits it, or null
 * @param notifications its deliveries, oldest first
 */
public record AlertView(String fingerprint, String name, AlertState state, String source,
                        SortedMap<String, String> labels, Map<String, String> annotations, String value,
                        Instant activeAt, Instant firedAt, Instant resolvedAt, List<String> silencedBy,
                        String inhibitedBy, List<Notified> notifications) {

    /**
     * One delivery that told about the alert.
     *
     * @param receiver      the receiver
     * @param kind          pagerduty, webhook, log or alertmanager
     * @param action        trigger, resolve, notify or push
     * @param status        pending, sent, failed or superseded
     * @param attempts      how many times it was tried
     * @param at            when it was planned
     * @param nextAttemptAt when a pending one is tried next
     * @param error         the last error, or null
     */
    public record Notified(String receiver, String kind, String action, Delivery.Status status, int attempts,
                           Instant at, Instant nextAttemptAt, String error) {
    }
}
