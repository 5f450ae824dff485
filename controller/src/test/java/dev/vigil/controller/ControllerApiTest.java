package dev.vigil.controller;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.api.binding.Documents;
import dev.vigil.api.cluster.AgentReport;
import dev.vigil.api.cluster.GpuSummary;
import dev.vigil.api.cluster.Members;
import dev.vigil.api.gpu.GpuEvent;
import dev.vigil.api.gpu.GpuHealth;
import dev.vigil.controller.config.MigSettings;
import dev.vigil.controller.mig.MigConfigs;
import dev.vigil.controller.leader.LeaderClient;
import dev.vigil.controller.leader.ReportIntake;
import dev.vigil.controller.rest.ControllerApi;
import dev.vigil.controller.state.Store;
import dev.vigil.gpu.fields.FieldCatalog;
import dev.vigil.gpu.fields.FieldSet;
import dev.vigil.gpu.health.HealthEvaluator;
import dev.vigil.gpu.health.HealthThresholds;
import dev.vigil.gpu.simulated.FaultKind;
import dev.vigil.gpu.simulated.FaultSpec;
import dev.vigil.gpu.simulated.NodeProfile;
import dev.vigil.gpu.simulated.SimulatedNode;
import dev.vigil.gpu.simulated.SimulatedSpec;
import dev.vigil.http.Router;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static dev.vigil.testsupport.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

class ControllerApiTest {
    @TempDir
    static Path dataDir;
    private static TestController controller;
    private static final Map<String, String> TOKENS = new LinkedHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        controller = TestController.start(dataDir, """
                nodeTimeout: 2s
                scheduler: {pools: {training: ["gpu-place-[1-2]"]}}
                fabric: {spines: [{name: spine-1, leaves: [{name: leaf-7, nodes: [gpu-place-1]}]}]}
                """);
        String admin = controller.token("admin");
        TOKENS.put("admin", admin);
        TOKENS.put("agent", controller.token("agent"));
        for (String role : List.of("viewer", "submitter", "operator")) {
            JsonNode issued = controller.json("POST", "/v1/tokens", admin,
                    "{\"name\": \"test-" + role + "\", \"role\": \"" + role + "\"}");
            TOKENS.put(role, issued.get("secret").asText());
        }
    }

    @AfterAll
    static void stop() {
        controller.close();
    }

    /** A simulated agent: its inventory, and health as the agent's evaluator would judge it. */
    private static final class Agent {
        final String node;
        final SimulatedNode gpus;
        final HealthEvaluator evaluator;
        final FieldSet fields = new FieldSet(FieldCatalog.DEFAULTS);
        final String agentId = UUID.randomUUID().toString();
        final List<GpuEvent> events = new ArrayList<>();
        long seq;

        Agent(String node) {
            this.node = node;
            this.gpus = new SimulatedNode(node, SimulatedSpec.of(NodeProfile.HGX_H100_8, 1, List.of()),
                    Clock.systemUTC());
            this.evaluator = new HealthEvaluator(HealthThresholds.defaults(), fields);
        }

        JsonNode report(boolean withInventory) throws Exception {
            return report(withInventory, List.of());
        }

        JsonNode report(boolean withInventory, List<GpuSummary> readings) throws Exception {
            var sample = gpus.sample(fields);
            List<GpuEvent> fresh = new ArrayList<>();
            for (GpuEvent event : gpus.drainEvents()) {
                fresh.add(event.withSeq(++seq));
            }
            events.addAll(fresh);
            List<GpuHealth> health = evaluator.evaluate(gpus.inventory(), sample, fresh);
            AgentReport report = new AgentReport(agentId, "test", "hash-" + node, withInventory ? gpus.inventory()
                    : null, health, readings, events, 0L, null);
            return controller.json("POST", "/v1/agents/" + node + "/report", TOKENS.get("agent"),
                    Documents.json().writeValueAsString(report));
        }
    }

    /** A counter of the controller's /metrics, by its full sample name with labels. */
    private static double counter(String sample) throws Exception {
        return controller.send("GET", "/metrics", null, null).body().lines().filter(l -> l.startsWith(sample + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(0);
    }

    private static JsonNode node(String name) throws Exception {
        return controller.json("GET", "/v1/nodes/" + name, TOKENS.get("viewer"), null);
    }

    private static JsonNode change(String name, String action, String reason) throws Exception {
        return controller.json("POST", "/v1/nodes/" + name + "/" + action, TOKENS.get("operator"),
                "{\"reason\": \"" + reason + "\"}");
    }

    @Test
    void aNodeRegistersBecomesReadyAndIsCordonedByTheHealthReflexOnXid79() throws Exception {
        Agent agent = new Agent("gpu-a");
        JsonNode first = agent.report(false);
        assertThat(first.get("needInventory").asBoolean()).isTrue();
        assertThat(node("gpu-a").get("state").asText()).isEqualTo("registered");
        assertThat(agent.report(true).get("needInventory").asBoolean()).isFalse();
        assertThat(node("gpu-a").get("state").asText()).isEqualTo("ready");

        agent.gpus.inject(FaultSpec.now(3, FaultKind.XID, 79));
        JsonNode desired = agent.report(false);
        assertThat(desired.get("cordoned").asBoolean()).isTrue();
        JsonNode node = node("gpu-a");
        assertThat(node.get("state").asText()).isEqualTo("cordoned");
        assertThat(node.get("actor").asText()).isEqualTo("health-reflex");
        assertThat(node.get("reason").asText()).startsWith("health reflex: gpu 3: XID 79").endsWith("(power-cycle)");
        JsonNode events = controller.json("GET", "/v1/events?node=gpu-a", TOKENS.get("viewer"), null).get("events");
        assertThat(events.findValuesAsText("kind")).contains("xid", "fault", "state", "reflex");
        JsonNode audit = controller.json("GET", "/v1/audit", TOKENS.get("admin"), null).get("entries");
        assertThat(audit.findValuesAsText("actor")).contains("health-reflex");

        // The operator's uncordon stands: the reflex acts on the change, not on every report.
        assertThat(change("gpu-a", "uncordon", "power-cycled, checked").get("state").asText()).isEqualTo("ready");
        agent.report(false);
        assertThat(node("gpu-a").get("state").asText()).isEqualTo("ready");
    }

    @Test
    void aGpuRepairCordonsTheGpuOnlyAndResumeClearsIt() throws Exception {
        Agent agent = new Agent("gpu-b");
        agent.report(true);
        agent.gpus.inject(FaultSpec.now(2, FaultKind.ECC_DBE, null));
        JsonNode desired = agent.report(false);
        assertThat(desired.get("cordoned").asBoolean()).isFalse();
        assertThat(desired.get("cordonedGpus")).hasSize(1);
        assertThat(desired.get("cordonedGpus").get(0).asText())
                .isEqualTo(agent.gpus.inventory().gpus().get(2).uuid());
        JsonNode gpus = controller.json("GET", "/v1/gpus?node=gpu-b", TOKENS.get("viewer"), null).get("gpus");
        assertThat(gpus.get(2).get("cordoned").asBoolean()).isTrue();
        assertThat(gpus.get(2).get("health").asText()).isEqualTo("failed");
        assertThat(gpus.get(1).get("cordoned").asBoolean()).isFalse();

        assertThat(change("gpu-b", "drain", "RMA the GPU").get("state").asText()).isEqualTo("drained");
        HttpResponse<String> uncordon = controller.send("POST", "/v1/nodes/gpu-b/uncordon", TOKENS.get("operator"),
                "{\"reason\": \"oops\"}");
        assertThat(uncordon.statusCode()).isEqualTo(409);
        JsonNode resumed = change("gpu-b", "resume", "GPU replaced");
        assertThat(resumed.get("state").asText()).isEqualTo("ready");
        assertThat(resumed.get("cordonedGpus")).isEmpty();
        assertThat(resumed.get("history").findValuesAsText("to")).containsSubsequence("ready", "drained", "ready");
        assertThat(resumed.get("history").findValuesAsText("actor")).contains("test-operator");
    }

    @Test
    void anOperatorUncordonsAGpuTheReflexCordonedAndCordonsOneByHandAudited() throws Exception {
        Agent agent = new Agent("gpu-g");
        agent.report(true);
        agent.gpus.inject(FaultSpec.now(4, FaultKind.ECC_DBE, null));
        assertThat(agent.report(false).get("cordonedGpus")).hasSize(1);
        agent.gpus.clearFaults(4);
        agent.evaluator.forget(4);

        JsonNode uncordoned = controller.json("POST", "/v1/nodes/gpu-g/gpus/4/uncordon", TOKENS.get("operator"),
                "{\"reason\": \"GPU 4 reset, dcgmi diag passed\"}");
        assertThat(uncordoned.get("cordonedGpus")).isEmpty();
        assertThat(agent.report(false).get("cordonedGpus")).as("the agent is told, and the reflex does not undo it")
                .isEmpty();
        JsonNode gpus = controller.json("GET", "/v1/gpus?node=gpu-g", TOKENS.get("viewer"), null).get("gpus");
        assertThat(gpus.get(4).get("cordoned").asBoolean()).isFalse();

        JsonNode cordoned = controller.json("POST", "/v1/nodes/gpu-g/gpus/1/cordon", TOKENS.get("operator"),
                "{\"reason\": \"fan noise, ticket OPS-9\"}");
        assertThat(cordoned.get("state").asText()).as("one GPU's cordon leaves the node ready").isEqualTo("ready");
        assertThat(cordoned.get("cordonedGpus").get(0).get("gpu").asInt()).isEqualTo(1);
        assertThat(cordoned.get("cordonedGpus").get(0).get("actor").asText()).isEqualTo("test-operator");
        assertThat(agent.report(false).get("cordonedGpus").get(0).asText())
                .isEqualTo(agent.gpus.inventory().gpus().get(1).uuid());

        JsonNode audit = controller.json("GET", "/v1/audit", TOKENS.get("admin"), null).get("entries");
        List<String> actions = audit.findValuesAsText("action");
        assertThat(actions).contains("POST /v1/nodes/gpu-g/gpus/4/uncordon", "POST /v1/nodes/gpu-g/gpus/1/cordon");
        assertThat(audit.findValuesAsText("result")).contains("gpu 4 of gpu-g: cordoned -> not cordoned",
                "gpu 1 of gpu-g: not cordoned -> cordoned");
        JsonNode events = controller.json("GET", "/v1/events?node=gpu-g", TOKENS.get("viewer"), null).get("events");
        assertThat(events.findValuesAsText("kind")).contains("uncordon", "cordon");

        assertThat(controller.send("POST", "/v1/nodes/gpu-g/gpus/8/cordon", TOKENS.get("operator"),
                "{\"reason\": \"r\"}").statusCode()).as("no GPU 8 on an 8-GPU node").isEqualTo(404);
        assertThat(controller.send("POST", "/v1/nodes/gpu-g/gpus/1/cordon", TOKENS.get("viewer"),
                "{\"reason\": \"r\"}").statusCode()).isEqualTo(403);
    }

    @Test
    void reportsThatChangeNothingAreAnsweredWithoutTheLeaderAndTheirReadingsStillShow() throws Exception {
        String byMember = "vigil_controller_reports_total{answered_by=\"member\"}";
        String byLeader = "vigil_controller_reports_total{answered_by=\"leader\"}";
        String leaderReports = "vigil_controller_leader_events_total{kind=\"report\"}";
        Agent agent = new Agent("gpu-r");
        agent.report(true);
        double member = counter(byMember);
        double leader = counter(byLeader);
        double applied = counter(leaderReports);
        Instant sent = Instant.now();

        for (int i = 0; i < 20; i++) {
            agent.report(false, List.of(new GpuSummary(0, 50.0, 40.0 + i, 300.0, 1000.0)));
        }

        assertThat(counter(byMember) - member).isEqualTo(20);
        assertThat(counter(byLeader) - leader).isZero();
        assertThat(counter(leaderReports) - applied).as("reports the leader applied").isZero();
        JsonNode node = node("gpu-r");
        assertThat(node.get("gpus").get(0).get("temperature").asDouble()).as("the last report's reading").isEqualTo(59.0);
        assertThat(Instant.parse(node.get("lastReport").asText())).isAfterOrEqualTo(sent);
        JsonNode listed = controller.json("GET", "/v1/nodes", TOKENS.get("viewer"), null).get("nodes");
        JsonNode row = listed.findParents("name").stream().filter(n -> n.get("name").asText().equals("gpu-r"))
                .findFirst().orElseThrow();
        assertThat(Instant.parse(row.get("lastReport").asText())).isAfterOrEqualTo(sent);

        // The leader's change reaches the agent in the answer the member gives from the stored facts.
        long version = agent.report(false).get("version").asLong();
        change("gpu-r", "cordon", "reseat cables");
        JsonNode desired = agent.report(false);
        assertThat(desired.get("cordoned").asBoolean()).isTrue();
        assertThat(desired.get("version").asLong()).isGreaterThan(version);
        assertThat(counter(byLeader) - leader).isZero();

        // An event the leader has not stored goes to it with that report.
        agent.gpus.inject(FaultSpec.now(1, FaultKind.XID, 13));
        agent.report(false);
        assertThat(counter(byLeader) - leader).isEqualTo(1);
        assertThat(controller.json("GET", "/v1/events?node=gpu-r", TOKENS.get("viewer"), null).get("events")
                .findValuesAsText("kind")).contains("xid");
    }

    @Test
    void theNodeListNamesEachNodesPoolAndLeafFromTheConfigurationWhereItHasOne() throws Exception {
        for (String name : List.of("gpu-place-1", "gpu-place-2", "gpu-place-3")) {
            new Agent(name).report(true);
        }

        JsonNode listed = controller.json("GET", "/v1/nodes", TOKENS.get("viewer"), null).get("nodes");

        Map<String, List<String>> places = new LinkedHashMap<>();
        for (JsonNode row : listed) {
            if (row.get("name").asText().startsWith("gpu-place-")) {
                places.put(row.get("name").asText(), List.of(row.path("pool").asText("-"), row.path("leaf").asText("-")));
            }
        }
        assertThat(places).containsExactly(Map.entry("gpu-place-1", List.of("training", "leaf-7")),
                Map.entry("gpu-place-2", List.of("training", "-")), Map.entry("gpu-place-3", List.of("-", "-")));
    }

    @Test
    void aNodeThatStopsReportingIsUnknownAndComesBackWhenItReports() throws Exception {
        Agent agent = new Agent("gpu-c");
        agent.report(true);
        await(Duration.ofSeconds(10), () -> node("gpu-c").get("state").asText().equals("unknown"));
        assertThat(node("gpu-c").get("reason").asText()).startsWith("no report for");
        agent.report(false);
        JsonNode back = node("gpu-c");
        assertThat(back.get("state").asText()).isEqualTo("ready");
        assertThat(back.get("reason").asText()).isEqualTo("reporting again");
    }

    @Test
    void agentEventsAreStoredOnceAndAnAgentRestartStartsOver() throws Exception {
        Agent agent = new Agent("gpu-d");
        agent.report(true);
        agent.gpus.inject(FaultSpec.now(1, FaultKind.XID, 13));
        agent.report(false);
        agent.report(false);
        JsonNode events = controller.json("GET", "/v1/events?node=gpu-d", TOKENS.get("viewer"), null).get("events");
        assertThat(events.findValuesAsText("kind").stream().filter("xid"::equals)).hasSize(1);
        Agent restarted = new Agent("gpu-d");
        restarted.gpus.inject(FaultSpec.now(1, FaultKind.XID, 31));
        JsonNode desired = restarted.report(false);
        assertThat(desired.get("lastEventSeq").asLong()).isEqualTo(2);
        JsonNode after = controller.json("GET", "/v1/events?node=gpu-d", TOKENS.get("viewer"), null).get("events");
        assertThat(after.findValuesAsText("message")).anyMatch(m -> m.startsWith("XID 31"));
    }

    @Test
    void tokensAreIssuedListedWithoutSecretsAndRevoked() throws Exception {
        String admin = TOKENS.get("admin");
        JsonNode issued = controller.json("POST", "/v1/tokens", admin, "{\"name\": \"ci\", \"role\": \"viewer\"}");
        String secret = issued.get("secret").asText();
        assertThat(controller.send("GET", "/v1/nodes", secret, null).statusCode()).isEqualTo(200);
        String listed = controller.send("GET", "/v1/tokens", admin, null).body();
        assertThat(listed).contains(issued.get("id").asText()).doesNotContain(secret).doesNotContain("\"secret\"");
        controller.json("DELETE", "/v1/tokens/" + issued.get("id").asText(), admin, null);
        assertThat(controller.send("GET", "/v1/nodes", secret, null).statusCode()).isEqualTo(401);
        String adminId = admin.substring(4, 14);
        HttpResponse<String> last = controller.send("DELETE", "/v1/tokens/" + adminId, admin, null);
        assertThat(last.statusCode()).isEqualTo(409);
        assertThat(last.body()).contains("last admin token");
    }

    @Test
    void anAnsibleRunIsRecordedInTheAuditLogWithItsRecapAndOutcome() throws Exception {
        String operator = TOKENS.get("operator");
        JsonNode failed = controller.json("POST", "/v1/provisioning/ansible-runs", operator, "{\"playbook\": "
                + "\"ansible/gpu_nodes.yml\", \"limit\": \"gpu-1\", \"check\": true, \"exitCode\": 2, \"hosts\": 1, "
                + "\"ok\": 3, \"changed\": 1, \"unreachable\": 0, \"failed\": 1}");
        JsonNode succeeded = controller.json("POST", "/v1/provisioning/ansible-runs", operator, "{\"playbook\": "
                + "\"ansible/site.yml\", \"exitCode\": 0, \"hosts\": 2, \"ok\": 8}");
        assertThat(failed.get("result").asText()).isEqualTo("ansible run failed");
        assertThat(succeeded.get("result").asText()).isEqualTo("ansible run succeeded");
        JsonNode audit = controller.json("GET", "/v1/audit", TOKENS.get("admin"), null).get("entries");
        JsonNode entry = null;
        for (JsonNode e : audit) {
            if (e.get("seq").asLong() == failed.get("seq").asLong()) {
                entry = e;
            }
        }
        assertThat(entry).as("the run's entry in GET /v1/audit").isNotNull();
        assertThat(entry.get("action").asText()).isEqualTo("POST /v1/provisioning/ansible-runs");
        assertThat(entry.get("role").asText()).isEqualTo("operator");
        assertThat(entry.get("detail").asText()).isEqualTo("ansible/gpu_nodes.yml --limit gpu-1 --check: exit 2, "
                + "1 host, ok=3 changed=1 unreachable=0 failed=1");
        HttpResponse<String> negative = controller.send("POST", "/v1/provisioning/ansible-runs", operator,
                "{\"playbook\": \"x.yml\", \"exitCode\": 0, \"failed\": -1}");
        assertThat(negative.statusCode()).isEqualTo(400);
        assertThat(negative.body()).contains("failed").contains("0 or more");
    }

    @Test
    void everyMutationIsAuditedWithWhoWhatWhenWhereAndResultRefusalsToo() throws Exception {
        new Agent("gpu-e").report(true);
        change("gpu-e", "cordon", "audit me");
        controller.send("POST", "/v1/nodes/gpu-e/cordon", TOKENS.get("viewer"), "{\"reason\": \"not allowed\"}");
        controller.send("POST", "/v1/nodes/gpu-e/cordon", null, "{\"reason\": \"no token\"}");
        controller.send("POST", "/v1/nodes/gpu-e/cordon", TOKENS.get("operator"), "{\"reasn\": \"typo\"}");
        JsonNode entries = controller.json("GET", "/v1/audit", TOKENS.get("admin"), null).get("entries");
        List<JsonNode> about = new ArrayList<>();
        entries.forEach(e -> {
            if ("POST /v1/nodes/gpu-e/cordon".equals(e.path("action").asText())) {
                about.add(e);
            }
        });
        assertThat(about).extracting(e -> e.get("status").asInt()).containsExactly(200, 403, 401, 400);
        JsonNode applied = about.get(0);
        assertThat(applied.get("actor").asText()).isEqualTo("test-operator");
        assertThat(applied.get("role").asText()).isEqualTo("operator");
        assertThat(applied.get("remote").asText()).startsWith("127.0.0.1:");
        assertThat(applied.get("detail").asText()).isEqualTo("audit me");
        assertThat(applied.get("result").asText()).isEqualTo("node gpu-e: ready -> cordoned");
        assertThat(applied.hasNonNull("time")).isTrue();
        assertThat(about.get(1).get("actor").asText()).as("a valid token refused for its role is named")
                .isEqualTo("test-viewer");
        assertThat(about.get(1).get("role").asText()).isEqualTo("viewer");
        assertThat(about.get(2).get("actor").asText()).isEqualTo("anonymous");
        assertThat(about.get(2).hasNonNull("role")).isFalse();
        assertThat(about.get(3).get("result").asText()).contains("reasn");
    }

    /** The audit entries about {@code action}, waiting (bounded) until there are {@code count}. */
    private static List<JsonNode> audited(String action, int count) throws Exception {
        List<JsonNode> about = new ArrayList<>();
        await(Duration.ofSeconds(10), () -> {
            about.clear();
            controller.json("GET", "/v1/audit", TOKENS.get("admin"), null).get("entries").forEach(e -> {
                if (action.equals(e.path("action").asText())) {
                    about.add(e);
                }
            });
            return about.size() >= count;
        });
        return about;
    }

    @Test
    void refusedRequestsThatCarriedCredentialsAreAuditedWhereverTheyWereRefused() throws Exception {
        String viewer = "Authorization: Bearer " + TOKENS.get("viewer") + "\r\n";
        // Refused by the HTTP server before any route: a NUL in the credentials, a bad escape.
        String token = TOKENS.get("viewer");
        assertThat(RawRequests.send(controller.port(), "127.0.0.1", "GET", "/v1/nodes/nul-probe", "Authorization: Bearer "
                + token.substring(0, 20) + "\u0000" + token.substring(20) + "\r\n", null).status()).isEqualTo(400);
        assertThat(RawRequests.send(controller.port(), "127.0.0.1", "GET", "/v1/nodes/escape-probe%ZZ", viewer,
                null).status()).isEqualTo(400);
        // Refused by authentication on a read: a wrong token is audited, no token at all is not.
        assertThat(controller.send("GET", "/v1/nodes/wrong-token-probe",
                "vgl_0123456789_notarealsecretnotarealsecret", null).statusCode()).isEqualTo(401);
        assertThat(controller.send("GET", "/v1/nodes/no-token-probe", null, null).statusCode()).isEqualTo(401);
        assertThat(controller.send("GET", "/v1/audit", TOKENS.get("viewer"), null).statusCode()).isEqualTo(403);

        JsonNode nul = audited("GET /v1/nodes/nul-probe", 1).get(0);
        assertThat(nul.get("status").asInt()).isEqualTo(400);
        assertThat(nul.get("actor").asText()).isEqualTo("anonymous");
        assertThat(nul.get("result").asText()).contains("header Authorization").doesNotContain(token.substring(20));
        assertThat(nul.get("remote").asText()).startsWith("127.0.0.1:");
        JsonNode escape = audited("GET /v1/nodes/escape-probe%ZZ", 1).get(0);
        assertThat(escape.get("status").asInt()).isEqualTo(400);
        assertThat(escape.get("actor").asText()).as("the token is valid, only the path is not").isEqualTo("test-viewer");
        assertThat(escape.get("role").asText()).isEqualTo("viewer");
        assertThat(audited("GET /v1/nodes/wrong-token-probe", 1).get(0).get("status").asInt()).isEqualTo(401);
        assertThat(audited("GET /v1/audit", 1)).as("a read refused for the token's role names the token")
                .anySatisfy(e -> {
                    assertThat(e.get("status").asInt()).isEqualTo(403);
                    assertThat(e.get("actor").asText()).isEqualTo("test-viewer");
                    assertThat(e.get("role").asText()).isEqualTo("viewer");
                });
        JsonNode entries = controller.json("GET", "/v1/audit", TOKENS.get("admin"), null).get("entries");
        assertThat(entries.findValuesAsText("action")).as("a request without credentials is only answered")
                .doesNotContain("GET /v1/nodes/no-token-probe");
    }

    @Test
    void malformedTargetsAndHeadersAreAnswered400ProblemsWithOrWithoutAToken() throws Exception {
        String viewer = "Authorization: Bearer " + TOKENS.get("viewer") + "\r\n";
        for (String target : List.of("/healthz?%ZZ=1", "/v1/nodes/%ZZ", "/v1/events?since=%", "/v1/gpus?node=%C3%28",
                "/v1/jobs/%00")) {
            for (String credentials : List.of("", viewer)) {
                RawRequests.Answer answer = RawRequests.send(controller.port(), "127.0.0.1", "GET", target,
                        credentials, null);
                assertThat(answer.status()).as(target).isEqualTo(400);
                assertThat(answer.text()).as(target).containsIgnoringCase("Content-Type: application/problem+json")
                        .contains("\"status\":400");
            }
        }
        RawRequests.Answer header = RawRequests.send(controller.port(), "127.0.0.1", "POST",
                "/v1/nodes/malformed-node/cordon", "Authorization: Bearer x\u0000y\r\n", "{\"reason\": \"r\"}");
        assertThat(header.status()).isEqualTo(400);
        assertThat(header.text()).contains("\"field\":\"header Authorization\"");
    }

    @Test
    void membersShowTheLeaderAndQuorum() throws Exception {
        Members members = Documents.json().treeToValue(controller.json("GET", "/v1/members", TOKENS.get("viewer"),
                null), Members.class);
        assertThat(members.leader()).isEqualTo("c1");
        assertThat(members.quorum()).isEqualTo(1);
        assertThat(members.quorumPresent()).isTrue();
        assertThat(members.leaderEpoch()).isPositive();
        assertThat(controller.send("GET", "/readyz", null, null).statusCode()).isEqualTo(200);
        String metrics = controller.send("GET", "/metrics", null, null).body();
        assertThat(metrics).contains("vigil_controller_leader_epoch " + (double) members.leaderEpoch());
        assertThat(metrics).contains("vigil_controller_leader 1.0", "vigil_controller_quorum 1.0",
                "vigil_controller_nodes{state=\"ready\"}", "vigil_controller_report_duration_seconds_bucket");
    }

    /** The routes of the API (with a member that is never called: only the table is read). */
    private static List<Router.Route> routes() {
        return new ControllerApi(new ControllerApi.Member() {
            public String name() {
                throw new UnsupportedOperationException();
            }

            public Store store() {
                throw new UnsupportedOperationException();
            }

            public LeaderClient leader() {
                throw new UnsupportedOperationException();
            }

            public ReportIntake reports() {
                throw new UnsupportedOperationException();
            }

            public Members members() {
                throw new UnsupportedOperationException();
            }

            public String notReadyReason() {
                throw new UnsupportedOperationException();
            }

            public String staleReason() {
                throw new UnsupportedOperationException();
            }

            public byte[] metrics() {
                throw new UnsupportedOperationException();
            }

            public String version() {
                throw new UnsupportedOperationException();
            }
        }, nanos -> { }, MigConfigs.load(MigSettings.defaults()),
                MigSettings.defaults().auto().limits(), Map.of(), Map.of()).router().routes();
    }

    @Test
    void theOpenApiDocumentMatchesTheRoutes() throws Exception {
        JsonNode document = Documents.json().readTree(controller.send("GET", "/openapi.json", null, null).body());
        Set<String> documented = new HashSet<>();
        Iterator<Map.Entry<String, JsonNode>> paths = document.get("paths").fields();
        while (paths.hasNext()) {
            Map.Entry<String, JsonNode> path = paths.next();
            path.getValue().fieldNames().forEachRemaining(method -> documented.add(method.toUpperCase() + " "
                    + path.getKey()));
        }
        Set<String> served = new HashSet<>();
        routes().forEach(route -> served.add(route.method() + " " + route.pattern()));
        assertThat(documented).isEqualTo(served);
    }

    /** A route as the matrix and the malformed-request table use it: a request and who may send it. */
    private record Call(String method, String path, String body, String role) {
    }

    /** A job no node here can take (no B200 anywhere): it stays queued and holds nothing. */
    private static final String UNPLACEABLE = "{\"gpus\": 8, \"models\": [\"B200\"], \"waitForNodes\": true, \"name\": \"matrix\", \"backend\": \"simulated\"}";

    private static final List<Call> CALLS = List.of(
            new Call("GET", "/v1/members", null, "viewer"),
            new Call("GET", "/v1/nodes", null, "viewer"),
            new Call("GET", "/v1/nodes/matrix-node", null, "viewer"),
            new Call("POST", "/v1/nodes/matrix-node/cordon", "{\"reason\": \"matrix\"}", "operator"),
            new Call("POST", "/v1/nodes/matrix-node/uncordon", "{\"reason\": \"matrix\"}", "operator"),
            new Call("POST", "/v1/nodes/matrix-node/gpus/0/cordon", "{\"reason\": \"matrix\"}", "operator"),
            new Call("POST", "/v1/nodes/matrix-node/gpus/0/uncordon", "{\"reason\": \"matrix\"}", "operator"),
            new Call("POST", "/v1/nodes/matrix-node/drain", "{\"reason\": \"matrix\"}", "operator"),
            new Call("POST", "/v1/nodes/matrix-node/resume", "{\"reason\": \"matrix\"}", "operator"),
            new Call("GET", "/v1/gpus", null, "viewer"),
            new Call("GET", "/v1/violations", null, "viewer"),
            new Call("GET", "/v1/events", null, "viewer"),
            new Call("GET", "/v1/audit", null, "admin"),
            new Call("POST", "/v1/agents/matrix-node/report",
                    "{\"agentId\": \"m\", \"inventoryHash\": \"h\"}", "agent"),
            new Call("POST", "/v1/agents/matrix-node/ended", "{\"backendJob\": \"simulated:1\"}", "agent"),
            new Call("POST", "/v1/jobs", UNPLACEABLE, "submitter"),
            new Call("POST", "/v1/jobs:batch", "{\"jobs\": [" + UNPLACEABLE + "]}", "submitter"),
            new Call("GET", "/v1/jobs", null, "viewer"),
            new Call("GET", "/v1/jobs/j-999999", null, "viewer"),
            new Call("POST", "/v1/jobs/j-999999/cancel", "{\"reason\": \"matrix\"}", "submitter"),
            new Call("GET", "/v1/jobs/j-999999/why", null, "viewer"),
            new Call("GET", "/v1/tokens", null, "admin"),
            new Call("POST", "/v1/tokens", "{\"name\": \"matrix\", \"role\": \"viewer\"}", "admin"),
            new Call("DELETE", "/v1/tokens/0000000000", null, "admin"),
            new Call("POST", "/v1/provisioning/ansible-runs", "{\"playbook\": \"matrix.yml\", \"exitCode\": 0}",
                    "operator"),
            new Call("GET", "/v1/alerts", null, "viewer"),
            new Call("GET", "/v1/alerts/0123456789abcdef", null, "viewer"),
            new Call("GET", "/v1/silences", null, "viewer"),
            new Call("POST", "/v1/silences", "{\"matchers\": [\"node=matrix-node\"], \"duration\": \"1m\", "
                    + "\"comment\": \"matrix\"}", "operator"),
            new Call("DELETE", "/v1/silences/00000000-0000-0000-0000-000000000000", null, "operator"),
            new Call("POST", "/v1/alertmanager/webhook", "{\"version\": \"4\", \"status\": \"resolved\", "
                    + "\"receiver\": \"vigil\", \"alerts\": []}", "operator"),
            new Call("GET", "/v1/runbooks", null, "viewer"),
            new Call("GET", "/v1/runbooks/automation", null, "viewer"),
            new Call("POST", "/v1/runbooks/reload", "{\"reason\": \"matrix\"}", "operator"),
            new Call("POST", "/v1/runbooks/resume", "{\"reason\": \"matrix\"}", "operator"),
            new Call("POST", "/v1/runbooks/gpu-fallen-off-bus/runs", "{\"node\": \"matrix-node\", \"dryRun\": true}",
                    "operator"),
            new Call("GET", "/v1/runs", null, "viewer"),
            new Call("GET", "/v1/runs/run-999999", null, "viewer"),
            new Call("POST", "/v1/runs/run-999999/approve", "{\"reason\": \"matrix\"}", "operator"),
            new Call("POST", "/v1/runs/run-999999/abort", "{\"reason\": \"matrix\"}", "operator"),
            new Call("GET", "/v1/mig", null, "viewer"),
            new Call("GET", "/v1/mig/configs", null, "viewer"),
            new Call("GET", "/v1/mig/plan", null, "viewer"),
            new Call("GET", "/v1/nodes/matrix-node/mig", null, "viewer"),
            new Call("PUT", "/v1/nodes/matrix-node/mig", "{\"config\": \"all-disabled\", \"reason\": \"matrix\"}",
                    "operator"),
            new Call("PUT", "/v1/pools/matrix-pool/mig", "{\"config\": \"all-disabled\", \"reason\": \"matrix\"}",
                    "operator"));

    private static boolean covers(String role, String needed) {
        List<String> ladder = List.of("viewer", "submitter", "operator", "admin");
        if (role.equals("agent") || needed.equals("agent")) {
            return role.equals(needed);
        }
        return ladder.indexOf(role) >= ladder.indexOf(needed);
    }

    @Test
    void authorizationMatrixEveryRouteTimesEveryRoleNoTokenAndAWrongToken() throws Exception {
        new Agent("matrix-node").report(true);
        Set<String> coveredRoutes = new HashSet<>();
        for (Call call : CALLS) {
            coveredRoutes.add(call.method() + " " + call.path().replace("matrix-node", "{node}")
                    .replace("/gpus/0/", "/gpus/{gpu}/")
                    .replace("00000000-0000-0000-0000-000000000000", "{id}").replace("0000000000", "{id}")
                    .replace("j-999999", "{id}").replace("0123456789abcdef", "{fingerprint}")
                    .replace("run-999999", "{id}").replace("gpu-fallen-off-bus", "{name}")
                    .replace("matrix-pool", "{pool}"));
            assertThat(controller.send(call.method(), call.path(), null, call.body()).statusCode())
                    .as("%s %s without a token", call.method(), call.path()).isEqualTo(401);
            assertThat(controller.send(call.method(), call.path(), "vgl_0123456789_notarealsecretnotarealsecret",
                    call.body()).statusCode()).as("%s %s with a wrong token", call.method(), call.path()).isEqualTo(401);
            for (Map.Entry<String, String> token : TOKENS.entrySet()) {
                int status = controller.send(call.method(), call.path(), token.getValue(), call.body()).statusCode();
                if (covers(token.getKey(), call.role())) {
                    assertThat(status).as("%s %s as %s", call.method(), call.path(), token.getKey())
                            .isNotIn(401, 403).isLessThan(500);
                } else {
                    assertThat(status).as("%s %s as %s", call.method(), call.path(), token.getKey()).isEqualTo(403);
                }
            }
        }
        Set<String> guarded = new HashSet<>();
        routes().stream().filter(r -> r.pattern().startsWith("/v1/") && !r.pattern().equals("/v1/version"))
                .forEach(r -> guarded.add(r.method() + " " + r.pattern()));
        assertThat(coveredRoutes).as("every guarded route is in the matrix").isEqualTo(guarded);
        for (String open : List.of("/healthz", "/readyz", "/metrics", "/openapi.json", "/v1/version")) {
            assertThat(controller.send("GET", open, null, null).statusCode()).as(open).isEqualTo(200);
        }
    }

    @Test
    void aBadValueIsNamedWithTheValueAndWhatIsAllowed() throws Exception {
        record Bad(String method, String path, String body, String role, String field, String value, String allowed) {
        }
        List<Bad> table = List.of(
                // This controller sets no default backend: a job must name one of those it has.
                new Bad("POST", "/v1/jobs", "{\"gpus\": 8}", "submitter", "backend", null,
                        "one of simulated (this controller sets no scheduler.backend default)"),
                new Bad("POST", "/v1/jobs", "{\"gpus\": 8, \"backend\": \"slurm\"}", "submitter", "backend", "slurm",
                        "one of simulated; slurm is not configured on this controller (no slurm: section in its config)"),
                new Bad("POST", "/v1/jobs", "{\"gpus\": 8, \"backend\": \"simulated\", \"priorityClass\": \"urgent\"}",
                        "submitter", "priorityClass", "urgent", "one of low, normal, high"),
                new Bad("POST", "/v1/tokens", "{\"name\": \"x\", \"role\": \"root\"}", "admin", "role", "root",
                        "one of viewer, submitter, operator, admin, agent"),
                new Bad("GET", "/v1/events?limit=0", null, "viewer", "limit", "0", null),
                new Bad("POST", "/v1/agents/n1/ended", "{\"backendJob\": \"slurm:7\"}", "agent", "backendJob",
                        "slurm:7",
                        "BACKEND:ID of a backend this controller runs (simulated), e.g. slurm:1234"));
        for (Bad bad : table) {
            HttpResponse<String> response = controller.send(bad.method(), bad.path(), TOKENS.get(bad.role()), bad.body());
            String what = bad.method() + " " + bad.path() + " " + bad.body() + " -> " + response.body();
            assertThat(response.statusCode()).as(what).isEqualTo(400);
            JsonNode problem = Documents.json().readTree(response.body());
            assertThat(problem.path("field").asText()).as(what).isEqualTo(bad.field());
            if (bad.value() == null) {
                assertThat(problem.path("value").isMissingNode() || problem.path("value").isNull()).as(what).isTrue();
            } else {
                assertThat(problem.path("value").asText()).as(what).isEqualTo(bad.value());
            }
            if (bad.allowed() != null) {
                assertThat(problem.path("allowed").asText()).as(what).isEqualTo(bad.allowed());
            } else {
                assertThat(problem.path("allowed").asText()).as(what).isNotBlank();
            }
        }
    }

    /** A malformed request, and the field its 400 must name (null when the whole body is at fault). */
    private record Malformed(String method, String path, String body, String role, int status, String field) {
    }

    @Test
    void malformedRequestsToEveryRouteAre4xxProblemsThatNameTheField() throws Exception {
        new Agent("malformed-node").report(true);
        String big = "{\"reason\": \"" + "x".repeat(1 << 20) + "\"}";
        List<Malformed> table = List.of(
                new Malformed("POST", "/v1/nodes/malformed-node/cordon", "{\"reason\": ", "operator", 400, ""),
                new Malformed("POST", "/v1/nodes/malformed-node/cordon", "", "operator", 400, ""),
                new Malformed("POST", "/v1/nodes/malformed-node/cordon", "{}", "operator", 400, "reason"),
                new Malformed("POST", "/v1/nodes/malformed-node/cordon", "{\"reason\": \"\"}", "operator", 400, "reason"),
                new Malformed("POST", "/v1/nodes/malformed-node/cordon", "{\"reason\": \"r\", \"x\": 1}", "operator", 400, "x"),
                new Malformed("POST", "/v1/nodes/malformed-node/cordon", "[1, 2]", "operator", 400, ""),
                new Malformed("POST", "/v1/nodes/malformed-node/drain", big, "operator", 413, null),
                new Malformed("POST", "/v1/nodes/no-such-node/cordon", "{\"reason\": \"r\"}", "operator", 404, null),
                new Malformed("POST", "/v1/nodes/malformed-node/resume", "{\"why\": \"r\"}", "operator", 400, "why"),
                new Malformed("POST", "/v1/nodes/malformed-node/uncordon", "null", "operator", 400, ""),
                new Malformed("GET", "/v1/nodes/no-such-node", null, "viewer", 404, null),
                new Malformed("GET", "/v1/gpus?node=no-such-node", null, "viewer", 404, null),
                new Malformed("GET", "/v1/events?node=no-such-node", null, "viewer", 404, null),
                new Malformed("POST", "/v1/nodes/malformed-node/gpus/x/cordon", "{\"reason\": \"r\"}", "operator",
                        400, "gpu"),
                new Malformed("POST", "/v1/nodes/no-such-node/gpus/0/uncordon", "{\"reason\": \"r\"}", "operator",
                        404, null),
                new Malformed("POST", "/v1/nodes/malformed-node/gpus/0/cordon", "{}", "operator", 400, "reason"),
                new Malformed("GET", "/v1/events?since=-1", null, "viewer", 400, "since"),
                new Malformed("GET", "/v1/events?limit=0", null, "viewer", 400, "limit"),
                new Malformed("GET", "/v1/events?limit=abc", null, "viewer", 400, "limit"),
                new Malformed("GET", "/v1/audit?since=x", null, "admin", 400, "since"),
                new Malformed("POST", "/v1/agents/malformed-node/report", "{}", "agent", 400, "agentId"),
                new Malformed("POST", "/v1/agents/malformed-node/ended", "{\"backendJob\": \"1234\"}", "agent", 400,
                        "backendJob"),
                new Malformed("POST", "/v1/agents/malformed-node/report",
                        "{\"agentId\": \"a\", \"inventoryHash\": \"h\", \"health\": 3}", "agent", 400, "health"),
                new Malformed("POST", "/v1/agents/bad%20name/report",
                        "{\"agentId\": \"a\", \"inventoryHash\": \"h\"}", "agent", 400, "node"),
                new Malformed("POST", "/v1/tokens", "{\"name\": \"x\"}", "admin", 400, "role"),
                new Malformed("POST", "/v1/tokens", "{\"name\": \"x\", \"role\": \"root\"}", "admin", 400, "role"),
                new Malformed("POST", "/v1/tokens", "{\"name\": \"has space\", \"role\": \"viewer\"}", "admin", 400,
                        "name"),
                new Malformed("DELETE", "/v1/tokens/nope", null, "admin", 404, null),
                new Malformed("POST", "/v1/jobs", "{}", "submitter", 400, "gpus"),
                new Malformed("POST", "/v1/jobs", "", "submitter", 400, ""),
                new Malformed("POST", "/v1/jobs", "{\"gpus\": 12}", "submitter", 400, "gpus"),
                new Malformed("POST", "/v1/jobs", "{\"gpus\": 8, \"gpuz\": 1}", "submitter", 400, "gpuz"),
                new Malformed("POST", "/v1/jobs", "{\"gpus\": 8, \"runtimeLimit\": \"5\"}", "submitter", 400,
                        "runtimeLimit"),
                new Malformed("POST", "/v1/jobs", "{\"kind\": \"inference\", \"migProfile\": \"huge\"}", "submitter",
                        400, "migProfile"),
                new Malformed("POST", "/v1/jobs", "{\"kind\": \"batch\", \"gpus\": 1}", "submitter", 400, "kind"),
                new Malformed("POST", "/v1/jobs", "{\"gpus\": 8, \"priorityClass\": \"urgent\", \"backend\": "
                        + "\"simulated\"}", "submitter", 400, "priorityClass"),
                new Malformed("POST", "/v1/jobs", "{\"gpus\": 8, \"backend\": \"slurm\"}", "submitter", 400,
                        "backend"),
                new Malformed("POST", "/v1/jobs", "{\"gpus\": 8, \"topology\": {\"level\": \"max-leaves\"}}",
                        "submitter", 400, "topology.maxLeaves"),
                new Malformed("POST", "/v1/jobs:batch", "{}", "submitter", 400, "jobs"),
                new Malformed("POST", "/v1/jobs:batch", "[" + UNPLACEABLE + "]", "submitter", 400, ""),
                new Malformed("POST", "/v1/jobs:batch", "{\"jobs\": [" + UNPLACEABLE + ", {\"gpus\": 12}]}",
                        "submitter", 400, "jobs[1].gpus"),
                new Malformed("POST", "/v1/jobs:batch", "{\"jobs\": [null]}", "submitter", 400, "jobs[0]"),
                new Malformed("POST", "/v1/jobs:batch", "{\"jobs\": [" + String.join(", ",
                        java.util.Collections.nCopies(1001, "{\"gpus\": 1}")) + "]}", "submitter", 400, "jobs"),
                new Malformed("GET", "/v1/jobs?state=sleeping", null, "viewer", 400, "state"),
                new Malformed("GET", "/v1/jobs?limit=0", null, "viewer", 400, "limit"),
                new Malformed("GET", "/v1/jobs?after=7", null, "viewer", 400, "after"),
                new Malformed("GET", "/v1/jobs/nope", null, "viewer", 400, "id"),
                new Malformed("GET", "/v1/jobs/j-999999", null, "viewer", 404, null),
                new Malformed("GET", "/v1/jobs/j-999999/why", null, "viewer", 404, null),
                new Malformed("POST", "/v1/jobs/j-999999/cancel", "{\"reason\": \"r\"}", "submitter", 404, null),
                new Malformed("POST", "/v1/jobs/j-999999/cancel", "{}", "submitter", 400, "reason"),
                new Malformed("GET", "/v1/alerts?state=burning", null, "viewer", 400, "state"),
                new Malformed("GET", "/v1/alerts?severity=critical,", null, "viewer", 400, "severity"),
                new Malformed("GET", "/v1/alerts?severity=sev1", null, "viewer", 400, "severity"),
                new Malformed("GET", "/v1/alerts/GPU-3", null, "viewer", 400, "fingerprint"),
                new Malformed("GET", "/v1/alerts/0123456789abcdef", null, "viewer", 404, null),
                new Malformed("POST", "/v1/silences", "{}", "operator", 400, "matchers"),
                new Malformed("POST", "/v1/silences", "", "operator", 400, ""),
                new Malformed("POST", "/v1/silences", "{\"matchers\": [\"node=n\"], \"duration\": \"1h\"}",
                        "operator", 400, "comment"),
                new Malformed("POST", "/v1/silences", "{\"matchers\": [\"node=n\"], \"comment\": \"c\"}",
                        "operator", 400, "endsAt"),
                new Malformed("POST", "/v1/silences", "{\"matchers\": [\"node=n\"], \"duration\": \"soon\", "
                        + "\"comment\": \"c\"}", "operator", 400, "duration"),
                new Malformed("POST", "/v1/silences", "{\"matchers\": [\"node=n\"], \"comment\": \"c\", "
                        + "\"endsAt\": \"2020-01-01T00:00:00Z\"}", "operator", 400, "endsAt"),
                new Malformed("POST", "/v1/silences", "{\"matchers\": [\"node!=n\"], \"duration\": \"1h\", "
                        + "\"comment\": \"c\"}", "operator", 400, "matchers"),
                new Malformed("POST", "/v1/silences", "{\"matchers\": [\"node is n\"], \"duration\": \"1h\", "
                        + "\"comment\": \"c\"}", "operator", 400, "matchers[0]"),
                new Malformed("POST", "/v1/silences", "{\"matchers\": [{\"name\": \"node\", \"value\": \"(\", "
                        + "\"isRegex\": true}], \"duration\": \"1h\", \"comment\": \"c\"}", "operator", 400,
                        "matchers[0].value"),
                new Malformed("DELETE", "/v1/silences/nope", null, "operator", 400, "id"),
                new Malformed("DELETE", "/v1/silences/00000000-0000-0000-0000-000000000000", null, "operator", 404,
                        null),
                new Malformed("POST", "/v1/alertmanager/webhook", "", "operator", 400, ""),
                new Malformed("POST", "/v1/alertmanager/webhook", "{\"alerts\": []}", "operator", 400, "version"),
                new Malformed("POST", "/v1/alertmanager/webhook", "{\"version\": \"3\", \"alerts\": []}",
                        "operator", 400, "version"),
                new Malformed("POST", "/v1/alertmanager/webhook", "{\"version\": \"4\"}", "operator", 400,
                        "alerts"),
                new Malformed("POST", "/v1/alertmanager/webhook", "{\"version\": \"4\", \"alerts\": "
                        + "[{\"status\": \"firing\", \"labels\": {}}]}", "operator", 400,
                        "alerts[0].labels.alertname"),
                new Malformed("POST", "/v1/alertmanager/webhook", "{\"version\": \"4\", \"alerts\": "
                        + "[{\"status\": \"burning\", \"labels\": {\"alertname\": \"X\"}}]}", "operator", 400,
                        "alerts[0].status"),
                new Malformed("GET", "/v1/nothing", null, "viewer", 404, null),
                new Malformed("DELETE", "/v1/nodes", null, "viewer", 405, null),
                new Malformed("PUT", "/v1/tokens", "{}", "admin", 405, null));
        for (Malformed request : table) {
            HttpResponse<String> response = controller.send(request.method(), request.path(),
                    TOKENS.get(request.role()), request.body());
            String what = request.method() + " " + request.path() + " " + (request.body() == null ? ""
                    : request.body().length() > 80 ? request.body().substring(0, 80) + "..." : request.body());
            assertThat(response.statusCode()).as(what + " -> " + response.body()).isEqualTo(request.status());
            assertThat(response.headers().firstValue("content-type")).as(what).hasValue("application/problem+json");
            JsonNode problem = Documents.json().readTree(response.body());
            assertThat(problem.get("status").asInt()).as(what).isEqualTo(request.status());
            assertThat(problem.get("detail").asText()).as(what).isNotBlank();
            if (request.field() != null && !request.field().isEmpty()) {
                assertThat(problem.path("field").asText()).as(what + " -> " + response.body())
                        .isEqualTo(request.field());
            }
        }
    }

    /** Every JSON-body route, with a body it would take: none is read unless it says it is JSON. */
    private static final List<Malformed> JSON_ROUTES = List.of(
            new Malformed("POST", "/v1/nodes/strict-node/cordon", "{\"reason\": \"r\"}", "operator", 415, null),
            new Malformed("POST", "/v1/agents/strict-node/ended", "{\"backendJob\": \"simulated:1\"}", "agent", 415,
                    null),
            new Malformed("POST", "/v1/nodes/strict-node/uncordon", "{\"reason\": \"r\"}", "operator", 415, null),
            new Malformed("POST", "/v1/nodes/strict-node/gpus/0/cordon", "{\"reason\": \"r\"}", "operator", 415, null),
            new Malformed("POST", "/v1/nodes/strict-node/gpus/0/uncordon", "{\"reason\": \"r\"}", "operator", 415,
                    null),
            new Malformed("POST", "/v1/nodes/strict-node/drain", "{\"reason\": \"r\"}", "operator", 415, null),
            new Malformed("POST", "/v1/nodes/strict-node/resume", "{\"reason\": \"r\"}", "operator", 415, null),
            new Malformed("POST", "/v1/agents/strict-node/report", "{\"agentId\": \"a\", \"inventoryHash\": \"h\"}",
                    "agent", 415, null),
            new Malformed("POST", "/v1/tokens", "{\"name\": \"x\", \"role\": \"viewer\"}", "admin", 415, null),
            new Malformed("POST", "/v1/provisioning/ansible-runs", "{\"playbook\": \"x.yml\", \"exitCode\": 0}",
                    "operator", 415, null),
            new Malformed("POST", "/v1/jobs", "{\"gpus\": 1}", "submitter", 415, null),
            new Malformed("POST", "/v1/jobs:batch", "{\"jobs\": [{\"gpus\": 1}]}", "submitter", 415, null),
            new Malformed("POST", "/v1/jobs/j-000001/cancel", "{\"reason\": \"r\"}", "submitter", 415, null),
            new Malformed("POST", "/v1/silences", "{\"matchers\": [\"node=n\"], \"duration\": \"1h\", "
                    + "\"comment\": \"c\"}", "operator", 415, null),
            new Malformed("POST", "/v1/alertmanager/webhook", "{\"version\": \"4\", \"alerts\": []}", "operator",
                    415, null),
            new Malformed("POST", "/v1/runbooks/reload", "{\"reason\": \"r\"}", "operator", 415, null),
            new Malformed("POST", "/v1/runbooks/resume", "{\"reason\": \"r\"}", "operator", 415, null),
            new Malformed("POST", "/v1/runbooks/gpu-fallen-off-bus/runs", "{\"node\": \"strict-node\"}", "operator",
                    415, null),
            new Malformed("POST", "/v1/runs/run-1/approve", "{\"reason\": \"r\"}", "operator", 415, null),
            new Malformed("POST", "/v1/runs/run-1/abort", "{\"reason\": \"r\"}", "operator", 415, null));

    @Test
    void aBodyThatDoesNotSayItIsJsonIsA415OnEveryJsonRoute() throws Exception {
        new Agent("strict-node").report(true);
        assertThat(JSON_ROUTES.stream().map(r -> r.method() + " " + r.path().replace("strict-node", "{node}")
                .replace("/gpus/0/", "/gpus/{gpu}/").replace("j-000001", "{id}").replace("run-1", "{id}")
                .replace("gpu-fallen-off-bus", "{name}")).toList())
                .as("every POST route of the router that reads a body")
                .containsExactlyInAnyOrderElementsOf(routes().stream().filter(r -> r.method().equals("POST"))
                        .map(r -> r.method() + " " + r.pattern()).toList());
        for (String contentType : new String[]{null, "text/plain", "application/x-www-form-urlencoded"}) {
            for (Malformed route : JSON_ROUTES) {
                HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + controller.port()
                                + route.path())).method(route.method(), HttpRequest.BodyPublishers.ofString(route.body()))
                        .header("Authorization", "Bearer " + TOKENS.get(route.role()));
                if (contentType != null) {
                    request.header("Content-Type", contentType);
                }
                HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(),
                        HttpResponse.BodyHandlers.ofString());
                String what = route.method() + " " + route.path() + " as " + contentType;
                assertThat(response.statusCode()).as(what + " -> " + response.body()).isEqualTo(415);
                assertThat(response.headers().firstValue("content-type")).as(what).hasValue("application/problem+json");
                assertThat(Documents.json().readTree(response.body()).get("field").asText()).as(what)
                        .isEqualTo("Content-Type");
            }
        }
    }

    @Test
    void bodiesBindStrictlyAndEveryErrorNamesItsField() throws Exception {
        new Agent("strict-node").report(true);
        String silence = "{\"matchers\": [\"node=n\"], \"comment\": \"c\", ";
        List<Malformed> table = List.of(
                new Malformed("POST", "/v1/jobs", "{\"gpus\": 9223372036854775808}", "submitter", 400, "gpus"),
                new Malformed("POST", "/v1/jobs", "{\"gpus\": NaN}", "submitter", 400, "gpus"),
                new Malformed("POST", "/v1/jobs", "{\"gpus\": \"1\"}", "submitter", 400, "gpus"),
                new Malformed("POST", "/v1/jobs", "{\"gpus\": 1, \"name\": 123}", "submitter", 400, "name"),
                new Malformed("POST", "/v1/jobs", "{\"gpus\": 1, \"name\": \"\"}", "submitter", 400, "name"),
                new Malformed("POST", "/v1/jobs", "{\"gpus\": 1, \"name\": \"a\\nb\"}", "submitter", 400, "name"),
                new Malformed("POST", "/v1/jobs", "{\"gpus\": 1, \"tenant\": \"bad tenant\"}", "submitter", 400,
                        "tenant"),
                new Malformed("POST", "/v1/jobs", "{\"gpus\": 1, \"queue\": \"" + "q".repeat(100_000) + "\"}",
                        "submitter", 400, "queue"),
                new Malformed("POST", "/v1/jobs", "{\"gpus\": 1, \"image\": \"" + "i".repeat(100_000) + "\"}",
                        "submitter", 400, "image"),
                new Malformed("POST", "/v1/jobs", "{\"gpus\": 1, \"backend\": \"simulated\", \"pool\": \"nowhere\"}", "submitter", 400, "pool"),
                new Malformed("POST", "/v1/agents/strict-node/report", "{\"agentId\": \"a\", \"inventoryHash\": "
                        + "\"h\", \"appliedVersion\": 92233720368547758080}", "agent", 400, "appliedVersion"),
                new Malformed("POST", "/v1/agents/strict-node/report", "{\"agentId\": 7, \"inventoryHash\": \"h\"}",
                        "agent", 400, "agentId"),
                new Malformed("POST", "/v1/silences", silence + "\"startsAt\": 123, \"duration\": \"1h\"}",
                        "operator", 400, "startsAt"),
                new Malformed("POST", "/v1/silences", silence + "\"endsAt\": 1e400}", "operator", 400, "endsAt"),
                new Malformed("POST", "/v1/silences", "{\"matchers\": [\"node=n\"], \"duration\": \"1h\", \"comment\": \""
                        + "c".repeat(100_000) + "\"}", "operator", 400, "comment"),
                new Malformed("POST", "/v1/silences", "{\"matchers\": [\"node=" + "n".repeat(100_000) + "\"], "
                        + "\"duration\": \"1h\", \"comment\": \"c\"}", "operator", 400, "matchers[0].value"),
                new Malformed("POST", "/v1/agents/strict-node/report", "{\"agentId\": \"" + "a".repeat(100_000)
                        + "\", \"inventoryHash\": \"h\"}", "agent", 400, "agentId"),
                new Malformed("POST", "/v1/alertmanager/webhook", "{\"version\": \"4\", \"truncatedAlerts\": "
                        + "9223372036854775808, \"alerts\": []}", "operator", 400, "truncatedAlerts"),
                new Malformed("POST", "/v1/alertmanager/webhook", "{\"version\": 4, \"alerts\": []}", "operator", 400,
                        "version"),
                new Malformed("POST", "/v1/tokens", "{\"name\": \"x\", \"role\": \"viewer\", \"role\": \"admin\"}",
                        "admin", 400, "role"));
        for (Malformed request : table) {
            HttpResponse<String> response = controller.send(request.method(), request.path(),
                    TOKENS.get(request.role()), request.body());
            String what = request.method() + " " + request.path() + " " + (request.body().length() > 80
                    ? request.body().substring(0, 80) + "..." : request.body());
            assertThat(response.statusCode()).as(what + " -> " + response.body()).isEqualTo(request.status());
            assertThat(response.headers().firstValue("content-type")).as(what).hasValue("application/problem+json");
            assertThat(Documents.json().readTree(response.body()).path("field").asText()).as(what + " -> "
                    + response.body()).isEqualTo(request.field());
        }
    }
}
