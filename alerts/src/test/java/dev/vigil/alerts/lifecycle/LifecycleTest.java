package dev.vigil.alerts.lifecycle;

import dev.vigil.alerts.rules.AlertSeverity;
import dev.vigil.alerts.rules.Condition;
import dev.vigil.alerts.rules.Finding;
import dev.vigil.alerts.rules.Rule;
import dev.vigil.alerts.rules.When;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class LifecycleTest {
    private static final Instant T0 = Instant.parse("2026-11-22T03:00:00Z");
    private static final Rule RULE = new Rule("Hot", When.of(new Condition.GpuTemperature(85.0)), null, null,
            AlertSeverity.WARNING, null, null, null);

    private static Finding finding(double value) {
        return new Finding(RULE, new TreeMap<>(Map.of("alertname", "Hot", "node", "n1", "gpu", "0",
                "severity", "warning")), Map.of(), value);
    }

    private static Instant at(int seconds) {
        return T0.plusSeconds(seconds);
    }

    @Test
    void pendingForItsForThenFiringThenResolvedWhenTheConditionClears() {
        Duration pendingFor = Duration.ofSeconds(60);
        Alert a = Lifecycle.step(null, finding(90), pendingFor, Duration.ZERO, at(0));
        assertThat(a.state()).isEqualTo(AlertState.PENDING);
        a = Lifecycle.step(a, finding(91), pendingFor, Duration.ZERO, at(59));
        assertThat(a.state()).isEqualTo(AlertState.PENDING);
        a = Lifecycle.step(a, finding(92), pendingFor, Duration.ZERO, at(60));
        assertThat(a.state()).isEqualTo(AlertState.FIRING);
        assertThat(a.activeAt()).isEqualTo(at(0));
        assertThat(a.firedAt()).isEqualTo(at(60));
        assertThat(a.value()).isEqualTo(92);
        a = Lifecycle.step(a, null, pendingFor, Duration.ZERO, at(70));
        assertThat(a.state()).isEqualTo(AlertState.RESOLVED);
        assertThat(a.resolvedAt()).isEqualTo(at(70));
    }

    @Test
    void aPendingAlertWhoseConditionClearsIsDroppedNeverFired() {
        Alert a = Lifecycle.step(null, finding(90), Duration.ofSeconds(60), Duration.ZERO, at(0));
        assertThat(Lifecycle.step(a, null, Duration.ofSeconds(60), Duration.ZERO, at(30))).isNull();
    }

    @Test
    void forZeroFiresAtOnce() {
        Alert a = Lifecycle.step(null, finding(90), Duration.ZERO, Duration.ZERO, at(0));
        assertThat(a.state()).isEqualTo(AlertState.FIRING);
        assertThat(a.firedAt()).isEqualTo(at(0));
    }

    @Test
    void keepFiringForHoldsAFiringAlertAfterItsConditionClears() {
        Duration keep = Duration.ofSeconds(120);
        Alert a = Lifecycle.step(null, finding(90), Duration.ZERO, keep, at(0));
        a = Lifecycle.step(a, null, Duration.ZERO, keep, at(60));
        assertThat(a.state()).isEqualTo(AlertState.FIRING);
        a = Lifecycle.step(a, null, Duration.ZERO, keep, at(119));
        assertThat(a.state()).isEqualTo(AlertState.FIRING);
        a = Lifecycle.step(a, null, Duration.ZERO, keep, at(120));
        assertThat(a.state()).isEqualTo(AlertState.RESOLVED);
    }

    @Test
    void aResolvedAlertThatHoldsAgainStartsANewCycleWithTheSameFingerprint() {
        Alert a = Lifecycle.step(null, finding(90), Duration.ZERO, Duration.ZERO, at(0));
        a = Lifecycle.step(a, null, Duration.ZERO, Duration.ZERO, at(10));
        Alert again = Lifecycle.step(a, finding(95), Duration.ZERO, Duration.ZERO, at(20));
        assertThat(again.state()).isEqualTo(AlertState.FIRING);
        assertThat(again.fingerprint()).isEqualTo(a.fingerprint());
        assertThat(again.activeAt()).isEqualTo(at(20));
    }

    @Test
    void theFingerprintIsAFunctionOfTheLabelsAlone() {
        TreeMap<String, String> one = new TreeMap<>(Map.of("alertname", "Hot", "node", "n1", "gpu", "0"));
        TreeMap<String, String> same = new TreeMap<>(Map.of("gpu", "0", "node", "n1", "alertname", "Hot"));
        assertThat(Fingerprint.of(one)).isEqualTo(Fingerprint.of(same)).hasSize(16).matches("[0-9a-f]{16}");
        assertThat(Fingerprint.of(new TreeMap<>(Map.of("alertname", "Hot", "node", "n1", "gpu", "1"))))
                .isNotEqualTo(Fingerprint.of(one));
        // a=bc and ab=c must differ.
        assertThat(Fingerprint.of(new TreeMap<>(Map.of("a", "bc")))).isNotEqualTo(Fingerprint.of(new TreeMap<>(Map.of("ab", "c"))));
        // Pinned: changing the function would re-page every open incident after an upgrade.
        assertThat(Fingerprint.of(one)).isEqualTo("77b45230c1b61363");
    }
}
