package dev.vigil.controller;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.api.binding.Documents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import static dev.vigil.controller.ThreeMembers.field;
import static dev.vigil.controller.ThreeMembers.write;
import static dev.vigil.testsupport.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three members in one JVM: a MIG change stored with its node survives its leader. The leader is
 * stopped while a GPU drains for a job; the new leader keeps the GPU closed, and once the job
 * leaves it sends the layout and ends the change.
 */
class MigFailoverTest {
    @TempDir
    Path dir;

    @Test
    void aDrainingGpuStaysClosedUnderTheNewLeaderWhichEndsTheChangeOnceTheJobLeaves() throws Exception {
        try (ThreeMembers cluster = new ThreeMembers(dir, "")) {
            TestController member = cluster.follower();
            String admin = member.token("admin");
            cluster.agent(member, "n1");
            await(Duration.ofSeconds(30), () -> "ready".equals(field(member, "/v1/nodes/n1", admin, "state")));
            HttpResponse<String> submitted = write(member, "POST", "/v1/jobs", admin,
                    "{\"name\": \"one\", \"gpus\": 1, \"duration\": \"1h\"}");
            assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(201);
            String job = Documents.json().readTree(submitted.body()).get("id").asText();
            await(Duration.ofSeconds(30), () -> "running".equals(field(member, "/v1/jobs/" + job, admin, "state")));
            int gpu = member.json("GET", "/v1/jobs/" + job, admin, null).get("placements").get(0).get("gpus").get(0)
                    .asInt();
            HttpResponse<String> set = write(member, "PUT", "/v1/nodes/n1/mig", admin,
                    "{\"config\": \"all-3g.40gb\", \"gpus\": [" + gpu + "], \"drainTimeout\": \"10m\"}");
            assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
            assertThat(phase(member, admin, gpu)).isEqualTo("draining");

            cluster.stopLeader();

            HttpResponse<String> another = write(member, "POST", "/v1/jobs", admin,
                    "{\"name\": \"eight\", \"gpus\": 8, \"duration\": \"1h\", \"waitForNodes\": true}");
            assertThat(another.statusCode()).as(another.body()).isEqualTo(201);
            String eight = Documents.json().readTree(another.body()).get("id").asText();
            HttpResponse<String> cancelled = write(member, "POST", "/v1/jobs/" + job + "/cancel", admin,
                    "{\"reason\": \"make room\"}");
            assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(200);
            await(Duration.ofSeconds(30), () -> "success".equals(phase(member, admin, gpu)));
            JsonNode layout = member.json("GET", "/v1/nodes/n1/mig", admin, null).get("gpus").get(gpu);
            assertThat(layout.get("actual").asText()).isEqualTo("MIG on: 2×3g.40gb");
            assertThat(member.json("GET", "/v1/jobs/" + eight, admin, null).get("placements"))
                    .as("the GPU in MIG mode takes no whole-GPU work: 8 GPUs are not there").isEmpty();
        }
    }

    private static String phase(TestController member, String admin, int gpu) throws Exception {
        HttpResponse<String> answer = member.send("GET", "/v1/nodes/n1/mig", admin, null);
        return answer.statusCode() == 200
                ? Documents.json().readTree(answer.body()).get("gpus").get(gpu).path("change").path("phase").asText()
                : null;
    }
}
