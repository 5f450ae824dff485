package dev.vigil.alerts.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.alerts.lifecycle.Alert;
import dev.vigil.alerts.routing.Notification;
import dev.vigil.api.binding.Documents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

import java.net.http.HttpClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The receiver that needs nothing set up: one log line per alert it is told about
 * ({@code event=alert_notified}), with the alert's labels and summary.
 */
public final class LogNotifier implements Notifier {
    private static final Logger LOG = LoggerFactory.getLogger("dev.vigil.alerts.Notifications");

    private final String receiver;

    LogNotifier(String receiver) {
        this.receiver = receiver;
    }

    @Override
    public String receiver() {
        return receiver;
    }

    @Override
    public String kind() {
        return "log";
    }

    @Override
    public List<Delivery> plan(Notification notification, Instant now) {
        List<Alert> told = new ArrayList<>(notification.newlyFiring());
        if (notification.repeat()) {
            told.addAll(notification.firing());
        }
        told.addAll(notification.resolved());
        if (told.isEmpty()) {
            return List.of();
        }
        ObjectNode body = Documents.json().createObjectNode();
        ArrayNode lines = body.putArray("alerts");
        for (Alert alert : told) {
            ObjectNode line = lines.addObject();
            line.put("status", alert.firing() ? (notification.repeat() ? "still-firing" : "firing") : "resolved");
            line.put("fingerprint", alert.fingerprint());
            alert.labels().forEach(line::put);
            String summary = alert.annotations().get("summary");
            if (summary != null) {
                line.put("summary", summary);
            }
        }
        String id = "log/" + receiver + "/" + PagerDuty.sha256(notification.groupKey()).substring(0, 16) + "/"
                + notification.seq();
        return List.of(Delivery.planned(id, receiver, kind(), "notify", "log/" + receiver + "/"
                + notification.groupKey(), false, null, told.stream().map(Alert::fingerprint).toList(), body, now));
    }

    @Override
    public CompletableFuture<Outcome> send(Delivery delivery, HttpClient http) {
        for (JsonNode alert : delivery.body().path("alerts")) {
            LoggingEventBuilder line = alert.path("severity").asText().equals("critical") ? LOG.atWarn() : LOG.atInfo();
            line = line.addKeyValue("receiver", receiver);
            for (var field : alert.properties()) {
                line = line.addKeyValue(field.getKey(), field.getValue().asText());
            }
            line.log("alert_notified");
        }
        return CompletableFuture.completedFuture(new Outcome.Sent(0));
    }
}
