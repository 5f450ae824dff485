package dev.vigil.alerts.notify;

import java.time.Instant;

/**
 * How a receiver's notifications are going, for {@code vigil alerts} and the metrics. Counts are
 * since this leader took over; pending and retrying come from the outbox and survive failover.
 *
 * @param receiver    the receiver ({@code alertmanager:<url>} for a push target)
 * @param kind        pagerduty, webhook, log or alertmanager
 * @param sent        deliveries taken by the receiver
 * @param failed      deliveries the receiver refused (not retried; kept, with the error, for a day)
 * @param retries     attempts that failed and will be tried again
 * @param superseded  deliveries replaced before they went out (a newer snapshot; a trigger whose
 *                    alert resolved before its first attempt)
 * @param pending     deliveries waiting to go out
 * @param retrying    of those, the ones that failed at least once
 * @param lastError   the last error, or null
 * @param lastErrorAt when
 * @param lastSentAt  when a delivery last went through
 */
public record NotifierStatus(String receiver, String kind, long sent, long failed, long retries, long superseded,
                             int pending, int retrying, String lastError, Instant lastErrorAt, Instant lastSentAt) {
}
