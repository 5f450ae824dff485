package dev.vigil.alerts.notify;

import dev.vigil.alerts.routing.Notification;

import java.time.Instant;
import java.util.List;

/** A receiver's integration: turns a group's notification into deliveries, and sends them. */
public sealed interface Notifier extends Sender permits PagerDuty, Webhook, LogNotifier {

    /** The deliveries that tell {@code notification}; empty when this receiver has nothing to say about it. */
    List<Delivery> plan(Notification notification, Instant now);

    /** The integration a receiver's config asks for. */
    static Notifier of(Receiver receiver, String externalUrl) {
        if (receiver.pagerduty() != null) {
            return new PagerDuty(receiver.name(), receiver.pagerduty(), externalUrl);
        }
        if (receiver.webhook() != null) {
            return new Webhook(receiver.name(), receiver.webhook(), externalUrl);
        }
        return new LogNotifier(receiver.name());
    }
}
