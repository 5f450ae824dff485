package dev.vigil.alerts.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.alerts.lifecycle.Alert;
import dev.vigil.alerts.routing.Notification;
import dev.vigil.alerts.rules.AlertSeverity;
import dev.vigil.alerts.rules.Template;
import dev.vigil.api.binding.Documents;

import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * PagerDuty Events API v2: one event per alert, with the alert's fingerprint as {@code dedup_key}
 * so PagerDuty folds repeats into one incident and a resolve closes it. A trigger when the
 * receiver first hears the alert fires, a resolve when it is over; nothing on repeat (the
 * incident is open, PagerDuty's escalation does the reminding).
 */
public final class PagerDuty implements Notifier {
    /** PagerDuty's limit on {@code payload.summary}. */
    static final int SUMMARY_LIMIT = 1024;

    private final String receiver;
    private final Receiver.PagerDutyConfig config;
    private final String externalUrl;
    private final String rateKey;

    PagerDuty(String receiver, Receiver.PagerDutyConfig config, String externalUrl) {
        this.receiver = receiver;
        this.config = config;
        this.externalUrl = externalUrl;
        // The limit is PagerDuty's per integration key; the key itself never goes into stored state.
        this.rateKey = "pagerduty:" + sha256(config.routingKey()).substring(0, 16);
    }

    @Override
    public String receiver() {
        return receiver;
    }

    @Override
    public String kind() {
        return "pagerduty";
    }

    @Override
    public String rateKey() {
        return rateKey;
    }

    @Override
    public int eventsPerMinute() {
        return config.eventsPerMinute();
    }

    @Override
    public List<Delivery> plan(Notification notification, Instant now) {
        List<Delivery> deliveries = new ArrayList<>();
        for (Alert alert : notification.newlyFiring()) {
            deliveries.add(delivery(alert, "trigger", trigger(alert), now));
        }
        for (Alert alert : notification.resolved()) {
            ObjectNode resolve = Documents.json().createObjectNode();
            resolve.put("event_action", "resolve");
            resolve.put("dedup_key", alert.fingerprint());
            deliveries.add(delivery(alert, "resolve", resolve, now));
        }
        return deliveries;
    }

    private Delivery delivery(Alert alert, String action, ObjectNode body, Instant now) {
        String id = "pagerduty/" + receiver + "/" + alert.fingerprint() + "/" + action + "/"
                + alert.activeAt().toEpochMilli();
        return Delivery.planned(id, receiver, kind(), action, "pagerduty/" + receiver + "/" + alert.fingerprint(),
                false, rateKey, List.of(alert.fingerprint()), body, now);
    }

    /** The trigger event, without the routing key. */
    ObjectNode trigger(Alert alert) {
        ObjectNode event = Documents.json().createObjectNode();
        event.put("event_action", "trigger");
        event.put("dedup_key", alert.fingerprint());
        ObjectNode payload = event.putObject("payload");
        payload.put("summary", summary(alert));
        payload.put("source", source(alert.labels()));
        payload.put("severity", AlertSeverity.ofLabel(alert.labels().get("severity")).wire());
        Instant since = alert.firedAt() != null ? alert.firedAt() : alert.activeAt();
        payload.put("timestamp", since.toString());
        String gpu = alert.labels().get("gpu");
        String job = alert.labels().get("job");
        if (gpu != null) {
            payload.put("component", "gpu " + gpu);
        } else if (job != null) {
            payload.put("component", "job " + job);
        }
        String group = alert.labels().getOrDefault("node", alert.labels().get("tenant"));
        if (group != null) {
            payload.put("group", group);
        }
        payload.put("class", alert.name());
        ObjectNode details = payload.putObject("custom_details");
        alert.labels().forEach(details::put);
        alert.annotations().forEach((name, text) -> {
            if (!details.has(name)) {
                details.put(name, text);
            }
        });
        details.put("value", Template.number(alert.value()));
        details.put("firing_since", since.toString());
        details.put("fingerprint", alert.fingerprint());
        ArrayNode links = Documents.json().createArrayNode();
        String runbook = alert.annotations().get("runbook_url");
        if (runbook != null && !runbook.isBlank()) {
            links.addObject().put("href", runbook).put("text", "Runbook");
        }
        if (externalUrl != null) {
            links.addObject().put("href", externalUrl + "/v1/alerts/" + alert.fingerprint()).put("text", "Alert in Vigil");
        }
        if (alert.generatorUrl() != null && !alert.generatorUrl().isBlank()) {
            links.addObject().put("href", alert.generatorUrl()).put("text", "Source");
        }
        if (!links.isEmpty()) {
            event.set("links", links);
        }
        event.put("client", "Vigil");
        if (externalUrl != null) {
            event.put("client_url", externalUrl);
        }
        return event;
    }

    /** The annotation {@code summary}, or the alert's name and labels; cut to PagerDuty's 1024 characters. */
    static String summary(Alert alert) {
        String summary = alert.annotations().get("summary");
        if (summary == null || summary.isBlank()) {
            StringBuilder text = new StringBuilder(alert.name());
            for (Map.Entry<String, String> label : alert.labels().entrySet()) {
                if (!label.getKey().equals("alertname") && !label.getKey().equals("severity")) {
                    text.append(' ').append(label.getKey()).append('=').append(label.getValue());
                }
            }
            summary = text.toString();
        }
        if (summary.codePointCount(0, summary.length()) <= SUMMARY_LIMIT) {
            return summary;
        }
        return summary.substring(0, summary.offsetByCodePoints(0, SUMMARY_LIMIT - 1)) + "…";
    }

    private static String source(Map<String, String> labels) {
        for (String name : List.of("node", "Hostname", "instance")) {
            String value = labels.get(name);
            if (value != null && !value.isBlank()) {
                return value;
            }
        }
        return "vigil";
    }

    @Override
    public CompletableFuture<Outcome> send(Delivery delivery, HttpClient http) {
        ObjectNode event = Documents.json().createObjectNode();
        event.put("routing_key", config.routingKey());
        event.setAll((ObjectNode) delivery.body());
        return JsonPost.send(http, config.url(), bytes(event));
    }

    static byte[] bytes(JsonNode node) {
        try {
            return Documents.json().writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write an event", e);
        }
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
