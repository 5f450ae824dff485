package dev.vigil.controller;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.api.binding.Documents;
import dev.vigil.gpu.simulated.NodeProfile;
import dev.vigil.gpu.simulated.SimulatedSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.vigil.testsupport.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * MIG layouts through the REST API of a real controller, on agents that report simulated H100
 * nodes and apply the layouts they are sent: the configs, a change on idle GPUs, the drain of
 * changing GPUs (preemptible jobs at once, others until the drain ends, then only with force),
 * an agent's refusal, and bad requests. Each test keeps to its own node pool.
 */
class MigApiTest {
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
                  pools:
                    idle: [idle-1]
                    drain: [drain-1]
                    refuse: [refuse-1]
                    bad: [bad-1, bad-l40s]
                    plan: [plan-1]
                """);
        String admin = controller.token("admin");
        TOKENS.put("admin", admin);
        for (String[] token : new String[][]{{"alice", "submitter"}, {"olga", "operator"}, {"vic", "viewer"}}) {
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

    private static FakeAgent agent(String node, NodeProfile profile) throws Exception {
        FakeAgent agent = new FakeAgent(controller, controller.token("agent"), node,
                SimulatedSpec.of(profile, 1, List.of()));
        AGENTS.add(agent);
        await(Duration.ofSeconds(10), () -> "ready".equals(controller.json("GET", "/v1/nodes/" + node,
                TOKENS.get("vic"), null).path("state").asText()));
        return agent;
    }

    private static HttpResponse<String> set(String node, String body) throws Exception {
        return controller.send("PUT", "/v1/nodes/" + node + "/mig", TOKENS.get("olga"), body);
    }

    private static JsonNode layouts(String node) throws Exception {
        return controller.json("GET", "/v1/nodes/" + node + "/mig", TOKENS.get("vic"), null);
    }

    private static JsonNode gpu(String node, int gpu) throws Exception {
        return layouts(node).get("gpus").get(gpu);
    }

    private static String phase(String node, int gpu) throws Exception {
        return gpu(node, gpu).path("change").path("phase").asText();
    }

    private static JsonNode submit(String spec) throws Exception {
        HttpResponse<String> response = controller.send("POST", "/v1/jobs", TOKENS.get("alice"), spec);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return Documents.json().readTree(response.body());
    }

    private static JsonNode job(String id) throws Exception {
        return controller.json("GET", "/v1/jobs/" + id, TOKENS.get("vic"), null);
    }

    private static JsonNode running(String spec) throws Exception {
        String id = submit(spec).get("id").asText();
        await(Duration.ofSeconds(20), () -> "running".equals(job(id).get("state").asText()));
        return job(id);
    }

    @Test
    void theConfigsSayWhatTheyMakeOfEachModel() throws Exception {
        JsonNode configs = controller.json("GET", "/v1/mig/configs", TOKENS.get("vic"), null);

        assertThat(configs.findValuesAsText("name")).contains("all-disabled", "all-1g.10gb", "all-3g.40gb",
                "all-balanced");
        JsonNode slices = null;
        for (JsonNode config : configs) {
            if (config.get("name").asText().equals("all-1g.10gb")) {
                slices = config.get("layouts");
            }
        }
        assertThat(slices.toString()).contains("{\"model\":\"H100-80GB\",\"layout\":\"MIG on: 7×1g.10gb\"}")
                .doesNotContain("H200");
    }

    @Test
    void idleGpusChangeAtOnceTheirSlicesTakeWorkAndTheyGoBackWhenTheJobLeaves() throws Exception {
        agent("idle-1", NodeProfile.HGX_H100_8);

        HttpResponse<String> answer = set("idle-1", "{\"config\": \"all-1g.10gb\", \"gpus\": [6, 7], "
                + "\"reason\": \"inference week\"}");

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        await(Duration.ofSeconds(10), () -> "success".equals(phase("idle-1", 6)) && "success".equals(phase("idle-1", 7)));
        assertThat(gpu("idle-1", 6).get("actual").asText()).isEqualTo("MIG on: 7×1g.10gb");
        assertThat(gpu("idle-1", 5).get("actual").asText()).isEqualTo("MIG off");
        assertThat(gpu("idle-1", 5).has("change")).isFalse();

        JsonNode service = running("{\"name\": \"slices\", \"kind\": \"inference\", \"replicas\": 9, "
                + "\"migProfile\": \"1g.10gb\", \"pool\": \"idle\", \"duration\": \"1h\"}");
        assertThat(service.get("placements")).hasSize(9)
                .allSatisfy(p -> assertThat(p.get("gpus").get(0).asInt()).isIn(6, 7));

        answer = set("idle-1", "{\"config\": \"all-disabled\", \"gpus\": [6, 7]}");
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        await(Duration.ofSeconds(10), () -> "draining".equals(phase("idle-1", 6)));
        assertThat(gpu("idle-1", 6).get("change").get("message").asText())
                .contains("waiting for job " + service.get("id").asText(), "(--force requeues instead)");
        String waiting = submit("{\"name\": \"late\", \"kind\": \"inference\", \"replicas\": 1, "
                + "\"migProfile\": \"1g.10gb\", \"pool\": \"idle\", \"waitForNodes\": true}").get("id").asText();
        await(Duration.ofSeconds(10), () -> controller.json("GET", "/v1/jobs/" + waiting + "/why", TOKENS.get("vic"),
                null).get("details").toString().contains("MIG: gpu 6 of idle-1 takes no work while it changes to "
                + "all-disabled (draining: waiting for job " + service.get("id").asText()));
        controller.json("POST", "/v1/jobs/" + waiting + "/cancel", TOKENS.get("olga"), "{\"reason\": \"seen\"}");
        controller.json("POST", "/v1/jobs/" + service.get("id").asText() + "/cancel", TOKENS.get("olga"),
                "{\"reason\": \"moving to whole GPUs\"}");
        await(Duration.ofSeconds(10), () -> "success".equals(phase("idle-1", 6)) && "success".equals(phase("idle-1", 7)));
        assertThat(gpu("idle-1", 7).get("actual").asText()).isEqualTo("MIG off");
        JsonNode audit = controller.json("GET", "/v1/audit?limit=500", TOKENS.get("admin"), null);
        assertThat(audit.toString()).contains("inference week", "idle-1: gpu 6 draining, gpu 7 draining");
    }

    @Test
    void preemptibleJobsLeaveAtOnceOthersUntilTheDrainEndsAndForceRequeuesThem() throws Exception {
        agent("drain-1", NodeProfile.HGX_H100_8);
        JsonNode preemptible = running("{\"name\": \"p\", \"gpus\": 1, \"pool\": \"drain\", \"duration\": \"1h\", "
                + "\"preemptible\": true}");
        JsonNode steady = running("{\"name\": \"q\", \"gpus\": 1, \"pool\": \"drain\", \"duration\": \"1h\"}");
        int p = preemptible.get("placements").get(0).get("gpus").get(0).asInt();
        int q = steady.get("placements").get(0).get("gpus").get(0).asInt();
        JsonNode bystander = running("{\"name\": \"r\", \"gpus\": 1, \"pool\": \"drain\", \"duration\": \"1h\"}");

        HttpResponse<String> answer = set("drain-1", "{\"config\": \"all-3g.40gb\", \"gpus\": [" + p + ", " + q
                + "], \"drainTimeout\": \"2s\"}");

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        String pid = preemptible.get("id").asText();
        await(Duration.ofSeconds(10), () -> "success".equals(phase("drain-1", p)));
        assertThat(job(pid).get("history").toString()).contains("changes MIG layout to all-3g.40gb");
        await(Duration.ofSeconds(10), () -> "failed".equals(phase("drain-1", q)));
        assertThat(gpu("drain-1", q).get("change").get("message").asText())
                .contains("drain timed out", "job " + steady.get("id").asText(), "--force");
        assertThat(gpu("drain-1", q).get("actual").asText()).isEqualTo("MIG off");
        assertThat(job(steady.get("id").asText()).get("state").asText()).isEqualTo("running");

        answer = set("drain-1", "{\"config\": \"all-3g.40gb\", \"gpus\": [" + q + "], \"drainTimeout\": \"1s\", "
                + "\"force\": true}");
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        await(Duration.ofSeconds(10), () -> "success".equals(phase("drain-1", q)));
        assertThat(gpu("drain-1", q).get("actual").asText()).isEqualTo("MIG on: 2×3g.40gb");
        assertThat(job(steady.get("id").asText()).get("history").toString()).contains("drain timed out; forced");
        JsonNode untouched = job(bystander.get("id").asText());
        assertThat(untouched.get("state").asText()).isEqualTo("running");
        assertThat(untouched.get("attempts").asInt()).isEqualTo(bystander.get("attempts").asInt());
    }

    @Test
    void anAgentThatCannotApplyEndsTheChangeFailedWithItsReasonAndTheGpuTakesWorkAgain() throws Exception {
        FakeAgent agent = agent("refuse-1", NodeProfile.HGX_H100_8);
        agent.migRefusal = "GPU 3 has 1 process(es) (pids [4242]); stop them before changing its MIG layout";

        HttpResponse<String> answer = set("refuse-1", "{\"config\": \"all-balanced\", \"gpus\": [3]}");

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        await(Duration.ofSeconds(10), () -> "failed".equals(phase("refuse-1", 3)));
        assertThat(gpu("refuse-1", 3).get("change").get("message").asText()).contains("pids [4242]");
        JsonNode events = controller.json("GET", "/v1/events?node=refuse-1&limit=100", TOKENS.get("vic"), null);
        assertThat(events.toString()).contains("mig gpu 3 of refuse-1: applying -> failed");
        JsonNode whole = running("{\"name\": \"eight\", \"gpus\": 8, \"pool\": \"refuse\", \"duration\": \"1h\"}");
        assertThat(whole.get("placements").get(0).get("gpus")).hasSize(8);
    }

    @Test
    void badRequestsNameTheFieldTheValueAndWhatIsAllowed() throws Exception {
        agent("bad-1", NodeProfile.HGX_H100_8);
        agent("bad-l40s", NodeProfile.PCIE_L40S_4);

        JsonNode unknown = Documents.json().readTree(set("bad-1", "{\"config\": \"all-9g\"}").body());
        assertThat(unknown.get("status").asInt()).isEqualTo(400);
        assertThat(unknown.get("detail").asText()).contains("no mig-config named all-9g", "all-1g.10gb");

        HttpResponse<String> noGpu = set("bad-1", "{\"config\": \"all-1g.10gb\", \"gpus\": [9]}");
        JsonNode gpu = Documents.json().readTree(noGpu.body());
        assertThat(noGpu.statusCode()).isEqualTo(400);
        assertThat(gpu.get("field").asText()).isEqualTo("gpus");
        assertThat(gpu.get("detail").asText()).contains("has no GPU 9");

        JsonNode noMig = Documents.json().readTree(set("bad-l40s", "{\"config\": \"all-1g.10gb\"}").body());
        assertThat(noMig.get("status").asInt()).isEqualTo(400);
        assertThat(noMig.get("detail").asText()).contains("selects none of its GPUs");

        JsonNode duration = Documents.json().readTree(set("bad-1", "{\"config\": \"all-1g.10gb\", "
                + "\"drainTimeout\": \"5\"}").body());
        assertThat(duration.get("field").asText()).isEqualTo("drainTimeout");

        assertThat(set("nowhere-1", "{\"config\": \"all-1g.10gb\"}").statusCode()).isEqualTo(404);
        assertThat(controller.send("PUT", "/v1/nodes/bad-1/mig", TOKENS.get("vic"), "{\"config\": \"all-1g.10gb\"}")
                .statusCode()).isEqualTo(403);
        assertThat(layouts("bad-1").get("gpus").findValues("change")).isEmpty();
    }

    @Test
    void aPoolChangesEveryNodeWithMigGpus() throws Exception {
        HttpResponse<String> unknownPool = controller.send("PUT", "/v1/pools/no-such-pool/mig", TOKENS.get("olga"),
                "{\"config\": \"all-1g.10gb\"}");
        assertThat(unknownPool.statusCode()).isEqualTo(404);
        assertThat(unknownPool.body()).contains("has no node with a MIG-capable GPU");
    }

    @Test
    void thePlanProposesSlicesForWaitingSliceWorkOnIdleWholeGpusOfItsPoolWithTheNumbers() throws Exception {
        agent("plan-1", NodeProfile.HGX_H100_8);
        String waiting = submit("{\"name\": \"chat\", \"kind\": \"inference\", \"replicas\": 10, "
                + "\"migProfile\": \"1g.10gb\", \"pool\": \"plan\", \"waitForNodes\": true}").get("id").asText();

        JsonNode plan = controller.json("GET", "/v1/mig/plan", TOKENS.get("vic"), null);

        JsonNode proposal = null;
        for (JsonNode p : plan) {
            assertThat(p.get("node").asText()).as("only nodes of the waiting job's pool").isEqualTo("plan-1");
            proposal = p;
        }
        assertThat(proposal).as(plan.toString()).isNotNull();
        assertThat(proposal.get("to").asText()).isEqualTo("all-1g.10gb");
        assertThat(proposal.get("from").asText()).isEqualTo("current");
        assertThat(proposal.get("gpus")).hasSize(2);
        assertThat(proposal.get("serves").asInt()).isEqualTo(10);
        assertThat(proposal.get("why").asText()).contains("10×1g.10gb");
        controller.json("POST", "/v1/jobs/" + waiting + "/cancel", TOKENS.get("olga"), "{\"reason\": \"planned\"}");
        assertThat(controller.json("GET", "/v1/mig/plan", TOKENS.get("vic"), null)).isEmpty();
    }
}
