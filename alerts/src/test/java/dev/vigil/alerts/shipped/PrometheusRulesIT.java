package dev.vigil.alerts.shipped;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.vigil.alerts.fixtures.Daemon;
import dev.vigil.api.binding.Documents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import static dev.vigil.alerts.fixtures.PrometheusApi.alert;
import static dev.vigil.alerts.fixtures.PrometheusApi.await;
import static dev.vigil.alerts.fixtures.PrometheusApi.firing;
import static dev.vigil.alerts.fixtures.PrometheusApi.rules;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real Prometheus loads vigil.rules.yml and scrapes a page in the agent's format that the test
 * turns from healthy to an XID 79 with double-bit ECC errors: every rule evaluates without an
 * error, and the matching rules fire, then resolve when the page is healthy again.
 */
class PrometheusRulesIT {
    private static final String LABELS = "gpu=\"3\",UUID=\"GPU-7f3a\",pci_bus_id=\"00000000:1B:00.0\",device=\"nvidia3\","
            + "modelName=\"NVIDIA H100 80GB HBM3\",Hostname=\"gpu-07\"";

    private static String page(boolean faulty) {
        return "# HELP DCGM_FI_DEV_GPU_TEMP GPU temperature (C).\n# TYPE DCGM_FI_DEV_GPU_TEMP gauge\n"
                + "DCGM_FI_DEV_GPU_TEMP{" + LABELS + "} " + (faulty ? "0" : "41") + "\n"
                + "# HELP DCGM_FI_DEV_XID_ERRORS Value of the last XID error encountered.\n"
                + "# TYPE DCGM_FI_DEV_XID_ERRORS gauge\n"
                + (faulty ? "DCGM_FI_DEV_XID_ERRORS{" + LABELS + ",err_code=\"79\",err_msg=\"GPU has fallen off the bus: "
                + "unreachable on PCIe\"} 79\n" : "DCGM_FI_DEV_XID_ERRORS{" + LABELS + ",err_code=\"0\",err_msg=\"No Error\"} 0\n")
                + "# HELP DCGM_FI_DEV_ECC_DBE_VOL_TOTAL Uncorrectable ECC errors since the driver loaded.\n"
                + "# TYPE DCGM_FI_DEV_ECC_DBE_VOL_TOTAL untyped\n"
                + "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL{" + LABELS + "} " + (faulty ? "2" : "0") + "\n"
                + "# HELP vigil_gpu_health_state 1 for the GPU's current health state.\n# TYPE vigil_gpu_health_state gauge\n"
                + "vigil_gpu_health_state{" + LABELS + ",state=\"healthy\"} " + (faulty ? "0" : "1") + "\n"
                + "vigil_gpu_health_state{" + LABELS + ",state=\"degraded\"} 0\n"
                + "vigil_gpu_health_state{" + LABELS + ",state=\"failed\"} " + (faulty ? "1" : "0") + "\n";
    }

    @Test
    void theRulesEvaluateWithoutErrorsAndAnInjectedFaultFiresTheMatchingRule(@TempDir Path dir) throws Exception {
        Optional<Path> prometheus = Daemon.find("prometheus");
        assumeTrue(prometheus.isPresent(), "prometheus is not installed (Debian package 'prometheus'; "
                + "scripts/install-alerting-daemons.sh or .ci/run installs it)");
        AtomicReference<String> current = new AtomicReference<>(page(false));
        HttpServer target = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        target.createContext("/metrics", exchange -> {
            byte[] body = current.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        target.start();
        int port = Daemon.freePort();
        Files.writeString(dir.resolve("prometheus.yml"), """
                global: {scrape_interval: 1s, evaluation_interval: 1s}
                rule_files: ["%s"]
                scrape_configs:
                  - job_name: vigil-agent
                    static_configs: [{targets: ["127.0.0.1:%d"]}]
                """.formatted(PromtoolTest.DIR.resolve("vigil.rules.yml").toAbsolutePath(), target.getAddress().getPort()));
        try (Daemon daemon = Daemon.start("prometheus", List.of(prometheus.get().toString(),
                "--config.file=" + dir.resolve("prometheus.yml"), "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port), dir, URI.create("http://127.0.0.1:" + port), "/-/ready")) {
            JsonNode rules = await(daemon, "/api/v1/rules", body -> rules(body).stream()
                    .allMatch(rule -> !rule.path("lastEvaluation").asText().startsWith("0001")), "every rule evaluated");
            assertThat(rules(rules)).hasSizeGreaterThan(20).allSatisfy(rule ->
                    assertThat(rule.path("health").asText()).as(rule.path("name").asText() + ": "
                            + rule.path("lastError").asText()).isEqualTo("ok"));
            await(daemon, "/api/v1/targets", body -> body.path("data").path("activeTargets").path(0).path("health")
                    .asText().equals("up"), "the target is scraped");
            assertThat(firing(Documents.json().readTree(daemon.get("/api/v1/alerts")))).as("nothing fires on a healthy page").isEmpty();

            current.set(page(true));
            long injected = System.nanoTime();
            JsonNode alerts = await(daemon, "/api/v1/alerts", body -> firing(body).containsAll(
                    List.of("GpuXidFatal", "GpuEccDoubleBitErrors")), "the XID and ECC rules fire");
            System.out.printf("Prometheus fired GpuXidFatal %d ms after the page turned faulty (1 s scrape and evaluation)%n",
                    Duration.ofNanos(System.nanoTime() - injected).toMillis());
            JsonNode xid = alert(alerts, "GpuXidFatal");
            assertThat(xid.path("labels").path("Hostname").asText()).isEqualTo("gpu-07");
            assertThat(xid.path("labels").path("gpu").asText()).isEqualTo("3");
            assertThat(xid.path("labels").path("err_code").asText()).isEqualTo("79");
            assertThat(xid.path("labels").path("severity").asText()).isEqualTo("critical");
            assertThat(xid.path("annotations").path("summary").asText())
                    .isEqualTo("XID 79 on gpu-07 GPU 3: GPU has fallen off the bus: unreachable on PCIe");
            assertThat(alert(alerts, "GpuEccDoubleBitErrors").path("annotations").path("summary").asText())
                    .startsWith("gpu-07 GPU 3: 2 uncorrectable ECC error(s)");
            assertThat(rules(Documents.json().readTree(daemon.get("/api/v1/rules"))))
                    .allSatisfy(rule -> assertThat(rule.path("health").asText()).isEqualTo("ok"));

            current.set(page(false));
            await(daemon, "/api/v1/alerts", body -> !firing(body).contains("GpuXidFatal"), "the XID alert resolves");
        } finally {
            target.stop(0);
        }
    }
}
