package dev.vigil.alerts.notify;

import java.net.http.HttpClient;
import java.util.concurrent.CompletableFuture;

/** Sends a planned {@link Delivery} to its receiver. */
public sealed interface Sender permits Notifier, AlertmanagerPush {

    /** The receiver's name, as deliveries carry it. */
    String receiver();

    /** The kind of receiver: pagerduty, webhook, log or alertmanager. */
    String kind();

    CompletableFuture<Outcome> send(Delivery delivery, HttpClient http);

    /** The rate limit this sender's deliveries count against, or null for none. */
    default String rateKey() {
        return null;
    }

    /** How many deliveries per minute {@link #rateKey()} allows. */
    default int eventsPerMinute() {
        return Integer.MAX_VALUE;
    }
}
