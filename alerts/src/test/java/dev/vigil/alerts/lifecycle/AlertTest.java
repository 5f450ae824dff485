package dev.vigil.alerts.lifecycle;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** Which changes to an alert are worth a write to the store. */
class AlertTest {
    private static final Instant T0 = Instant.parse("2026-11-22T03:00:00Z");
    private static final Duration REFRESH = Duration.ofSeconds(30);
    private static final TreeMap<String, String> LABELS = new TreeMap<>(Map.of("alertname", "Hot", "gpu", "0"));
    private static final Alert STORED = alert(LABELS, Map.of("summary", "90 C"), 90, AlertState.FIRING, T0, T0);

    private static Alert alert(TreeMap<String, String> labels, Map<String, String> annotations, double value,
                               AlertState state, Instant activeAt, Instant lastTrueAt) {
        return new Alert(Fingerprint.of(labels), labels, annotations, value, state, Alert.RULE, activeAt, activeAt,
                lastTrueAt, null, null);
    }

    @Test
    void theSameAlertIsNotWrittenAgain() {
        assertThat(STORED.worthStoring(STORED, REFRESH)).isFalse();
    }

    @Test
    void aNewStateLabelsOrCycleAreWrittenAtOnce() {
        assertThat(STORED.worthStoring(STORED.resolvedAt(T0.plusSeconds(1)), REFRESH)).isTrue();
        TreeMap<String, String> other = new TreeMap<>(LABELS);
        other.put("gpu", "1");
        assertThat(STORED.worthStoring(alert(other, STORED.annotations(), 90, AlertState.FIRING, T0, T0), REFRESH))
                .isTrue();
        assertThat(STORED.worthStoring(alert(LABELS, STORED.annotations(), 90, AlertState.FIRING, T0.plusSeconds(1),
                T0), REFRESH)).isTrue();
    }

    @Test
    void newReadingsAreWrittenOnlyOnceTheRefreshIntervalPassed() {
        assertThat(STORED.worthStoring(alert(LABELS, STORED.annotations(), 91, AlertState.FIRING, T0,
                T0.plusSeconds(29)), REFRESH)).isFalse();
        assertThat(STORED.worthStoring(alert(LABELS, STORED.annotations(), 91, AlertState.FIRING, T0,
                T0.plusSeconds(30)), REFRESH)).isTrue();
        assertThat(STORED.worthStoring(alert(LABELS, Map.of("summary", "91 C"), 90, AlertState.FIRING, T0,
                T0.plusSeconds(30)), REFRESH)).as("new facts").isTrue();
        assertThat(STORED.worthStoring(alert(LABELS, STORED.annotations(), 90, AlertState.FIRING, T0,
                T0.plusSeconds(30)), REFRESH)).as("only seen holding later").isTrue();
        assertThat(STORED.worthStoring(alert(LABELS, STORED.annotations(), 90, AlertState.FIRING, T0,
                T0.plusSeconds(10)), REFRESH)).isFalse();
    }

    @Test
    void withoutATimeToCompareChangedContentIsWritten() {
        Alert neverHeld = alert(LABELS, STORED.annotations(), 90, AlertState.FIRING, T0, null);
        assertThat(neverHeld.worthStoring(alert(LABELS, STORED.annotations(), 91, AlertState.FIRING, T0, null), REFRESH))
                .isTrue();
        assertThat(neverHeld.worthStoring(alert(LABELS, STORED.annotations(), 90, AlertState.FIRING, T0, null), REFRESH))
                .isFalse();
        assertThat(STORED.worthStoring(alert(LABELS, STORED.annotations(), 91, AlertState.FIRING, T0, null), REFRESH))
                .isTrue();
        assertThat(neverHeld.worthStoring(alert(LABELS, STORED.annotations(), 91, AlertState.FIRING, T0,
                T0.plusSeconds(10)), REFRESH)).isTrue();
    }
}
