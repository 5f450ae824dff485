package dev.vigil.alerts.notify;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.vigil.alerts.lifecycle.Alert;
import dev.vigil.api.binding.Documents;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Pushes Vigil's alerts to an existing Alertmanager ({@code POST /api/v2/alerts}) the way
 * Prometheus does: every firing alert with an end a few resend intervals ahead (so Alertmanager
 * resolves it by itself if Vigil goes quiet), and resolved ones with their end, re-sent while
 * they are kept. Silences and inhibition are Alertmanager's to apply, as for Prometheus's alerts.
 * Each push carries the whole current set, so a newer one replaces one not yet delivered.
 */
public final class AlertmanagerPush implements Sender {
    private final URI base;
    private final URI alerts;
    private final Duration resendInterval;
    private final String externalUrl;

    public AlertmanagerPush(URI base, Duration resendInterval, String externalUrl) {
        this.base = base;
        String path = base.toString().endsWith("/") ? "api/v2/alerts" : "/api/v2/alerts";
        this.alerts = URI.create(base + path);
        this.resendInterval = resendInterval;
        this.externalUrl = externalUrl;
    }

    @Override
    public String receiver() {
        return "alertmanager:" + base;
    }

    @Override
    public String kind() {
        return "alertmanager";
    }

    /** A push of these alerts (firing and resolved ones; pending ones are not Alertmanager's business). */
    public Delivery plan(Collection<Alert> all, Instant now) {
        ArrayNode body = Documents.json().createArrayNode();
        Instant firingUntil = now.plus(resendInterval.multipliedBy(4));
        List<Alert> pushed = all.stream().filter(a -> a.firing() || a.resolved()).toList();
        for (Alert alert : pushed) {
            AlertmanagerJson.write(body.addObject(), alert, alert.firing() ? firingUntil : alert.resolvedAt(),
                    externalUrl);
        }
        String id = "alertmanager/" + PagerDuty.sha256(base.toString()).substring(0, 16) + "/" + now.toEpochMilli();
        return Delivery.planned(id, receiver(), kind(), "push", receiver(), true, null,
                pushed.stream().map(Alert::fingerprint).toList(), body, now);
    }

    @Override
    public CompletableFuture<Outcome> send(Delivery delivery, HttpClient http) {
        return JsonPost.send(http, alerts, PagerDuty.bytes(delivery.body()));
    }
}
