package dev.vigil.alerts;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.alerts.fixtures.ManualClock;
import dev.vigil.alerts.fixtures.RecordingServer;
import dev.vigil.alerts.fleet.Fleet;
import dev.vigil.alerts.fleet.FleetNode;
import dev.vigil.alerts.inbound.AlertmanagerWebhook;
import dev.vigil.alerts.lifecycle.Alert;
import dev.vigil.alerts.lifecycle.AlertState;
import dev.vigil.alerts.notify.AlertmanagerConfig;
import dev.vigil.alerts.notify.Delivery;
import dev.vigil.alerts.routing.GroupState;
import dev.vigil.alerts.store.AlertStore;
import dev.vigil.alerts.store.MemoryAlertStore;
import dev.vigil.alerts.suppression.Matcher;
import dev.vigil.alerts.suppression.Silence;
import dev.vigil.alerts.suppression.SilenceRequest;
import dev.vigil.api.binding.Documents;
import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.cluster.NodeState;
import dev.vigil.api.gpu.RepairAction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.vigil.alerts.fixtures.Fleets.fleet;
import static dev.vigil.alerts.fixtures.Fleets.gpu;
import static dev.vigil.alerts.fixtures.Fleets.node;
import static dev.vigil.alerts.fixtures.Fleets.readings;
import static dev.vigil.alerts.fixtures.Fleets.state;
import static dev.vigil.alerts.fixtures.Fleets.xid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AlertEngineTest {
    private static final String KEY = "0123456789abcdef0123456789abcdef";
    private final ManualClock clock = new ManualClock();
    private final RecordingServer pagerDuty = new RecordingServer(202);
    private final RecordingServer webhook = new RecordingServer(200);
    private final MemoryAlertStore store = new MemoryAlertStore();

    @AfterEach
    void stop() {
        pagerDuty.close();
        webhook.close();
    }

    /** The shipped rules, critical alerts to PagerDuty at once, the rest to a webhook. */
    private AlertsConfig config(String more) {
        AlertsConfig shipped = AlertsConfig.defaults();
        AlertsConfig routing = AlertsConfig.parse("""
                externalUrl: https://vigil.example.com
                receivers:
                  - {name: oncall, pagerduty: {routingKey: %s, url: "%s"}}
                  - {name: chatops, webhook: {url: "%s"}}
                route:
                  receiver: chatops
                  groupBy: [alertname, node]
                  groupWait: 30s
                  groupInterval: 5m
                  routes:
                    - {matchers: ['severity="critical"'], receiver: oncall, groupBy: [alertname, node, gpu],
                       groupWait: 0s, groupInterval: 1m}
                %s
                """.formatted(KEY, pagerDuty.url("/v2/enqueue"), webhook.url("/hook"), more), "test");
        return new AlertsConfig(routing.externalUrl(), routing.receivers(), routing.route(), shipped.inhibitRules(),
                routing.alertmanagers(), shipped.rules());
    }

    private AlertEngine engine(AlertStore over) {
        return new AlertEngine(config(""), over, clock);
    }

    private static Fleet healthy() {
        return fleet(node("gpu-07", 8), node("gpu-08", 8));
    }

    private Fleet xid79() {
        return fleet(gpu(node("gpu-07", 8), 3, g -> xid(g, 79, RepairAction.POWER_CYCLE, clock.instant())),
                node("gpu-08", 8));
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

    @Test
    void anXid79PagesOnceAtOnceAndResolvesWithTheSameDedupKey() {
        AlertEngine engine = engine(store);
        engine.evaluate(healthy());
        engine.evaluate(xid79());
        assertThat(engine.deliverDue()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(5));
        engine.evaluate(xid79());
        engine.tick();
        engine.deliverDue();
        assertThat(events()).singleElement().satisfies(e -> {
            assertThat(e.path("routing_key").asText()).isEqualTo(KEY);
            assertThat(e.path("event_action").asText()).isEqualTo("trigger");
            assertThat(e.path("payload").path("summary").asText()).startsWith("XID 79 on gpu-07 GPU 3");
        });
        String dedupKey = events().get(0).path("dedup_key").asText();
        clock.advance(Duration.ofSeconds(10));
        engine.evaluate(healthy());
        engine.deliverDue();
        assertThat(events()).as("the resolution waits for the group's next look").hasSize(1);
        clock.advance(Duration.ofMinutes(1));
        engine.tick();
        engine.deliverDue();
        assertThat(events()).extracting(e -> e.path("event_action").asText()).containsExactly("trigger", "resolve");
        assertThat(events().get(1).path("dedup_key").asText()).isEqualTo(dedupKey);
        assertThat(engine.alerts()).filteredOn(a -> a.name().equals("GpuXidFatal")).singleElement().satisfies(a -> {
            assertThat(a.state()).isEqualTo(AlertState.RESOLVED);
            assertThat(a.notifications()).extracting(AlertView.Notified::action).containsExactly("trigger", "resolve");
            assertThat(a.notifications()).allSatisfy(n -> assertThat(n.status()).isEqualTo(Delivery.Status.SENT));
        });
    }

    @Test
    void theLogTellsFiringAndResolvedNotAPendingAlertComingAndGoingWithEachEvaluation() {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(AlertEngine.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        try {
            AlertEngine engine = engine(store);
            Fleet hot = fleet(gpu(node("gpu-07", 8), 2, g -> readings(g, 90.0, 500.0, 50.0)));
            Fleet cool = fleet(gpu(node("gpu-07", 8), 2, g -> readings(g, 80.0, 500.0, 50.0)));
            for (int i = 0; i < 20; i++) {
                engine.evaluate(i % 2 == 0 ? hot : cool);
                clock.advance(Duration.ofSeconds(10));
            }
            assertThat(lines.list).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.INFO))
                    .extracting(ILoggingEvent::getMessage).doesNotContain("alert_pending");
            for (int i = 0; i < 40; i++) {
                engine.evaluate(hot);
                clock.advance(Duration.ofSeconds(10));
            }
            assertThat(lines.list).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.INFO))
                    .extracting(ILoggingEvent::getMessage).containsOnlyOnce("alert_firing");
        } finally {
            logger.detachAppender(lines);
        }
    }

    @Test
    void aNewLeaderOverTheSameStoreNeitherRepeatsNorLosesAPage() {
        AlertEngine first = engine(store);
        first.evaluate(xid79());
        first.deliverDue();
        first.close();
        AlertEngine second = engine(store);
        clock.advance(Duration.ofSeconds(2));
        second.evaluate(xid79());
        second.tick();
        second.deliverDue();
        assertThat(events()).hasSize(1);
        clock.advance(Duration.ofSeconds(2));
        second.evaluate(healthy());
        clock.advance(Duration.ofMinutes(1));
        second.tick();
        second.deliverDue();
        assertThat(events()).extracting(e -> e.path("event_action").asText()).containsExactly("trigger", "resolve");
    }

    @Test
    void aFaultThatClearsWhileLeadershipMovesIsResolvedByTheNewLeaderFromWhatTheOldOneStored() {
        AlertEngine first = engine(store);
        first.evaluate(healthy());
        first.evaluate(xid79());
        first.deliverDue();
        String dedupKey = events().get(0).path("dedup_key").asText();
        first.close();

        // The new leader never sees the fault: it cleared (the GPU was repaired) before it took over.
        clock.advance(Duration.ofSeconds(30));
        AlertEngine second = engine(store);
        second.evaluate(healthy());
        clock.advance(Duration.ofMinutes(1));
        second.tick();
        second.deliverDue();

        assertThat(events()).extracting(e -> e.path("event_action").asText()).containsExactly("trigger", "resolve");
        assertThat(events().get(1).path("dedup_key").asText()).isEqualTo(dedupKey);
        assertThat(second.alerts()).filteredOn(a -> a.name().equals("GpuXidFatal")).singleElement()
                .satisfies(a -> assertThat(a.state()).isEqualTo(AlertState.RESOLVED));
    }

    @Test
    void aPageRecordedButNotSentByALeaderThatDiedIsSentByTheNext() {
        AlertEngine first = engine(store);
        first.evaluate(xid79());
        assertThat(pagerDuty.requests()).isEmpty();
        AlertEngine second = engine(store);
        second.evaluate(xid79());
        second.deliverDue();
        assertThat(events()).extracting(e -> e.path("event_action").asText()).containsExactly("trigger");
    }

    @Test
    void aLeaderThatDiesBetweenRecordingAPageAndItsGroupStateLeavesItsSuccessorTheSamePage() {
        AtomicBoolean crash = new AtomicBoolean(true);
        AlertStore dying = new ForwardingStore(store) {
            @Override
            public void putGroup(GroupState group) {
                if (crash.get() && group.seq() > 0) {
                    throw new IllegalStateException("leader lost");
                }
                super.putGroup(group);
            }
        };
        AlertEngine first = engine(dying);
        assertThatThrownBy(() -> first.evaluate(xid79())).hasMessage("leader lost");
        assertThat(store.deliveries()).hasSize(1);
        crash.set(false);
        AlertEngine second = engine(store);
        second.evaluate(xid79());
        second.deliverDue();
        assertThat(store.deliveries()).hasSize(1);
        assertThat(events()).hasSize(1);
    }

    @Test
    void anUnreachableNodeInhibitsItsGpusAlertsAndPagesOnce() {
        AlertEngine engine = engine(store);
        FleetNode down = state(gpu(node("gpu-07", 8), 3, g -> xid(g, 79, RepairAction.POWER_CYCLE, clock.instant())),
                NodeState.UNKNOWN);
        engine.evaluate(fleet(down, node("gpu-08", 8)));
        engine.deliverDue();
        assertThat(events()).extracting(e -> e.path("payload").path("class").asText()).containsExactly("NodeUnreachable");
        assertThat(engine.alerts()).filteredOn(a -> a.name().equals("GpuXidFatal")).singleElement()
                .satisfies(a -> assertThat(a.inhibitedBy()).isNotNull());
        assertThat(engine.stats().inhibited()).isEqualTo(1);
    }

    @Test
    void aSilenceMutesTheMatchingAlertsUntilItIsExpired() {
        AlertEngine engine = engine(store);
        Silence silence = engine.createSilence(new SilenceRequest(List.of(Matcher.parse("node=\"gpu-07\"")), null, null,
                Duration.ofHours(2), null, "replacing GPU 3, ticket HW-1234"), "alice");
        assertThat(silence.createdBy()).isEqualTo("alice");
        engine.evaluate(xid79());
        engine.deliverDue();
        assertThat(pagerDuty.requests()).isEmpty();
        assertThat(engine.alerts().get(0).silencedBy()).containsExactly(silence.id());
        assertThat(engine.stats().silenced()).isEqualTo(1);
        clock.advance(Duration.ofMinutes(10));
        assertThat(engine.expireSilence(silence.id(), "bob")).hasValueSatisfying(
                s -> assertThat(s.status(clock.instant())).isEqualTo(Silence.Status.EXPIRED));
        assertThat(engine.expireSilence("no-such-id", "bob")).isEmpty();
        clock.advance(Duration.ofMinutes(1));
        engine.tick();
        engine.deliverDue();
        assertThat(events()).hasSize(1);
        assertThat(engine(store).silences()).as("kept for the next leader").singleElement()
                .satisfies(s -> assertThat(s.updatedBy()).isEqualTo("bob"));
        assertThatThrownBy(() -> engine.createSilence(new SilenceRequest(List.of(Matcher.parse("node=\"x\"")), null,
                clock.instant().minusSeconds(1), null, null, "late"), "alice"))
                .isInstanceOfSatisfying(InvalidValueException.class, e -> assertThat(e.field()).isEqualTo("endsAt"));
    }

    @Test
    void warningsGoToTheWebhookGroupedAfterGroupWait() throws Exception {
        AlertEngine engine = engine(store);
        Fleet hot = fleet(gpu(gpu(node("gpu-07", 8), 0, g -> readings(g, 90.0, 300.0,
                50.0)), 1, g -> readings(g, 91.0, 300.0, 50.0)));
        engine.evaluate(hot);
        clock.advance(Duration.ofMinutes(5));
        engine.evaluate(hot);
        engine.deliverDue();
        assertThat(webhook.requests()).as("the group waits 30 s").isEmpty();
        clock.advance(Duration.ofSeconds(30));
        engine.evaluate(hot);
        engine.deliverDue();
        assertThat(webhook.requests()).singleElement().satisfies(r -> {
            JsonNode body = Documents.json().readTree(r.body());
            assertThat(body.path("version").asText()).isEqualTo("4");
            assertThat(body.path("groupLabels").toString()).isEqualTo(
                    "{\"alertname\":\"GpuTemperatureHigh\",\"node\":\"gpu-07\"}");
            assertThat(body.path("alerts")).hasSize(2);
        });
    }

    @Test
    void alertsFromAlertmanagerPageAndVigilsOwnComingBackAreLeftOut() {
        AlertEngine engine = engine(store);
        engine.evaluate(xid79());
        engine.deliverDue();
        String own = engine.alerts().get(0).fingerprint();
        var ownLabels = engine.alerts().get(0).labels();
        AlertmanagerWebhook message = AlertmanagerWebhook.parse(("""
                {"version":"4","groupKey":"{}:{}","status":"firing","receiver":"vigil","alerts":[
                  {"status":"firing","labels":%s,"startsAt":"2026-11-22T02:59:00Z","endsAt":"0001-01-01T00:00:00Z"},
                  {"status":"firing","labels":{"alertname":"NodeDiskFull","instance":"login-1:9100","severity":"critical"},
                   "annotations":{"summary":"/ is 98%% full"},"startsAt":"2026-11-22T02:58:00Z",
                   "generatorURL":"http://prometheus:9090/graph?g0.expr=x"}]}
                """).formatted(Documents.json().valueToTree(ownLabels)).getBytes(StandardCharsets.UTF_8), "request body");
        assertThat(engine.receive(message)).isEqualTo(1);
        engine.deliverDue();
        assertThat(events()).extracting(e -> e.path("payload").path("summary").asText())
                .containsExactly(events().get(0).path("payload").path("summary").asText(), "/ is 98% full");
        assertThat(engine.alerts()).filteredOn(a -> a.fingerprint().equals(own)).singleElement()
                .satisfies(a -> assertThat(a.source()).isEqualTo("rule"));
        AlertmanagerWebhook resolved = AlertmanagerWebhook.parse("""
                {"version":"4","status":"resolved","alerts":[{"status":"resolved",
                  "labels":{"alertname":"NodeDiskFull","instance":"login-1:9100","severity":"critical"},
                  "startsAt":"2026-11-22T02:58:00Z","endsAt":"2026-11-22T03:01:00Z"}]}
                """.getBytes(StandardCharsets.UTF_8), "request body");
        assertThat(engine.receive(resolved)).isEqualTo(1);
        clock.advance(Duration.ofMinutes(1));
        engine.tick();
        engine.deliverDue();
        assertThat(events()).extracting(e -> e.path("event_action").asText()).containsExactly("trigger", "trigger",
                "resolve");
    }

    @Test
    void aRefusedPageIsKeptVisibleAndATemporaryFailureIsRetried() {
        pagerDuty.answer(RecordingServer.Answer.of(429), new RecordingServer.Answer(400,
                "{\"status\":\"invalid event\",\"errors\":[\"payload.summary is missing\"]}", null));
        AlertEngine engine = engine(store);
        engine.evaluate(xid79());
        engine.deliverDue();
        assertThat(engine.stats().notifiers()).filteredOn(n -> n.receiver().equals("oncall")).singleElement()
                .satisfies(n -> {
                    assertThat(n.retries()).isEqualTo(1);
                    assertThat(n.retrying()).isEqualTo(1);
                    assertThat(n.lastError()).startsWith("HTTP 429");
                });
        clock.advance(Duration.ofSeconds(1));
        engine.deliverDue();
        clock.advance(Duration.ofHours(1));
        engine.deliverDue();
        assertThat(pagerDuty.requests()).as("429 retried once, 400 not retried").hasSize(2);
        assertThat(engine.stats().notifiers()).filteredOn(n -> n.receiver().equals("oncall")).singleElement()
                .satisfies(n -> {
                    assertThat(n.failed()).isEqualTo(1);
                    assertThat(n.pending()).isZero();
                    assertThat(n.lastError()).contains("payload.summary is missing");
                });
        assertThat(engine.alerts().get(0).notifications()).singleElement().satisfies(n -> {
            assertThat(n.status()).isEqualTo(Delivery.Status.FAILED);
            assertThat(n.attempts()).isEqualTo(2);
        });
    }

    @Test
    void firingAlertsArePushedToAlertmanagerAndPushedAgainWhileFiring() {
        RecordingServer alertmanager = new RecordingServer(200);
        try {
            AlertsConfig base = config("");
            AlertsConfig withPush = new AlertsConfig(base.externalUrl(), base.receivers(), base.route(),
                    base.inhibitRules(), new AlertmanagerConfig(
                    List.of(alertmanager.url("")), Duration.ofMinutes(1)), base.rules());
            AlertEngine engine = new AlertEngine(withPush, store, clock);
            engine.evaluate(healthy());
            engine.deliverDue();
            assertThat(alertmanager.requests()).as("nothing to push").isEmpty();
            engine.evaluate(xid79());
            engine.deliverDue();
            clock.advance(Duration.ofSeconds(30));
            engine.tick();
            engine.deliverDue();
            assertThat(alertmanager.requests()).hasSize(1);
            clock.advance(Duration.ofSeconds(30));
            engine.tick();
            engine.deliverDue();
            assertThat(alertmanager.requests()).hasSize(2).allSatisfy(r -> {
                assertThat(r.path()).isEqualTo("/api/v2/alerts");
                JsonNode pushed = Documents.json().readTree(r.body());
                assertThat(pushed.get(0).path("labels").path("alertname").asText()).isEqualTo("GpuXidFatal");
                assertThat(Instant.parse(pushed.get(0).path("endsAt").asText())).isAfter(clock.instant());
            });
            assertThat(engine.stats().notifiers()).extracting(n -> n.receiver())
                    .contains("alertmanager:" + alertmanager.url(""));
        } finally {
            alertmanager.close();
        }
    }

    @Test
    void theNextDueTimeSaysWhenAPendingAlertMatures() {
        AlertEngine engine = engine(store);
        engine.evaluate(fleet(gpu(node("gpu-07", 8), 0, g -> readings(g, 90.0, 300.0,
                50.0))));
        assertThat(engine.alerts().get(0).state()).isEqualTo(AlertState.PENDING);
        assertThat(engine.nextDue()).isEqualTo(clock.instant().plus(Duration.ofMinutes(5)));
    }

    /** A store that passes every call on, for tests that make one of them fail. */
    private static class ForwardingStore implements AlertStore {
        private final AlertStore to;

        ForwardingStore(AlertStore to) {
            this.to = to;
        }

        @Override public Collection<Alert> alerts() { return to.alerts(); }
        @Override public void putAlert(Alert alert) { to.putAlert(alert); }
        @Override public void removeAlert(String fingerprint) { to.removeAlert(fingerprint); }
        @Override public Collection<GroupState> groups() { return to.groups(); }
        @Override public void putGroup(GroupState group) { to.putGroup(group); }
        @Override public void removeGroup(String key) { to.removeGroup(key); }
        @Override public Collection<Silence> silences() { return to.silences(); }
        @Override public void putSilence(Silence silence) { to.putSilence(silence); }
        @Override public void removeSilence(String id) { to.removeSilence(id); }
        @Override public Collection<Delivery> deliveries() { return to.deliveries(); }
        @Override public boolean addDelivery(Delivery delivery) { return to.addDelivery(delivery); }
        @Override public void putDelivery(Delivery delivery) { to.putDelivery(delivery); }
        @Override public void removeDelivery(String id) { to.removeDelivery(id); }
    }
}
