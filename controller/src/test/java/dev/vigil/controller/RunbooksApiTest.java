package dev.vigil.controller;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.api.binding.Documents;
import dev.vigil.gpu.simulated.FaultKind;
import dev.vigil.gpu.simulated.FaultSpec;
import dev.vigil.gpu.simulated.NodeProfile;
import dev.vigil.gpu.simulated.SimulatedSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.vigil.testsupport.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The incident loop on one controller with the shipped runbooks made active: an XID 79 under a
 * gang requeues it elsewhere and the runbook drains, reboots, checks and returns the node; a dry
 * run changes nothing; bad requests name their field.
 */
class RunbooksApiTest {
    @TempDir
    static Path dataDir;
    private static TestController controller;
    private static String admin;
    private static String viewer;
    private static final List<FakeAgent> AGENTS = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        controller = TestController.start(dataDir, """
                nodeTimeout: 2s
                scheduler:
                  interval: 200ms
                  backend: simulated
                  pools:
                    bus: ["bus-[1-2]"]
                    dry: [dry-1]
                    rma: [rma-1]
                runbooks:
                  mode: active
                  interval: 200ms
                """);
        admin = controller.token("admin");
        viewer = controller.json("POST", "/v1/tokens", admin, "{\"name\": \"vic\", \"role\": \"viewer\"}")
                .get("secret").asText();
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
        await(Duration.ofSeconds(10), () -> "ready".equals(node(node).path("state").asText()));
        return agent;
    }

    private static JsonNode node(String name) throws Exception {
        return controller.json("GET", "/v1/nodes/" + name, admin, null);
    }

    private static JsonNode job(String id) throws Exception {
        return controller.json("GET", "/v1/jobs/" + id, admin, null);
    }

    private static Set<String> nodesOf(JsonNode job) {
        Set<String> nodes = new HashSet<>();
        job.get("placements").forEach(p -> nodes.add(p.get("node").asText()));
        return nodes;
    }

    private static JsonNode runs(String query) throws Exception {
        return controller.json("GET", "/v1/runs" + query, viewer, null);
    }

    @Test
    void anXid79RequeuesTheGangAndTheRunbookDrainsRebootsChecksAndReturnsTheNode() throws Exception {
        FakeAgent first = agent("bus-1");
        FakeAgent second = agent("bus-2");
        HttpResponse<String> submitted = controller.send("POST", "/v1/jobs", admin,
                "{\"name\": \"gang\", \"gpus\": 8, \"pool\": \"bus\", \"duration\": \"1h\"}");
        String id = Documents.json().readTree(submitted.body()).get("id").asText();
        await(Duration.ofSeconds(20), () -> "running".equals(job(id).get("state").asText()));
        String hit = nodesOf(job(id)).iterator().next();
        String other = hit.equals("bus-1") ? "bus-2" : "bus-1";

        (hit.equals("bus-1") ? first : second).gpus.inject(FaultSpec.now(3, FaultKind.XID, 79));

        await(Duration.ofSeconds(20), () -> "running".equals(job(id).get("state").asText())
                && nodesOf(job(id)).equals(Set.of(other)));
        await(Duration.ofSeconds(30), () -> runs("?runbook=gpu-fallen-off-bus").size() == 1
                && "succeeded".equals(runs("?runbook=gpu-fallen-off-bus").get(0).get("state").asText()));
        JsonNode run = controller.json("GET", "/v1/runs/" + runs("?runbook=gpu-fallen-off-bus").get(0).get("id")
                .asText(), viewer, null);
        assertThat(run.get("target").get("node").asText()).isEqualTo(hit);
        assertThat(run.get("dryRun").asBoolean()).isFalse();
        assertThat(run.get("trigger").asText()).startsWith("alert GpuXidFatal{").contains("node=" + hit, "xid=79");
        assertThat(run.get("steps").findValuesAsText("kind"))
                .containsExactly("drain", "reboot", "power-cycle", "wait", "health-check", "return");
        assertThat(run.get("steps").findValuesAsText("state"))
                .containsExactly("succeeded", "succeeded", "skipped", "succeeded", "succeeded", "succeeded");
        for (JsonNode step : run.get("steps")) {
            if (!step.get("state").asText().equals("skipped")) {
                assertThat(step.get("started").asText()).isNotEmpty();
                assertThat(step.get("ended").asText()).isNotEmpty();
            }
        }
        await(Duration.ofSeconds(10), () -> "ready".equals(node(hit).get("state").asText()));
        JsonNode audit = controller.json("GET", "/v1/audit?limit=1000", admin, null);
        assertThat(audit.findValuesAsText("actor")).contains("runbook:gpu-fallen-off-bus/" + run.get("id").asText());
        assertThat(node(hit).get("actions")).isEmpty();
        controller.json("POST", "/v1/jobs/" + id + "/cancel", admin, "{\"reason\": \"done testing\"}");
    }

    @Test
    void aDryRunRecordsEveryStepItWouldTakeAndChangesNothing() throws Exception {
        agent("dry-1");
        JsonNode before = node("dry-1");

        HttpResponse<String> started = controller.send("POST", "/v1/runbooks/gpu-reset-needed/runs", admin,
                "{\"node\": \"dry-1\", \"gpu\": 2, \"dryRun\": true, \"reason\": \"rehearsal\"}");

        assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
        JsonNode run = Documents.json().readTree(started.body());
        assertThat(started.headers().firstValue("Location")).hasValue("/v1/runs/" + run.get("id").asText());
        assertThat(run.get("state").asText()).isEqualTo("succeeded");
        assertThat(run.get("steps").findValuesAsText("output")).allMatch(o -> o.startsWith("dry run: "));
        JsonNode after = node("dry-1");
        for (String field : List.of("state", "cordoned", "cordonedGpus", "drain", "version", "allocations",
                "actions", "history")) {
            assertThat(after.get(field)).as(field).isEqualTo(before.get(field));
        }
    }

    @Test
    void badRunRequestsNameTheirFieldAndViewersCannotStartRuns() throws Exception {
        HttpResponse<String> unknown = controller.send("POST", "/v1/runbooks/no-such/runs", admin,
                "{\"node\": \"dry-1\"}");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("gpu-fallen-off-bus");

        HttpResponse<String> noGpu = controller.send("POST", "/v1/runbooks/gpu-reset-needed/runs", admin,
                "{\"node\": \"dry-1\"}");
        assertThat(noGpu.statusCode()).isEqualTo(400);
        assertThat(Documents.json().readTree(noGpu.body()).get("field").asText())
                .isEqualTo("gpu");

        HttpResponse<String> noNode = controller.send("POST", "/v1/runbooks/gpu-fallen-off-bus/runs", admin,
                "{\"node\": \"nowhere-1\"}");
        assertThat(noNode.statusCode()).isEqualTo(400);
        assertThat(Documents.json().readTree(noNode.body()).get("value").asText())
                .isEqualTo("nowhere-1");

        assertThat(controller.send("GET", "/v1/runs/run-x", viewer, null).statusCode()).isEqualTo(400);
        assertThat(controller.send("GET", "/v1/runs/run-999999", viewer, null).statusCode()).isEqualTo(404);
        assertThat(controller.send("GET", "/v1/runs?state=sleeping", viewer, null).statusCode()).isEqualTo(400);
        assertThat(controller.send("POST", "/v1/runbooks/gpu-fallen-off-bus/runs", viewer,
                "{\"node\": \"dry-1\"}").statusCode()).isEqualTo(403);
    }

    @Test
    void theCapacityReportRunsByHandOnTheFleetAndIsWrittenUnderTheDataDir() throws Exception {
        HttpResponse<String> started = controller.send("POST", "/v1/runbooks/capacity-report/runs", admin,
                "{\"reason\": \"monday came early\"}");
        assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
        JsonNode run = Documents.json().readTree(started.body());
        assertThat(run.get("target")).isNull();
        assertThat(run.get("state").asText()).isEqualTo("succeeded");
        await(Duration.ofSeconds(20), () -> {
            try (var files = Files.list(dataDir.resolve("reports"))) {
                return files.map(f -> f.getFileName().toString()).filter(f -> f.startsWith("capacity-")).count() == 2;
            } catch (NoSuchFileException e) {
                return false;
            }
        });
        assertThat(controller.send("POST", "/v1/runbooks/capacity-report/runs", admin,
                "{\"node\": \"dry-1\"}").statusCode()).isEqualTo(400);
    }

    @Test
    void aRunbooksPageReachesTheReceiversAsAnAlertUntilTheNodeIsBackInService() throws Exception {
        agent("rma-1");
        HttpResponse<String> started = controller.send("POST", "/v1/runbooks/rma/runs", admin,
                "{\"node\": \"rma-1\", \"gpu\": 2, \"reason\": \"row remap failed\"}");
        assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
        String run = Documents.json().readTree(started.body()).get("id").asText();

        await(Duration.ofSeconds(20), () -> page("rma-1") != null && "firing".equals(page("rma-1").get("state").asText()));
        JsonNode page = page("rma-1");
        assertThat(page.get("labels").get("run").asText()).isEqualTo(run);
        assertThat(page.get("labels").get("runbook").asText()).isEqualTo("rma");
        assertThat(page.get("labels").get("severity").asText()).isEqualTo("critical");
        assertThat(page.get("annotations").get("summary").asText())
                .isEqualTo("rma-1 GPU 2: row remapping failed; the GPU needs an RMA (run " + run + ")");
        assertThat(node("rma-1").get("state").asText()).isEqualTo("cordoned");

        controller.json("POST", "/v1/nodes/rma-1/uncordon", admin, "{\"reason\": \"GPU 2 replaced\"}");

        await(Duration.ofSeconds(20), () -> "resolved".equals(page("rma-1").get("state").asText()));
    }

    /** The RunbookPage alert raised for {@code node}, or null. */
    private static JsonNode page(String node) throws Exception {
        for (JsonNode alert : controller.json("GET", "/v1/alerts", viewer, null).get("alerts")) {
            if (alert.get("name").asText().equals("RunbookPage") && node.equals(alert.get("labels").path("node")
                    .asText())) {
                return alert;
            }
        }
        return null;
    }

    @Test
    void theRunbooksAndTheBreakerAreListed() throws Exception {
        JsonNode runbooks = controller.json("GET", "/v1/runbooks", viewer, null);
        assertThat(runbooks.findValuesAsText("name")).contains("gpu-fallen-off-bus", "gpu-reset-needed",
                "capacity-report");
        assertThat(runbooks.findValuesAsText("mode")).containsOnly("active");
        JsonNode automation = controller.json("GET", "/v1/runbooks/automation", viewer, null);
        assertThat(automation.get("halted").asBoolean()).isFalse();
        assertThat(automation.get("breakerLimit").asInt()).isEqualTo(2);
    }
}
