package dev.vigil.alerts.inbound;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.vigil.api.binding.Documents;
import dev.vigil.api.binding.InvalidDocumentException;
import dev.vigil.api.binding.InvalidValueException;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Alertmanager's webhook body (version 4), as {@code POST /v1/alertmanager/webhook} receives it,
 * so alerts from existing Prometheus rules enter Vigil. Keys Alertmanager adds in newer versions
 * are ignored; a missing or wrong required one is an {@link InvalidDocumentException} naming it.
 *
 * @param version           {@code "4"}
 * @param groupKey          the group in Alertmanager
 * @param truncatedAlerts   how many alerts Alertmanager left out ({@code max_alerts})
 * @param status            firing or resolved
 * @param receiver          the Alertmanager receiver that sent it
 * @param groupLabels       the group's labels
 * @param commonLabels      labels all its alerts share
 * @param commonAnnotations annotations all its alerts share
 * @param externalURL       Alertmanager's URL
 * @param alerts            the alerts
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AlertmanagerWebhook(String version, String groupKey, Integer truncatedAlerts, String status,
                                  String receiver, Map<String, String> groupLabels, Map<String, String> commonLabels,
                                  Map<String, String> commonAnnotations, String externalURL,
                                  List<ReceivedAlert> alerts) {
    public AlertmanagerWebhook {
        InvalidValueException.required(version, "version", "\"4\" (Alertmanager's webhook body)");
        InvalidValueException.require(version.equals("4"), "version", version, "\"4\" (Alertmanager's webhook body)");
        InvalidValueException.required(alerts, "alerts", "a list of alerts");
        alerts = List.copyOf(alerts);
        groupLabels = groupLabels == null ? Map.of() : Map.copyOf(groupLabels);
        commonLabels = commonLabels == null ? Map.of() : Map.copyOf(commonLabels);
        commonAnnotations = commonAnnotations == null ? Map.of() : Map.copyOf(commonAnnotations);
    }

    /**
     * One alert of the body.
     *
     * @param status       firing or resolved
     * @param labels       its labels; {@code alertname} is required
     * @param annotations  its annotations
     * @param startsAt     when it started
     * @param endsAt       when it ended (resolved), or Alertmanager's idea of when it will end
     *                     ({@code 0001-01-01T00:00:00Z} when it has none)
     * @param generatorURL where it came from (the Prometheus rule)
     * @param fingerprint  Alertmanager's fingerprint (Vigil computes its own from the labels)
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ReceivedAlert(String status, Map<String, String> labels, Map<String, String> annotations,
                                Instant startsAt, Instant endsAt, String generatorURL, String fingerprint) {
        public ReceivedAlert {
            InvalidValueException.required(status, "status", "firing or resolved");
            InvalidValueException.require(status.equals("firing") || status.equals("resolved"), "status", status,
                    "firing or resolved");
            InvalidValueException.required(labels, "labels", "the alert's labels, alertname among them");
            InvalidValueException.require(labels.get("alertname") != null && !labels.get("alertname").isBlank(),
                    "labels.alertname", labels.get("alertname"), "the alert's name");
            labels = Map.copyOf(labels);
            annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
            startsAt = known(startsAt);
            endsAt = known(endsAt);
        }

        public boolean firing() {
            return status.equals("firing");
        }

        /** Alertmanager's zero time means "not known". */
        private static Instant known(Instant time) {
            return time == null || time.isBefore(Instant.parse("1970-01-02T00:00:00Z")) ? null : time;
        }
    }

    /** Parses a request body; {@code source} names it in errors ("request body"). */
    public static AlertmanagerWebhook parse(byte[] body, String source) {
        return Documents.readJson(body, AlertmanagerWebhook.class, source);
    }
}
