package dev.vigil.agent;

import dev.vigil.agent.config.AgentConfig;
import dev.vigil.agent.config.BackendKind;
import dev.vigil.agent.systemd.NotifySocket;
import dev.vigil.agent.systemd.SystemdNotifier;
import dev.vigil.api.binding.Documents;
import dev.vigil.gpu.backend.GpuBackendException;
import dev.vigil.gpu.simulated.MigSpec;
import dev.vigil.gpu.simulated.NodeProfile;
import dev.vigil.gpu.simulated.SimulatedNode;
import dev.vigil.gpu.simulated.SimulatedSpec;
import dev.vigil.gpu.simulated.Workload;
import dev.vigil.gpu.simulated.WorkloadKind;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class AgentTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private Agent agent;

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
    }

    private static SimulatedSpec spec() {
        return new SimulatedSpec(NodeProfile.HGX_H100_8, 5L,
                List.of(Workload.of(WorkloadKind.TRAINING, List.of(0, 1, 2, 3)),
                        new Workload(List.of(7), 1, WorkloadKind.INFERENCE, null, null)),
                List.of(), List.of(new MigSpec(List.of(7), Map.of("1g.10gb", 7))));
    }

    private Agent start(Duration interval) {
        AgentConfig config = new AgentConfig("test-node", "127.0.0.1:0", BackendKind.SIMULATED,
                new AgentConfig.Sampling(interval, null), null, null, null, null, spec(), null);
        agent = Agent.start(config, new SimulatedNode("test-node", spec(), Clock.systemUTC()), Clock.systemUTC(),
                null, SystemdNotifier.disabled());
        return agent;
    }

    /** An agent on a backend that is not the simulator and that the test can make fail or hang. */
    private FailingBackend startFailable(Duration interval, SystemdNotifier notifier) {
        FailingBackend backend = new FailingBackend(new SimulatedNode("n", spec(), Clock.systemUTC()));
        agent = Agent.start(new AgentConfig("n", "127.0.0.1:0", BackendKind.DCGM,
                new AgentConfig.Sampling(interval, null), null, null, null, null, null, null), backend, Clock.systemUTC(), null,
                notifier);
        return backend;
    }

    private HttpResponse<String> get(String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> send(String method, String path, String json) throws Exception {
        HttpRequest.BodyPublisher body = json == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(json);
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + path))
                .header("content-type", "application/json").method(method, body).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        return Documents.json().readTree(response.body());
    }

    /** Polls until {@code condition} holds; returns the milliseconds it took, or fails after {@code limit}. */
    private static long within(Duration limit, Check condition) throws Exception {
        long start = System.nanoTime();
        while (true) {
            if (condition.holds()) {
                return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            }
            assertThat(System.nanoTime() - start).as("condition not met within %s", limit).isLessThan(limit.toNanos());
            Thread.sleep(20);
        }
    }

    @FunctionalInterface
    private interface Check {
        boolean holds() throws Exception;
    }

    @Test
    void metricsCarryDcgmExporterNamesAndLabelsAndNoSentinels() throws Exception {
        start(Duration.ofSeconds(1));
        HttpResponse<String> response = get("/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        String body = response.body();
        String gpu0 = agent.snapshot().inventory().gpus().get(0).uuid();
        assertThat(body).contains("DCGM_FI_DEV_GPU_TEMP{DCGM_FI_DRIVER_VERSION=\"570.133.20\",Hostname=\"test-node\",UUID=\""
                + gpu0 + "\",device=\"nvidia0\",gpu=\"0\",modelName=\"NVIDIA H100 80GB HBM3\","
                + "pci_bus_id=\"00000000:18:00.0\"}");
        assertThat(body).contains("# TYPE DCGM_FI_DEV_GPU_TEMP gauge", "# TYPE DCGM_FI_DEV_ECC_DBE_VOL_TOTAL untyped",
                "DCGM_FI_PROF_GR_ENGINE_ACTIVE{", "GPU_I_ID=\"1\",GPU_I_PROFILE=\"1g.10gb\"",
                "err_code=\"0\",err_msg=\"No Error\"", "vigil_agent_sample_duration_seconds_bucket",
                "vigil_agent_info{backend=\"simulated\"", "vigil_gpu_health_state{");
        // Fields the H100 does not support are left out, never printed as DCGM's sentinels.
        assertThat(body).doesNotContain("DCGM_FI_DEV_RETIRED_SBE{", "DCGM_FI_DEV_VGPU_LICENSE_STATUS{",
                "9223372036854775", "1.40737488355328E14", "NaN");
        // A GPU in MIG mode has no utilization; its instances have GR_ENGINE_ACTIVE instead.
        assertThat(body.lines().filter(l -> l.startsWith("DCGM_FI_DEV_GPU_UTIL{")).count()).isEqualTo(7);
        // Series in GPU order, as dcgm-exporter prints them, not in the order of their UUIDs.
        assertThat(body.lines().filter(l -> l.startsWith("DCGM_FI_DEV_GPU_TEMP{"))
                .map(l -> Integer.parseInt(l.replaceFirst(".*[{,]gpu=\"(\\d+)\".*", "$1"))).toList())
                .containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        assertThat(body.lines().filter(l -> l.startsWith("vigil_gpu_health_state{"))
                .map(l -> l.replaceFirst(".*[{,]gpu=\"(\\d+)\".*", "$1")).distinct().toList())
                .containsExactly("0", "1", "2", "3", "4", "5", "6", "7");
        JsonNode omitted = json(get("/v1/node")).get("omittedFields");
        assertThat(omitted.findValuesAsText("field")).contains("DCGM_FI_DEV_RETIRED_SBE",
                "DCGM_FI_DEV_VGPU_LICENSE_STATUS", "DCGM_FI_DEV_GPU_UTIL");
    }

    @Test
    void promtoolAcceptsTheMetricsWithOnlyDcgmExportersOwnNamesLinted() throws Exception {
        Path promtool = Path.of("/usr/bin/promtool");
        assumeTrue(Files.isExecutable(promtool),
                "promtool is not installed (Debian package 'prometheus'); .ci/run installs it");
        start(Duration.ofSeconds(1));
        Process process = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
        process.getOutputStream().write(get("/metrics").body().getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = process.waitFor();
        List<String> problems = output.lines().filter(Predicate.not(String::isBlank)).toList();
        // dcgm-exporter's names stay, or its dashboards and rules break: the camelCase label
        // modelName, and the metric DCGM_FI_DEV_PCIE_REPLAY_COUNTER, whose name promtool 2.42
        // reads as containing a metric type. Nothing else may be linted.
        assertThat(problems).as("promtool output").isNotEmpty().allSatisfy(line -> assertThat(line).matches(
                "\\S+ label names should be written in 'snake_case' not 'camelCase'"
                        + "|DCGM_FI_DEV_PCIE_REPLAY_COUNTER metric name should not include type 'counter'"));
        assertThat(exit).as("3 means lint findings only; 1 would be a parse error").isEqualTo(3);
    }

    @Test
    void xid79ShowsInReadyzNodeHealthAndXidMetricsWithinOneSamplingInterval() throws Exception {
        Duration interval = Duration.ofSeconds(10);
        start(interval);
        assertThat(get("/readyz").statusCode()).isEqualTo(200);
        HttpResponse<String> injected = send("POST", "/v1/faults", "{\"gpu\": 3, \"kind\": \"xid\", \"xid\": 79}");
        assertThat(injected.statusCode()).isEqualTo(202);
        long millis = within(interval, () -> {
            HttpResponse<String> ready = get("/readyz");
            JsonNode gpu3 = json(get("/v1/node")).get("health").get(3);
            String metrics = get("/metrics").body();
            return ready.statusCode() == 503 && ready.body().contains("gpu 3")
                    && gpu3.get("state").asText().equals("failed") && gpu3.get("action").asText().equals("power-cycle")
                    && metrics.lines().anyMatch(l -> l.startsWith("DCGM_EXP_XID_ERRORS_COUNT{")
                    && l.contains("gpu=\"3\"") && l.contains("xid=\"79\"") && l.endsWith(" 1.0"))
                    && metrics.lines().anyMatch(l -> l.startsWith("DCGM_FI_DEV_XID_ERRORS{")
                    && l.contains("gpu=\"3\"") && l.contains("err_code=\"79\"") && l.endsWith(" 79.0"));
        });
        System.out.printf("XID 79 visible in /readyz, /v1/node and /metrics %d ms after injection "
                + "(sampling interval %d ms)%n", millis, interval.toMillis());
        assertThat(get("/metrics").body()).as("the lost GPU's series are left out")
                .doesNotContain("DCGM_FI_DEV_GPU_TEMP{DCGM_FI_DRIVER_VERSION=\"570.133.20\",Hostname=\"test-node\",UUID=\""
                        + agent.snapshot().inventory().gpus().get(3).uuid());
        JsonNode events = json(get("/v1/events?since=0")).get("events");
        assertThat(events.findValuesAsText("kind")).contains("fault", "xid", "health");

        assertThat(send("DELETE", "/v1/faults?gpu=3", null).statusCode()).isEqualTo(200);
        within(interval, () -> get("/readyz").statusCode() == 200
                && json(get("/v1/node")).get("health").get(3).get("state").asText().equals("healthy"));
    }

    @Test
    void aResetSaysWhatItCannotClearAndAReplacementRepairsARowRemapFailure() throws Exception {
        Duration interval = Duration.ofSeconds(10);
        start(interval);
        send("POST", "/v1/faults", "{\"gpu\": 2, \"kind\": \"row-remap-failure\"}");
        within(interval, () -> json(get("/v1/node")).get("health").get(2).get("state").asText().equals("failed"));

        JsonNode reset = json(send("DELETE", "/v1/faults?gpu=2", null));
        assertThat(reset.get("repair").asText()).isEqualTo("reset");
        assertThat(reset.get("remaining")).singleElement().extracting(JsonNode::asText).asString()
                .contains("gpu 2", "row remapping failed", "RMA");
        within(interval, () -> json(get("/v1/node")).get("health").get(2).get("action").asText().equals("rma"));
        assertThat(json(get("/v1/node")).get("health").get(2).get("state").asText()).as("a reset does not fix it")
                .isEqualTo("failed");

        JsonNode replaced = json(send("DELETE", "/v1/faults?gpu=2&replace=true", null));
        assertThat(replaced.get("remaining")).isEmpty();
        within(interval, () -> json(get("/v1/node")).get("health").get(2).get("state").asText().equals("healthy"));
        assertProblem(send("DELETE", "/v1/faults?replace=true", null), "gpu", "one GPU");
        assertProblem(send("DELETE", "/v1/faults?gpu=2&replace=yes", null), "replace", "true or false");
    }

    @Test
    void gpusGivesHealthAndProcessesOfTheGpusAskedFor() throws Exception {
        start(Duration.ofSeconds(1));
        JsonNode all = json(get("/v1/gpus")).get("gpus");
        assertThat(all).hasSize(8);
        // GPUs 0-3 train (one process each), 7 serves a MIG slice, the rest idle
        JsonNode some = json(get("/v1/gpus?index=5,0")).get("gpus");
        assertThat(some).extracting(g -> g.get("gpu").asInt()).containsExactly(5, 0);
        assertThat(some.get(0).get("processes")).isEmpty();
        assertThat(some.get(1).get("processes")).hasSize(1);
        assertThat(some.get(1).get("health").get("state").asText()).isEqualTo("healthy");
        assertThat(some.get(1).get("pciBusId").asText()).isEqualTo(agent.snapshot().inventory().gpus().get(0).pciBusId());

        send("POST", "/v1/faults", "{\"gpu\": 3, \"kind\": \"xid\", \"xid\": 79}");
        within(Duration.ofSeconds(5), () -> json(get("/v1/gpus?index=3")).get("gpus").get(0).get("health")
                .get("state").asText().equals("failed"));
        JsonNode lost = json(get("/v1/gpus?index=3")).get("gpus").get(0);
        assertThat(lost.get("health").get("action").asText()).isEqualTo("power-cycle");
        assertThat(lost.get("processes")).as("a GPU off the bus lists none").isEmpty();

        assertProblem(get("/v1/gpus?index=8"), "index", "0 to 7");
        assertProblem(get("/v1/gpus?index=a"), "index", "separated by commas");
    }

    @Test
    void badFaultsAre400sThatNameTheField() throws Exception {
        start(Duration.ofSeconds(1));
        assertProblem(send("POST", "/v1/faults", "{\"gpu\": 9, \"kind\": \"xid\", \"xid\": 79}"), "gpu", "0 to 7");
        assertProblem(send("POST", "/v1/faults", "{\"gpu\": 1, \"kind\": \"xid\"}"), "xid", "the XID number");
        assertProblem(send("POST", "/v1/faults", "{\"gpu\": 1, \"kind\": \"meltdown\"}"), "kind", "fallen-off-bus");
        assertProblem(send("POST", "/v1/faults", "{\"gpu\": 1, \"kind\": \"power-brake\", \"at\": \"1m\"}"), "at",
                "injected at once");
        assertProblem(send("POST", "/v1/faults", "{\"gpu\": 1, \"kind\": \"power-brake\", \"colour\": 1}"), "colour",
                "gpu");
        assertProblem(send("DELETE", "/v1/faults?gpu=x", null), "gpu", "0 to 7");
        assertProblem(get("/v1/events?since=-1"), "since", "whole number");
    }

    private static void assertProblem(HttpResponse<String> response, String field, String allowed) throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/problem+json");
        JsonNode problem = json(response);
        assertThat(problem.get("field").asText()).isEqualTo(field);
        assertThat(problem.get("allowed").asText()).contains(allowed);
    }

    @Test
    void eventsPageBySequenceNumber() throws Exception {
        start(Duration.ofSeconds(1));
        send("POST", "/v1/faults", "{\"gpu\": 1, \"kind\": \"xid\", \"xid\": 13}");
        send("POST", "/v1/faults", "{\"gpu\": 2, \"kind\": \"xid\", \"xid\": 31}");
        within(Duration.ofSeconds(5), () -> json(get("/v1/events?since=0")).get("lastSeq").asLong() >= 4);
        JsonNode page = json(get("/v1/events?since=0&limit=2"));
        assertThat(page.get("events")).hasSize(2);
        long next = page.get("lastSeq").asLong();
        JsonNode rest = json(get("/v1/events?since=" + next));
        assertThat(rest.get("events").get(0).get("seq").asLong()).isEqualTo(next + 1);
    }

    @Test
    void faultInjectionExistsOnlyOnTheSimulatedBackend() throws Exception {
        startFailable(Duration.ofSeconds(1), SystemdNotifier.disabled());
        HttpResponse<String> response = send("POST", "/v1/faults", "{\"gpu\": 1, \"kind\": \"power-brake\"}");
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).contains("only on the simulated backend");
    }

    @Test
    void aFailingBackendIsNeverReady() throws Exception {
        FailingBackend backend = startFailable(Duration.ofMillis(100), SystemdNotifier.disabled());
        assertThat(get("/readyz").statusCode()).isEqualTo(200);
        backend.failure = new GpuBackendException(GpuBackendException.Reason.CONNECTION_LOST,
                "host engine connection lost (DCGM_ST_CONNECTION_NOT_VALID)");
        within(Duration.ofSeconds(5), () -> {
            HttpResponse<String> ready = get("/readyz");
            return ready.statusCode() == 503 && ready.body().contains("backend failing: host engine connection lost")
                    && ready.body().contains("data is stale");
        });
        assertThat(get("/metrics").body()).contains("vigil_agent_backend_errors_total{reason=\"connection-lost\"}");
        backend.failure = null;
        within(Duration.ofSeconds(5), () -> get("/readyz").statusCode() == 200);
    }

    @Test
    void scrapesServeTheLastSnapshotWhileTheBackendHangs() throws Exception {
        FailingBackend backend = startFailable(Duration.ofMillis(100), SystemdNotifier.disabled());
        CountDownLatch hang = new CountDownLatch(1);
        backend.hang = hang;
        try {
            within(Duration.ofSeconds(5), () -> get("/readyz").body().contains("data is stale"));
            HttpResponse<String> metrics = CLIENT.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + agent.port() + "/metrics")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("DCGM_FI_DEV_GPU_TEMP{");
        } finally {
            hang.countDown();
        }
    }

    @Test
    void theWatchdogIsPettedOnlyWhileTheSamplingLoopTurns(@TempDir Path dir) throws Exception {
        String path = dir.resolve("notify").toString();
        try (NotifySocket systemd = new NotifySocket(path)) {
            FailingBackend backend = startFailable(Duration.ofMillis(100), SystemdNotifier.fromEnvironment(
                    Map.of("NOTIFY_SOCKET", path, "WATCHDOG_USEC", "400000"), ProcessHandle.current().pid()));
            assertThat(systemd.receive()).startsWith("READY=1\nSTATUS=8 GPUs (0 failed, 0 degraded)");
            AtomicInteger pets = new AtomicInteger();
            within(Duration.ofSeconds(5), () -> pets.addAndGet(systemd.drainCounting("WATCHDOG=1")) >= 3);
            CountDownLatch hang = new CountDownLatch(1);
            backend.hang = hang;
            try {
                // A turn already past its driver call may still pet once: wait for the first quiet 500 ms.
                AtomicLong lastPet = new AtomicLong(System.nanoTime());
                within(Duration.ofSeconds(5), () -> {
                    if (systemd.drainCounting("WATCHDOG=1") > 0) {
                        lastPet.set(System.nanoTime());
                    }
                    return System.nanoTime() - lastPet.get() > TimeUnit.MILLISECONDS.toNanos(500);
                });
                // Then silent for 1.5 s: more than three watchdog intervals (400 ms) in which a pet would come.
                Thread.sleep(1500);
                assertThat(systemd.drainCounting("WATCHDOG=1")).as("silent while a driver call hangs").isZero();
            } finally {
                hang.countDown();
            }
            within(Duration.ofSeconds(5), () -> systemd.drainCounting("WATCHDOG=1") > 0);
        }
    }
}
