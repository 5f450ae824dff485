package dev.vigil.controller;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.api.binding.Documents;
import dev.vigil.gpu.simulated.MigSpec;
import dev.vigil.gpu.simulated.FaultKind;
import dev.vigil.gpu.simulated.FaultSpec;
import dev.vigil.gpu.simulated.NodeProfile;
import dev.vigil.gpu.simulated.SimulatedSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.vigil.testsupport.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Jobs through the REST API of a real controller, on agents that report simulated nodes: submit,
 * list, get, why and cancel with their roles; the lifecycle with the confirm step and the
 * simulated backend's timer; node failure and drain. Each test keeps to its own node pool, so
 * they share one controller without taking each other's GPUs.
 */
class JobsApiTest {
    @TempDir
    static Path dataDir;
    private static TestController controller;
    private static final Map<String, String> TOKENS = new LinkedHashMap<>();
    private static final List<FakeAgent> AGENTS = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        controller = TestController.start(dataDir, """
                nodeTimeout: 2s
                scheduler:
                  interval: 200ms
                  backend: simulated
                  policy:
                    tenants: [{name: default}, {name: research}, {name: small, quota: {"*": 0}}]
                  pools:
                    life: [life-1]
                    gang: ["gang-[1-2]"]
                    serve: ["serve-[1-3]"]
                    mig: [mig-1]
                    why: [why-1]
                    broken: [broken-1]
                    fit: [fit-1]
                    real: [real-1]
                    xid: ["xid-[1-2]"]
                    app: [app-1]
                    sweep: [sweep-1]
                fabric:
                  spines:
                    - name: spine-1
                      leaves:
                        - {name: leaf-1, nodes: [gang-1, "serve-[1-2]"]}
                        - {name: leaf-2, nodes: [gang-2, serve-3]}
                """);
        String admin = controller.token("admin");
        TOKENS.put("admin", admin);
        for (String[] token : new String[][]{{"alice", "submitter"}, {"bob", "submitter"}, {"olga", "operator"},
                {"vic", "viewer"}}) {
            TOKENS.put(token[0], controller.json("POST", "/v1/tokens", admin, "{\"name\": \"" + token[0]
                    + "\", \"role\": \"" + token[1] + "\"}").get("secret").asText());
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (FakeAgent agent : AGENTS) {
            agent.close();
        }
        controller.close();
    }

    private static FakeAgent agent(String node) throws Exception {
        return agent(node, SimulatedSpec.of(NodeProfile.HGX_H100_8, 1, List.of()));
    }

    private static FakeAgent agent(String node, SimulatedSpec spec) throws Exception {
        FakeAgent agent = new FakeAgent(controller, controller.token("agent"), node, spec);
        AGENTS.add(agent);
        await(Duration.ofSeconds(10), () -> "ready".equals(node(node).path("state").asText()));
        return agent;
    }

    private static JsonNode submit(String who, String spec) throws Exception {
        HttpResponse<String> response = controller.send("POST", "/v1/jobs", TOKENS.get(who), spec);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        JsonNode job = Documents.json().readTree(response.body());
        assertThat(response.headers().firstValue("Location")).hasValue("/v1/jobs/" + job.get("id").asText());
        return job;
    }

    private static JsonNode job(String id) throws Exception {
        return controller.json("GET", "/v1/jobs/" + id, TOKENS.get("vic"), null);
    }

    private static JsonNode why(String id) throws Exception {
        return controller.json("GET", "/v1/jobs/" + id + "/why", TOKENS.get("vic"), null);
    }

    private static JsonNode node(String name) throws Exception {
        return controller.json("GET", "/v1/nodes/" + name, TOKENS.get("vic"), null);
    }

    private static JsonNode awaitState(String id, String state) throws Exception {
        await(Duration.ofSeconds(20), () -> state.equals(job(id).get("state").asText()));
        return job(id);
    }

    private static Set<String> nodesOf(JsonNode job) {
        Set<String> nodes = new HashSet<>();
        job.get("placements").forEach(p -> nodes.add(p.get("node").asText()));
        return nodes;
    }

    @Test
    void aSubmitSentAgainWithItsIdempotencyKeyIsAnsweredWithTheSameJobNotASecond() throws Exception {
        String spec = "{\"name\": \"once\", \"gpus\": 1, \"models\": [\"B200\"], \"waitForNodes\": true}";
        Map<String, String> key = Map.of("Idempotency-Key", "submit-once-1");
        HttpResponse<String> first = controller.send("POST", "/v1/jobs", TOKENS.get("alice"), spec,
                Duration.ofSeconds(20), key);
        HttpResponse<String> again = controller.send("POST", "/v1/jobs", TOKENS.get("alice"), spec,
                Duration.ofSeconds(20), key);
        HttpResponse<String> bobs = controller.send("POST", "/v1/jobs", TOKENS.get("bob"), spec,
                Duration.ofSeconds(20), key);

        assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
        assertThat(again.statusCode()).as(again.body()).isEqualTo(201);
        String id = Documents.json().readTree(first.body()).get("id").asText();
        assertThat(Documents.json().readTree(again.body()).get("id").asText()).isEqualTo(id);
        assertThat(Documents.json().readTree(bobs.body()).get("id").asText()).as("a key is its caller's")
                .isNotEqualTo(id);
        JsonNode jobs = controller.json("GET", "/v1/jobs", TOKENS.get("vic"), null).get("jobs");
        assertThat(jobs.findParents("name").stream().filter(j -> j.get("name").asText().equals("once")).count())
                .as("alice's and bob's").isEqualTo(2);
        assertThat(controller.json("GET", "/v1/audit", TOKENS.get("admin"), null).get("entries")
                .findValuesAsText("result").stream().filter(r -> r.equals("job " + id + " submitted")).count())
                .as("applied and audited once").isEqualTo(1);

        HttpResponse<String> bad = controller.send("POST", "/v1/jobs", TOKENS.get("alice"), spec,
                Duration.ofSeconds(20), Map.of("Idempotency-Key", "has spaces"));
        assertThat(bad.statusCode()).isEqualTo(400);
        JsonNode problem = Documents.json().readTree(bad.body());
        assertThat(problem.get("field").asText()).isEqualTo("Idempotency-Key");
        assertThat(problem.get("value").asText()).isEqualTo("has spaces");
    }

    @Test
    void aJobNamingABackendThisControllerLacksIsA400NamingTheOnesItHas() throws Exception {
        HttpResponse<String> response = controller.send("POST", "/v1/jobs", TOKENS.get("alice"),
                "{\"gpus\": 1, \"backend\": \"slurm\", \"command\": [\"true\"]}");
        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode problem = Documents.json().readTree(response.body());
        assertThat(problem.get("field").asText()).isEqualTo("backend");
        assertThat(problem.get("allowed").asText()).isEqualTo("one of simulated (or leave it out for simulated); "
                + "slurm is not configured on this controller (no slurm: section in its config)");
    }

    @Test
    void aKubernetesManifestIsReadByTheControllerAndWhatItCannotHonourIsA400NamingTheField() throws Exception {
        String server = Files.readString(Path.of("..", "k8s", "examples", "model-server.yaml"));

        HttpResponse<String> noGpus = postYaml(server.replace("nvidia.com/gpu: 1", "cpu: 2"));
        assertThat(noGpus.statusCode()).as(noGpus.body()).isEqualTo(400);
        assertThat(noGpus.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode problem = Documents.json().readTree(noGpus.body());
        assertThat(problem.get("field").asText()).isEqualTo("spec.template.spec.containers[0].resources.limits");
        assertThat(problem.get("value").asText()).isEqualTo("cpu: 2, memory: 48Gi");
        assertThat(problem.get("allowed").asText()).startsWith("nvidia.com/gpu: 1 to 8");

        HttpResponse<String> cronJob = postYaml(server.replace("apiVersion: apps/v1\nkind: Deployment",
                "apiVersion: batch/v1\nkind: CronJob"));
        assertThat(Documents.json().readTree(cronJob.body()).get("field").asText()).isEqualTo("kind");

        // A manifest Vigil can honour, on a controller without the kubernetes backend.
        HttpResponse<String> noBackend = postYaml(server);
        assertThat(noBackend.statusCode()).as(noBackend.body()).isEqualTo(400);
        JsonNode unconfigured = Documents.json().readTree(noBackend.body());
        assertThat(unconfigured.get("field").asText()).isEqualTo("backend");
        assertThat(unconfigured.get("value").asText()).isEqualTo("kubernetes");
        assertThat(unconfigured.get("allowed").asText()).contains("kubernetes is not configured on this controller");
    }

    private static HttpResponse<String> postYaml(String manifest) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + controller.port() + "/v1/jobs"))
                .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/yaml")
                .header("Authorization", "Bearer " + TOKENS.get("alice"))
                .POST(HttpRequest.BodyPublishers.ofString(manifest)).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aBatchQueuesEveryJobInItsOrderAndEachRunsAsASubmittedOneWould() throws Exception {
        agent("sweep-1");
        HttpResponse<String> response = controller.send("POST", "/v1/jobs:batch", TOKENS.get("alice"),
                "{\"jobs\": [" + sweepPoint("lr-1e-3") + ", " + sweepPoint("lr-1e-4") + ", " + sweepPoint("lr-1e-5")
                        + "]}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        JsonNode jobs = Documents.json().readTree(response.body()).get("jobs");
        assertThat(jobs.findValuesAsText("name")).containsExactly("lr-1e-3", "lr-1e-4", "lr-1e-5");
        assertThat(jobs.findValuesAsText("submitter")).containsOnly("alice");
        List<String> ids = jobs.findValuesAsText("id");
        assertThat(ids).isSortedAccordingTo(java.util.Comparator.comparing(String::length)
                .thenComparing(java.util.Comparator.naturalOrder())).doesNotHaveDuplicates();
        for (String id : ids) {
            assertThat(job(id).get("spec").get("pool").asText()).isEqualTo("sweep");
            awaitState(id, "succeeded");
        }
        assertThat(controller.json("GET", "/v1/audit", TOKENS.get("admin"), null).get("entries")
                .findValuesAsText("result")).as("one audit entry for the batch")
                .contains("jobs " + ids.get(0) + " .. " + ids.get(2) + " submitted");
    }

    @Test
    void aBatchWithOneJobRefusedQueuesNoneAndNamesTheRefusedJobsPlace() throws Exception {
        HttpResponse<String> response = controller.send("POST", "/v1/jobs:batch", TOKENS.get("alice"),
                "{\"jobs\": [" + sweepPoint("all-or-none-1") + ", {\"name\": \"all-or-none-2\", \"gpus\": 1, "
                        + "\"pool\": \"no-such-pool\"}]}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        JsonNode problem = Documents.json().readTree(response.body());
        assertThat(problem.get("field").asText()).isEqualTo("jobs[1].pool");
        assertThat(problem.get("value").asText()).isEqualTo("no-such-pool");
        assertThat(problem.get("detail").asText()).startsWith("request body: jobs[1].pool: \"no-such-pool\"");
        // a submit after it stores whatever the scheduler holds: a job of the refused batch would show now
        submit("alice", sweepPoint("all-or-none-after"));
        JsonNode listed = controller.json("GET", "/v1/jobs", TOKENS.get("vic"), null).get("jobs");
        assertThat(listed.findValuesAsText("name")).as("the first job was not queued either")
                .contains("all-or-none-after").doesNotContain("all-or-none-1", "all-or-none-2");

        HttpResponse<String> unbound = controller.send("POST", "/v1/jobs:batch", TOKENS.get("alice"),
                "{\"jobs\": [" + sweepPoint("bound") + ", {\"name\": \"x\", \"gpus\": -1}]}");
        assertThat(unbound.statusCode()).as(unbound.body()).isEqualTo(400);
        assertThat(Documents.json().readTree(unbound.body()).get("field").asText()).isEqualTo("jobs[1].gpus");
        HttpResponse<String> empty = controller.send("POST", "/v1/jobs:batch", TOKENS.get("alice"), "{\"jobs\": []}");
        assertThat(empty.statusCode()).isEqualTo(400);
        assertThat(Documents.json().readTree(empty.body()).get("field").asText()).isEqualTo("jobs");
        assertThat(controller.send("POST", "/v1/jobs:batch", TOKENS.get("vic"), "{\"jobs\": [" + sweepPoint("v")
                + "]}").statusCode()).as("a viewer submits nothing").isEqualTo(403);
    }

    private static String sweepPoint(String name) {
        return "{\"name\": \"" + name + "\", \"gpus\": 1, \"pool\": \"sweep\", \"duration\": \"1s\", "
                + "\"waitForNodes\": true}";
    }

    @Test
    void aJobIsPlacedRunsOnlyOnceItsAgentAppliedTheAllocationAndSucceedsAfterItsDuration() throws Exception {
        FakeAgent agent = agent("life-1");
        agent.confirming = false;
        JsonNode submitted = submit("alice", "{\"name\": \"life\", \"gpus\": 8, \"pool\": \"life\", "
                + "\"duration\": \"2s\", \"command\": [\"python\", \"train.py\"], \"env\": {\"EPOCHS\": \"3\"}}");
        String id = submitted.get("id").asText();
        assertThat(id).matches("j-\\d{6}");
        assertThat(submitted.get("state").asText()).isEqualTo("pending");
        assertThat(submitted.get("submitter").asText()).isEqualTo("alice");

        JsonNode placed = awaitState(id, "placed");
        assertThat(placed.get("placements")).hasSize(1);
        JsonNode placement = placed.get("placements").get(0);
        assertThat(placement.get("node").asText()).isEqualTo("life-1");
        assertThat(placement.get("gpus")).hasSize(8);
        List<String> uuids = new ArrayList<>();
        agent.gpus.inventory().gpus().forEach(g -> uuids.add(g.uuid()));
        List<String> placedUuids = new ArrayList<>();
        placement.get("uuids").forEach(u -> placedUuids.add(u.asText()));
        assertThat(placedUuids).containsExactlyInAnyOrderElementsOf(uuids);

        // The allocation travels in the node's desired state, stamped with the version that carries it ...
        await(Duration.ofSeconds(5), () -> agent.desired().get("allocations").size() == 1);
        JsonNode allocation = agent.desired().get("allocations").get(0);
        assertThat(allocation.get("job").asText()).isEqualTo(id);
        assertThat(allocation.get("kind").asText()).isEqualTo("training");
        assertThat(allocation.get("command").toString()).isEqualTo("[\"python\",\"train.py\"]");
        assertThat(allocation.get("env").get("EPOCHS").asText()).isEqualTo("3");
        assertThat(allocation.get("version").asLong()).isEqualTo(agent.desired().get("version").asLong());
        JsonNode gpus = controller.json("GET", "/v1/gpus?node=life-1", TOKENS.get("vic"), null).get("gpus");
        assertThat(gpus.findValuesAsText("allocation")).hasSize(8).containsOnly(id);
        // ... and until the agent applies it, the job does not run.
        Thread.sleep(1000);
        assertThat(job(id).get("state").asText()).isEqualTo("placed");

        agent.confirming = true;
        JsonNode running = awaitState(id, "running");
        Instant started = Instant.parse(running.get("started").asText());
        assertThat(why(id).get("details").toString()).contains("holds life-1 GPUs [0, 1, 2, 3, 4, 5, 6, 7]");

        JsonNode succeeded = awaitState(id, "succeeded");
        assertThat(Duration.between(started, Instant.parse(succeeded.get("finished").asText())))
                .isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        assertThat(succeeded.get("reason").asText()).isEqualTo("ran for 2s (simulated backend)");
        assertThat(succeeded.get("history").findValuesAsText("to"))
                .containsSubsequence("pending", "placed", "running", "succeeded").doesNotContain("preempted");
        await(Duration.ofSeconds(5), () -> agent.desired().get("allocations").isEmpty());
        assertThat(why(id).get("summary").asText()).startsWith("finished: succeeded at ");

        JsonNode events = controller.json("GET", "/v1/events?limit=10000", TOKENS.get("vic"), null).get("events");
        List<String> messages = new ArrayList<>();
        events.forEach(e -> {
            if ("job".equals(e.get("kind").asText())) {
                messages.add(e.get("actor").asText() + ": " + e.get("message").asText());
            }
        });
        assertThat(messages).contains("alice: job " + id + " (life) new -> pending: submitted",
                "scheduler: job " + id + " (life) placed -> running: running on 1 node",
                "scheduler: job " + id + " (life) running -> succeeded: ran for 2s (simulated backend)");
        List<String> ofThisJob = messages.stream().filter(m -> m.contains("job " + id + " ")).toList();
        assertThat(ofThisJob).as("one event per transition, each once").doesNotHaveDuplicates()
                .hasSize(succeeded.get("history").size());
        String metrics = controller.send("GET", "/metrics", null, null).body();
        assertThat(metrics).contains("vigil_controller_jobs{state=\"queued\"}", "vigil_controller_jobs{state=\"holding\"}",
                "vigil_controller_scheduler_cycle_duration_seconds_count")
                .containsPattern("vigil_controller_scheduler_decisions_total\\{decision=\"start\"} [1-9]");
    }

    @Test
    void aJobItsAgentCannotStartFailsWithTheAgentsError() throws Exception {
        FakeAgent agent = agent("broken-1");
        agent.confirming = false;
        String id = submit("alice", "{\"gpus\": 2, \"pool\": \"broken\", \"duration\": \"1h\"}").get("id").asText();
        await(Duration.ofSeconds(5), () -> agent.desired().get("allocations").size() == 1);
        agent.applyError = "allocation of job " + id + ": GPU 0 has no MIG instance 9";
        agent.confirming = true;
        JsonNode failed = awaitState(id, "failed");
        assertThat(failed.get("reason").asText()).isEqualTo("the agent of broken-1 could not start it: allocation of "
                + "job " + id + ": GPU 0 has no MIG instance 9");
        assertThat(failed.get("placements")).isEmpty();
        await(Duration.ofSeconds(5), () -> agent.desired().get("allocations").isEmpty());
    }

    @Test
    void aFailedNodesGangIsRequeuedAndRunsElsewhereAndADrainedNodeEmptiesBeforeItIsDrained() throws Exception {
        FakeAgent first = agent("gang-1");
        FakeAgent second = agent("gang-2");
        String id = submit("alice", "{\"name\": \"gang\", \"gpus\": 8, \"pool\": \"gang\", \"duration\": \"1h\"}")
                .get("id").asText();
        JsonNode running = awaitState(id, "running");
        String lost = nodesOf(running).iterator().next();
        FakeAgent dying = lost.equals("gang-1") ? first : second;
        String other = lost.equals("gang-1") ? "gang-2" : "gang-1";

        dying.stopReporting();
        await(Duration.ofSeconds(20), () -> {
            JsonNode job = job(id);
            return job.get("state").asText().equals("running") && nodesOf(job).equals(Set.of(other));
        });
        JsonNode moved = job(id);
        assertThat(moved.get("attempts").asInt()).isEqualTo(2);
        assertThat(moved.get("history").findValuesAsText("to"))
                .containsSubsequence("running", "preempted", "pending", "placed", "running");
        assertThat(moved.get("history").findValuesAsText("reason"))
                .anyMatch(r -> r.startsWith("node " + lost + " failed: no report for"));

        // Drain the node it runs on now: the gang leaves (nowhere else to go: it waits), then the node is drained.
        JsonNode draining = controller.json("POST", "/v1/nodes/" + other + "/drain", TOKENS.get("olga"),
                "{\"reason\": \"replace a PSU\"}");
        assertThat(draining.get("state").asText()).isEqualTo("draining");
        await(Duration.ofSeconds(10), () -> node(other).get("state").asText().equals("drained"));
        JsonNode waiting = job(id);
        assertThat(waiting.get("state").asText()).isIn("pending", "admitted");
        assertThat(waiting.get("placements")).isEmpty();
        assertThat(waiting.get("history").findValuesAsText("reason"))
                .anyMatch(r -> r.contains("drained by olga (replace a PSU)"));
        assertThat(node(other).get("allocations")).isEmpty();
        controller.json("POST", "/v1/jobs/" + id + "/cancel", TOKENS.get("alice"), "{\"reason\": \"done testing\"}");
    }

    @Test
    void aGangWhoseGpuFallsOffTheBusIsRequeuedAndRunsElsewhereNamingNodeGpuAndXid() throws Exception {
        FakeAgent first = agent("xid-1");
        FakeAgent second = agent("xid-2");
        String id = submit("alice", "{\"name\": \"gang\", \"gpus\": 8, \"pool\": \"xid\", \"duration\": \"1h\"}")
                .get("id").asText();
        String hit = nodesOf(awaitState(id, "running")).iterator().next();
        String other = hit.equals("xid-1") ? "xid-2" : "xid-1";

        (hit.equals("xid-1") ? first : second).gpus.inject(FaultSpec.now(3, FaultKind.XID, 79));

        await(Duration.ofSeconds(20), () -> {
            JsonNode job = job(id);
            return job.get("state").asText().equals("running") && nodesOf(job).equals(Set.of(other));
        });
        JsonNode moved = job(id);
        assertThat(moved.get("attempts").asInt()).isEqualTo(2);
        assertThat(moved.get("history").findValuesAsText("reason"))
                .anyMatch(r -> r.startsWith("gpu 3 of " + hit + " failed: XID 79 GPU_HAS_FALLEN_OFF_THE_BUS"));
        assertThat(node(hit).get("allocations")).isEmpty();
        controller.json("POST", "/v1/jobs/" + id + "/cancel", TOKENS.get("alice"), "{\"reason\": \"done testing\"}");
    }

    @Test
    void anApplicationXidEndsTheJobItHitFailedNamingTheXidAndLeavesTheNodeInService() throws Exception {
        FakeAgent agent = agent("app-1");
        String id = submit("alice", "{\"name\": \"buggy\", \"gpus\": 2, \"pool\": \"app\", \"duration\": \"1h\"}")
                .get("id").asText();
        int gpu = awaitState(id, "running").get("placements").get(0).get("gpus").get(1).asInt();

        agent.gpus.inject(FaultSpec.now(gpu, FaultKind.XID, 13));

        JsonNode failed = awaitState(id, "failed");
        assertThat(failed.get("reason").asText()).isEqualTo("application fault on gpu " + gpu + " of app-1: XID 13 "
                + "ROBUST_CHANNEL_GR_EXCEPTION: graphics engine exception, usually an application's out-of-bounds access");
        assertThat(node("app-1").get("state").asText()).isEqualTo("ready");
        await(Duration.ofSeconds(10), () -> node("app-1").get("allocations").isEmpty());
    }

    @Test
    void aServiceLosingANodeGetsItsReplicaReplacedElsewhereAndKeepsRunning() throws Exception {
        agent("serve-1");
        agent("serve-2");
        agent("serve-3");
        String id = submit("bob", "{\"name\": \"serve\", \"kind\": \"inference\", \"replicas\": 2, "
                + "\"gpusPerNode\": 2, \"pool\": \"serve\", \"duration\": \"1h\"}").get("id").asText();
        JsonNode running = awaitState(id, "running");
        assertThat(nodesOf(running)).as("replicas spread over nodes").hasSize(2);
        String lost = nodesOf(running).iterator().next();
        AGENTS.stream().filter(a -> a.node.equals(lost)).findFirst().orElseThrow().stopReporting();

        await(Duration.ofSeconds(20), () -> {
            Set<String> nodes = nodesOf(job(id));
            return nodes.size() == 2 && !nodes.contains(lost);
        });
        JsonNode replaced = job(id);
        assertThat(replaced.get("state").asText()).isEqualTo("running");
        assertThat(replaced.get("history").findValuesAsText("to")).doesNotContain("preempted");
        List<Integer> replicas = new ArrayList<>();
        replaced.get("placements").forEach(p -> replicas.add(p.get("replica").asInt()));
        assertThat(replicas).containsExactlyInAnyOrder(0, 1);
        controller.json("POST", "/v1/jobs/" + id + "/cancel", TOKENS.get("olga"), "{\"reason\": \"done testing\"}");
    }

    @Test
    void anInferenceServiceOnMigSlicesGetsMigInstancesInItsAllocations() throws Exception {
        FakeAgent mig = agent("mig-1", new SimulatedSpec(NodeProfile.DGX_A100_8, 1L, List.of(), List.of(),
                List.of(new MigSpec(List.of(6, 7), Map.of("1g.10gb", 7)))));
        String id = submit("bob", "{\"name\": \"slices\", \"kind\": \"inference\", \"replicas\": 3, "
                + "\"migProfile\": \"1g.10gb\", \"pool\": \"mig\", \"duration\": \"1h\"}").get("id").asText();
        JsonNode running = awaitState(id, "running");
        assertThat(running.get("placements")).hasSize(3).allSatisfy(p -> {
            assertThat(p.get("gpus").get(0).asInt()).isIn(6, 7);
            assertThat(p.get("migInstances")).hasSize(1);
        });
        await(Duration.ofSeconds(5), () -> mig.desired().get("allocations").size() == 3);
        assertThat(mig.desired().get("allocations").findValuesAsText("kind")).containsOnly("inference");
        JsonNode gpus = controller.json("GET", "/v1/gpus?node=mig-1", TOKENS.get("vic"), null).get("gpus");
        assertThat(gpus.findValuesAsText("allocation")).allMatch(a -> a.startsWith(id + " (MIG "));
        JsonNode cancelled = controller.json("POST", "/v1/jobs/" + id + "/cancel", TOKENS.get("bob"),
                "{\"reason\": \"enough\"}");
        assertThat(cancelled.get("state").asText()).isEqualTo("cancelled");
        await(Duration.ofSeconds(5), () -> mig.desired().get("allocations").isEmpty());
    }

    @Test
    void aSubmitterCancelsOnlyItsOwnJobsAnOperatorAnyAndAFinishedJobCannotBeCancelled() throws Exception {
        String unplaceable = "{\"gpus\": 8, \"models\": [\"B200\"], \"waitForNodes\": true, \"name\": \"nowhere\"}";
        String alices = submit("alice", unplaceable).get("id").asText();
        HttpResponse<String> notBobs = controller.send("POST", "/v1/jobs/" + alices + "/cancel", TOKENS.get("bob"),
                "{\"reason\": \"mine now\"}");
        assertThat(notBobs.statusCode()).isEqualTo(403);
        assertThat(notBobs.headers().firstValue("content-type")).hasValue("application/problem+json");
        assertThat(notBobs.body()).contains("was submitted by alice; bob (role submitter) may cancel only its own jobs");
        JsonNode own = controller.json("POST", "/v1/jobs/" + alices + "/cancel", TOKENS.get("alice"),
                "{\"reason\": \"wrong model\"}");
        assertThat(own.get("state").asText()).isEqualTo("cancelled");
        assertThat(own.get("reason").asText()).isEqualTo("cancelled by alice: wrong model");

        String bobs = submit("bob", unplaceable).get("id").asText();
        assertThat(controller.json("POST", "/v1/jobs/" + bobs + "/cancel", TOKENS.get("olga"),
                "{\"reason\": \"cluster maintenance\"}").get("state").asText()).isEqualTo("cancelled");
        HttpResponse<String> again = controller.send("POST", "/v1/jobs/" + bobs + "/cancel", TOKENS.get("olga"),
                "{\"reason\": \"twice\"}");
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(again.body()).contains("job " + bobs + " already cancelled at ");

        JsonNode audit = controller.json("GET", "/v1/audit?limit=10000", TOKENS.get("admin"), null).get("entries");
        List<String> lines = new ArrayList<>();
        audit.forEach(e -> lines.add(e.get("actor").asText() + " " + e.get("action").asText() + " "
                + e.get("status").asInt() + " " + e.get("result").asText()));
        assertThat(lines).contains("alice POST /v1/jobs 201 job " + alices + " submitted",
                "bob POST /v1/jobs/" + alices + "/cancel 403 job " + alices + " was submitted by alice; bob (role "
                        + "submitter) may cancel only its own jobs (an operator may cancel any)",
                "alice POST /v1/jobs/" + alices + "/cancel 200 job " + alices + ": admitted -> cancelled",
                "olga POST /v1/jobs/" + bobs + "/cancel 200 job " + bobs + ": admitted -> cancelled");
    }

    @Test
    void theSimulatedBackendNeverPlacesAJobOnANodeWhoseAgentReadsRealGpus() throws Exception {
        FakeAgent real = new FakeAgent(controller, controller.token("agent"), "real-1",
                SimulatedSpec.of(NodeProfile.HGX_H100_8, 1, List.of()), "nvml");
        AGENTS.add(real);
        await(Duration.ofSeconds(10), () -> "ready".equals(node("real-1").path("state").asText()));
        String id = submit("alice", "{\"gpus\": 8, \"pool\": \"real\", \"duration\": \"1s\"}").get("id").asText();

        await(Duration.ofSeconds(5), () -> "no-matching-nodes".equals(why(id).get("reason").asText()));
        assertThat(why(id).get("summary").asText()).isEqualTo("no node in pool real with simulated GPUs has NVIDIA H100 "
                + "80GB HBM3 GPUs; the simulated backend never runs a job on real GPUs (1 node reads real NVIDIA H100 "
                + "80GB HBM3 GPUs, where nothing would run): name a backend that runs jobs");
        assertThat(job(id).get("state").asText()).as("within quota, waiting").isEqualTo("admitted");
        assertThat(node("real-1").path("allocations")).isEmpty();
        controller.json("POST", "/v1/jobs/" + id + "/cancel", TOKENS.get("alice"), "{\"reason\": \"seen\"}");
    }

    @Test
    void whySaysWhatAJobWaitsForWithTheNumbers() throws Exception {
        agent("why-1");
        String quota = submit("alice", "{\"gpus\": 1, \"tenant\": \"small\", \"name\": \"tiny\", \"pool\": \"why\"}")
                .get("id").asText();
        await(Duration.ofSeconds(5), () -> "quota".equals(why(quota).get("reason").asText()));
        JsonNode why = why(quota);
        assertThat(why.get("state").asText()).isEqualTo("pending");
        assertThat(why.get("summary").asText()).isEqualTo("tenant small holds 0 of its 0 (any model) GPUs and the job "
                + "needs 1 (no cohort to borrow from)");
        assertThat(why.get("position").asInt()).isPositive();

        String model = submit("alice", "{\"gpus\": 8, \"models\": [\"B200\"], \"waitForNodes\": true}").get("id").asText();
        await(Duration.ofSeconds(5), () -> "no-matching-nodes".equals(why(model).get("reason").asText()));
        assertThat(why(model).get("summary").asText()).isEqualTo("no node has a GPU model matching B200");
        JsonNode badTenant = Documents.json().readTree(controller.send("POST", "/v1/jobs", TOKENS.get("alice"),
                "{\"gpus\": 1, \"tenant\": \"bad tenant\"}").body());
        assertThat(badTenant.get("field").asText()).isEqualTo("tenant");

        HttpResponse<String> tenant = controller.send("POST", "/v1/jobs", TOKENS.get("alice"),
                "{\"gpus\": 1, \"tenant\": \"physics\"}");
        assertThat(tenant.statusCode()).isEqualTo(400);
        JsonNode problem = Documents.json().readTree(tenant.body());
        assertThat(problem.get("field").asText()).isEqualTo("tenant");
        assertThat(problem.get("value").asText()).isEqualTo("physics");
        assertThat(problem.get("allowed").asText()).isEqualTo("one of default, research, small");

        for (String id : List.of(quota, model)) {
            controller.json("POST", "/v1/jobs/" + id + "/cancel", TOKENS.get("alice"), "{\"reason\": \"seen\"}");
        }
    }

    @Test
    void jobsListFiltersByStateAndTenantAPageAtATime() throws Exception {
        String unplaceable = "{\"gpus\": 8, \"models\": [\"B200\"], \"waitForNodes\": true, \"tenant\": \"research\"}";
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(submit("bob", unplaceable).get("id").asText());
        }
        JsonNode research = controller.json("GET", "/v1/jobs?tenant=research", TOKENS.get("vic"), null);
        assertThat(research.get("jobs").findValuesAsText("id")).containsExactlyElementsOf(ids);
        assertThat(research.get("jobs").get(0).get("gpus").asInt()).isEqualTo(8);
        assertThat(research.get("jobs").get(0).get("submitter").asText()).isEqualTo("bob");
        assertThat(research.has("next")).isFalse();

        JsonNode first = controller.json("GET", "/v1/jobs?tenant=research&limit=2", TOKENS.get("vic"), null);
        assertThat(first.get("jobs").findValuesAsText("id")).containsExactlyElementsOf(ids.subList(0, 2));
        JsonNode second = controller.json("GET", "/v1/jobs?tenant=research&limit=2&after="
                + first.get("next").asText(), TOKENS.get("vic"), null);
        assertThat(second.get("jobs").findValuesAsText("id")).containsExactly(ids.get(2));

        controller.json("POST", "/v1/jobs/" + ids.get(1) + "/cancel", TOKENS.get("bob"), "{\"reason\": \"x\"}");
        JsonNode cancelled = controller.json("GET", "/v1/jobs?tenant=research&state=cancelled", TOKENS.get("vic"),
                null);
        assertThat(cancelled.get("jobs").findValuesAsText("id")).containsExactly(ids.get(1));
        JsonNode waiting = controller.json("GET", "/v1/jobs?tenant=research&state=pending,admitted",
                TOKENS.get("vic"), null);
        assertThat(waiting.get("jobs").findValuesAsText("id")).containsExactly(ids.get(0), ids.get(2));
        for (String id : List.of(ids.get(0), ids.get(2))) {
            controller.json("POST", "/v1/jobs/" + id + "/cancel", TOKENS.get("bob"), "{\"reason\": \"x\"}");
        }
    }

    private static JsonNode refused(String spec) throws Exception {
        HttpResponse<String> response = controller.send("POST", "/v1/jobs", TOKENS.get("alice"), spec);
        assertThat(response.statusCode()).as(spec + " -> " + response.body()).isEqualTo(400);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/problem+json");
        return Documents.json().readTree(response.body());
    }

    @Test
    void aPoolThatIsNotConfiguredIsRefusedNamingThePoolsThereAre() throws Exception {
        JsonNode problem = refused("{\"gpus\": 1, \"pool\": \"nosuch\"}");
        assertThat(problem.get("field").asText()).isEqualTo("pool");
        assertThat(problem.get("value").asText()).isEqualTo("nosuch");
        assertThat(problem.get("allowed").asText()).isEqualTo("one of life, gang, serve, mig, why, broken, fit, real, xid, app, "
                + "sweep");
    }

    @Test
    void jobsNoKnownNodeCouldRunAreRefusedUnlessTheyWaitForNodes() throws Exception {
        agent("fit-1");
        JsonNode model = refused("{\"gpus\": 8, \"models\": [\"B200\"]}");
        assertThat(model.get("title").asText()).isEqualTo("Requested node configuration is not available");
        assertThat(model.get("field").asText()).isEqualTo("models");
        assertThat(model.get("detail").asText()).contains("no known node has a GPU model matching B200")
                .contains("waitForNodes");
        JsonNode gang = refused("{\"gpus\": 64, \"pool\": \"fit\"}");
        assertThat(gang.get("field").asText()).isEqualTo("gpus");
        assertThat(gang.get("detail").asText()).contains("8 nodes × 8 GPUs");
        assertThat(refused("{\"nodes\": 4096, \"gpusPerNode\": 8}").get("field").asText()).isEqualTo("gpus");

        JsonNode unknownProfile = refused("{\"kind\": \"inference\", \"migProfile\": \"9g.99gb\", "
                + "\"waitForNodes\": true}");
        assertThat(unknownProfile.get("field").asText()).isEqualTo("migProfile");
        assertThat(unknownProfile.get("allowed").asText()).contains("H100-80GB").contains("1g.10gb");
        JsonNode h200Profile = refused("{\"kind\": \"inference\", \"migProfile\": \"1g.18gb\", \"pool\": \"fit\"}");
        assertThat(h200Profile.get("field").asText()).isEqualTo("migProfile");
        assertThat(h200Profile.get("allowed").asText()).contains("H100-80GB 1g.10gb");

        List<String> waiting = new ArrayList<>();
        for (String spec : List.of("{\"gpus\": 8, \"models\": [\"B200\"], \"waitForNodes\": true}",
                "{\"gpus\": 64, \"pool\": \"fit\", \"waitForNodes\": true}",
                "{\"kind\": \"inference\", \"migProfile\": \"1g.18gb\", \"pool\": \"fit\", \"waitForNodes\": true}")) {
            waiting.add(submit("alice", spec).get("id").asText());
        }
        for (String id : waiting) {
            controller.json("POST", "/v1/jobs/" + id + "/cancel", TOKENS.get("alice"), "{\"reason\": \"seen\"}");
        }
    }
}
