package dev.vigil.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.agent.config.AgentConfig;
import dev.vigil.agent.config.BackendKind;
import dev.vigil.agent.systemd.SystemdNotifier;
import dev.vigil.api.binding.Documents;
import dev.vigil.api.binding.InvalidDocumentException;
import dev.vigil.gpu.simulated.NodeProfile;
import dev.vigil.gpu.simulated.SimulatedNode;
import dev.vigil.gpu.simulated.SimulatedSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The fault API on simulated GPUs: JSON only, no coercion, one value per parameter, and who may call it. */
class FaultApiTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static final String XID_79 = "{\"gpu\": 1, \"kind\": \"xid\", \"xid\": 79}";
    private Agent agent;
    private String host = "127.0.0.1";

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
    }

    private void start(String listenHost, AgentConfig.FaultApi faultApi) {
        host = listenHost;
        SimulatedSpec spec = new SimulatedSpec(NodeProfile.HGX_H100_8, 5L, null, null, null);
        AgentConfig config = new AgentConfig("fault-node", listenHost + ":0", BackendKind.SIMULATED,
                new AgentConfig.Sampling(Duration.ofMillis(100), null), null, null, null, null, spec, null, null, faultApi);
        agent = Agent.start(config, new SimulatedNode("fault-node", spec, Clock.systemUTC()), Clock.systemUTC(), null,
                SystemdNotifier.disabled());
    }

    private HttpResponse<String> send(String method, String path, String contentType, String json, String token)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + host + ":" + agent.port() + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode problem(HttpResponse<String> response, int status) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/problem+json");
        return Documents.json().readTree(response.body());
    }

    private String gpu1Health() throws Exception {
        JsonNode gpus = Documents.json().readTree(send("GET", "/v1/gpus?index=1", null, null, null).body());
        return gpus.get("gpus").get(0).get("health").get("state").asText();
    }

    private void awaitGpu1(String state) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!gpu1Health().equals(state)) {
            assertThat(System.nanoTime()).as("gpu 1 not %s within 10 s", state).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    @Test
    void aFaultMustComeAsJson() throws Exception {
        start("127.0.0.1", null);
        JsonNode plain = problem(send("POST", "/v1/faults", "text/plain", XID_79, null), 415);
        assertThat(plain.get("field").asText()).isEqualTo("Content-Type");
        problem(send("POST", "/v1/faults", null, XID_79, null), 415);
        problem(send("POST", "/v1/faults", "application/x-www-form-urlencoded", XID_79, null), 415);
        assertThat(send("POST", "/v1/faults", "application/json; charset=utf-8", XID_79, null).statusCode())
                .isEqualTo(202);
    }

    @Test
    void stringsAreNotNumbers() throws Exception {
        start("127.0.0.1", null);
        JsonNode gpu = problem(send("POST", "/v1/faults", "application/json",
                "{\"gpu\": \"1\", \"kind\": \"xid\", \"xid\": 79}", null), 400);
        assertThat(gpu.get("field").asText()).isEqualTo("gpu");
        assertThat(gpu.get("value").asText()).isEqualTo("1");
        JsonNode xid = problem(send("POST", "/v1/faults", "application/json",
                "{\"gpu\": 1, \"kind\": \"xid\", \"xid\": \"79\"}", null), 400);
        assertThat(xid.get("field").asText()).isEqualTo("xid");
        JsonNode big = problem(send("POST", "/v1/faults", "application/json",
                "{\"gpu\": 1, \"kind\": \"xid\", \"xid\": 9223372036854775808}", null), 400);
        assertThat(big.get("field").asText()).isEqualTo("xid");
    }

    @Test
    void aRepeatedGpuIsRefusedAndClearsNothing() throws Exception {
        start("127.0.0.1", null);
        assertThat(send("POST", "/v1/faults", "application/json", XID_79, null).statusCode()).isEqualTo(202);
        awaitGpu1("failed");
        JsonNode repeated = problem(send("DELETE", "/v1/faults?gpu=1&gpu=2", null, null, null), 400);
        assertThat(repeated.get("field").asText()).isEqualTo("gpu");
        assertThat(gpu1Health()).isEqualTo("failed");
        assertThat(send("DELETE", "/v1/faults?gpu=1", null, null, null).statusCode()).isEqualTo(200);
        awaitGpu1("healthy");
    }

    @Test
    void aConfiguredTokenIsRequired() throws Exception {
        start("127.0.0.1", new AgentConfig.FaultApi("s3cret-token", null));
        JsonNode missing = problem(send("POST", "/v1/faults", "application/json", XID_79, null), 401);
        assertThat(missing.get("detail").asText()).contains("faultApi.token");
        problem(send("POST", "/v1/faults", "application/json", XID_79, "wrong"), 401);
        problem(send("DELETE", "/v1/faults?gpu=1", null, null, null), 401);
        assertThat(send("POST", "/v1/faults", "application/json", XID_79, "s3cret-token").statusCode()).isEqualTo(202);
        assertThat(send("DELETE", "/v1/faults?gpu=1", null, null, "s3cret-token").statusCode()).isEqualTo(200);
        // Reads stay open: the Slurm prolog and Prometheus need no token.
        assertThat(send("GET", "/v1/gpus", null, null, null).statusCode()).isEqualTo(200);
    }

    @Test
    void withoutATokenOnlyThisHostMayInjectFaults() throws Exception {
        Optional<InetAddress> external = siteAddress();
        assumeTrue(external.isPresent(), "no non-loopback IPv4 address on this machine to call from");
        start(external.get().getHostAddress(), null);
        JsonNode refused = problem(send("POST", "/v1/faults", "application/json", XID_79, null), 403);
        assertThat(refused.get("detail").asText()).contains("faultApi.token");
        problem(send("DELETE", "/v1/faults", null, null, null), 403);
        assertThat(send("GET", "/v1/gpus", null, null, null).statusCode()).isEqualTo(200);
    }

    @Test
    void theFaultApiSectionIsCheckedAtStart() {
        assertThatThrownBy(() -> Documents.readYaml("backend: nvml\nfaultApi: {token: abc}\n", AgentConfig.class,
                "agent.yaml")).isInstanceOf(InvalidDocumentException.class).hasMessageContaining("faultApi");
        assertThatThrownBy(() -> Documents.readYaml("backend: simulated\nfaultApi: {token: abc, tokenFile: /x}\n",
                AgentConfig.class, "agent.yaml")).hasMessageContaining("faultApi.tokenFile");
        assertThatThrownBy(() -> Documents.readYaml("backend: simulated\nfaultApi: {token: \"a b\"}\n",
                AgentConfig.class, "agent.yaml")).hasMessageContaining("faultApi.token").hasMessageNotContaining("a b");
    }

    private static Optional<InetAddress> siteAddress() throws SocketException {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (nic.isUp() && !nic.isLoopback()) {
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
                        return Optional.of(address);
                    }
                }
            }
        }
        return Optional.empty();
    }
}
