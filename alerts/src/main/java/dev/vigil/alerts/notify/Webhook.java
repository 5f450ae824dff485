package dev.vigil.alerts.notify;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.alerts.lifecycle.Alert;
import dev.vigil.alerts.routing.Notification;
import dev.vigil.api.binding.Documents;

import java.net.http.HttpClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A webhook with Alertmanager's body (version 4): the group as it is, its firing alerts and the
 * ones just resolved, so anything written for Alertmanager's webhook takes Vigil's as well. A
 * newer notification for the same group replaces one not yet delivered: it says the same and more.
 */
public final class Webhook implements Notifier {
    private final String receiver;
    private final Receiver.WebhookConfig config;
    private final String externalUrl;

    Webhook(String receiver, Receiver.WebhookConfig config, String externalUrl) {
        this.receiver = receiver;
        this.config = config;
        this.externalUrl = externalUrl;
    }

    @Override
    public String receiver() {
        return receiver;
    }

    @Override
    public String kind() {
        return "webhook";
    }

    @Override
    public List<Delivery> plan(Notification notification, Instant now) {
        List<Alert> told = new ArrayList<>(notification.firing());
        if (config.sendResolved()) {
            told.addAll(notification.resolved());
        }
        boolean news = !notification.newlyFiring().isEmpty() || notification.repeat()
                || config.sendResolved() && !notification.resolved().isEmpty();
        if (!news || told.isEmpty()) {
            return List.of();
        }
        ObjectNode body = body(notification, told, receiver, externalUrl, config.maxAlerts());
        String id = "webhook/" + receiver + "/" + PagerDuty.sha256(notification.groupKey()).substring(0, 16) + "/"
                + notification.seq();
        return List.of(Delivery.planned(id, receiver, kind(), "notify", "webhook/" + receiver + "/"
                        + notification.groupKey(), true, null, told.stream().map(Alert::fingerprint).toList(), body,
                now));
    }

    /** Alertmanager's webhook body, version 4. */
    static ObjectNode body(Notification notification, List<Alert> alerts, String receiver, String externalUrl,
                           int maxAlerts) {
        ObjectNode body = Documents.json().createObjectNode();
        body.put("version", "4");
        body.put("groupKey", notification.groupKey());
        int shown = maxAlerts > 0 ? Math.min(maxAlerts, alerts.size()) : alerts.size();
        body.put("truncatedAlerts", alerts.size() - shown);
        body.put("status", alerts.stream().anyMatch(Alert::firing) ? "firing" : "resolved");
        body.put("receiver", receiver);
        ObjectNode groupLabels = body.putObject("groupLabels");
        notification.groupLabels().forEach(groupLabels::put);
        ObjectNode commonLabels = body.putObject("commonLabels");
        common(alerts, true).forEach(commonLabels::put);
        ObjectNode commonAnnotations = body.putObject("commonAnnotations");
        common(alerts, false).forEach(commonAnnotations::put);
        body.put("externalURL", externalUrl == null ? "" : externalUrl);
        ArrayNode list = body.putArray("alerts");
        for (Alert alert : alerts.subList(0, shown)) {
            ObjectNode entry = list.addObject();
            entry.put("status", alert.firing() ? "firing" : "resolved");
            AlertmanagerJson.write(entry, alert, alert.firing() ? null : alert.resolvedAt(), externalUrl);
            entry.put("fingerprint", alert.fingerprint());
        }
        return body;
    }

    /** The labels (or annotations) every alert has with the same value. */
    private static Map<String, String> common(List<Alert> alerts, boolean labels) {
        Map<String, String> common = new LinkedHashMap<>(labels ? alerts.get(0).labels() : alerts.get(0).annotations());
        for (Alert alert : alerts) {
            Map<String, String> these = labels ? alert.labels() : alert.annotations();
            common.entrySet().removeIf(entry -> !entry.getValue().equals(these.get(entry.getKey())));
        }
        return common;
    }

    @Override
    public CompletableFuture<Outcome> send(Delivery delivery, HttpClient http) {
        return JsonPost.send(http, config.url(), PagerDuty.bytes(delivery.body()));
    }
}
