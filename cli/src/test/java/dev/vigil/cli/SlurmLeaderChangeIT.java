package dev.vigil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.agent.Agent;
import dev.vigil.agent.config.AgentConfig;
import dev.vigil.agent.config.BackendKind;
import dev.vigil.agent.systemd.SystemdNotifier;
import dev.vigil.api.binding.Documents;
import dev.vigil.controller.Controller;
import dev.vigil.controller.config.ControllerConfig;
import dev.vigil.gpu.simulated.NodeProfile;
import dev.vigil.gpu.simulated.SimulatedNode;
import dev.vigil.gpu.simulated.SimulatedSpec;
import dev.vigil.slurm.LocalSlurm;
import dev.vigil.slurm.Slurm;
import dev.vigil.slurm.SlurmJob;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.vigil.testsupport.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A leader change with a job running in the real Slurm of {@code scripts/slurm/start-local-slurm.sh}:
 * the controller stops and a new one starts on its persisted state; the new leader finds the
 * running Slurm job by its comment, submits nothing again, and ends the Vigil job when Slurm
 * completes it.
 */
class SlurmLeaderChangeIT {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path dir;

    @Test
    void aNewLeaderTakesOverTheRunningSlurmJobByItsComment() throws Exception {
        LocalSlurm.require();
        Map<String, String> env = LocalSlurm.environment();
        Slurm slurm = Slurm.connect(LocalSlurm.config(env));
        String yaml = """
                member: c1
                listen: 127.0.0.1:%d
                dataDir: %s
                nodeTimeout: 30s
                cluster: {members: [{name: c1, address: "127.0.0.1:%d"}], communicationPort: %d}
                scheduler: {interval: 200ms, backend: slurm, pools: {third: [gpu03]}}
                slurm:
                  connection: {url: "%s", user: %s, token: "%s", commandEnvironment: {SLURM_CONF: "%s"}}
                  poll: 300ms
                  output: /dev/null
                """.formatted(freePort(), dir.resolve("controller"), freePort(), freePort(),
                env.get("SLURMRESTD_URL"), env.get("SLURMRESTD_USER"), env.get("SLURMRESTD_TOKEN"),
                env.get("SLURM_CONF"));
        ControllerConfig config = Documents.readYaml(yaml, ControllerConfig.class, "test");
        String url = "http://127.0.0.1:" + config.listen().substring(config.listen().lastIndexOf(':') + 1);
        Controller first = start(config);
        String admin = Files.readString(dir.resolve("controller/admin.token")).trim();
        SimulatedSpec spec = SimulatedSpec.of(NodeProfile.HGX_H100_8, 3, List.of());
        try (Agent agent = Agent.start(new AgentConfig("gpu03", "127.0.0.1:0", BackendKind.SIMULATED,
                new AgentConfig.Sampling(Duration.ofMillis(500), null), null, null, null, null, spec,
                new AgentConfig.Controller(List.of(url), Files.readString(dir.resolve("controller/agent.token")).trim(),
                        null, Duration.ofSeconds(1), null)), new SimulatedNode("gpu03", spec, Clock.systemUTC()),
                Clock.systemUTC(), null, SystemdNotifier.disabled())) {
            Controller second = null;
            try {
                await(Duration.ofSeconds(30), () -> "ready".equals(get(url, admin, "/v1/nodes/gpu03").path("state")
                        .asText()));
                HttpResponse<String> submitted = send("POST", url + "/v1/jobs", admin, "{\"name\": \"it-leader\", "
                        + "\"gpus\": 2, \"pool\": \"third\", \"runtimeLimit\": \"5m\", \"command\": [\"sleep\", \"8\"]}");
                assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(201);
                String id = Documents.json().readTree(submitted.body()).get("id").asText();
                await(Duration.ofSeconds(30), () -> "running".equals(get(url, admin, "/v1/jobs/" + id).path("state")
                        .asText()));
                String backendJob = get(url, admin, "/v1/nodes/gpu03").get("allocations").get(0).get("backendJob")
                        .asText();
                SlurmJob running = slurm.job(Long.parseLong(backendJob.substring("slurm:".length()))).orElseThrow();

                first.close();
                first = null;
                second = start(config);
                await(Duration.ofSeconds(60), () -> "succeeded".equals(get(url, admin, "/v1/jobs/" + id)
                        .path("state").asText()));

                assertThat(get(url, admin, "/v1/jobs/" + id).get("reason").asText())
                        .isEqualTo("Slurm job " + running.id() + " completed, exit 0");
                assertThat(slurm.jobs()).filteredOn(j -> running.comment().equals(j.comment()))
                        .as("the new leader submitted nothing again").extracting(SlurmJob::id)
                        .containsExactly(running.id());
            } finally {
                if (first != null) {
                    first.close();
                }
                if (second != null) {
                    second.close();
                }
            }
        }
    }

    private static Controller start(ControllerConfig config) throws Exception {
        Controller controller = Controller.start(config, Clock.systemUTC());
        assertThat(controller.awaitReady(Duration.ofSeconds(60))).isTrue();
        return controller;
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** The answer, or an empty object while the controller is restarting. */
    private static JsonNode get(String url, String token, String path) throws Exception {
        try {
            HttpResponse<String> response = send("GET", url + path, token, null);
            return response.statusCode() == 200 ? Documents.json().readTree(response.body())
                    : Documents.json().createObjectNode();
        } catch (IOException e) {
            return Documents.json().createObjectNode();
        }
    }

    private static HttpResponse<String> send(String method, String url, String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + token).method(method, body == null
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

}
