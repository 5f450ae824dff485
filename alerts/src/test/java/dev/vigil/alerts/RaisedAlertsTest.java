package dev.vigil.alerts;

import dev.vigil.alerts.fixtures.ManualClock;
import dev.vigil.alerts.inbound.AlertmanagerWebhook;
import dev.vigil.alerts.lifecycle.Alert;
import dev.vigil.alerts.lifecycle.AlertState;
import dev.vigil.alerts.store.MemoryAlertStore;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static dev.vigil.alerts.fixtures.Fleets.fleet;
import static dev.vigil.alerts.fixtures.Fleets.node;
import static org.assertj.core.api.Assertions.assertThat;

/** Alerts Vigil raises itself (a runbook's note or page): they fire at once, outlive evaluations, and clear on demand. */
class RaisedAlertsTest {
    private static final Instant T0 = Instant.parse("2026-12-06T03:00:00Z");
    private static final Map<String, String> PAGE = Map.of("alertname", "RunbookPage", "severity", "critical",
            "run", "run-7", "node", "gpu-07");

    private final ManualClock clock = new ManualClock(T0);
    private final AlertEngine engine = new AlertEngine(AlertsConfig.parse("""
            receivers: [{name: log, log: {}}]
            route: {receiver: log, groupBy: [alertname, node], groupWait: 0s}
            rules:
              - alert: GpuHot
                when: {gpuTemperature: {above: 85}}
            """, "test"), new MemoryAlertStore(), clock);

    private List<AlertView> raised() {
        return engine.alerts().stream().filter(a -> a.source().equals(Alert.RAISED)).toList();
    }

    @Test
    void aRaisedAlertFiresAtOnceOnceAndStaysThroughEvaluationsUntilCleared() {
        engine.raise(PAGE, Map.of("summary", "rma: gpu-07 GPU 2 to the vendor"));
        assertThat(raised()).singleElement().satisfies(alert -> assertThat(alert.notifications())
                .as("told through the route's receiver at once").extracting(AlertView.Notified::receiver)
                .containsExactly("log"));
        clock.advance(Duration.ofSeconds(5));
        engine.raise(PAGE, Map.of("summary", "again"));
        engine.evaluate(fleet(node("gpu-07", 4)));

        assertThat(raised()).singleElement().satisfies(alert -> {
            assertThat(alert.state()).isEqualTo(AlertState.FIRING);
            assertThat(alert.firedAt()).isEqualTo(T0);

            assertThat(alert.annotations()).containsEntry("summary", "rma: gpu-07 GPU 2 to the vendor");
            assertThat(alert.labels()).containsAllEntriesOf(PAGE);
        });

        assertThat(engine.clear(Map.of("run", "run-8"))).isZero();
        assertThat(engine.clear(Map.of("alertname", "RunbookPage", "node", "gpu-07"))).isEqualTo(1);
        assertThat(raised()).singleElement().satisfies(alert -> {
            assertThat(alert.state()).isEqualTo(AlertState.RESOLVED);
            assertThat(alert.resolvedAt()).isEqualTo(T0.plusSeconds(5));
        });
        assertThat(engine.clear(PAGE)).as("a resolved one is not resolved again").isZero();
    }

    @Test
    void alertmanagerSendingARaisedAlertBackDoesNotTakeItOver() {
        engine.raise(PAGE, Map.of());
        String body = """
                {"version":"4","status":"resolved","alerts":[{"status":"resolved",
                  "labels":{"alertname":"RunbookPage","severity":"critical","run":"run-7","node":"gpu-07"}}]}""";

        int taken = engine.receive(AlertmanagerWebhook.parse(body.getBytes(StandardCharsets.UTF_8), "request body"));

        assertThat(taken).isZero();
        assertThat(raised()).singleElement().satisfies(alert -> assertThat(alert.state()).isEqualTo(AlertState.FIRING));
    }
}
