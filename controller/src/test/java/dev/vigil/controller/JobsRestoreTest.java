package dev.vigil.controller;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.gpu.simulated.NodeProfile;
import dev.vigil.gpu.simulated.SimulatedSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.vigil.testsupport.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A new leader goes on where the old one stopped: a controller restarted on its persisted state
 * rebuilds its scheduler from the stored jobs. A running job keeps its GPUs (nothing else lands
 * there) and ends when its duration is up, by the time it started; a queued job stays queued.
 */
class JobsRestoreTest {
    @TempDir
    Path dataDir;

    private static final String CONFIG = """
            nodeTimeout: 30s
            scheduler: {interval: 200ms, backend: simulated}
            """;

    @Test
    void aRestartedControllerRestoresRunningAndQueuedJobsFromTheStore() throws Exception {
        TestController first = TestController.start(dataDir, CONFIG, true);
        String admin = first.token("admin");
        FakeAgent agent = new FakeAgent(first, first.token("agent"), "keep-1",
                SimulatedSpec.of(NodeProfile.HGX_H100_8, 1, List.of()));
        String running;
        String queued;
        JsonNode before;
        try {
            await(Duration.ofSeconds(10), () -> "ready".equals(first.json("GET", "/v1/nodes/keep-1", admin, null)
                    .get("state").asText()));
            running = first.json("POST", "/v1/jobs", admin, "{\"name\": \"long\", \"gpus\": 8, \"duration\": \"15s\"}")
                    .get("id").asText();
            queued = first.json("POST", "/v1/jobs", admin, "{\"gpus\": 8, \"models\": [\"B200\"], \"waitForNodes\": true}").get("id").asText();
            await(Duration.ofSeconds(10), () -> "running".equals(first.json("GET", "/v1/jobs/" + running, admin, null)
                    .get("state").asText()));
            before = first.json("GET", "/v1/jobs/" + running, admin, null);
        } finally {
            first.close();
        }

        TestController second = TestController.start(dataDir, CONFIG, true);
        agent.reportTo(second);
        try {
            JsonNode after = second.json("GET", "/v1/jobs/" + running, admin, null);
            assertThat(after.get("state").asText()).isEqualTo("running");
            assertThat(after.get("placements")).isEqualTo(before.get("placements"));
            assertThat(second.json("GET", "/v1/jobs/" + running + "/why", admin, null).get("details").toString())
                    .contains("holds keep-1 GPUs [0, 1, 2, 3, 4, 5, 6, 7]");
            JsonNode why = second.json("GET", "/v1/jobs/" + queued + "/why", admin, null);
            assertThat(why.get("state").asText()).isEqualTo("admitted");
            assertThat(why.get("position").asInt()).isEqualTo(1);

            // The restored job holds its GPUs: another 8-GPU job waits for them ...
            String next = second.json("POST", "/v1/jobs", admin, "{\"name\": \"next\", \"gpus\": 8, "
                    + "\"duration\": \"1h\"}").get("id").asText();
            assertThat(next).isEqualTo("j-000003");
            await(Duration.ofSeconds(5), () -> "room".equals(second.json("GET", "/v1/jobs/" + next + "/why", admin,
                    null).get("reason").asText()));
            // ... until the restored one ends, by its own start time, and hands them over.
            await(Duration.ofSeconds(30), () -> "succeeded".equals(second.json("GET", "/v1/jobs/" + running, admin,
                    null).get("state").asText()));
            JsonNode done = second.json("GET", "/v1/jobs/" + running, admin, null);
            assertThat(Duration.between(Instant.parse(before.get("started").asText()),
                    Instant.parse(done.get("finished").asText()))).isGreaterThanOrEqualTo(Duration.ofSeconds(15));
            List<String> events = new ArrayList<>();
            second.json("GET", "/v1/events?limit=10000", admin, null).get("events").forEach(e -> {
                if (e.get("message").asText().startsWith("job " + running + " ")) {
                    events.add(e.get("message").asText());
                }
            });
            assertThat(events).as("the new leader stores only the transitions after the stored ones")
                    .doesNotHaveDuplicates().hasSize(done.get("history").size());
            await(Duration.ofSeconds(20), () -> "running".equals(second.json("GET", "/v1/jobs/" + next, admin, null)
                    .get("state").asText()));
        } finally {
            agent.close();
            second.close();
        }
    }

    @Test
    void aRestartedControllerKeepsEachTenantsFairShareUsage() throws Exception {
        String config = """
                nodeTimeout: 30s
                scheduler:
                  interval: 200ms
                  backend: simulated
                  policy:
                    tenants: [{name: heavy, shares: 1}, {name: light, shares: 1}]
                """;
        TestController first = TestController.start(dataDir, config, true);
        String admin = first.token("admin");
        FakeAgent agent = new FakeAgent(first, first.token("agent"), "share-1",
                SimulatedSpec.of(NodeProfile.HGX_H100_8, 1, List.of()));
        String waiting;
        try {
            await(Duration.ofSeconds(10), () -> "ready".equals(first.json("GET", "/v1/nodes/share-1", admin, null)
                    .get("state").asText()));
            String used = first.json("POST", "/v1/jobs", admin, "{\"tenant\": \"heavy\", \"gpus\": 8, "
                    + "\"duration\": \"2s\"}").get("id").asText();
            await(Duration.ofSeconds(15), () -> "succeeded".equals(first.json("GET", "/v1/jobs/" + used, admin, null)
                    .get("state").asText()));
            waiting = first.json("POST", "/v1/jobs", admin, "{\"tenant\": \"heavy\", \"gpus\": 8, "
                    + "\"models\": [\"B200\"], \"waitForNodes\": true}").get("id").asText();
            assertThat(factor(first, admin, waiting)).as("heavy used all there was").isEqualTo("0.250");
        } finally {
            first.close();
        }

        TestController second = TestController.start(dataDir, config, true);
        agent.reportTo(second);
        try {
            assertThat(factor(second, admin, waiting)).as("the usage survived the restart").isEqualTo("0.250");
        } finally {
            agent.close();
            second.close();
        }
    }

    /** The fair-share factor {@code vigil why} gives a job's tenant. */
    private static String factor(TestController controller, String token, String job) throws Exception {
        String details = controller.json("GET", "/v1/jobs/" + job + "/why", token, null).get("details").toString();
        Matcher factor = Pattern.compile("fair-share factor (\\d\\.\\d{3})").matcher(details);
        assertThat(factor.find()).as(details).isTrue();
        return factor.group(1);
    }
}
