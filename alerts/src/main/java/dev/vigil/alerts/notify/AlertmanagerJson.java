package dev.vigil.alerts.notify;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.alerts.lifecycle.Alert;

import java.time.Instant;

/** Alerts in Alertmanager's JSON shape, shared by the webhook body and the push. */
final class AlertmanagerJson {
    /** What Alertmanager writes for a time it does not know (a firing alert's end). */
    static final String UNKNOWN_TIME = "0001-01-01T00:00:00Z";

    private AlertmanagerJson() {
    }

    /** Labels, annotations, start, end and where it came from. */
    static void write(ObjectNode into, Alert alert, Instant endsAt, String externalUrl) {
        ObjectNode labels = into.putObject("labels");
        alert.labels().forEach(labels::put);
        ObjectNode annotations = into.putObject("annotations");
        alert.annotations().forEach(annotations::put);
        Instant startsAt = alert.firedAt() != null ? alert.firedAt() : alert.activeAt();
        into.put("startsAt", startsAt.toString());
        into.put("endsAt", endsAt == null ? UNKNOWN_TIME : endsAt.toString());
        into.put("generatorURL", generatorUrl(alert, externalUrl));
    }

    static String generatorUrl(Alert alert, String externalUrl) {
        if (alert.generatorUrl() != null) {
            return alert.generatorUrl();
        }
        return externalUrl == null ? "" : externalUrl + "/v1/alerts/" + alert.fingerprint();
    }
}
