package dev.vigil.controller;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.api.binding.HumanDurations;
import dev.vigil.api.placement.Enforcement;
import dev.vigil.api.placement.JudgedProcess;
import dev.vigil.api.placement.PlacementVerdict;
import dev.vigil.gpu.simulated.NodeProfile;
import dev.vigil.gpu.simulated.SimulatedSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static dev.vigil.testsupport.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Placement enforcement on a real controller: each node pool's policy reaches its agents in the desired state;
 * the violations agents report are listed fleet-wide, shown on their GPUs and alerted on; a {@code cordon-gpu}
 * policy cordons the GPU; every action an agent took is audited. Each test keeps to its own node pool.
 */
class PlacementApiTest {
    @TempDir
    static Path dataDir;
    private static TestController controller;
    private static String admin;
    private static final List<FakeAgent> AGENTS = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        controller = TestController.start(dataDir, """
                nodeTimeout: 2s
                scheduler:
                  interval: 200ms
                  backend: simulated
                  pools:
                    loose: [loose-1]
                    strict: [strict-1]
                    kill: [kill-1]
                placement:
                  killGrace: 20s
                  pools:
                    strict: {action: cordon-gpu}
                    kill: {action: kill, killGrace: 3s}
                """);
        admin = controller.token("admin");
    }

    @AfterAll
    static void stop() throws Exception {
        for (FakeAgent agent : AGENTS) {
            agent.close();
        }
        controller.close();
    }

    private static FakeAgent agent(String node) throws Exception {
        FakeAgent agent = new FakeAgent(controller, controller.token("agent"), node,
                SimulatedSpec.of(NodeProfile.HGX_H100_8, 1, List.of()));
        AGENTS.add(agent);
        await(Duration.ofSeconds(10), () -> "ready".equals(get("/v1/nodes/" + node).path("state").asText()));
        return agent;
    }

    private static JsonNode get(String path) throws Exception {
        return controller.json("GET", path, admin, null);
    }

    private static JudgedProcess rogue(int gpu, long pid, Enforcement enforcement) {
        return new JudgedProcess(gpu, null, pid, "1001", "xmrig", "unit:miner.service", null, PlacementVerdict.ROGUE,
                enforcement, Instant.parse("2026-12-07T01:00:00Z"));
    }

    private static JudgedProcess allowed(int gpu, long pid, String job) {
        return new JudgedProcess(gpu, null, pid, "1002", "python3", "job:" + job, job, PlacementVerdict.ALLOWED,
                null, null);
    }

    private static List<String> audited(String action) throws Exception {
        List<String> found = new ArrayList<>();
        for (JsonNode entry : get("/v1/audit").get("entries")) {
            if (entry.path("action").asText().equals(action)) {
                found.add(entry.path("detail").asText());
            }
        }
        return found;
    }

    @Test
    void eachAgentIsToldItsPoolsPolicyAndNodesInNoListedPoolTheFleetDefault() throws Exception {
        FakeAgent kill = agent("kill-1");
        FakeAgent loose = agent("free-1");
        await(Duration.ofSeconds(5), () -> kill.desired() != null && loose.desired() != null);
        assertThat(kill.desired().path("placement").path("action").asText()).isEqualTo("kill");
        assertThat(HumanDurations.parse(kill.desired().path("placement").path("killGrace").asText(), "killGrace"))
                .isEqualTo(Duration.ofSeconds(3));
        assertThat(loose.desired().path("placement").path("action").asText()).isEqualTo("report");
        assertThat(HumanDurations.parse(loose.desired().path("placement").path("killGrace").asText(), "killGrace"))
                .isEqualTo(Duration.ofSeconds(20));

        kill.processes = List.of(rogue(4, 5150, Enforcement.SIGTERM_SENT));
        await(Duration.ofSeconds(5), () -> audited("placement sigterm-sent").stream()
                .anyMatch(d -> d.contains("pid 5150") && d.contains("kill-1")));
        kill.processes = List.of(rogue(4, 5150, Enforcement.SIGKILL_SENT));
        await(Duration.ofSeconds(5), () -> !audited("placement sigkill-sent").isEmpty());
        kill.processes = List.of();
        Thread.sleep(500);
        assertThat(audited("placement sigterm-sent")).as("each action audited once").hasSize(1);
    }

    @Test
    void aViolationIsListedShownOnItsGpuAndAlertedUntilTheProcessIsGone() throws Exception {
        FakeAgent agent = agent("loose-1");
        agent.processes = List.of(allowed(0, 900, "train-a"), rogue(2, 4242, Enforcement.REPORTED));
        await(Duration.ofSeconds(5), () -> get("/v1/violations").get("violations").size() == 1);
        JsonNode violation = get("/v1/violations?node=loose-1").get("violations").get(0);
        assertThat(violation.path("node").asText()).isEqualTo("loose-1");
        assertThat(violation.path("gpu").asInt()).isEqualTo(2);
        assertThat(violation.path("uuid").asText()).startsWith("GPU-");
        assertThat(violation.path("pid").asLong()).isEqualTo(4242);
        assertThat(violation.path("command").asText()).isEqualTo("xmrig");
        assertThat(violation.path("verdict").asText()).isEqualTo("rogue");
        assertThat(violation.path("enforcement").asText()).isEqualTo("reported");
        assertThat(get("/v1/violations?verdict=overreach").get("violations")).isEmpty();

        JsonNode gpus = get("/v1/gpus?node=loose-1").get("gpus");
        assertThat(gpus.get(0).path("processes").findValuesAsText("verdict")).containsExactly("allowed");
        assertThat(gpus.get(2).path("processes").findValuesAsText("pid")).containsExactly("4242");
        assertThat(gpus.get(2).path("cordoned").asBoolean()).as("report cordons nothing").isFalse();

        await(Duration.ofSeconds(5), () -> firing("loose-1", "4242"));
        agent.processes = List.of(allowed(0, 900, "train-a"));
        await(Duration.ofSeconds(5), () -> get("/v1/violations?node=loose-1").get("violations").isEmpty());
        await(Duration.ofSeconds(5), () -> !firing("loose-1", "4242"));
        assertThat(audited("placement reported")).as("reporting is no action").isEmpty();
    }

    private static boolean firing(String node, String pid) throws Exception {
        for (JsonNode alert : get("/v1/alerts?state=firing").get("alerts")) {
            if (alert.path("name").asText().equals("GpuPlacementViolation")
                    && alert.path("labels").path("node").asText().equals(node)
                    && alert.path("labels").path("pid").asText().equals(pid)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void theCordonGpuPolicyCordonsTheGpuOnceAndAnOperatorsUncordonStands() throws Exception {
        FakeAgent agent = agent("strict-1");
        agent.processes = List.of(rogue(5, 777, Enforcement.CORDON_GPU));
        await(Duration.ofSeconds(5), () -> get("/v1/gpus?node=strict-1").get("gpus").get(5).path("cordoned")
                .asBoolean());
        JsonNode gpu = get("/v1/gpus?node=strict-1").get("gpus").get(5);
        assertThat(gpu.path("cordonReason").asText()).startsWith("placement: rogue pid 777 on gpu 5 of strict-1")
                .contains("command xmrig");
        assertThat(get("/v1/nodes/strict-1").path("cordonedGpus").get(0).path("actor").asText())
                .isEqualTo("placement");
        assertThat(audited("placement cordon-gpu")).singleElement().asString().contains("pid 777");
        assertThat(get("/v1/events?node=strict-1").findValuesAsText("kind")).contains("cordon");

        HttpResponse<String> uncordon = controller.send("POST", "/v1/nodes/strict-1/gpus/5/uncordon", admin,
                "{\"reason\": \"miner stopped by hand\"}");
        assertThat(uncordon.statusCode()).isEqualTo(200);
        Thread.sleep(500);
        assertThat(get("/v1/gpus?node=strict-1").get("gpus").get(5).path("cordoned").asBoolean())
                .as("the same process does not cordon again").isFalse();

        agent.processes = List.of(rogue(5, 778, Enforcement.CORDON_GPU));
        await(Duration.ofSeconds(5), () -> get("/v1/gpus?node=strict-1").get("gpus").get(5).path("cordoned")
                .asBoolean());
    }

    @Test
    void aVerdictThatIsNoViolationIsAClientErrorNamingTheField() throws Exception {
        HttpResponse<String> bad = controller.send("GET", "/v1/violations?verdict=allowed", admin, null);
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.headers().firstValue("content-type")).hasValue("application/problem+json");
        assertThat(bad.body()).contains("verdict").contains("allowed").contains("overreach or rogue");
    }
}
