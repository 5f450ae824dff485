package dev.vigil.controller;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.api.binding.Documents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static dev.vigil.controller.ThreeMembers.field;
import static dev.vigil.controller.ThreeMembers.write;
import static dev.vigil.testsupport.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three members in one JVM: a run stored step by step survives its leader. The leader is stopped
 * as a crash would stop it while a run waits for approval, after it asked the agent for a GPU
 * reset; the new leader goes on from the stored run: the reset is not asked again, no step is
 * skipped, and the run ends once an operator approves through the new leader.
 */
class RunbookFailoverTest {
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

    @Test
    void aNewLeaderGoesOnFromTheStoredRunWithoutRepeatingOrSkippingAStep() throws Exception {
        Files.createDirectories(dir.resolve("runbooks"));
        Files.writeString(dir.resolve("runbooks/reset-with-approval.yaml"), RUNBOOK);
        try (ThreeMembers cluster = new ThreeMembers(dir, "runbooks: {dir: " + dir.resolve("runbooks")
                + ", interval: 100ms}")) {
            TestController member = cluster.follower();
            String admin = member.token("admin");
            FakeAgent agent = cluster.agent(member, "n1");
            await(Duration.ofSeconds(30), () -> "ready".equals(field(member, "/v1/nodes/n1", admin, "state")));

            HttpResponse<String> started = write(member, "POST", "/v1/runbooks/reset-with-approval/runs", admin,
                    "{\"node\": \"n1\", \"gpu\": 1, \"reason\": \"failover test\"}");
            assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
            String run = Documents.json().readTree(started.body()).get("id").asText();
            await(Duration.ofSeconds(30), () -> "waiting-approval".equals(field(member, "/v1/runs/" + run, admin,
                    "state")));
            assertThat(agent.carriedOut).containsExactly(run + "/1/1");

            cluster.stopLeader();
            HttpResponse<String> approved = write(member, "POST", "/v1/runs/" + run + "/approve", admin,
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
}
