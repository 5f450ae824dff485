package dev.vigil.cli;

import dev.vigil.alerts.AlertView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Collectors;

/** {@code vigil alert FINGERPRINT}: one alert in detail. */
@Command(name = "alert",
        mixinStandardHelpOptions = true,
        description = {
                "Show one alert in detail.",
                "",
                "Its labels (what identifies it), its facts and text (summary, runbook, the job on",
                "the GPU), when it became active, fired and resolved, whether a silence or another",
                "alert mutes it, and every notification about it: receiver, what was sent, its",
                "status, attempts and the receiver's last error.",
                ""},
        footer = {"", "Examples:",
                "  vigil alert 3a3c8a668d73c075",
                "  vigil alert 3a3c8a668d73c075 -o json | jq .notifications"})
final class AlertCommand extends ApiCommand {
    @Parameters(index = "0", paramLabel = "FINGERPRINT",
            description = "The alert's fingerprint, as 'vigil alerts' shows it.")
    String fingerprint;

    @Override
    void run(ControllerClient client, PrintWriter out) throws Exception {
        ControllerClient.Answer answer = client.get("/v1/alerts/" + ControllerClient.segment(fingerprint));
        if (json()) {
            out.println(answer.pretty());
            return;
        }
        print(answer.as(AlertView.class), Instant.now(), out);
    }

    static void print(AlertView alert, Instant now, PrintWriter out) {
        out.printf("Alert %s (%s): %s%n", alert.name(), alert.fingerprint(), Table.wire(alert.state()));
        field(out, "severity", alert.labels().get("severity"));
        field(out, "where", AlertsCommand.where(alert));
        field(out, "summary", alert.annotations().get("summary"));
        field(out, "value", alert.value());
        field(out, "source", alert.source());
        field(out, "active", time(alert.activeAt(), now));
        field(out, "fired", time(alert.firedAt(), now));
        field(out, "resolved", time(alert.resolvedAt(), now));
        field(out, "muted", alert.silencedBy().isEmpty() && alert.inhibitedBy() == null ? "no"
                : (alert.silencedBy().isEmpty() ? "" : "silenced by " + String.join(", ", alert.silencedBy()))
                + (alert.inhibitedBy() == null ? "" : (alert.silencedBy().isEmpty() ? "" : "; ")
                + "inhibited by " + alert.inhibitedBy()));
        field(out, "labels", alert.labels().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" ")));
        out.println();
        out.println("Facts:");
        // Aligned on the longest name among them (runbook_url is longer than the fields above).
        int width = alert.annotations().keySet().stream().mapToInt(String::length).max().orElse(0);
        for (Map.Entry<String, String> annotation : alert.annotations().entrySet()) {
            if (!annotation.getKey().equals("summary")) {
                out.printf("  %-" + width + "s %s%n", annotation.getKey(), annotation.getValue());
            }
        }
        out.println();
        if (alert.notifications().isEmpty()) {
            out.println("Notifications: none (" + AlertsCommand.notified(alert) + ")");
            return;
        }
        out.println("Notifications (oldest first):");
        Table table = new Table("RECEIVER", "KIND", "ACTION", "STATUS", "ATTEMPTS", "PLANNED", "NEXT TRY", "ERROR");
        for (AlertView.Notified n : alert.notifications()) {
            table.row(n.receiver(), n.kind(), n.action(), Table.wire(n.status()), n.attempts(), Table.ago(n.at(), now),
                    Table.time(n.nextAttemptAt()), n.error());
        }
        table.print(out);
    }

    private static String time(Instant instant, Instant now) {
        return instant == null ? null : Table.time(instant) + " (" + Table.ago(instant, now) + ")";
    }

    private static void field(PrintWriter out, String label, String value) {
        out.printf("  %-10s %s%n", label, value == null ? "-" : value);
    }
}
