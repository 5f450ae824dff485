package dev.vigil.alerts.notify;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.List;

/**
 * One request to a receiver, in the outbox: recorded before it is sent, marked when it was.
 * Deliveries with the same {@code orderKey} go out one at a time, oldest first: a resolve never
 * overtakes its trigger.
 *
 * @param id            deterministic from what it tells (receiver, alert and cycle, or group and
 *                      notification number), so a re-planned delivery is recognised
 * @param sequence      the order it was planned in, across leaders
 * @param receiver      the receiver's name ({@code alertmanager:<url>} for the push)
 * @param kind          pagerduty, webhook, log or alertmanager
 * @param action        trigger or resolve (PagerDuty), notify (webhook, log), push (Alertmanager)
 * @param orderKey      deliveries that must keep their order
 * @param snapshot      whether it carries its key's whole current state, so that a newer one replaces it unsent
 * @param rateKey       the rate limit it counts against, or null
 * @param fingerprints  the alerts it tells about
 * @param body          what is sent (PagerDuty's without the routing key, added when sending)
 * @param status        pending, sent, failed (refused, not retried) or superseded
 * @param attempts      how many times it was tried
 * @param createdAt     when it was planned
 * @param nextAttemptAt when it may be tried next
 * @param doneAt        when it was sent, refused or superseded
 * @param lastError     why the last attempt failed, or null
 */
public record Delivery(String id, long sequence, String receiver, String kind, String action, String orderKey,
                       boolean snapshot, String rateKey, List<String> fingerprints, JsonNode body, Status status,
                       int attempts, Instant createdAt, Instant nextAttemptAt, Instant doneAt, String lastError) {
    public Delivery {
        fingerprints = fingerprints == null ? List.of() : List.copyOf(fingerprints);
        status = status == null ? Status.PENDING : status;
    }

    public enum Status {
        PENDING,
        SENT,
        FAILED,
        SUPERSEDED;

        public boolean done() {
            return this != PENDING;
        }
    }

    /** A new pending delivery. */
    public static Delivery planned(String id, String receiver, String kind, String action, String orderKey,
                                   boolean snapshot, String rateKey, List<String> fingerprints, JsonNode body,
                                   Instant now) {
        return new Delivery(id, 0, receiver, kind, action, orderKey, snapshot, rateKey, fingerprints, body,
                Status.PENDING, 0, now, now, null, null);
    }

    Delivery numbered(long newSequence) {
        return new Delivery(id, newSequence, receiver, kind, action, orderKey, snapshot, rateKey, fingerprints, body,
                status, attempts, createdAt, nextAttemptAt, doneAt, lastError);
    }

    Delivery finished(Status newStatus, int newAttempts, Instant at, String error) {
        return new Delivery(id, sequence, receiver, kind, action, orderKey, snapshot, rateKey, fingerprints, body,
                newStatus, newAttempts, createdAt, nextAttemptAt, at, error);
    }

    Delivery retryAt(int newAttempts, Instant next, String error) {
        return new Delivery(id, sequence, receiver, kind, action, orderKey, snapshot, rateKey, fingerprints, body,
                status, newAttempts, createdAt, next, doneAt, error);
    }
}
