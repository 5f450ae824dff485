package dev.vigil.controller;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.gpu.simulated.NodeProfile;
import dev.vigil.gpu.simulated.SimulatedSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static dev.vigil.testsupport.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mig.auto}: with slice work waiting and whole GPUs idle, the leader changes idle GPUs to
 * slices within its limits, audited as mig-auto, and the waiting service starts on them.
 */
class MigAutoTest {
    @TempDir
    Path dataDir;

    @Test
    void waitingSliceWorkGetsIdleGpusCutIntoSlicesWithinTheLimits() throws Exception {
        try (TestController controller = TestController.start(dataDir, """
                nodeTimeout: 2s
                scheduler: {interval: 200ms, backend: simulated}
                mig: {auto: {enabled: true, interval: 1s, maxGpusChangingAtOnce: 1, minIdle: 2}}
                """);
             FakeAgent agent = new FakeAgent(controller, controller.token("agent"), "auto-1",
                     SimulatedSpec.of(NodeProfile.HGX_H100_8, 1, List.of()))) {
            String admin = controller.token("admin");
            await(Duration.ofSeconds(10), () -> "ready".equals(controller.json("GET", "/v1/nodes/auto-1", admin, null)
                    .path("state").asText()));
            HttpResponse<String> submitted = controller.send("POST", "/v1/jobs", admin, "{\"name\": \"chat\", "
                    + "\"kind\": \"inference\", \"replicas\": 12, \"migProfile\": \"1g.10gb\", \"waitForNodes\": true, "
                    + "\"duration\": \"1h\"}");
            assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(201);
            String job = controller.json("GET", "/v1/jobs", admin, null).get("jobs").get(0).get("id").asText();

            await(Duration.ofSeconds(30), () -> "running".equals(controller.json("GET", "/v1/jobs/" + job, admin, null)
                    .get("state").asText()) && controller.json("GET", "/v1/jobs/" + job, admin, null)
                    .get("placements").size() == 12);

            JsonNode gpus = controller.json("GET", "/v1/nodes/auto-1/mig", admin, null).get("gpus");
            long sliced = 0;
            for (JsonNode gpu : gpus) {
                if (gpu.get("actual").asText().equals("MIG on: 7×1g.10gb")) {
                    sliced++;
                    assertThat(gpu.get("change").get("actor").asText()).isEqualTo("mig-auto");
                }
            }
            assertThat(sliced).as("12 slices need two GPUs of 7; at most 1 changes at once").isEqualTo(2);
            JsonNode audit = controller.json("GET", "/v1/audit?limit=500", admin, null);
            assertThat(audit.toString()).contains("\"actor\":\"mig-auto\"", "mig.auto: ");
        }
    }
}
