package dev.vigil.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.alerts.fixtures.EventsV2;
import dev.vigil.alerts.fixtures.RecordingServer;
import dev.vigil.alerts.fleet.Fleet;
import dev.vigil.alerts.notify.Delivery;
import dev.vigil.alerts.notify.NotifierStatus;
import dev.vigil.alerts.store.MemoryAlertStore;
import dev.vigil.api.binding.Documents;
import dev.vigil.api.gpu.RepairAction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import static dev.vigil.alerts.fixtures.Fleets.fleet;
import static dev.vigil.alerts.fixtures.Fleets.gpu;
import static dev.vigil.alerts.fixtures.Fleets.node;
import static dev.vigil.alerts.fixtures.Fleets.xid;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A local stand-in for PagerDuty that checks every request against the Events API v2 schema
 * (as PagerDuty documents it) sees one trigger and one resolve with the same dedup_key for an
 * XID 79 raised and cleared, across a leader failover in between; 429 and 5xx are retried, 400
 * is not. The engines run as the leader runs them: real clock, background dispatcher.
 */
class PagerDutyIT {
    private static final String KEY = "R0123456789abcdef0123456789ABCDE";
    private final List<String> schemaErrors = new CopyOnWriteArrayList<>();
    private final RecordingServer pagerDuty = new RecordingServer(202).judge(request -> {
        List<String> errors = EventsV2.check(request.body());
        if (!errors.isEmpty()) {
            schemaErrors.addAll(errors);
            return new RecordingServer.Answer(400, "{\"status\":\"invalid event\",\"message\":\"Event object is invalid\","
                    + "\"errors\":" + Documents.json().valueToTree(errors) + "}", null);
        }
        return new RecordingServer.Answer(202, "{\"status\":\"success\",\"message\":\"Event processed\"}", null);
    });
    private final MemoryAlertStore store = new MemoryAlertStore();
    private final List<AlertEngine> engines = new ArrayList<>();

    @AfterEach
    void stop() {
        engines.forEach(AlertEngine::close);
        pagerDuty.close();
    }

    private AlertEngine leader() {
        AlertsConfig shipped = AlertsConfig.defaults();
        AlertsConfig routing = AlertsConfig.parse("""
                receivers: [{name: oncall, pagerduty: {routingKey: %s, url: "%s"}}]
                route:
                  receiver: oncall
                  groupBy: [alertname, node, gpu]
                  groupWait: 0s
                  groupInterval: 1s
                """.formatted(KEY, pagerDuty.url("/v2/enqueue")), "test");
        AlertEngine engine = new AlertEngine(new AlertsConfig("https://vigil.example.com", routing.receivers(),
                routing.route(), shipped.inhibitRules(), null, shipped.rules()), store, Clock.systemUTC());
        engines.add(engine);
        engine.start();
        return engine;
    }

    private static Fleet xid79(Instant since) {
        return fleet(gpu(node("gpu-07", 8), 3, g -> xid(g, 79, RepairAction.POWER_CYCLE, since)), node("gpu-08", 8));
    }

    private static Fleet healthy() {
        return fleet(node("gpu-07", 8), node("gpu-08", 8));
    }

    private List<JsonNode> events() {
        return pagerDuty.requests().stream().map(r -> {
            try {
                return Documents.json().readTree(r.body());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).toList();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited 15 s for " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void oneTriggerAndOneResolveWithTheSameDedupKeyAcrossALeaderFailover() throws Exception {
        Instant since = Instant.now();
        AlertEngine first = leader();
        first.evaluate(healthy());
        long raised = System.nanoTime();
        first.evaluate(xid79(since));
        pagerDuty.await(1, 5_000);
        System.out.printf("XID 79 in the fleet -> PagerDuty trigger received: %.1f ms%n",
                (pagerDuty.requests().get(0).receivedNanos() - raised) / 1e6);
        // Reports keep coming while the XID stands.
        first.evaluate(xid79(since));
        first.close();

        AlertEngine second = leader();
        for (int i = 0; i < 15; i++) {
            second.evaluate(xid79(since));
            Thread.sleep(100);
        }
        assertThat(pagerDuty.requests()).as("no trigger again from the new leader").hasSize(1);
        second.evaluate(healthy());
        await(() -> {
            second.tick();
            return pagerDuty.requests().size() >= 2;
        }, "the resolve");
        tickFor(second, Duration.ofMillis(2500));

        assertThat(schemaErrors).isEmpty();
        assertThat(events()).extracting(e -> e.path("event_action").asText()).containsExactly("trigger", "resolve");
        assertThat(events()).extracting(e -> e.path("dedup_key").asText()).containsOnly(
                events().get(0).path("dedup_key").asText());
        JsonNode trigger = events().get(0);
        assertThat(trigger.path("routing_key").asText()).isEqualTo(KEY);
        assertThat(trigger.path("payload").path("severity").asText()).isEqualTo("critical");
        assertThat(trigger.path("payload").path("source").asText()).isEqualTo("gpu-07");
        assertThat(trigger.path("payload").path("custom_details").path("xid").asText()).isEqualTo("79");
        assertThat(second.alerts()).filteredOn(a -> a.name().equals("GpuXidFatal")).singleElement()
                .satisfies(a -> assertThat(a.notifications()).extracting(AlertView.Notified::status)
                        .containsOnly(Delivery.Status.SENT));
    }

    @Test
    void aPagePlannedByALeaderThatDiedBeforeSendingIsSentOnceByTheNext() throws Exception {
        Instant since = Instant.now();
        AlertsConfig shipped = AlertsConfig.defaults();
        AlertsConfig routing = AlertsConfig.parse("""
                receivers: [{name: oncall, pagerduty: {routingKey: %s, url: "%s"}}]
                route: {receiver: oncall, groupBy: [alertname, node, gpu], groupWait: 0s, groupInterval: 1s}
                """.formatted(KEY, pagerDuty.url("/v2/enqueue")), "test");
        // Never started: it records the page and dies before its dispatcher sends it.
        new AlertEngine(new AlertsConfig(null, routing.receivers(), routing.route(), shipped.inhibitRules(), null,
                shipped.rules()), store, Clock.systemUTC()).evaluate(xid79(since));
        AlertEngine second = leader();
        second.evaluate(xid79(since));
        pagerDuty.await(1, 5_000);
        tickFor(second, Duration.ofMillis(2500));
        assertThat(events()).extracting(e -> e.path("event_action").asText()).containsExactly("trigger");
        assertThat(schemaErrors).isEmpty();
    }

    /**
     * Lets the engine run for {@code window}, ticking as the leader's loop does: longer than the 1 s
     * group interval and the first retry, so a late duplicate would be sent within it.
     */
    private static void tickFor(AlertEngine engine, Duration window) throws InterruptedException {
        long end = System.nanoTime() + window.toNanos();
        while (System.nanoTime() < end) {
            engine.tick();
            Thread.sleep(100);
        }
    }

    @Test
    void a429OrA5xxIsRetriedAndA400IsNot() throws Exception {
        pagerDuty.answer(new RecordingServer.Answer(429, "{\"status\":\"throttled\"}", null),
                new RecordingServer.Answer(502, "bad gateway", null));
        AlertEngine engine = leader();
        engine.evaluate(xid79(Instant.now()));
        pagerDuty.await(3, 10_000);
        assertThat(events()).hasSize(3).extracting(e -> e.path("event_action").asText()).containsOnly("trigger");
        await(() -> engine.notifierStatus().get(0).sent() == 1, "the third attempt recorded as sent");
        NotifierStatus status = engine.notifierStatus().get(0);
        assertThat(status.retries()).isEqualTo(2);
        assertThat(status.lastError()).startsWith("HTTP 502");

        pagerDuty.answer(new RecordingServer.Answer(400, "{\"status\":\"invalid event\",\"errors\":[\"x\"]}", null));
        Fleet both = xid79(Instant.now());
        engine.evaluate(fleet(gpu(both.nodes().get(0), 5, g -> xid(g, 48, RepairAction.RESET_GPU, Instant.now())),
                both.nodes().get(1)));
        pagerDuty.await(4, 5_000);
        await(() -> engine.notifierStatus().get(0).failed() == 1, "the refusal recorded");
        tickFor(engine, Duration.ofMillis(2500));
        assertThat(pagerDuty.requests()).as("the refused trigger is not sent again").hasSize(4);
        assertThat(engine.notifierStatus().get(0).lastError()).contains("invalid event");
        assertThat(engine.alerts()).filteredOn(a -> a.labels().get("xid").equals("48")).singleElement()
                .satisfies(a -> assertThat(a.notifications()).singleElement()
                        .satisfies(n -> assertThat(n.status()).isEqualTo(Delivery.Status.FAILED)));
        assertThat(schemaErrors).isEmpty();
    }
}
