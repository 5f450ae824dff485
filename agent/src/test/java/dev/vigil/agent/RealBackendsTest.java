package dev.vigil.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.agent.config.AgentConfig;
import dev.vigil.agent.systemd.SystemdNotifier;
import dev.vigil.api.binding.Documents;
import dev.vigil.gpu.backend.GpuBackend;
import dev.vigil.gpu.backend.GpuBackendException;
import dev.vigil.gpu.dcgm.FakeDcgm;
import dev.vigil.gpu.nvml.FakeNvml;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.vigil.testsupport.Await.await;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The agent on the real DCGM and NVML bindings, loaded from the fake vendor libraries the test
 * build compiles: backend choice, /metrics, XIDs, and a host engine restart.
 */
class RealBackendsTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private FakeDcgm dcgm;
    private FakeNvml nvml;
    private GpuBackend backend;
    private Agent agent;

    @BeforeEach
    void fakes() {
        nvml = FakeNvml.reset();
        dcgm = FakeDcgm.load();
        dcgm.fake_dcgm_reset(8);
        // One machine: both libraries must name the GPUs alike, as the real ones do.
        for (int gpu = 0; gpu < 8; gpu++) {
            nvml.fake_nvml_set_string(gpu, "uuid", dcgm.uuid(gpu));
        }
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        } else if (backend != null) {
            backend.close();
        }
    }

    private static AgentConfig config(String dcgmLibrary, String nvmlLibrary, String extra) {
        Map<String, Object> overrides = new HashMap<>();
        overrides.put("node", "gpu-node-1");
        overrides.put("listen", "127.0.0.1:0");
        overrides.put("sampling", Map.of("interval", "200ms"));
        overrides.put("nvml", Map.of("library", nvmlLibrary));
        Map<String, Object> dcgmSettings = new HashMap<>(Map.of("libraries", java.util.List.of(dcgmLibrary)));
        if (extra != null) {
            dcgmSettings.put("mode", extra);
            dcgmSettings.put("address", "127.0.0.1:5555");
        }
        overrides.put("dcgm", dcgmSettings);
        return Documents.readYaml(null, AgentConfig.class, overrides);
    }

    @Test
    void autoPrefersDcgmWithNvmlBesideIt() throws GpuBackendException {
        backend = Backends.open(config(FakeDcgm.path().toString(), FakeNvml.path(), null), Clock.systemUTC());
        assertThat(backend.name()).isEqualTo("dcgm");
        assertThat(backend.inventory().gpus()).hasSize(8);
        assertThat(backend.inventory().gpus().get(0).model()).isEqualTo("NVIDIA H100 80GB HBM3");
    }

    @Test
    void autoFallsBackToNvmlWhenDcgmIsMissing() throws GpuBackendException {
        backend = Backends.open(config("/nonexistent/libdcgm.so.4", FakeNvml.path(), null), Clock.systemUTC());
        assertThat(backend.name()).isEqualTo("nvml");
    }

    @Test
    void withNoLibraryTheErrorNamesWhatWasTried() {
        assertThatThrownBy(() -> Backends.open(config("/nonexistent/libdcgm.so.4", "/nonexistent/libnvidia-ml.so.1",
                null), Clock.systemUTC()))
                .isInstanceOf(GpuBackendException.class)
                .hasMessageContaining("no GPU backend works on this machine")
                .hasMessageContaining("/nonexistent/libdcgm.so.4")
                .hasMessageContaining("/nonexistent/libnvidia-ml.so.1")
                .hasMessageContaining("backend: simulated")
                .extracting(e -> ((GpuBackendException) e).reason())
                .isEqualTo(GpuBackendException.Reason.LIBRARY_MISSING);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anAgentOnDcgmServesMetricsAndIsNotReadyWhileTheHostEngineRestarts() throws Exception {
        AgentConfig config = config(FakeDcgm.path().toString(), FakeNvml.path(), "remote");
        backend = Backends.open(config, Clock.systemUTC());
        agent = Agent.start(config, backend, Clock.systemUTC(), null, SystemdNotifier.disabled());
        await(Duration.ofSeconds(5), () -> get("/metrics").body().lines()
                .filter(l -> l.startsWith("DCGM_FI_DEV_GPU_TEMP{")).count() == 8);
        assertThat(get("/metrics").body()).doesNotContain("9223372036854775", "1.40737488355328E14");
        assertThat(get("/readyz").statusCode()).isEqualTo(200);

        dcgm.fake_dcgm_restart_engine();
        await(Duration.ofSeconds(5), () -> {
            HttpResponse<String> ready = get("/readyz");
            return ready.statusCode() == 503 && ready.body().contains("backend failing");
        });
        // The backend reconnects after its first backoff (1 s) and the agent is ready again.
        await(Duration.ofSeconds(10), () -> get("/readyz").statusCode() == 200);
    }

    @Test
    void anXidFromDcgmReachesHealthAndMetrics() throws Exception {
        AgentConfig config = config(FakeDcgm.path().toString(), FakeNvml.path(), null);
        backend = Backends.open(config, Clock.systemUTC());
        agent = Agent.start(config, backend, Clock.systemUTC(), null, SystemdNotifier.disabled());
        dcgm.fake_dcgm_push_xid(3, 48, -1, -1);
        await(Duration.ofSeconds(5), () -> {
            JsonNode gpu3 = Documents.json().readTree(get("/v1/node").body()).get("health").get(3);
            return gpu3.get("state").asText().equals("failed") && get("/metrics").body().lines()
                    .anyMatch(l -> l.startsWith("DCGM_EXP_XID_ERRORS_COUNT{") && l.contains("gpu=\"3\"")
                            && l.contains("xid=\"48\""));
        });
    }
}
