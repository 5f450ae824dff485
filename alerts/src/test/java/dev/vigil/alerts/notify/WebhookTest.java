package dev.vigil.alerts.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.alerts.lifecycle.Alert;
import dev.vigil.alerts.lifecycle.AlertState;
import dev.vigil.alerts.lifecycle.Fingerprint;
import dev.vigil.alerts.routing.Notification;
import dev.vigil.api.binding.Documents;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class WebhookTest {
    private static final Instant T0 = Instant.parse("2026-11-22T03:00:00Z");

    @Test
    void theBodyIsAlertmanagersVersion4WithTheGroupAsItIsAndTruncation() {
        Alert firing = PagerDutyTest.xid79("XID 79");
        Alert resolved = PagerDutyTest.xid79("XID 79").resolvedAt(T0.plusSeconds(90));
        Notification notification = new Notification("{}:{node=\"gpu-07\"}", "chatops",
                new TreeMap<>(Map.of("node", "gpu-07")), 3, List.of(firing), List.of(firing), List.of(resolved), false,
                T0);
        Webhook webhook = new Webhook("chatops", new Receiver.WebhookConfig(URI.create("http://127.0.0.1:1/hook"),
                null, null), "https://vigil.example.com");
        Delivery delivery = webhook.plan(notification, T0).get(0);
        assertThat(delivery.snapshot()).isTrue();
        JsonNode body = delivery.body();
        assertThat(body.path("version").asText()).isEqualTo("4");
        assertThat(body.path("groupKey").asText()).isEqualTo("{}:{node=\"gpu-07\"}");
        assertThat(body.path("status").asText()).isEqualTo("firing");
        assertThat(body.path("receiver").asText()).isEqualTo("chatops");
        assertThat(body.path("truncatedAlerts").asInt()).isZero();
        assertThat(body.path("groupLabels").path("node").asText()).isEqualTo("gpu-07");
        assertThat(body.path("commonLabels").path("alertname").asText()).isEqualTo("GpuXidFatal");
        assertThat(body.path("externalURL").asText()).isEqualTo("https://vigil.example.com");
        JsonNode first = body.path("alerts").get(0);
        assertThat(first.path("status").asText()).isEqualTo("firing");
        assertThat(first.path("labels").path("xid").asText()).isEqualTo("79");
        assertThat(first.path("startsAt").asText()).isEqualTo("2026-11-22T03:00:00Z");
        assertThat(first.path("endsAt").asText()).isEqualTo("0001-01-01T00:00:00Z");
        assertThat(first.path("fingerprint").asText()).isEqualTo(firing.fingerprint());
        assertThat(first.path("generatorURL").asText()).endsWith("/v1/alerts/" + firing.fingerprint());
        assertThat(body.path("alerts").get(1).path("endsAt").asText()).isEqualTo("2026-11-22T03:01:30Z");

        Webhook one = new Webhook("chatops", new Receiver.WebhookConfig(URI.create("http://127.0.0.1:1/hook"), false, 1),
                null);
        JsonNode cut = one.plan(notification, T0).get(0).body();
        assertThat(cut.path("alerts")).hasSize(1);
        assertThat(cut.path("truncatedAlerts").asInt()).as("sendResolved: false leaves the resolved one out").isZero();
        Notification onlyResolved = new Notification("{}:{}", "chatops", new TreeMap<>(), 4, List.of(), List.of(),
                List.of(resolved), false, T0);
        assertThat(one.plan(onlyResolved, T0)).isEmpty();
    }

    @Test
    void aWebhookIsCalledForNewsOnlyAndCarriesTheAnnotationsAllAlertsShare() {
        Alert firing = PagerDutyTest.xid79("XID 79");
        Alert resolved = PagerDutyTest.xid79("XID 79").resolvedAt(T0.plusSeconds(90));
        Webhook keepsResolvedToItself = new Webhook("chatops", new Receiver.WebhookConfig(
                URI.create("http://127.0.0.1:1/hook"), false, null), null);
        Notification stillFiringAndAResolution = new Notification("{}:{}", "chatops", new TreeMap<>(), 5,
                List.of(firing), List.of(), List.of(resolved), false, T0);
        assertThat(keepsResolvedToItself.plan(stillFiringAndAResolution, T0)).as("a resolution it does not send is no news")
                .isEmpty();
        Webhook webhook = new Webhook("chatops", new Receiver.WebhookConfig(URI.create("http://127.0.0.1:1/hook"),
                null, null), null);
        assertThat(webhook.plan(stillFiringAndAResolution, T0)).singleElement().satisfies(d -> {
            assertThat(d.receiver()).isEqualTo("chatops");
            assertThat(d.kind()).isEqualTo("webhook");
            assertThat(d.body().path("commonAnnotations").path("summary").asText()).isEqualTo("XID 79");
        });
        Notification newlyFiring = new Notification("{}:{}", "chatops", new TreeMap<>(), 6, List.of(firing),
                List.of(firing), List.of(), false, T0);
        assertThat(keepsResolvedToItself.plan(newlyFiring, T0)).hasSize(1);
    }

    @Test
    void anAlertsAnnotationsAndStartAreInItsEntryAndWithoutAnyLinkItsSourceIsEmpty() {
        TreeMap<String, String> labels = new TreeMap<>(Map.of("alertname", "Warm", "node", "n1"));
        Alert pendingThenTold = new Alert(Fingerprint.of(labels), labels,
                Map.of("summary", "warm"), 1, AlertState.FIRING, Alert.RULE, T0, null, T0,
                null, null);
        ObjectNode entry = Documents.json().createObjectNode();
        AlertmanagerJson.write(entry, pendingThenTold, null, null);
        assertThat(entry.path("annotations").path("summary").asText()).isEqualTo("warm");
        assertThat(entry.path("startsAt").asText()).as("no firing time: when it became active")
                .isEqualTo("2026-11-22T03:00:00Z");
        assertThat(entry.path("generatorURL").asText()).isEmpty();
    }
}
