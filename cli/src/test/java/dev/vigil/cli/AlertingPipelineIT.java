package dev.vigil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.agent.Agent;
import dev.vigil.agent.config.AgentConfig;
import dev.vigil.agent.config.BackendKind;
import dev.vigil.agent.systemd.SystemdNotifier;
import dev.vigil.alerts.fixtures.Daemon;
import dev.vigil.api.binding.Documents;
import dev.vigil.controller.Controller;
import dev.vigil.controller.config.ControllerConfig;
import dev.vigil.gpu.simulated.NodeProfile;
import dev.vigil.gpu.simulated.SimulatedNode;
import dev.vigil.gpu.simulated.SimulatedSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

import static dev.vigil.alerts.fixtures.PrometheusApi.alert;
import static dev.vigil.alerts.fixtures.PrometheusApi.await;
import static dev.vigil.alerts.fixtures.PrometheusApi.firing;
import static dev.vigil.alerts.fixtures.PrometheusApi.rules;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A GPU fault through the real daemons a Prometheus site runs: a simulated agent reports to a
 * controller (with the shipped conf/alerts.yaml, pushing to an Alertmanager); a real Prometheus
 * scrapes both with the shipped vigil.rules.yml; a real Alertmanager takes Prometheus's alerts
 * and Vigil's pushes, and sends its webhook to the controller with an operator token. An XID 79
 * injected through the agent's fault API fires Prometheus's GpuXidFatal and Vigil's own; amtool
 * lists Vigil's push; Prometheus's alert comes back through the webhook into 'vigil alerts',
 * Vigil's own does not come back twice; the repair resolves Vigil's.
 */
class AlertingPipelineIT {
    private static final Path DIST = Path.of(System.getProperty("vigil.dist"));
    private static final Path RULES = Path.of(System.getProperty("vigil.rules"));
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path dir;
    private final List<AutoCloseable> running = new ArrayList<>();
    private final Map<String, String> environment = new HashMap<>();

    @BeforeEach
    void isolateTheEnvironment() {
        environment.put("VIGIL_CONTEXT", dir.resolve("no-context.yaml").toString());
        ContextFile.environment = environment::get;
    }

    @AfterEach
    void stopAll() throws Exception {
        ContextFile.environment = System::getenv;
        for (int i = running.size() - 1; i >= 0; i--) {
            running.get(i).close();
        }
    }

    @Test
    void anXid79FiresInPrometheusAndInVigilAndComesThroughAlertmanagerOnce() throws Exception {
        Optional<Path> prometheus = Daemon.find("prometheus");
        Optional<Path> alertmanager = Daemon.find("prometheus-alertmanager", "alertmanager");
        Optional<Path> amtool = Daemon.find("amtool");
        List<String> missing = new ArrayList<>();
        if (prometheus.isEmpty()) {
            missing.add("prometheus (Debian package 'prometheus')");
        }
        if (alertmanager.isEmpty() || amtool.isEmpty()) {
            missing.add((alertmanager.isEmpty() ? amtool.isEmpty() ? "alertmanager and amtool" : "alertmanager"
                    : "amtool") + " (Debian package 'prometheus-alertmanager')");
        }
        assumeTrue(missing.isEmpty(), () -> "not installed: " + String.join("; ", missing)
                + " (scripts/install-alerting-daemons.sh or .ci/run installs them)");
        int alertmanagerPort = Daemon.freePort();
        URI alertmanagerUrl = URI.create("http://127.0.0.1:" + alertmanagerPort);

        // The controller, with the shipped rules, pushing to the Alertmanager.
        Files.writeString(dir.resolve("alerts.yaml"), Files.readString(DIST.resolve("conf/alerts.yaml"))
                .replace("  urls: []", "  urls: [\"" + alertmanagerUrl + "\"]")
                .replace("  resendInterval: 1m", "  resendInterval: 5s"));
        Files.writeString(dir.resolve("controller.yaml"), """
                member: c1
                listen: 127.0.0.1:%d
                dataDir: %s
                nodeTimeout: 30s
                cluster: {members: [{name: c1, address: "127.0.0.1:%d"}], persistence: false}
                """.formatted(Daemon.freePort(), dir.resolve("data"), Daemon.freePort()));
        ControllerConfig config = ControllerConfig.load(dir.resolve("controller.yaml"))
                .besideFile(dir.resolve("controller.yaml"));
        assertThat(config.alerts().file()).isEqualTo(dir.resolve("alerts.yaml"));
        Controller controller = Controller.start(config, Clock.systemUTC());
        running.add(controller);
        assertThat(controller.awaitReady(Duration.ofSeconds(60))).isTrue();
        String url = "http://127.0.0.1:" + controller.port();
        String admin = Files.readString(dir.resolve("data/admin.token")).trim();
        environment.put("VIGIL_URL", url);
        environment.put("VIGIL_TOKEN", admin);

        // A simulated HGX node's agent reporting to it.
        SimulatedSpec spec = SimulatedSpec.of(NodeProfile.HGX_H100_8, 1, List.of());
        SimulatedNode gpus = new SimulatedNode("gpu-07", spec, Clock.systemUTC());
        Agent agent = Agent.start(new AgentConfig("gpu-07", "127.0.0.1:0", BackendKind.SIMULATED,
                new AgentConfig.Sampling(Duration.ofMillis(500), null), null, null, null, null, spec,
                new AgentConfig.Controller(List.of(url), Files.readString(dir.resolve("data/agent.token")).trim(),
                        null, null, null)), gpus, Clock.systemUTC(), null, SystemdNotifier.disabled());
        running.add(agent);
        String agentUrl = "http://127.0.0.1:" + agent.port();

        // Alertmanager sends everything to the controller's webhook, with its own operator token.
        CliRun token = vigil("token", "create", "--name", "alertmanager", "--role", "operator", "-o", "json");
        Files.writeString(dir.resolve("alertmanager.token"), Documents.json().readTree(token.out()).get("secret")
                .asText());
        Files.writeString(dir.resolve("alertmanager.yml"), """
                route:
                  receiver: vigil
                  group_by: [alertname]
                  group_wait: 1s
                  group_interval: 1s
                  repeat_interval: 1h
                receivers:
                  - name: vigil
                    webhook_configs:
                      - url: "%s/v1/alertmanager/webhook"
                        send_resolved: true
                        http_config:
                          authorization: {credentials_file: "%s"}
                """.formatted(url, dir.resolve("alertmanager.token")));
        Daemon am = Daemon.start("alertmanager", List.of(alertmanager.get().toString(),
                "--config.file=" + dir.resolve("alertmanager.yml"), "--storage.path=" + dir.resolve("am-data"),
                "--web.listen-address=127.0.0.1:" + alertmanagerPort, "--cluster.listen-address="), dir, alertmanagerUrl,
                "/-/ready");
        running.add(am);

        // Prometheus scrapes the agent and the controller with the shipped rules, and alerts the Alertmanager.
        int prometheusPort = Daemon.freePort();
        Files.writeString(dir.resolve("prometheus.yml"), """
                global: {scrape_interval: 1s, evaluation_interval: 1s}
                rule_files: ["%s"]
                alerting:
                  alertmanagers: [{static_configs: [{targets: ["127.0.0.1:%d"]}]}]
                scrape_configs:
                  - job_name: vigil-agent
                    static_configs: [{targets: ["127.0.0.1:%d"]}]
                  - job_name: vigil-controller
                    static_configs: [{targets: ["127.0.0.1:%d"]}]
                """.formatted(RULES.toAbsolutePath(), alertmanagerPort, agent.port(), controller.port()));
        Daemon prom = Daemon.start("prometheus", List.of(prometheus.get().toString(),
                "--config.file=" + dir.resolve("prometheus.yml"), "--storage.tsdb.path=" + dir.resolve("prom-data"),
                "--web.listen-address=127.0.0.1:" + prometheusPort), dir, URI.create("http://127.0.0.1:" + prometheusPort),
                "/-/ready");
        running.add(prom);

        await(prom, "/api/v1/targets", body -> body.path("data").path("activeTargets").size() == 2
                && body.path("data").path("activeTargets").findValuesAsText("health").stream()
                .allMatch("up"::equals), "both targets scraped");
        JsonNode rules = await(prom, "/api/v1/rules", body -> rules(body).stream()
                .allMatch(rule -> !rule.path("lastEvaluation").asText().startsWith("0001")), "every rule evaluated");
        assertThat(rules(rules)).hasSizeGreaterThan(20).allSatisfy(rule -> assertThat(rule.path("health").asText())
                .as(rule.path("name").asText() + ": " + rule.path("lastError").asText()).isEqualTo("ok"));
        assertThat(firing(Documents.json().readTree(prom.get("/api/v1/alerts")))).doesNotContain("GpuXidFatal");

        // The fault, through the agent's own fault API.
        HttpResponse<String> injected = send("POST", agentUrl + "/v1/faults",
                "{\"gpu\": 3, \"kind\": \"xid\", \"xid\": 79}");
        assertThat(injected.statusCode()).as(injected.body()).isEqualTo(202);

        JsonNode fired = await(prom, "/api/v1/alerts", body -> firing(body).contains("GpuXidFatal"),
                "Prometheus's GpuXidFatal");
        JsonNode prometheusAlert = alert(fired, "GpuXidFatal");
        assertThat(prometheusAlert.path("labels").path("Hostname").asText()).isEqualTo("gpu-07");
        assertThat(prometheusAlert.path("labels").path("err_code").asText()).isEqualTo("79");
        assertThat(prometheusAlert.path("labels").path("job").asText()).isEqualTo("vigil-agent");

        JsonNode pushed = amtool(amtool.get(), alertmanagerUrl, "node=gpu-07");
        assertThat(pushed.get(0).path("labels").path("alertname").asText()).isEqualTo("GpuXidFatal");
        assertThat(pushed.get(0).path("labels").path("xid").asText()).isEqualTo("79");
        assertThat(pushed.get(0).path("labels").path("gpu").asText()).isEqualTo("3");

        // Prometheus's alert comes back into Vigil through Alertmanager's webhook; Vigil's own is there once.
        JsonNode listed = awaitVigil(alerts -> alerts.stream().anyMatch(a -> a.path("source").asText()
                .equals("alertmanager") && a.path("labels").path("Hostname").asText().equals("gpu-07")));
        List<JsonNode> xids = new ArrayList<>();
        listed.get("alerts").forEach(a -> {
            if (a.path("name").asText().equals("GpuXidFatal")) {
                xids.add(a);
            }
        });
        assertThat(xids).extracting(a -> a.path("source").asText()).containsExactlyInAnyOrder("rule", "alertmanager");
        CliRun table = vigil("alerts", "--state", "firing");
        assertThat(table.exit()).as(table.err()).isZero();
        assertThat(table.out().lines().filter(l -> l.matches("[0-9a-f]{16}  +firing  +GpuXidFatal  +critical  +"
                + "gpu-07 GPU 3  +.*"))).as("Vigil's alert and Prometheus's (its Hostname label)").hasSize(2);
        List<String> audit = Documents.json().readTree(vigil("audit", "-o", "json").out()).get("entries")
                .findValuesAsText("action");
        assertThat(audit).contains("POST /v1/alertmanager/webhook");

        // The repair, through the agent's fault API: Vigil's alert resolves. (Prometheus's reads the
        // agent's last-XID gauge, which the agent keeps after a repair: it resolves when the agent restarts.)
        assertThat(send("DELETE", agentUrl + "/v1/faults?gpu=3", null).statusCode()).isEqualTo(200);
        awaitVigil(alerts -> alerts.stream().anyMatch(a -> a.path("name").asText().equals("GpuXidFatal")
                && a.path("source").asText().equals("rule") && a.path("state").asText().equals("resolved")));
    }

    private static CliRun vigil(String... args) {
        return CliRun.of(args);
    }

    /** {@code vigil alerts -o json}, once {@code done} holds for its alerts. */
    private static JsonNode awaitVigil(Predicate<List<JsonNode>> done) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            CliRun run = vigil("alerts", "-o", "json");
            assertThat(run.exit()).as(run.err()).isZero();
            last = Documents.json().readTree(run.out());
            List<JsonNode> alerts = new ArrayList<>();
            last.get("alerts").forEach(alerts::add);
            if (done.test(alerts)) {
                return last;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("waited 30 s; vigil alerts: " + last);
    }

    private static HttpResponse<String> send(String method, String url, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode amtool(Path amtool, URI alertmanager, String matcher) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String output = "";
        while (System.nanoTime() < deadline) {
            Process process = new ProcessBuilder(amtool.toString(), "--alertmanager.url=" + alertmanager, "-o", "json",
                    "alert", "query", matcher).redirectErrorStream(true).start();
            output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.waitFor() == 0) {
                JsonNode alerts = Documents.json().readTree(output);
                if (alerts.size() > 0) {
                    return alerts;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("amtool alert query " + matcher + " listed nothing in 30 s: " + output);
    }
}
