package dev.vigil.alerts.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.alerts.lifecycle.Alert;
import dev.vigil.alerts.lifecycle.AlertState;
import dev.vigil.alerts.lifecycle.Fingerprint;
import dev.vigil.alerts.routing.Notification;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class PagerDutyTest {
    private static final Instant T0 = Instant.parse("2026-11-22T03:00:00Z");
    private static final String KEY = "0123456789abcdef0123456789abcdef";

    static Alert xid79(String summary) {
        TreeMap<String, String> labels = new TreeMap<>(Map.of("alertname", "GpuXidFatal", "node", "gpu-07", "gpu", "3",
                "uuid", "GPU-abc", "xid", "79", "severity", "critical"));
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put("message", "GPU has fallen off the bus");
        annotations.put("action", "power-cycle");
        annotations.put("job", "job-42");
        annotations.put("summary", summary);
        annotations.put("runbook_url", "https://runbooks.example.com/xid-79");
        return new Alert(Fingerprint.of(labels), labels, annotations, 79, AlertState.FIRING, Alert.RULE, T0, T0, T0,
                null, null);
    }

    private static PagerDuty pagerDuty() {
        return new PagerDuty("oncall", new Receiver.PagerDutyConfig(KEY, null, URI.create("http://127.0.0.1:1/v2/enqueue"),
                null), "https://vigil.example.com");
    }

    private static Notification told(List<Alert> firing, List<Alert> resolved) {
        return new Notification("{}:{}", "oncall", new TreeMap<>(), 1, firing, firing, resolved, false, T0);
    }

    @Test
    void aTriggerCarriesTheFingerprintAsDedupKeyAndTheFactsAndLinks() {
        Alert alert = xid79("XID 79 on gpu-07 GPU 3");
        List<Delivery> planned = pagerDuty().plan(told(List.of(alert), List.of()), T0);
        assertThat(planned).singleElement().satisfies(d -> {
            assertThat(d.action()).isEqualTo("trigger");
            assertThat(d.id()).isEqualTo("pagerduty/oncall/" + alert.fingerprint() + "/trigger/" + T0.toEpochMilli());
            assertThat(d.rateKey()).startsWith("pagerduty:").doesNotContain(KEY);
            assertThat(d.body().toString()).as("the key is added when sending, never stored").doesNotContain(KEY);
            JsonNode body = d.body();
            assertThat(body.path("event_action").asText()).isEqualTo("trigger");
            assertThat(body.path("dedup_key").asText()).isEqualTo(alert.fingerprint());
            JsonNode payload = body.path("payload");
            assertThat(payload.path("summary").asText()).isEqualTo("XID 79 on gpu-07 GPU 3");
            assertThat(payload.path("source").asText()).isEqualTo("gpu-07");
            assertThat(payload.path("severity").asText()).isEqualTo("critical");
            assertThat(payload.path("timestamp").asText()).isEqualTo("2026-11-22T03:00:00Z");
            assertThat(payload.path("component").asText()).isEqualTo("gpu 3");
            assertThat(payload.path("class").asText()).isEqualTo("GpuXidFatal");
            JsonNode details = payload.path("custom_details");
            assertThat(details.path("xid").asText()).isEqualTo("79");
            assertThat(details.path("action").asText()).isEqualTo("power-cycle");
            assertThat(details.path("job").asText()).isEqualTo("job-42");
            assertThat(details.path("fingerprint").asText()).isEqualTo(alert.fingerprint());
            assertThat(body.path("links").findValuesAsText("href")).containsExactly(
                    "https://runbooks.example.com/xid-79", "https://vigil.example.com/v1/alerts/" + alert.fingerprint());
            assertThat(body.path("client_url").asText()).isEqualTo("https://vigil.example.com");
        });
    }

    @Test
    void aResolveNeedsOnlyTheKeyTheDedupKeyAndTheAction() {
        Alert alert = xid79("x").resolvedAt(T0.plusSeconds(60));
        assertThat(pagerDuty().plan(told(List.of(), List.of(alert)), T0)).singleElement().satisfies(d -> {
            assertThat(d.action()).isEqualTo("resolve");
            assertThat(d.body().toString()).isEqualTo(
                    "{\"event_action\":\"resolve\",\"dedup_key\":\"" + alert.fingerprint() + "\"}");
            assertThat(d.orderKey()).isEqualTo("pagerduty/oncall/" + alert.fingerprint());
        });
    }

    @Test
    void theSummaryIsCutToPagerDutys1024CharactersAndSeveritiesMapToItsFour() {
        Alert alert = xid79("x".repeat(2000));
        assertThat(PagerDuty.summary(alert).codePointCount(0, PagerDuty.summary(alert).length())).isEqualTo(1024);
        assertThat(PagerDuty.summary(alert)).endsWith("…");
        TreeMap<String, String> labels = new TreeMap<>(Map.of("alertname", "FromPrometheus", "instance", "host:9400",
                "severity", "page"));
        Alert external = new Alert(Fingerprint.of(labels), labels, Map.of(), 0, AlertState.FIRING, Alert.ALERTMANAGER,
                T0, T0, T0, null, "http://prometheus:9090/graph");
        ObjectNode trigger = pagerDuty().trigger(external);
        assertThat(trigger.path("payload").path("severity").asText()).as("an unknown severity pages as error")
                .isEqualTo("error");
        assertThat(trigger.path("payload").path("source").asText()).isEqualTo("host:9400");
        assertThat(trigger.path("payload").path("summary").asText())
                .isEqualTo("FromPrometheus instance=host:9400");
        assertThat(trigger.path("links").findValuesAsText("text")).contains("Source");
    }

    @Test
    void deliveriesCountAgainstTheKeysRateLimitWithoutTheKeyInThem() {
        PagerDuty pagerDuty = pagerDuty();
        assertThat(pagerDuty.rateKey()).startsWith("pagerduty:").doesNotContain(KEY);
        assertThat(pagerDuty.plan(told(List.of(xid79("XID 79")), List.of()), T0)).singleElement().satisfies(d -> {
            assertThat(d.rateKey()).isEqualTo(pagerDuty.rateKey());
            assertThat(d.receiver()).isEqualTo(pagerDuty.receiver()).isEqualTo("oncall");
            assertThat(d.kind()).isEqualTo(pagerDuty.kind()).isEqualTo("pagerduty");
        });
    }

    @Test
    void aJobsAlertIsAComponentOfItsTenantAndAPendingOneIsDatedFromWhenItBecameActive() {
        TreeMap<String, String> labels = new TreeMap<>(Map.of("alertname", "JobPendingTooLong", "job", "j1",
                "tenant", "nlp", "severity", "warning"));
        Alert pending = new Alert(Fingerprint.of(labels), labels, Map.of(), 5400, AlertState.PENDING, Alert.RULE, T0,
                null, T0, null, null);
        JsonNode payload = pagerDuty().trigger(pending).path("payload");
        assertThat(payload.path("timestamp").asText()).isEqualTo("2026-11-22T03:00:00Z");
        assertThat(payload.path("component").asText()).isEqualTo("job j1");
        assertThat(payload.path("group").asText()).isEqualTo("nlp");
        assertThat(payload.path("source").asText()).as("no node, host or instance").isEqualTo("vigil");
    }

    @Test
    void aSummaryOfExactly1024CharactersIsKeptWhole() {
        String exactly = "y".repeat(1024);
        assertThat(PagerDuty.summary(xid79(exactly))).isEqualTo(exactly);
    }
}
