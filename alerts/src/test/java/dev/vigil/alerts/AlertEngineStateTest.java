package dev.vigil.alerts;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.alerts.fixtures.ManualClock;
import dev.vigil.alerts.fixtures.RecordingServer;
import dev.vigil.alerts.fleet.Fleet;
import dev.vigil.alerts.fleet.FleetNode;
import dev.vigil.alerts.inbound.AlertmanagerWebhook;
import dev.vigil.alerts.lifecycle.AlertState;
import dev.vigil.alerts.notify.AlertmanagerConfig;
import dev.vigil.alerts.notify.Delivery;
import dev.vigil.alerts.notify.NotifierStatus;
import dev.vigil.alerts.store.MemoryAlertStore;
import dev.vigil.alerts.suppression.Matcher;
import dev.vigil.alerts.suppression.Silence;
import dev.vigil.alerts.suppression.SilenceRequest;
import dev.vigil.api.binding.Documents;
import dev.vigil.api.binding.InvalidValueException;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static dev.vigil.alerts.fixtures.Fleets.fleet;
import static dev.vigil.alerts.fixtures.Fleets.gpu;
import static dev.vigil.alerts.fixtures.Fleets.node;
import static dev.vigil.alerts.fixtures.Fleets.readings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/**
 * What the engine keeps, shows and counts: how long resolved alerts and expired silences stay,
 * what a pending alert leaves behind, keepFiringFor, the views' order, the stats, silences'
 * defaults and checks, the push to Alertmanager and alerts that come in from it.
 */
class AlertEngineStateTest {
    private static final Instant T0 = Instant.parse("2026-11-22T03:00:00Z");
    private final ManualClock clock = new ManualClock(T0);
    private final MemoryAlertStore store = new MemoryAlertStore();

    /**
     * GpuHot fires at once and keeps firing 2 minutes after it cleared, GpuWarm fires after 5
     * minutes, GpuPowerSpike fires and resolves at once; every alert its own group, told at once.
     */
    private static AlertsConfig config(Duration groupInterval) {
        return AlertsConfig.parse("""
                receivers:
                  - {name: log, log: {}}
                  - {name: hook, webhook: {url: "http://127.0.0.1:9/hook"}}
                  - {name: pager, pagerduty: {routingKey: 0123456789abcdef0123456789abcdef, url: "http://127.0.0.1:9/x"}}
                route:
                  receiver: log
                  groupBy: [alertname, node, gpu]
                  groupWait: 0s
                  groupInterval: %ds
                rules:
                  - alert: GpuHot
                    when: {gpuTemperature: {above: 85}}
                    keepFiringFor: 2m
                    annotations: {summary: "hot"}
                  - alert: GpuWarm
                    when: {gpuTemperature: {above: 60}}
                    for: 5m
                    annotations: {summary: "warm"}
                  - alert: GpuPowerSpike
                    when: {gpuPower: {above: 500}}
                    annotations: {summary: "spike"}
                """.formatted(groupInterval.toSeconds()), "test");
    }

    private AlertEngine engine(Duration groupInterval) {
        return new AlertEngine(config(groupInterval), store, clock);
    }

    /** gpu-07 with these GPU temperatures, the rest of its 4 GPUs at 40 C. */
    private static Fleet temperatures(double... celsius) {
        FleetNode node = node("gpu-07", 4);
        for (int i = 0; i < celsius.length; i++) {
            double t = celsius[i];
            node = gpu(node, i, g -> readings(g, t, 100.0, 0.0));
        }
        return fleet(node);
    }

    /** gpu-07 with GPU 0 drawing {@code watts} at 40 C. */
    private static Fleet power(double watts) {
        return fleet(gpu(node("gpu-07", 4), 0, g -> readings(g, 40.0, watts, 0.0)));
    }

    private static AlertView view(AlertEngine engine, String name) {
        return engine.alerts().stream().filter(a -> a.name().equals(name)).findFirst().orElse(null);
    }

    @Test
    void keepFiringForHoldsAFiringAlertAfterItsConditionClearsAndNextDueSaysUntilWhen() {
        AlertEngine engine = engine(Duration.ofMinutes(30));
        engine.evaluate(temperatures(90));
        assertThat(view(engine, "GpuHot").state()).isEqualTo(AlertState.FIRING);
        assertThat(view(engine, "GpuWarm").state()).isEqualTo(AlertState.PENDING);
        assertThat(engine.nextDue()).as("GpuHot's keepFiringFor ends before GpuWarm matures")
                .isEqualTo(T0.plus(Duration.ofMinutes(2)));
        clock.advance(Duration.ofSeconds(10));
        engine.evaluate(temperatures(40));
        assertThat(view(engine, "GpuHot").state()).as("kept firing for 2 minutes").isEqualTo(AlertState.FIRING);
        assertThat(engine.nextDue()).as("2 minutes after the condition last held").isEqualTo(T0.plus(Duration.ofMinutes(2)));
        clock.advance(Duration.ofSeconds(109));
        engine.tick();
        assertThat(view(engine, "GpuHot").state()).isEqualTo(AlertState.FIRING);
        clock.advance(Duration.ofSeconds(1));
        engine.tick();
        assertThat(view(engine, "GpuHot").state()).isEqualTo(AlertState.RESOLVED);
    }

    @Test
    void aFiringAlertWithoutKeepFiringForIsDueOnlyAtItsGroupsNextLook() {
        AlertEngine engine = engine(Duration.ofMinutes(30));
        engine.evaluate(power(600));
        clock.advance(Duration.ofSeconds(10));
        engine.evaluate(power(600));
        assertThat(view(engine, "GpuPowerSpike").state()).isEqualTo(AlertState.FIRING);
        assertThat(engine.nextDue()).isEqualTo(T0.plus(Duration.ofMinutes(30)));
    }

    @Test
    void aPendingAlertWhoseConditionClearsLeavesNothingBehind() {
        AlertEngine engine = engine(Duration.ofMinutes(1));
        engine.evaluate(temperatures(70));
        assertThat(store.alerts()).as("stored from the first evaluation").singleElement()
                .satisfies(a -> assertThat(a.state()).isEqualTo(AlertState.PENDING));
        clock.advance(Duration.ofMinutes(1));
        engine.evaluate(temperatures(40));
        assertThat(engine.alerts()).isEmpty();
        assertThat(store.alerts()).isEmpty();
        assertThat(engine.nextDue()).isNull();
    }

    @Test
    void aResolvedAlertIsKeptFifteenMinutesThenForgottenWithItsGroup() {
        AlertEngine engine = engine(Duration.ofMinutes(1));
        engine.evaluate(power(600));
        assertThat(engine.groups()).hasSize(1);
        clock.advance(Duration.ofSeconds(30));
        engine.evaluate(power(100));
        Instant resolvedAt = clock.instant();
        assertThat(view(engine, "GpuPowerSpike").resolvedAt()).isEqualTo(resolvedAt);
        clock.advance(Duration.ofMinutes(1));
        engine.tick();
        clock.advance(AlertEngine.RESOLVED_RETENTION.minusMinutes(1).minusSeconds(1));
        engine.tick();
        assertThat(view(engine, "GpuPowerSpike")).as("just under 15 minutes").isNotNull();
        clock.advance(Duration.ofSeconds(1));
        engine.tick();
        assertThat(view(engine, "GpuPowerSpike")).isNull();
        assertThat(store.alerts()).extracting(a -> a.name()).doesNotContain("GpuPowerSpike");
        assertThat(engine.groups()).extracting(g -> g.labels().get("alertname")).doesNotContain("GpuPowerSpike");
    }

    @Test
    void aResolvedAlertWhoseResolutionIsNotToldYetIsKeptUntilItIs() {
        AlertEngine engine = engine(Duration.ofMinutes(30));
        engine.evaluate(power(600));
        clock.advance(Duration.ofSeconds(30));
        engine.evaluate(temperatures(40));
        clock.advance(AlertEngine.RESOLVED_RETENTION.plusMinutes(1));
        engine.tick();
        assertThat(view(engine, "GpuPowerSpike")).as("its group tells the resolution at 30 minutes").isNotNull();
        clock.advance(Duration.ofMinutes(30));
        engine.tick();
        clock.advance(Duration.ofSeconds(1));
        engine.tick();
        assertThat(view(engine, "GpuPowerSpike")).isNull();
    }

    @Test
    void anExpiredSilenceIsKeptFiveDaysThenDropped() {
        AlertEngine engine = engine(Duration.ofMinutes(1));
        Silence silence = engine.createSilence(new SilenceRequest(List.of(Matcher.parse("node=\"gpu-07\"")), null, null,
                Duration.ofHours(1), null, "maintenance"), "alice");
        assertThat(new AlertEngine(config(Duration.ofMinutes(1)), store, clock).silences())
                .as("stored for the next leader").extracting(Silence::id).containsExactly(silence.id());
        clock.advance(Duration.ofMinutes(10));
        Silence expired = engine.expireSilence(silence.id(), "bob").orElseThrow();
        clock.advance(Duration.ofMinutes(1));
        assertThat(engine.expireSilence(silence.id(), "carol")).as("expiring it again changes nothing")
                .hasValue(expired);
        clock.advance(AlertEngine.EXPIRED_SILENCE_RETENTION.minusMinutes(1).minusSeconds(1));
        engine.tick();
        assertThat(engine.silences()).hasSize(1);
        clock.advance(Duration.ofSeconds(1));
        engine.tick();
        assertThat(engine.silences()).isEmpty();
        assertThat(store.silences()).isEmpty();
    }

    @Test
    void aSilenceMustEndInTheFutureAndNamesWhoMadeIt() {
        AlertEngine engine = engine(Duration.ofMinutes(1));
        List<Matcher> node = List.of(Matcher.parse("node=\"gpu-07\""));
        assertThatThrownBy(() -> engine.createSilence(new SilenceRequest(node, T0.minusSeconds(60),
                T0.minusSeconds(1), null, null, "too late"), "alice"))
                .isInstanceOfSatisfying(InvalidValueException.class, e -> assertThat(e.field()).isEqualTo("endsAt"));
        assertThat(engine.createSilence(new SilenceRequest(node, null, null, Duration.ofHours(1), "carol", "x"), "alice")
                .createdBy()).isEqualTo("carol");
        assertThat(engine.createSilence(new SilenceRequest(node, null, null, Duration.ofHours(1), null, "x"), "alice")
                .createdBy()).as("the caller by default").isEqualTo("alice");
        assertThatThrownBy(() -> engine.createSilence(new SilenceRequest(node, null, null, Duration.ofHours(1), null,
                "x"), null))
                .isInstanceOfSatisfying(InvalidValueException.class, e -> assertThat(e.field()).isEqualTo("createdBy"));
        assertThat(store.silences()).hasSize(2);
    }

    @Test
    void silencesAreListedNewestFirstAndOnlyActiveOnesCount() {
        AlertEngine engine = engine(Duration.ofMinutes(1));
        List<Matcher> node = List.of(Matcher.parse("node=\"gpu-07\""));
        Silence now = engine.createSilence(new SilenceRequest(node, null, null, Duration.ofHours(1), null, "a"), "x");
        Silence later = engine.createSilence(new SilenceRequest(node, T0.plusSeconds(3600), null, Duration.ofHours(1),
                null, "b"), "x");
        Silence earlier = engine.createSilence(new SilenceRequest(node, T0.minusSeconds(3600), null, Duration.ofHours(2),
                null, "c"), "x");
        Silence gone = engine.createSilence(new SilenceRequest(node, T0.minusSeconds(60), null, Duration.ofHours(2),
                null, "d"), "x");
        engine.expireSilence(gone.id(), "x");
        assertThat(engine.silences()).extracting(Silence::id)
                .containsExactly(later.id(), now.id(), gone.id(), earlier.id());
        assertThat(engine.stats().activeSilences()).isEqualTo(2);
    }

    @Test
    void alertsAreShownFiringThenPendingThenResolvedEachByNameAndLabelsAndCounted() {
        AlertEngine engine = engine(Duration.ofMinutes(1));
        engine.evaluate(temperatures(90, 70));
        clock.advance(Duration.ofMinutes(2));
        engine.evaluate(temperatures(40, 90, 70, 70));
        assertThat(engine.alerts()).extracting(AlertView::name, AlertView::state, v -> v.labels().get("gpu"))
                .containsExactly(
                        tuple("GpuHot", AlertState.FIRING, "1"),
                        tuple("GpuWarm", AlertState.PENDING, "1"),
                        tuple("GpuWarm", AlertState.PENDING, "2"),
                        tuple("GpuWarm", AlertState.PENDING, "3"),
                        tuple("GpuHot", AlertState.RESOLVED, "0"));
        assertThat(engine.stats().alerts()).isEqualTo(Map.of(AlertState.PENDING, 3, AlertState.FIRING, 1,
                AlertState.RESOLVED, 1));
    }

    @Test
    void anAlertsNotificationsShowWhenAPendingOneIsTriedNext() {
        AlertEngine engine = engine(Duration.ofMinutes(1));
        engine.evaluate(temperatures(90));
        assertThat(view(engine, "GpuHot").notifications()).singleElement().satisfies(n -> {
            assertThat(n.status()).isEqualTo(Delivery.Status.PENDING);
            assertThat(n.nextAttemptAt()).isEqualTo(T0);
        });
        engine.deliverDue();
        assertThat(view(engine, "GpuHot").notifications()).singleElement().satisfies(n -> {
            assertThat(n.status()).isEqualTo(Delivery.Status.SENT);
            assertThat(n.nextAttemptAt()).isNull();
        });
    }

    @Test
    void everyReceiverShowsInTheStatsBeforeItWasToldAnything() {
        AlertEngine engine = engine(Duration.ofMinutes(1));
        assertThat(engine.stats().notifiers()).extracting(NotifierStatus::receiver, NotifierStatus::kind)
                .containsExactly(tuple("hook", "webhook"), tuple("log", "log"), tuple("pager", "pagerduty"));
    }

    @Test
    void theLogNamesAnAlertsLabelsBesidesItsNameAndSeverity() {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(AlertEngine.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        try {
            AlertEngine engine = engine(Duration.ofMinutes(1));
            engine.evaluate(power(600));
            String expected = view(engine, "GpuPowerSpike").labels().entrySet().stream()
                    .filter(l -> !l.getKey().equals("alertname") && !l.getKey().equals("severity"))
                    .map(l -> l.getKey() + "=" + l.getValue()).collect(Collectors.joining(","));
            assertThat(expected).contains("node=gpu-07").contains("gpu=0");
            assertThat(lines.list).filteredOn(e -> e.getMessage().equals("alert_firing"))
                    .filteredOn(e -> keyValue(e, "alertname").equals("GpuPowerSpike")).singleElement()
                    .satisfies(e -> {
                        assertThat(keyValue(e, "labels")).isEqualTo(expected);
                        assertThat(keyValue(e, "severity")).isEqualTo("warning");
                    });
        } finally {
            logger.detachAppender(lines);
        }
    }

    private static String keyValue(ILoggingEvent event, String key) {
        return event.getKeyValuePairs().stream().filter(kv -> kv.key.equals(key)).map(kv -> String.valueOf(kv.value))
                .findFirst().orElse("");
    }

    @Test
    void onlyFiringAndResolvedAlertsArePushedAndAResolutionIsPushedAtOnce() throws Exception {
        RecordingServer alertmanager = new RecordingServer(200);
        try {
            AlertsConfig base = config(Duration.ofMinutes(30));
            AlertEngine engine = new AlertEngine(new AlertsConfig(base.externalUrl(), base.receivers(), base.route(),
                    base.inhibitRules(), new AlertmanagerConfig(List.of(alertmanager.url("")), Duration.ofMinutes(1)),
                    base.rules()), store, clock);
            engine.evaluate(temperatures(70));
            engine.deliverDue();
            assertThat(alertmanager.requests()).as("a pending alert is not Alertmanager's business").isEmpty();
            assertThat(engine.nextDue()).isEqualTo(T0.plus(Duration.ofMinutes(5)));

            clock.advance(Duration.ofSeconds(10));
            engine.evaluate(power(600));
            engine.deliverDue();
            clock.advance(Duration.ofSeconds(10));
            engine.evaluate(temperatures(40));
            engine.deliverDue();
            assertThat(alertmanager.requests()).as("the resolution does not wait for the resend interval").hasSize(2);
            JsonNode second = Documents.json().readTree(alertmanager.requests().get(1).body());
            assertThat(second).filteredOn(a -> a.path("labels").path("alertname").asText().equals("GpuPowerSpike"))
                    .singleElement().satisfies(a -> assertThat(Instant.parse(a.path("endsAt").asText()))
                            .isEqualTo(clock.instant()));
            assertThat(engine.nextDue()).as("the next resend").isEqualTo(clock.instant().plus(Duration.ofMinutes(1)));
        } finally {
            alertmanager.close();
        }
    }

    @Test
    void anAlertFromAlertmanagerStartsWhenItSaysOrNowAndKeepsItsStartWhileItFires() {
        AlertEngine engine = engine(Duration.ofMinutes(1));
        assertThat(engine.receive(webhook(null))).isEqualTo(1);
        assertThat(view(engine, "NodeDiskFull")).satisfies(a -> {
            assertThat(a.activeAt()).as("no startsAt: now").isEqualTo(T0);
            assertThat(a.firedAt()).isEqualTo(T0);
            assertThat(a.source()).isEqualTo("alertmanager");
        });
        clock.advance(Duration.ofMinutes(1));
        assertThat(engine.receive(webhook("2026-11-22T02:00:00Z"))).isEqualTo(1);
        assertThat(view(engine, "NodeDiskFull")).satisfies(a -> {
            assertThat(a.activeAt()).as("still the same firing").isEqualTo(T0);
            assertThat(a.firedAt()).isEqualTo(T0);
        });
    }

    private static AlertmanagerWebhook webhook(String startsAt) {
        String starts = startsAt == null ? "" : ",\"startsAt\":\"" + startsAt + "\"";
        return AlertmanagerWebhook.parse(("""
                {"version":"4","status":"firing","alerts":[{"status":"firing",
                  "labels":{"alertname":"NodeDiskFull","instance":"login-1:9100"}%s}]}
                """).formatted(starts).getBytes(StandardCharsets.UTF_8), "request body");
    }

    @Test
    void closingStopsTheBackgroundSender() {
        AlertEngine engine = engine(Duration.ofMinutes(1));
        long before = dispatcherThreads();
        engine.start();
        assertThat(dispatcherThreads()).isEqualTo(before + 1);
        engine.close();
        assertThat(dispatcherThreads()).isEqualTo(before);
    }

    private static long dispatcherThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("vigil-alert-dispatcher") && t.isAlive()).count();
    }

    @Test
    void aChangeOfStateIsWrittenAtOnceButNewReadingsOnlyEveryRefresh() {
        AlertEngine engine = engine(Duration.ofMinutes(1));
        engine.evaluate(temperatures(70));
        clock.advance(Duration.ofSeconds(10));
        engine.evaluate(temperatures(75));
        assertThat(store.alerts()).singleElement().as("a reading 10 s newer is not worth a write")
                .satisfies(a -> assertThat(a.value()).isEqualTo(70.0));
        clock.advance(Duration.ofMinutes(5));
        engine.evaluate(temperatures(75));
        assertThat(store.alerts()).singleElement().satisfies(a -> {
            assertThat(a.state()).isEqualTo(AlertState.FIRING);
            assertThat(a.value()).isEqualTo(75.0);
        });
    }

    @Test
    void anotherAlertFiringIsPushedAtOnceAndEveryPushTargetShowsInTheStats() {
        RecordingServer alertmanager = new RecordingServer(200);
        try {
            AlertsConfig base = config(Duration.ofMinutes(30));
            AlertEngine engine = new AlertEngine(new AlertsConfig(base.externalUrl(), base.receivers(), base.route(),
                    base.inhibitRules(), new AlertmanagerConfig(List.of(alertmanager.url("")), Duration.ofMinutes(5)),
                    base.rules()), store, clock);
            assertThat(engine.stats().notifiers()).extracting(NotifierStatus::receiver, NotifierStatus::kind)
                    .contains(tuple("alertmanager:" + alertmanager.url(""), "alertmanager"));
            engine.evaluate(power(600));
            engine.deliverDue();
            clock.advance(Duration.ofSeconds(10));
            engine.evaluate(fleet(gpu(gpu(node("gpu-07", 4), 0, g -> readings(g, 40.0, 600.0, 0.0)), 1,
                    g -> readings(g, 40.0, 650.0, 0.0))));
            engine.deliverDue();
            assertThat(alertmanager.requests()).as("not 5 minutes later").hasSize(2);
        } finally {
            alertmanager.close();
        }
    }

    @Test
    void sentNotificationsAreDroppedAfterAnHour() {
        AlertEngine engine = engine(Duration.ofMinutes(30));
        engine.evaluate(power(600));
        engine.deliverDue();
        assertThat(view(engine, "GpuPowerSpike").notifications()).hasSize(1);
        clock.advance(Duration.ofHours(1));
        engine.evaluate(power(600));
        assertThat(view(engine, "GpuPowerSpike").notifications()).isEmpty();
        assertThat(store.deliveries()).isEmpty();
    }

    @Test
    void alertsOfOneStateAndNameAreShownInTheOrderOfTheirLabels() {
        AlertEngine engine = engine(Duration.ofMinutes(1));
        engine.evaluate(fleet(temperatures(70, 70, 70, 70).nodes().get(0),
                gpu(node("gpu-06", 4), 2, g -> readings(g, 70.0, 100.0, 0.0))));
        assertThat(engine.alerts()).extracting(v -> v.labels().get("node") + "/" + v.labels().get("gpu"))
                .as("gpu sorts before node among the labels")
                .containsExactly("gpu-07/0", "gpu-07/1", "gpu-06/2", "gpu-07/2", "gpu-07/3");
    }

    @Test
    void onlySilencesInForceCountAsActive() {
        AlertEngine engine = engine(Duration.ofMinutes(1));
        List<Matcher> node = List.of(Matcher.parse("node=\"gpu-07\""));
        engine.createSilence(new SilenceRequest(node, null, null, Duration.ofHours(1), null, "now"), "x");
        engine.createSilence(new SilenceRequest(node, T0.plusSeconds(60), null, Duration.ofHours(1), null, "a"), "x");
        engine.createSilence(new SilenceRequest(node, T0.plusSeconds(120), null, Duration.ofHours(1), null, "b"), "x");
        assertThat(engine.stats().activeSilences()).isEqualTo(1);
    }

    @Test
    void manySilencesAreListedNewestFirstWhateverTheirRandomIds() {
        // Ids are random, so the order they are kept in is too: with few silences it may be the
        // newest-first order by chance (4 silences: one run in 24).
        AlertEngine engine = engine(Duration.ofMinutes(1));
        List<Matcher> node = List.of(Matcher.parse("node=\"gpu-07\""));
        List<String> newestFirst = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            newestFirst.add(0, engine.createSilence(new SilenceRequest(node, T0.plusSeconds(60L * i), null,
                    Duration.ofHours(1), null, "s" + i), "x").id());
        }
        assertThat(engine.silences()).extracting(Silence::id).containsExactlyElementsOf(newestFirst);
    }
}
