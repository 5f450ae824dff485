package dev.vigil.controller;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.api.binding.Documents;
import dev.vigil.controller.config.ControllerConfig;
import dev.vigil.controller.leader.EventLoop;
import dev.vigil.gpu.simulated.NodeProfile;
import dev.vigil.gpu.simulated.SimulatedSpec;
import org.apache.ignite.Ignition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static dev.vigil.testsupport.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three members in one JVM: a run stored step by step survives its leader. The leader is stopped
 * as a crash would stop it while a run waits for approval, after it asked the agent for a GPU
 * reset; the new leader goes on from the stored run: the reset is not asked again, no step is
 * skipped, and the run ends once an operator approves through the new leader.
 */
class RunbookFailoverTest {
    private static final List<String> NAMES = List.of("r1", "r2", "r3");
    private static final String RUNBOOK = """
            name: reset-with-approval
            description: "test: drain a GPU, reset it, wait for an operator, check it, return it"
            target: gpu
            mode: active
            steps:
              - kind: drain
                mode: requeue
              - kind: gpu-reset
              - kind: approve
                timeout: 5m
              - kind: health-check
                level: 1
              - kind: return
            """;

    @TempDir
    Path dir;
    private final Map<String, TestController> members = new LinkedHashMap<>();
    private final List<FakeAgent> agents = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (FakeAgent agent : agents) {
            agent.close();
        }
        for (TestController member : members.values()) {
            try {
                member.close();
            } catch (RuntimeException e) {
                // stopped by the test already
            }
        }
    }

    private void start() throws Exception {
        Files.createDirectories(dir.resolve("runbooks"));
        Files.writeString(dir.resolve("runbooks/reset-with-approval.yaml"), RUNBOOK);
        StringBuilder list = new StringBuilder();
        for (String name : NAMES) {
            list.append("    - {name: ").append(name).append(", address: \"127.0.0.1:")
                    .append(TestController.freePort()).append("\"}\n");
        }
        int communication = TestController.freePort();
        Map<String, Controller> started = new LinkedHashMap<>();
        for (String name : NAMES) {
            String yaml = """
                    member: %s
                    listen: 127.0.0.1:%d
                    dataDir: %s
                    nodeTimeout: 30s
                    scheduler: {backend: simulated, interval: 100ms}
                    runbooks: {dir: %s, interval: 100ms}
                    tokens: {adminFile: %s, agentFile: %s}
                    cluster:
                      persistence: false
                      communicationPort: %d
                      failureDetectionTimeout: 2s
                      members:
                    %s""".formatted(name, TestController.freePort(), dir.resolve(name), dir.resolve("runbooks"),
                    dir.resolve("admin.token"), dir.resolve("agent.token"), communication, list);
            ControllerConfig config = Documents.readYaml(yaml, ControllerConfig.class, name);
            started.put(name, Controller.start(config, config.alerts().load(), Clock.systemUTC(),
                    UnaryOperator.identity(), EventLoop.Listener.NONE));
        }
        for (Map.Entry<String, Controller> member : started.entrySet()) {
            assertThat(member.getValue().awaitReady(Duration.ofSeconds(90))).as(member.getKey() + " ready").isTrue();
            members.put(member.getKey(), TestController.of(member.getValue(), dir));
        }
    }

    private String leader() {
        return members.keySet().stream().filter(name -> {
            try {
                return Ignition.ignite(name) != null && members.get(name).controller().leading();
            } catch (RuntimeException e) {
                return false;
            }
        }).findFirst().orElse(null);
    }

    /** A write tried again while members answer 503 (leadership moving). */
    private HttpResponse<String> write(TestController member, String path, String token, String body)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            HttpResponse<String> answer = member.send("POST", path, token, body);
            if (answer.statusCode() != 503 || System.nanoTime() > deadline) {
                return answer;
            }
            Thread.sleep(100);
        }
    }

    /** An agent reporting through {@code member}: its first report is tried again while members settle. */
    private FakeAgent agent(TestController member) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                FakeAgent agent = new FakeAgent(member, member.token("agent"), "n1",
                        SimulatedSpec.of(NodeProfile.HGX_H100_8, 1, List.of()));
                agents.add(agent);
                return agent;
            } catch (IOException e) {
                assertThat(System.nanoTime()).as("no first report within 60 s: %s", e).isLessThan(deadline);
            }
        }
    }

    /** A field of what {@code path} answers, or null while it answers anything but 200 (not there yet, 503). */
    private static String field(TestController member, String path, String token, String field) throws Exception {
        HttpResponse<String> answer = member.send("GET", path, token, null);
        return answer.statusCode() == 200 ? Documents.json().readTree(answer.body()).path(field).asText() : null;
    }

    @Test
    void aNewLeaderGoesOnFromTheStoredRunWithoutRepeatingOrSkippingAStep() throws Exception {
        start();
        String leader = leader();
        String asking = NAMES.stream().filter(n -> !n.equals(leader)).findFirst().orElseThrow();
        TestController member = members.get(asking);
        String admin = member.token("admin");
        FakeAgent agent = agent(member);
        await(Duration.ofSeconds(30), () -> "ready".equals(field(member, "/v1/nodes/n1", admin, "state")));

        HttpResponse<String> started = write(member, "/v1/runbooks/reset-with-approval/runs", admin,
                "{\"node\": \"n1\", \"gpu\": 1, \"reason\": \"failover test\"}");
        assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
        String run = Documents.json().readTree(started.body()).get("id").asText();
        await(Duration.ofSeconds(30), () -> "waiting-approval".equals(field(member, "/v1/runs/" + run, admin,
                "state")));
        assertThat(agent.carriedOut).containsExactly(run + "/1/1");

        Ignition.stop(leader, true);
        await(Duration.ofSeconds(60), () -> {
            String now = leader();
            return now != null && !now.equals(leader);
        });
        HttpResponse<String> approved = write(member, "/v1/runs/" + run + "/approve", admin,
                "{\"reason\": \"looked at it\"}");
        assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
        await(Duration.ofSeconds(30), () -> "succeeded".equals(field(member, "/v1/runs/" + run, admin, "state")));

        JsonNode done = member.json("GET", "/v1/runs/" + run, admin, null);
        assertThat(done.get("steps").findValuesAsText("state")).containsOnly("succeeded").hasSize(5);
        assertThat(done.get("steps").findValues("attempts")).allMatch(a -> a.asInt() == 1);
        assertThat(done.get("steps").get(2).get("output").asText()).isEqualTo("approved by admin");
        assertThat(agent.carriedOut).as("the reset was not asked again").containsExactly(run + "/1/1",
                run + "/3/1");
        assertThat(member.json("GET", "/v1/nodes/n1", admin, null).get("cordonedGpus")).isEmpty();
    }
}
