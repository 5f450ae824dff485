package dev.vigil.alerts.notify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.alerts.lifecycle.Alert;
import dev.vigil.alerts.lifecycle.AlertState;
import dev.vigil.alerts.lifecycle.Fingerprint;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class AlertmanagerPushTest {
    private static final Instant T0 = Instant.parse("2026-11-22T03:00:00Z");

    @Test
    void aPushCarriesFiringAndResolvedAlertsButNotPendingOnes() {
        Alert firing = alert("Hot", AlertState.FIRING, null);
        Alert pending = alert("Warm", AlertState.PENDING, null);
        Alert resolved = alert("Gone", AlertState.FIRING, null).resolvedAt(T0);
        Delivery push = push().plan(List.of(firing, pending, resolved), T0);
        assertThat(push.body()).extracting(a -> a.path("labels").path("alertname").asText())
                .containsExactly("Hot", "Gone");
        assertThat(push.fingerprints()).containsExactly(firing.fingerprint(), resolved.fingerprint());
    }

    @Test
    void anAlertFromAlertmanagerKeepsItsOwnSource() {
        Alert relayed = alert("FromPrometheus", AlertState.FIRING, "http://prometheus:9090/graph?g0.expr=up");
        JsonNode entry = push().plan(List.of(relayed), T0).body().get(0);
        assertThat(entry.path("generatorURL").asText()).isEqualTo("http://prometheus:9090/graph?g0.expr=up");
    }

    private static AlertmanagerPush push() {
        return new AlertmanagerPush(URI.create("http://127.0.0.1:1"), Duration.ofMinutes(1), "https://vigil.example.com");
    }

    private static Alert alert(String name, AlertState state, String generatorUrl) {
        TreeMap<String, String> labels = new TreeMap<>(Map.of("alertname", name));
        return new Alert(Fingerprint.of(labels), labels, Map.of(), 1, state,
                generatorUrl == null ? Alert.RULE : Alert.ALERTMANAGER, T0, state == AlertState.FIRING ? T0 : null, T0,
                null, generatorUrl);
    }
}
