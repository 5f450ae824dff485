package dev.vigil.cli;

import dev.vigil.alerts.AlertView;
import dev.vigil.alerts.lifecycle.AlertState;
import dev.vigil.alerts.notify.NotifierStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code vigil alerts}: the alerts of the leader's alert engine, one line each. */
@Command(name = "alerts",
        mixinStandardHelpOptions = true,
        description = {
                "List alerts: firing first, then pending, then resolved (kept 15 minutes).",
                "",
                "Each line: the fingerprint ('vigil alert FINGERPRINT' shows the rest; it is",
                "PagerDuty's dedup_key), the state, the alert, its severity, where (node and GPU,",
                "or job and tenant), since when, and how its notifications went: each receiver's",
                "latest delivery (sent, pending, retrying with the error, failed with the answer)",
                "or why it was not told (silenced, inhibited). Below, each receiver's counts since",
                "this leader took over and its last error. The rules are in conf/alerts.yaml; the",
                "controller's leader evaluates them on every report that changes something and",
                "every second.",
                ""},
        footer = {"", "Examples:",
                "  vigil alerts",
                "  vigil alerts --state firing --severity critical",
                "  vigil alerts -o json | jq -r '.alerts[] | select(.state == \"firing\") | .fingerprint'"})
final class AlertsCommand extends ApiCommand {
    /** The body of GET /v1/alerts. */
    record Listing(List<AlertView> alerts, List<NotifierStatus> notifiers) {
    }

    @Option(names = "--state", paramLabel = "STATES",
            description = "Only alerts in these states, comma-separated: pending, firing, resolved.")
    String state;

    @Option(names = "--severity", paramLabel = "SEVERITIES",
            description = "Only alerts with these severities, comma-separated: critical, error, warning, info.")
    String severity;

    @Override
    void run(ControllerClient client, PrintWriter out) throws Exception {
        ControllerClient.Answer answer = client.get("/v1/alerts" + ControllerClient.query("state", state,
                "severity", severity));
        if (json()) {
            out.println(answer.pretty());
            return;
        }
        Listing listing = answer.as(Listing.class);
        Instant now = Instant.now();
        if (listing.alerts().isEmpty()) {
            out.println(state == null && severity == null ? "No alerts." : "No alerts match.");
        } else {
            Table table = new Table("FINGERPRINT", "STATE", "ALERT", "SEVERITY", "WHERE", "SINCE", "NOTIFIED");
            for (AlertView alert : listing.alerts()) {
                table.row(alert.fingerprint(), Table.wire(alert.state()), alert.name(), alert.labels().get("severity"),
                        where(alert), Table.ago(since(alert), now), notified(alert));
            }
            table.print(out);
        }
        if (!listing.notifiers().isEmpty()) {
            out.println();
            Table receivers = new Table("RECEIVER", "KIND", "SENT", "FAILED", "RETRIED", "PENDING", "LAST ERROR");
            for (NotifierStatus notifier : listing.notifiers()) {
                receivers.row(notifier.receiver(), notifier.kind(), notifier.sent(), notifier.failed(),
                        notifier.retries(), notifier.pending() + (notifier.retrying() > 0 ? " (" + notifier.retrying()
                                + " retrying)" : ""), notifier.lastError() == null ? null
                                : Table.ago(notifier.lastErrorAt(), now) + ": " + notifier.lastError());
            }
            receivers.print(out);
        }
    }

    /**
     * {@code gpu-07 GPU 3} (Vigil's node, or dcgm-exporter's Hostname from Prometheus), {@code gpu-07},
     * {@code job j-000042 (research)}, {@code tenant research}, Prometheus's instance, or null for the fleet.
     */
    static String where(AlertView alert) {
        Map<String, String> labels = alert.labels();
        String host = labels.containsKey("node") ? labels.get("node") : labels.get("Hostname");
        if (host != null) {
            return host + (labels.containsKey("gpu") ? " GPU " + labels.get("gpu") : "");
        }
        if (labels.containsKey("tenant")) {
            return labels.containsKey("job") ? "job " + labels.get("job") + " (" + labels.get("tenant") + ")"
                    : "tenant " + labels.get("tenant");
        }
        return labels.get("instance");
    }

    /** When it entered its state. */
    static Instant since(AlertView alert) {
        return alert.state() == AlertState.RESOLVED ? alert.resolvedAt()
                : alert.state() == AlertState.FIRING ? alert.firedAt() : alert.activeAt();
    }

    /**
     * Each receiver's latest delivery about the alert: {@code log: notify sent},
     * {@code oncall: trigger pending, 3 attempts: HTTP 502}; or why nobody was told.
     */
    static String notified(AlertView alert) {
        Map<String, AlertView.Notified> latest = new LinkedHashMap<>();
        for (AlertView.Notified notified : alert.notifications()) {
            latest.put(notified.receiver(), notified);
        }
        List<String> parts = new ArrayList<>();
        for (AlertView.Notified n : latest.values()) {
            String status = Table.wire(n.status());
            if (n.attempts() > 1 || n.error() != null) {
                status += ", " + n.attempts() + " attempt" + (n.attempts() == 1 ? "" : "s");
            }
            parts.add(n.receiver() + ": " + n.action() + " " + status + (n.error() == null ? "" : ": " + n.error()));
        }
        if (!alert.silencedBy().isEmpty()) {
            parts.add("silenced by " + String.join(", ", alert.silencedBy()));
        }
        if (alert.inhibitedBy() != null) {
            parts.add("inhibited by " + alert.inhibitedBy());
        }
        if (parts.isEmpty()) {
            parts.add(alert.state() == AlertState.PENDING ? "not yet (pending)"
                    : alert.state() == AlertState.FIRING ? "not yet (its group's next look)" : "nobody");
        }
        return String.join("; ", parts);
    }
}
