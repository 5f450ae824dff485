package dev.vigil.controller;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.alerts.fixtures.RecordingServer;
import dev.vigil.api.binding.Documents;
import dev.vigil.gpu.simulated.FaultKind;
import dev.vigil.gpu.simulated.FaultSpec;
import dev.vigil.gpu.simulated.NodeProfile;
import dev.vigil.gpu.simulated.SimulatedSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The alert engine on a real controller's leader: agents' reports become alerts that a webhook
 * receiver is told about, silences and Alertmanager's webhook through the REST API, jobs and
 * tenants from the scheduler, and the metrics the dashboards read. Each test has its own nodes.
 */
class AlertingApiTest {
    @TempDir
    static Path dataDir;
    private static TestController controller;
    private static RecordingServer hook;
    private static final Map<String, String> TOKENS = new LinkedHashMap<>();
    private static final List<FakeAgent> AGENTS = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        hook = new RecordingServer(200);
        Path rules = dataDir.resolve("alerts.yaml");
        Files.writeString(rules, """
                receivers:
                  - name: hook
                    webhook: {url: "%s"}
                route: {receiver: hook, groupBy: [alertname, node, gpu, job], groupWait: 0s, groupInterval: 1s}
                inhibitRules:
                  - sourceMatchers: ['alertname="GpuXidFatal"']
                    targetMatchers: ['alertname="GpuLost"']
                    equal: [node, gpu]
                rules:
                  - alert: GpuXidFatal
                    when: {xid: {actions: [reset-gpu, reboot-node, power-cycle, rma]}}
                    severity: critical
                    annotations: {summary: "XID ${xid} on ${node} GPU ${gpu}: ${message}"}
                  - alert: GpuLost
                    when: {gpuHealth: {reasons: [gpu-lost]}}
                    severity: critical
                  - alert: GpuXidApplication
                    when: {xid: {actions: [restart-app], window: 10m}}
                    severity: info
                  - alert: JobPendingTooLong
                    when: {jobPending: {longerThan: 1s}}
                    severity: warning
                  - alert: TenantOverQuota
                    when: {tenantQuota: {abovePercent: 50}}
                    severity: info
                """.formatted(hook.url("/hook")));
        controller = TestController.start(dataDir, """
                nodeTimeout: 30s
                alerts: {file: "%s"}
                scheduler:
                  interval: 200ms
                  backend: simulated
                  policy:
                    tenants: [{name: default}, {name: research, quota: {"*": 8}}]
                  pools:
                    jobs: [jobs-1]
                """.formatted(rules));
        String admin = controller.token("admin");
        TOKENS.put("admin", admin);
        TOKENS.put("agent", controller.token("agent"));
        for (String[] token : new String[][]{{"vic", "viewer"}, {"olga", "operator"}, {"alertmanager", "operator"},
                {"alice", "submitter"}}) {
            TOKENS.put(token[0], controller.json("POST", "/v1/tokens", admin, "{\"name\": \"" + token[0]
                    + "\", \"role\": \"" + token[1] + "\"}").get("secret").asText());
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (FakeAgent agent : AGENTS) {
            agent.close();
        }
        controller.close();
        hook.close();
    }

    private static FakeAgent agent(String node) throws Exception {
        FakeAgent agent = new FakeAgent(controller, TOKENS.get("agent"), node,
                SimulatedSpec.of(NodeProfile.HGX_H100_8, 1, List.of()));
        AGENTS.add(agent);
        return agent;
    }

    private static JsonNode get(String path) throws Exception {
        return controller.json("GET", path, TOKENS.get("vic"), null);
    }

    /** The alert named {@code name} whose labels include {@code labels}, if there is one. */
    private static Optional<JsonNode> alert(String name, Map<String, String> labels) throws Exception {
        for (JsonNode alert : get("/v1/alerts").get("alerts")) {
            if (alert.get("name").asText().equals(name) && labels.entrySet().stream()
                    .allMatch(l -> l.getValue().equals(alert.path("labels").path(l.getKey()).asText()))) {
                return Optional.of(alert);
            }
        }
        return Optional.empty();
    }

    private static JsonNode await(String what, Check<Optional<JsonNode>> check) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (true) {
            Optional<JsonNode> found = check.get();
            if (found.isPresent()) {
                return found.get();
            }
            assertThat(System.nanoTime()).as("waited 15 s for %s", what).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static void awaitThat(String what, Check<Boolean> check) throws Exception {
        await(what, () -> check.get() ? Optional.of(Documents.json().nullNode()) : Optional.empty());
    }

    @FunctionalInterface
    private interface Check<T> {
        T get() throws Exception;
    }

    /** What the webhook receiver was told about {@code node}: the status of each body, in order. */
    private static List<String> told(String node) throws Exception {
        List<String> statuses = new ArrayList<>();
        for (RecordingServer.Request request : hook.requests()) {
            JsonNode body = Documents.json().readTree(request.body());
            if (node.equals(body.path("commonLabels").path("node").asText())) {
                statuses.add(body.get("status").asText() + " " + body.path("commonLabels").path("alertname").asText());
            }
        }
        return statuses;
    }

    private static String metrics() throws Exception {
        return controller.send("GET", "/metrics", null, null).body();
    }

    @Test
    void aFatalXidFiresIsToldOnceShowsItsNotificationsAndResolvesWhenTheGpuIsRepaired() throws Exception {
        FakeAgent agent = agent("xid-1");
        Map<String, String> gpu3 = Map.of("node", "xid-1", "gpu", "3");
        agent.gpus.inject(FaultSpec.now(3, FaultKind.XID, 79));

        JsonNode firing = await("GpuXidFatal fired and was told", () -> alert("GpuXidFatal", gpu3)
                .filter(a -> a.get("state").asText().equals("firing"))
                .filter(a -> a.path("notifications").findValuesAsText("status").contains("sent")));
        assertThat(firing.get("labels").get("xid").asText()).isEqualTo("79");
        assertThat(firing.get("labels").get("severity").asText()).isEqualTo("critical");
        assertThat(firing.get("annotations").get("summary").asText()).startsWith("XID 79 on xid-1 GPU 3: XID 79");
        assertThat(firing.get("notifications").get(0).get("receiver").asText()).isEqualTo("hook");
        assertThat(get("/v1/alerts/" + firing.get("fingerprint").asText()).get("name").asText())
                .isEqualTo("GpuXidFatal");
        assertThat(get("/v1/alerts?state=firing&severity=critical").get("alerts").findValuesAsText("fingerprint"))
                .contains(firing.get("fingerprint").asText());
        assertThat(get("/v1/alerts?state=resolved").get("alerts").findValuesAsText("fingerprint"))
                .doesNotContain(firing.get("fingerprint").asText());
        assertThat(get("/v1/alerts").get("notifiers")).anySatisfy(n -> {
            assertThat(n.get("receiver").asText()).isEqualTo("hook");
            assertThat(n.get("kind").asText()).isEqualTo("webhook");
        });
        // The lost GPU is the XID's consequence: inhibited, never told.
        alert("GpuLost", gpu3).ifPresent(lost -> assertThat(lost.path("inhibitedBy").asText())
                .isEqualTo(firing.get("fingerprint").asText()));
        Thread.sleep(1500);
        assertThat(told("xid-1")).containsExactly("firing GpuXidFatal");
        assertThat(metrics()).contains("vigil_controller_alerts{state=\"firing\"}")
                .containsPattern("vigil_controller_notifications_total\\{kind=\"webhook\",receiver=\"hook\","
                        + "result=\"sent\"} [1-9]");

        agent.repair(3);
        await("GpuXidFatal resolved", () -> alert("GpuXidFatal", gpu3)
                .filter(a -> a.get("state").asText().equals("resolved")));
        awaitThat("the resolution told", () -> told("xid-1").size() == 2);
        assertThat(told("xid-1")).containsExactly("firing GpuXidFatal", "resolved GpuXidFatal");
    }

    @Test
    void anXidThatLeavesTheGpuInServiceFiresFromTheRecentWindow() throws Exception {
        FakeAgent agent = agent("app-1");
        agent.gpus.inject(FaultSpec.now(5, FaultKind.XID, 13));
        JsonNode application = await("GpuXidApplication", () -> alert("GpuXidApplication",
                Map.of("node", "app-1", "gpu", "5", "xid", "13")));
        assertThat(application.get("state").asText()).isEqualTo("firing");
        assertThat(application.get("labels").get("severity").asText()).isEqualTo("info");
    }

    @Test
    void aSilenceMutesWhatItMatchesIsListedAndExpiresAndBothAreAudited() throws Exception {
        HttpResponse<String> created = controller.send("POST", "/v1/silences", TOKENS.get("olga"),
                "{\"matchers\": [\"node=\\\"sil-1\\\"\", {\"name\": \"alertname\", \"value\": \"Gpu.*\", "
                        + "\"isRegex\": true}], \"duration\": \"1h\", \"comment\": \"reseating GPUs\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode silence = Documents.json().readTree(created.body());
        String id = silence.get("id").asText();
        assertThat(created.headers().firstValue("Location")).hasValue("/v1/silences/" + id);
        assertThat(silence.get("status").asText()).isEqualTo("active");
        assertThat(silence.get("createdBy").asText()).isEqualTo("olga");
        assertThat(get("/v1/silences").get("silences").findValuesAsText("id")).contains(id);

        FakeAgent agent = agent("sil-1");
        agent.gpus.inject(FaultSpec.now(1, FaultKind.XID, 79));
        JsonNode muted = await("the silenced alert", () -> alert("GpuXidFatal", Map.of("node", "sil-1"))
                .filter(a -> a.path("silencedBy").size() > 0));
        assertThat(muted.get("silencedBy").get(0).asText()).isEqualTo(id);
        assertThat(metrics()).containsPattern("vigil_controller_silences_active [1-9]")
                .containsPattern("vigil_controller_alerts_muted\\{reason=\"silenced\"} [1-9]");
        Thread.sleep(1500);
        assertThat(told("sil-1")).as("silenced: nobody told").isEmpty();

        JsonNode expired = controller.json("DELETE", "/v1/silences/" + id, TOKENS.get("olga"), null);
        assertThat(expired.get("status").asText()).isEqualTo("expired");
        assertThat(expired.get("updatedBy").asText()).isEqualTo("olga");
        awaitThat("the alert told once the silence is over", () -> !told("sil-1").isEmpty());
        assertThat(told("sil-1")).containsExactly("firing GpuXidFatal");

        List<String> audited = new ArrayList<>();
        controller.json("GET", "/v1/audit", TOKENS.get("admin"), null).get("entries").forEach(e -> {
            if (e.get("action").asText().endsWith("/v1/silences") || e.get("action").asText().endsWith(id)) {
                audited.add(e.get("action").asText() + " " + e.get("status").asInt() + " " + e.get("actor").asText());
            }
        });
        assertThat(audited).contains("POST /v1/silences 201 olga", "DELETE /v1/silences/" + id + " 200 olga");
    }

    @Test
    void alertmanagersWebhookBringsItsAlertsInAndResolvesThemAudited() throws Exception {
        String firing = """
                {"version": "4", "groupKey": "{}:{alertname=\\"HostDiskFull\\"}", "status": "%s", "receiver": "vigil",
                 "alerts": [{"status": "%s", "labels": {"alertname": "HostDiskFull", "node": "db-1", "severity": "warning"},
                             "annotations": {"summary": "disk 97 %% full"}, "startsAt": "2026-11-22T08:00:00Z",
                             "generatorURL": "http://prometheus:9090/graph"}]}""";
        JsonNode taken = controller.json("POST", "/v1/alertmanager/webhook", TOKENS.get("alertmanager"),
                firing.formatted("firing", "firing"));
        assertThat(taken.get("alerts").asInt()).isEqualTo(1);
        assertThat(taken.get("taken").asInt()).isEqualTo(1);
        JsonNode alert = alert("HostDiskFull", Map.of("node", "db-1")).orElseThrow();
        assertThat(alert.get("source").asText()).isEqualTo("alertmanager");
        assertThat(alert.get("state").asText()).isEqualTo("firing");
        assertThat(alert.get("annotations").get("summary").asText()).isEqualTo("disk 97 % full");

        controller.json("POST", "/v1/alertmanager/webhook", TOKENS.get("alertmanager"),
                firing.formatted("resolved", "resolved"));
        assertThat(alert("HostDiskFull", Map.of("node", "db-1")).orElseThrow().get("state").asText())
                .isEqualTo("resolved");
        List<String> audited = new ArrayList<>();
        controller.json("GET", "/v1/audit", TOKENS.get("admin"), null).get("entries").forEach(e -> {
            if (e.get("action").asText().equals("POST /v1/alertmanager/webhook")) {
                audited.add(e.get("actor").asText() + " " + e.get("status").asInt() + " " + e.get("result").asText());
            }
        });
        assertThat(audited).contains("alertmanager 200 1 alerts, 1 taken");
    }

    @Test
    void waitingJobsAndTenantsUseFireRulesAndFillTheSchedulerMetrics() throws Exception {
        agent("jobs-1");
        JsonNode placed = controller.json("POST", "/v1/jobs", TOKENS.get("alice"),
                "{\"name\": \"fits\", \"tenant\": \"research\", \"gpus\": 8, \"pool\": \"jobs\"}");
        await("the job placed", () -> Optional.of(get("/v1/jobs/" + placed.get("id").asText()))
                .filter(j -> !j.get("state").asText().equals("pending")
                        && !j.get("state").asText().equals("admitted")));
        JsonNode waiting = controller.json("POST", "/v1/jobs", TOKENS.get("alice"),
                "{\"name\": \"waits\", \"tenant\": \"research\", \"gpus\": 8, \"models\": [\"B200\"], \"waitForNodes\": true}");
        String id = waiting.get("id").asText();

        JsonNode pending = await("JobPendingTooLong", () -> alert("JobPendingTooLong", Map.of("job", id)));
        assertThat(pending.get("labels").get("tenant").asText()).isEqualTo("research");
        assertThat(pending.get("labels").get("queue").asText()).isEqualTo("default");
        JsonNode quota = await("TenantOverQuota", () -> alert("TenantOverQuota", Map.of("tenant", "research")));
        assertThat(quota.get("state").asText()).isEqualTo("firing");

        String metrics = metrics();
        assertThat(metrics).contains("vigil_controller_queue_depth{queue=\"default\",tenant=\"research\"} 1.0",
                "vigil_controller_allocated_gpus{tenant=\"research\"} 8.0",
                "vigil_controller_tenant_quota_gpus{tenant=\"research\"} 8.0",
                "vigil_controller_scheduling_latency_seconds_count{tenant=\"research\"} 1");

        // Every controller metric the shipped Prometheus rules and dashboards may read is here.
        List<String> missing = new ArrayList<>();
        String listed = new String(AlertingApiTest.class.getResourceAsStream("/controller-metrics.txt").readAllBytes(),
                StandardCharsets.UTF_8);
        for (String line : listed.split("\n")) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length == 2 && parts[0].equals("exists") && !Pattern.compile("(?m)^" + parts[1]
                    + "(_bucket|_count|_sum)?[{ ]").matcher(metrics).find()) {
                missing.add(parts[1]);
            }
        }
        assertThat(missing).as("names controller-metrics.txt lists that the leader does not export").isEmpty();
        assertThat(listed).doesNotContain("\nassumed ");
    }
}
