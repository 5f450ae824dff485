package dev.vigil.alerts.inbound;

import dev.vigil.api.binding.InvalidDocumentException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AlertmanagerWebhookTest {
    private static AlertmanagerWebhook parse(String json) {
        return AlertmanagerWebhook.parse(json.getBytes(StandardCharsets.UTF_8), "request body");
    }

    @Test
    void readsAlertmanagersBodyIgnoringKeysNewerVersionsAdd() {
        AlertmanagerWebhook message = parse("""
                {"receiver":"vigil","status":"firing","version":"4","groupKey":"{}:{alertname=\\"GpuHot\\"}",
                 "truncatedAlerts":0,"notification_reason":"new alerts","groupLabels":{"alertname":"GpuHot"},
                 "commonLabels":{"alertname":"GpuHot","severity":"warning"},"commonAnnotations":{},
                 "externalURL":"http://alertmanager:9093",
                 "alerts":[{"status":"firing","labels":{"alertname":"GpuHot","Hostname":"gpu-07","gpu":"3"},
                   "annotations":{"summary":"hot"},"startsAt":"2026-11-22T02:59:00.123Z",
                   "endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://prometheus:9090/graph",
                   "fingerprint":"0b3a5c8d9e0f1a2b"}]}
                """);
        assertThat(message.receiver()).isEqualTo("vigil");
        assertThat(message.alerts()).singleElement().satisfies(alert -> {
            assertThat(alert.firing()).isTrue();
            assertThat(alert.labels()).containsEntry("Hostname", "gpu-07");
            assertThat(alert.startsAt()).isEqualTo(Instant.parse("2026-11-22T02:59:00.123Z"));
            assertThat(alert.endsAt()).as("Alertmanager's zero time is no time").isNull();
        });
    }

    @Test
    void aWrongVersionAMissingAlertnameOrABadStatusIsRefusedNamingTheField() {
        assertThatThrownBy(() -> parse("{\"version\":\"3\",\"alerts\":[]}"))
                .isInstanceOfSatisfying(InvalidDocumentException.class, e -> {
                    assertThat(e.field()).isEqualTo("version");
                    assertThat(e.value()).isEqualTo("3");
                });
        assertThatThrownBy(() -> parse("{\"version\":\"4\",\"alerts\":[{\"status\":\"firing\",\"labels\":{\"a\":\"b\"}}]}"))
                .isInstanceOfSatisfying(InvalidDocumentException.class,
                        e -> assertThat(e.field()).isEqualTo("alerts[0].labels.alertname"));
        assertThatThrownBy(() -> parse("{\"version\":\"4\",\"alerts\":[{\"status\":\"fired\",\"labels\":{\"alertname\":\"x\"}}]}"))
                .isInstanceOfSatisfying(InvalidDocumentException.class, e -> {
                    assertThat(e.field()).isEqualTo("alerts[0].status");
                    assertThat(e.allowed()).isEqualTo("firing or resolved");
                });
        assertThatThrownBy(() -> parse("")).isInstanceOf(InvalidDocumentException.class);
    }
}
