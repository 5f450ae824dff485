package dev.vigil.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.alerts.fixtures.Daemon;
import dev.vigil.alerts.fixtures.RecordingServer;
import dev.vigil.alerts.inbound.AlertmanagerWebhook;
import dev.vigil.alerts.notify.AlertmanagerConfig;
import dev.vigil.alerts.notify.Receiver;
import dev.vigil.alerts.store.MemoryAlertStore;
import dev.vigil.api.binding.Documents;
import dev.vigil.api.gpu.RepairAction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static dev.vigil.alerts.fixtures.Fleets.fleet;
import static dev.vigil.alerts.fixtures.Fleets.gpu;
import static dev.vigil.alerts.fixtures.Fleets.node;
import static dev.vigil.alerts.fixtures.Fleets.xid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real Alertmanager takes the alerts Vigil pushes ({@code amtool alert query} lists them) and
 * sends its webhook back to a receiver that parses it with Vigil's inbound parser; the engine
 * recognises its own alerts coming back and does not notify them twice.
 */
class AlertmanagerIT {
    @Test
    void pushedAlertsShowInAmtoolAndComeBackThroughTheWebhook(@TempDir Path dir) throws Exception {
        Optional<Path> alertmanager = Daemon.find("prometheus-alertmanager", "alertmanager");
        Optional<Path> amtool = Daemon.find("amtool");
        assumeTrue(alertmanager.isPresent() && amtool.isPresent(), "Alertmanager is not installed (Debian package "
                + "'prometheus-alertmanager'; scripts/install-alerting-daemons.sh or .ci/run installs it)");
        try (RecordingServer receiver = new RecordingServer(200)) {
            int port = Daemon.freePort();
            Files.writeString(dir.resolve("alertmanager.yml"), """
                    route:
                      receiver: vigil
                      group_by: [alertname, node]
                      group_wait: 1s
                      group_interval: 1s
                      repeat_interval: 1h
                    receivers:
                      - name: vigil
                        webhook_configs:
                          - url: "%s"
                            send_resolved: true
                    """.formatted(receiver.url("/v1/alertmanager/webhook")));
            try (Daemon daemon = Daemon.start("alertmanager", List.of(alertmanager.get().toString(),
                    "--config.file=" + dir.resolve("alertmanager.yml"), "--storage.path=" + dir.resolve("data"),
                    "--web.listen-address=127.0.0.1:" + port, "--cluster.listen-address="), dir,
                    URI.create("http://127.0.0.1:" + port), "/-/ready")) {
                AlertsConfig shipped = AlertsConfig.defaults();
                AlertsConfig config = new AlertsConfig("https://vigil.example.com", List.of(Receiver.log("log")), null,
                        shipped.inhibitRules(), new AlertmanagerConfig(List.of(daemon.url()), Duration.ofSeconds(5)),
                        shipped.rules());
                AlertEngine engine = new AlertEngine(config, new MemoryAlertStore(), Clock.systemUTC());
                engine.start();
                try {
                    engine.evaluate(fleet(gpu(node("gpu-07", 8), 3,
                            g -> xid(g, 79, RepairAction.POWER_CYCLE, Instant.now())), node("gpu-08", 8)));
                    AlertView vigils = engine.alerts().get(0);

                    JsonNode listed = awaitAmtool(amtool.get(), daemon, "GpuXidFatal");
                    assertThat(listed.get(0).path("labels").path("node").asText()).isEqualTo("gpu-07");
                    assertThat(listed.get(0).path("labels").path("xid").asText()).isEqualTo("79");
                    assertThat(listed.get(0).path("generatorURL").asText())
                            .isEqualTo("https://vigil.example.com/v1/alerts/" + vigils.fingerprint());

                    AlertmanagerWebhook firing = webhook(receiver, 1);
                    assertThat(firing.status()).isEqualTo("firing");
                    assertThat(firing.receiver()).isEqualTo("vigil");
                    assertThat(firing.alerts()).singleElement().satisfies(a -> {
                        assertThat(a.labels()).isEqualTo(vigils.labels());
                        assertThat(a.annotations()).containsEntry("summary", vigils.annotations().get("summary"));
                    });
                    assertThat(engine.receive(firing)).as("Vigil's own alert coming back").isZero();
                    assertThat(engine.alerts()).hasSize(1);

                    engine.evaluate(fleet(node("gpu-07", 8), node("gpu-08", 8)));
                    AlertmanagerWebhook resolved = webhook(receiver, 2);
                    assertThat(resolved.status()).isEqualTo("resolved");
                    assertThat(resolved.alerts()).singleElement().satisfies(a -> {
                        assertThat(a.firing()).isFalse();
                        assertThat(a.endsAt()).isNotNull();
                    });
                    assertThat(engine.receive(resolved)).isZero();
                } finally {
                    engine.close();
                }
            }
        }
    }

    private static JsonNode awaitAmtool(Path amtool, Daemon daemon, String alertname) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        String output = "";
        while (System.nanoTime() < deadline) {
            Process process = new ProcessBuilder(amtool.toString(), "--alertmanager.url=" + daemon.url(), "-o", "json",
                    "alert", "query", "alertname=" + alertname).redirectErrorStream(true).start();
            output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.waitFor() == 0) {
                JsonNode alerts = Documents.json().readTree(output);
                if (alerts.isArray() && !alerts.isEmpty()) {
                    return alerts;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("amtool never listed " + alertname + ": " + output + "\n" + daemon.output());
    }

    /** The {@code count}-th webhook Alertmanager sent, parsed as Vigil's REST route will. */
    private static AlertmanagerWebhook webhook(RecordingServer receiver, int count) throws Exception {
        List<RecordingServer.Request> requests = receiver.await(count, 20_000);
        assertThat(requests).as("webhooks from Alertmanager").hasSizeGreaterThanOrEqualTo(count);
        RecordingServer.Request request = requests.get(count - 1);
        assertThat(request.path()).isEqualTo("/v1/alertmanager/webhook");
        return AlertmanagerWebhook.parse(request.body().getBytes(StandardCharsets.UTF_8), "request body");
    }
}
