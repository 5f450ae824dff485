package dev.vigil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.api.binding.Documents;
import dev.vigil.api.cluster.AgentReport;
import dev.vigil.api.cluster.GpuSummary;
import dev.vigil.api.gpu.GpuDevice;
import dev.vigil.api.gpu.GpuHealth;
import dev.vigil.api.gpu.HealthReason;
import dev.vigil.api.gpu.HealthState;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.api.gpu.RepairAction;
import dev.vigil.controller.Controller;
import dev.vigil.controller.config.ControllerConfig;
import dev.vigil.gpu.simulated.NodeProfile;
import dev.vigil.gpu.simulated.SimulatedNode;
import dev.vigil.gpu.simulated.SimulatedSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator commands against a real single-member controller in this JVM (one for the class:
 * Ignite takes seconds to start). Nodes appear by posting agent reports with the agent token.
 * Each test isolates the environment the commands see ({@link ContextFile#environment}).
 */
class OperatorCommandsTest {
    @TempDir
    static Path dir;

    private static Controller controller;
    private static String url;
    private static String admin;
    private static String agent;
    private static NodeInventory h100;
    private static String model;

    private final Map<String, String> environment = new HashMap<>();

    @BeforeAll
    static void startController() throws Exception {
        Path data = dir.resolve("data");
        String yaml = "member: c1\n"
                + "listen: 127.0.0.1:" + freePort() + "\n"
                + "dataDir: \"" + data + "\"\n"
                + "nodeTimeout: 1h\n"
                + "cluster:\n"
                + "  members: [{name: c1, address: \"127.0.0.1:" + freePort() + "\"}]\n"
                + "  communicationPort: " + freePort() + "\n"
                + "  persistence: false\n"
                + "  failureDetectionTimeout: 2s\n";
        controller = Controller.start(Documents.readYaml(yaml, ControllerConfig.class, "test"), Clock.systemUTC());
        assertThat(controller.awaitReady(Duration.ofSeconds(30))).as("controller ready").isTrue();
        url = "http://127.0.0.1:" + controller.port();
        admin = readToken(data.resolve("admin.token"));
        agent = readToken(data.resolve("agent.token"));
        h100 = new SimulatedNode("sim", SimulatedSpec.of(NodeProfile.HGX_H100_8, 1, List.of()), Clock.systemUTC())
                .inventory();
        model = h100.gpus().get(0).model();
    }

    @AfterAll
    static void stopController() {
        if (controller != null) {
            controller.close();
        }
    }

    @BeforeEach
    void isolateTheEnvironment() {
        environment.put("VIGIL_CONTEXT", dir.resolve("no-context.yaml").toString());
        ContextFile.environment = environment::get;
    }

    @AfterEach
    void restoreTheEnvironment() {
        ContextFile.environment = System::getenv;
    }

    // --- reading the fleet --------------------------------------------------------------------

    @Test
    void nodeShowsTheMigChangeOfEachGpuAndWhatItWaitsFor() throws Exception {
        report("gpu-mig", null);
        HttpResponse<String> set = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(url + "/v1/nodes/gpu-mig/mig"))
                .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"config\": \"all-1g.10gb\", \"gpus\": [6]}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(set.statusCode()).as(set.body()).isEqualTo(200);

        CliRun node = run("node", "gpu-mig", "--url", url, "--token", admin);

        assertThat(node.exit()).as(node.err()).isZero();
        assertThat(node.out()).containsPattern("(?m)^6  +" + model + "  +healthy  +none  +no  .*MIG applying to "
                        + "all-1g\\.10gb: sent to the agent: MIG on: 1g\\.10gb@0, ")
                .contains("MIG layouts (vigil mig show gpu-mig):")
                .containsPattern("(?m)^6  +all-1g\\.10gb  +applying  +\\d+s ago  +\\S+Z  +sent to the agent");
    }

    @Test
    void nodesNodeAndGpusShowAReportedNodeAsTablesAndAsJson() throws Exception {
        report("gpu-b", 3);

        CliRun nodes = run("nodes", "--url", url, "--token", admin);
        assertThat(nodes.exit()).as(nodes.err()).isZero();
        assertThat(nodes.out()).startsWith("NAME   STATE  GPUS  FAILED  CORDONED  MODEL");
        assertThat(nodes.out()).containsPattern("(?m)^gpu-b  +ready  +8  +1  +1  +" + model
                + "  +-  +-  +<10s ago  +reporting, inventory received$");

        CliRun node = run("node", "gpu-b", "--url", url, "--token", admin);
        assertThat(node.exit()).as(node.err()).isZero();
        assertThat(node.out()).startsWith("Node gpu-b: ready\n")
                .contains("  reason    reporting, inventory received", "  actor     agent", "  agent     agent-gpu-b, version test, "
                        + "last report", "GPUs: 8, driver")
                .containsPattern("(?m)^3  +" + model + "  +failed  +reset-gpu  +yes  +\\d+ %  +\\d+ C  +\\d+ W  +"
                        + "XID 48: double-bit ECC error; cordoned by health-reflex \\d+s ago: health reflex: gpu 3")
                .containsPattern("(?m)^0  +" + model + "  +healthy  +none  +no  ")
                .containsPattern("(?m)^\\S+Z  +\\d+s ago  +new  +ready  +agent  +reporting, inventory received$");

        CliRun gpus = run("gpus", "--node", "gpu-b", "--url", url, "--token", admin);
        assertThat(gpus.exit()).as(gpus.err()).isZero();
        assertThat(gpus.out().lines()).hasSize(9).first().asString()
                .matches("NODE +GPU +MODEL +HEALTH +ACTION +CORDONED +JOB +PROCESSES +WHY");
        assertThat(gpus.out()).containsPattern("(?m)^gpu-b  +3  +" + model + "  +failed  +reset-gpu  +yes  +-  +-  +"
                + "XID 48: double-bit ECC error; health reflex: gpu 3")
                .containsPattern("(?m)^gpu-b  +7  +" + model + "  +healthy  +none  +no  +-  +-  +-$");

        JsonNode nodesJson = json(run("nodes", "-o", "json", "--url", url, "--token", admin));
        JsonNode b = find(nodesJson.get("nodes"), "name", "gpu-b");
        assertThat(b.get("state").asText()).isEqualTo("ready");
        assertThat(b.get("gpusFailed").asInt()).isEqualTo(1);
        JsonNode nodeJson = json(run("node", "gpu-b", "-o", "json", "--url", url, "--token", admin));
        assertThat(nodeJson.get("inventory").get("gpus")).hasSize(8);
        assertThat(nodeJson.get("cordonedGpus").get(0).get("gpu").asInt()).isEqualTo(3);
        assertThat(nodeJson.get("history").get(0).get("to").asText()).isEqualTo("ready");
        JsonNode gpusJson = json(run("gpus", "--node", "gpu-b", "-o", "json", "--url", url, "--token", admin));
        assertThat(gpusJson.get("gpus")).hasSize(8);
        assertThat(gpusJson.get("gpus").get(3).get("action").asText()).isEqualTo("reset-gpu");

        CliRun missing = run("node", "gpu-nope", "--url", url, "--token", admin);
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).isEqualTo("vigil node: 404 Not found: no node gpu-nope (nodes appear when their "
                + "agent first reports)\n");
    }

    @Test
    void slurmGresConfWritesALinePerGpuFromTheReportedInventory() throws Exception {
        report("gpu-f", null);
        CliRun gres = run("slurm", "gres-conf", "gpu-f", "--url", url, "--token", admin);
        assertThat(gres.exit()).as(gres.err()).isZero();
        // the simulated HGX H100: NUMA node 0 holds CPUs 0-55,112-167 and GPUs 0-3, all GPUs on NVSwitch (NV18)
        assertThat(gres.out()).contains("# slurm.conf must give the node Gres=gpu:h100:8 (and GresTypes=gpu).\n")
                .contains("NodeName=gpu-f Name=gpu Type=h100 File=/dev/nvidia0 Cores=0-55 Links=-1,18,18,18,18,18,18,18\n")
                .contains("NodeName=gpu-f Name=gpu Type=h100 File=/dev/nvidia7 Cores=56-111 Links=18,18,18,18,18,18,18,-1\n");
        assertThat(gres.out().lines().filter(l -> l.startsWith("NodeName=")).count()).isEqualTo(8);

        JsonNode lines = json(run("slurm", "gres-conf", "gpu-f", "--node-name", "gpu-f.lab", "-o", "json",
                "--url", url, "--token", admin));
        assertThat(lines.path("node").asText()).isEqualTo("gpu-f.lab");
        assertThat(lines.path("lines").get(4).path("cores").asText()).isEqualTo("56-111");

        CliRun badSockets = run("slurm", "gres-conf", "gpu-f", "--sockets", "3", "--url", url, "--token", admin);
        assertThat(badSockets.exit()).isEqualTo(2);
        assertThat(badSockets.err()).isEqualTo("vigil slurm gres-conf: --sockets: \"3\" is not allowed (allowed: a "
                + "divisor of the node's 2 NUMA nodes)\n");
        CliRun unknown = run("slurm", "gres-conf", "no-such-node", "--url", url, "--token", admin);
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).startsWith("vigil slurm gres-conf: 404");
    }

    @Test
    void versionTellsTheControllersToo() throws Exception {
        CliRun version = run("version", "--url", url);
        assertThat(version.exit()).as(version.err()).isZero();
        assertThat(version.out()).containsPattern("(?m)^controller  vigil \\S+ at " + url + "$");
        assertThat(json(run("version", "-o", "json", "--url", url)).get("controller").asText()).isNotEmpty();
    }

    @Test
    void membersShowsTheOnlyMemberAsLeaderWithQuorumOne() throws Exception {
        CliRun members = run("members", "--url", url, "--token", admin);
        assertThat(members.exit()).as(members.err()).isZero();
        assertThat(members.out()).containsPattern("(?m)^NAME +ADDRESS +UP +LEADER$")
                .containsPattern("(?m)^c1  +127\\.0\\.0\\.1:\\d+  +yes  +yes$")
                .contains("quorum 1 of 1 members: present (1 up)")
                .containsPattern("leader c1, epoch [1-9]\\d*; answered by c1");
        JsonNode json = json(run("members", "-o", "json", "--url", url, "--token", admin));
        assertThat(json.get("quorum").asInt()).isEqualTo(1);
        assertThat(json.get("leader").asText()).isEqualTo("c1");
        assertThat(json.get("members")).hasSize(1);
    }

    // --- changing nodes -----------------------------------------------------------------------

    @Test
    void cordonUncordonDrainAndResumeAreAppliedWithReasonAndActorAndAudited() throws Exception {
        report("gpu-a", null);
        String alice = secretOf(run("token", "create", "--name", "alice", "--role", "operator", "--url", url,
                "--token", admin));

        CliRun cordon = run("cordon", "gpu-a", "--reason", "PSU swap, OPS-1", "--url", url, "--token", alice);
        assertThat(cordon.exit()).as(cordon.err()).isZero();
        assertThat(cordon.out()).isEqualTo("node gpu-a: cordoned\n  reason  PSU swap, OPS-1\n  actor   alice\n");
        CliRun node = run("node", "gpu-a", "--url", url, "--token", alice);
        assertThat(node.out()).startsWith("Node gpu-a: cordoned\n  reason    PSU swap, OPS-1\n  actor     alice\n")
                .containsPattern("(?m)^\\S+Z  +\\d+s ago  +ready  +cordoned  +alice  +PSU swap, OPS-1$");
        assertThat(run("nodes", "--url", url, "--token", alice).out())
                .containsPattern("(?m)^gpu-a  +cordoned  +8  +0  +0  .*PSU swap, OPS-1$");

        CliRun uncordon = run("uncordon", "gpu-a", "--reason", "PSU replaced", "--url", url, "--token", alice);
        assertThat(uncordon.exit()).as(uncordon.err()).isZero();
        assertThat(uncordon.out()).startsWith("node gpu-a: ready\n");

        CliRun drain = run("drain", "gpu-a", "--reason", "RMA GPU 3", "--url", url, "--token", alice);
        assertThat(drain.exit()).as(drain.err()).isZero();
        assertThat(drain.out()).startsWith("node gpu-a: drained\n  reason  RMA GPU 3\n");
        CliRun refused = run("uncordon", "gpu-a", "--reason", "oops", "--url", url, "--token", alice);
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).isEqualTo("vigil uncordon: 409 Conflict: node gpu-a is draining: resume it instead "
                + "of uncordoning it\n");
        CliRun resume = run("resume", "gpu-a", "--reason", "GPU 3 replaced", "--url", url, "--token", alice);
        assertThat(resume.exit()).as(resume.err()).isZero();
        assertThat(resume.out()).startsWith("node gpu-a: ready\n  reason  GPU 3 replaced\n  actor   alice\n");

        environment.put("COLUMNS", "400");
        CliRun audit = run("audit", "--url", url, "--token", admin);
        assertThat(audit.exit()).as(audit.err()).isZero();
        assertThat(audit.out()).containsPattern("(?m)^SEQ +TIME +ACTOR +ROLE +FROM +ACTION +STATUS +RESULT +DETAIL$")
                .containsPattern("(?m)^\\d+  +\\S+Z  +alice  +operator  +127\\.0\\.0\\.1:\\d+  +POST /v1/nodes/gpu-a/cordon"
                        + "  +200  +node gpu-a: ready -> cordoned  +PSU swap, OPS-1$")
                .containsPattern("(?m)^.*alice .*POST /v1/nodes/gpu-a/drain  +200  +node gpu-a: ready -> drained  +RMA GPU 3$")
                .containsPattern("(?m)^.*alice .*POST /v1/nodes/gpu-a/uncordon  +409  +node gpu-a is draining.*\\{\"reason\":\"oops\"}$")
                .containsPattern("(?m)^.*alice .*POST /v1/nodes/gpu-a/resume  +200  +node gpu-a: drained -> ready .*$");
        environment.put("COLUMNS", "100");
        CliRun narrow = run("audit", "--url", url, "--token", admin);
        assertThat(narrow.out().lines()).as("fitted to $COLUMNS").allSatisfy(line ->
                assertThat(line.length()).isLessThanOrEqualTo(100)).anyMatch(line -> line.endsWith("…"));
        String refusal = narrow.out().lines().filter(line -> line.matches(".*alice .* 409  .*")).findFirst()
                .orElseThrow();
        CliRun whole = run("audit", refusal.substring(0, refusal.indexOf(' ')), "--url", url, "--token", admin);
        assertThat(whole.exit()).as(whole.err()).isZero();
        assertThat(whole.out()).contains("  action  POST /v1/nodes/gpu-a/uncordon\n", "  status  409\n",
                "  detail  {\"reason\":\"oops\"}\n");
        CliRun noSuchEntry = run("audit", "999999", "--url", url, "--token", admin);
        assertThat(noSuchEntry.exit()).isEqualTo(2);
        assertThat(noSuchEntry.err()).startsWith("vigil audit: no audit entry 999999");

        JsonNode since = json(run("audit", "-o", "json", "--since", "0", "--limit", "10000", "--url", url,
                "--token", admin));
        long last = since.get("lastSeq").asLong();
        assertThat(run("audit", "--since", String.valueOf(last), "--url", url, "--token", admin).out())
                .isEqualTo("No audit entries after seq " + last + ".\n");

        CliRun notAdmin = run("audit", "--url", url, "--token", alice);
        assertThat(notAdmin.exit()).isEqualTo(1);
        assertThat(notAdmin.err()).startsWith("vigil audit: 403 Forbidden: token ").contains("has role operator");
    }

    @Test
    void aGpuTheReflexCordonedIsUncordonedAfterItsRepairAndAnotherCordonedByHand() throws Exception {
        report("gpu-g", 3);
        assertThat(run("gpus", "--node", "gpu-g", "--url", url, "--token", admin).out())
                .containsPattern("(?m)^gpu-g  +3  .*  +yes  ");

        CliRun uncordon = run("uncordon", "gpu-g", "--gpu", "3", "--reason", "GPU reset, diag passed", "--url", url,
                "--token", admin);
        assertThat(uncordon.exit()).as(uncordon.err()).isZero();
        assertThat(uncordon.out()).startsWith("gpu 3 of node gpu-g: not cordoned\n");
        CliRun cordon = run("cordon", "gpu-g", "--gpu", "5", "--reason", "fan noise", "--url", url, "--token", admin);
        assertThat(cordon.exit()).as(cordon.err()).isZero();
        assertThat(cordon.out()).startsWith("gpu 5 of node gpu-g: cordoned\n  reason  fan noise\n");
        assertThat(run("gpus", "--node", "gpu-g", "--url", url, "--token", admin).out())
                .containsPattern("(?m)^gpu-g  +3  .*  +no  ")
                .containsPattern("(?m)^gpu-g  +5  .*  +yes  .*fan noise$");
        assertThat(run("audit", "-o", "json", "--url", url, "--token", admin).out())
                .contains("POST /v1/nodes/gpu-g/gpus/3/uncordon", "POST /v1/nodes/gpu-g/gpus/5/cordon");

        CliRun noSuchGpu = run("cordon", "gpu-g", "--gpu", "8", "--reason", "r", "--url", url, "--token", admin);
        assertThat(noSuchGpu.exit()).as("a GPU that does not exist is bad input").isEqualTo(2);
        assertThat(noSuchGpu.err()).contains("404", "no GPU 8");
    }

    @Test
    void aViewerCannotCordonAndNoTokenGets401WithAHint() throws Exception {
        report("gpu-c", null);
        String viewer = secretOf(run("token", "create", "--name", "val", "--role", "viewer", "--url", url,
                "--token", admin));

        CliRun forbidden = run("cordon", "gpu-c", "--reason", "test", "--url", url, "--token", viewer);
        assertThat(forbidden.exit()).isEqualTo(1);
        assertThat(forbidden.out()).isEmpty();
        assertThat(forbidden.err()).matches("vigil cordon: 403 Forbidden: token [0-9a-f]{10} \\(val\\) has role viewer; "
                + "POST /v1/nodes/gpu-c/cordon needs operator or above\n");
        assertThat(run("nodes", "--url", url, "--token", viewer).exit()).isZero();

        CliRun anonymous = run("cordon", "gpu-c", "--reason", "test", "--url", url);
        assertThat(anonymous.exit()).isEqualTo(1);
        assertThat(anonymous.err()).startsWith("vigil cordon: 401 Unauthorized: this route needs an API token")
                .contains("\n  hint: give a token with --token or VIGIL_TOKEN, or once with 'vigil context set --url "
                        + url + " --token-file FILE'");
        assertThat(run("node", "gpu-c", "--url", url, "--token", admin).out()).startsWith("Node gpu-c: ready\n");
    }

    @Test
    void anEmptyReasonIsRefusedNamingTheField() throws Exception {
        report("gpu-d", null);
        CliRun empty = run("cordon", "gpu-d", "--reason", "", "--url", url, "--token", admin);
        assertThat(empty.exit()).isEqualTo(2);
        assertThat(empty.err()).isEqualTo("vigil cordon: 400 Invalid input: request body: reason: \"\" is not allowed "
                + "(allowed: 1 to 500 characters) (--reason)\n");
        CliRun blank = run("drain", "gpu-d", "--reason", "   ", "--url", url, "--token", admin);
        assertThat(blank.exit()).isEqualTo(2);
        assertThat(blank.err()).contains("reason: \"   \" is not allowed");

        CliRun none = run("cordon", "gpu-d", "--url", url, "--token", admin);
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.err()).isEqualTo("vigil cordon: missing required option: '--reason=TEXT'\n"
                + "  see 'vigil cordon --help'\n");
        assertThat(run("node", "gpu-d", "--url", url, "--token", admin).out()).startsWith("Node gpu-d: ready\n");
    }

    // --- tokens ---------------------------------------------------------------------------------

    @Test
    void aNewTokenIsShownOnceWorksIsListedWithoutItsSecretAndStopsWorkingWhenRevoked() throws Exception {
        CliRun create = run("token", "create", "--name", "ci-bot", "--role", "operator", "--url", url,
                "--token", admin);
        assertThat(create.exit()).as(create.err()).isZero();
        assertThat(create.out()).containsPattern("^token [0-9a-f]{10} for ci-bot, role operator\n")
                .contains("will not be shown again");
        String secret = secretOf(create);
        String id = secret.substring(4, 14);
        assertThat(run("members", "--url", url, "--token", secret).exit()).isZero();

        CliRun list = run("token", "list", "--url", url, "--token", admin);
        assertThat(list.exit()).as(list.err()).isZero();
        assertThat(list.out()).containsPattern("(?m)^ID +NAME +ROLE +CREATED +AGE$")
                .containsPattern("(?m)^" + id + "  +ci-bot  +operator  +\\S+Z  +\\d+s ago$")
                .containsPattern("(?m)^[0-9a-f]{10}  +admin  +admin  ")
                .doesNotContain(secret, "vgl_");
        JsonNode listed = json(run("token", "list", "-o", "json", "--url", url, "--token", admin));
        assertThat(find(listed.get("tokens"), "id", id).has("secret")).isFalse();

        CliRun revoke = run("token", "revoke", id, "--url", url, "--token", admin);
        assertThat(revoke.exit()).as(revoke.err()).isZero();
        assertThat(revoke.out()).isEqualTo("revoked token " + id + " (ci-bot, role operator)\n");
        CliRun revoked = run("members", "--url", url, "--token", secret);
        assertThat(revoked.exit()).isEqualTo(1);
        assertThat(revoked.err()).startsWith("vigil members: 401 Unauthorized: the API token is not valid");
        assertThat(run("token", "list", "--url", url, "--token", admin).out()).doesNotContain(id);

        String adminId = find(listed.get("tokens"), "name", "admin").get("id").asText();
        CliRun lastAdmin = run("token", "revoke", adminId, "--url", url, "--token", admin);
        assertThat(lastAdmin.exit()).isEqualTo(1);
        assertThat(lastAdmin.err()).isEqualTo("vigil token revoke: 409 Conflict: token " + adminId
                + " is the last admin token: issue another admin token before revoking it\n");
        CliRun badRole = run("token", "create", "--name", "x", "--role", "root", "--url", url, "--token", admin);
        assertThat(badRole.exit()).isEqualTo(2);
        assertThat(badRole.err()).contains("role: \"root\" is not allowed (allowed: one of viewer, submitter, operator, "
                + "admin, agent)").endsWith("(--role)\n");
    }

    // --- events ---------------------------------------------------------------------------------

    @Test
    void eventsPrintTheStateTransitionsAndFollowPrintsNewOnes() throws Exception {
        report("gpu-e", null);
        assertThat(run("cordon", "gpu-e", "--reason", "bad fan", "--url", url, "--token", admin).exit()).isZero();

        CliRun events = run("events", "--node", "gpu-e", "--url", url, "--token", admin);
        assertThat(events.exit()).as(events.err()).isZero();
        assertThat(events.out()).containsPattern("(?m)^SEQ +TIME +NODE +GPU +KIND +SEVERITY +ACTOR +MESSAGE$")
                .containsPattern("(?m)^\\d+  +\\S+Z  +gpu-e  +-  +state  +info  +agent  +node gpu-e new -> ready: "
                        + "reporting, inventory received$")
                .containsPattern("(?m)^\\d+  +\\S+Z  +gpu-e  +-  +state  +warning  +admin  +node gpu-e ready -> "
                        + "cordoned: bad fan$");
        long last = json(run("events", "--node", "gpu-e", "-o", "json", "--url", url, "--token", admin))
                .get("lastSeq").asLong();
        assertThat(run("events", "--node", "gpu-e", "--since", String.valueOf(last), "--url", url, "--token", admin)
                .out()).isEqualTo("No events after seq " + last + " for node gpu-e.\n");

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Vigil.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        AtomicInteger exit = new AtomicInteger(-1);
        Thread follow = new Thread(() -> exit.set(cli.execute("events", "--follow", "--node", "gpu-e", "--since",
                String.valueOf(last), "--url", url, "--token", admin)), "follow");
        follow.start();
        try {
            assertThat(run("uncordon", "gpu-e", "--reason", "fan replaced", "--url", url, "--token", admin).exit())
                    .isZero();
            Instant deadline = Instant.now().plusSeconds(10);
            while (!out.toString().contains("cordoned -> ready") && Instant.now().isBefore(deadline)) {
                Thread.sleep(50);
            }
        } finally {
            follow.interrupt();
            follow.join(10_000);
        }
        assertThat(follow.isAlive()).isFalse();
        assertThat(exit.get()).as(err.toString()).isZero();
        assertThat(out.toString()).startsWith("SEQ").containsPattern("(?m)^\\d+  +\\S+Z  +gpu-e  +-  +state  +info  "
                + "+admin  +node gpu-e cordoned -> ready: fan replaced$").doesNotContain("bad fan");
    }

    // --- where the controller and the token come from -------------------------------------------

    @Test
    void contextSetWritesAPrivateFileThatShowAndTheCommandsUse() throws Exception {
        Path context = dir.resolve("home/.config/vigil/context.yaml");
        environment.put("VIGIL_CONTEXT", context.toString());
        Path tokenFile = dir.resolve("admin.token");
        Files.writeString(tokenFile, admin + "\n");

        CliRun set = run("context", "set", "--url", url + "/", "--token-file", tokenFile.toString());
        assertThat(set.exit()).as(set.err()).isZero();
        String masked = admin.substring(0, 15) + "****";
        assertThat(set.out()).isEqualTo("wrote " + context + ": url " + url + ", token " + masked + "\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(context))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(context.getParent())))
                .isEqualTo("rwx------");
        assertThat(Files.readString(context)).contains(url, admin);

        CliRun show = run("context", "show");
        assertThat(show.exit()).as(show.err()).isZero();
        assertThat(show.out()).isEqualTo("context file  " + context + "\n"
                + "url           " + url + "  (from " + context + ")\n"
                + "token         " + masked + "  (from " + context + ")\n");
        assertThat(show.out()).doesNotContain(admin);
        JsonNode shown = json(run("context", "show", "-o", "json"));
        assertThat(shown.get("token").asText()).isEqualTo(masked);
        assertThat(shown.get("tokenFrom").asText()).isEqualTo(context.toString());

        CliRun nodes = run("members");
        assertThat(nodes.exit()).as(nodes.err()).isZero();

        CliRun typed = run("context", "set", "--url", url, "--token", "vgl_0123456789_abcdefghijklmnopqrstuvwxyz");
        assertThat(typed.exit()).as(typed.err()).isZero();
        assertThat(run("context", "show").out()).contains("vgl_0123456789_****").doesNotContain("abcdefgh");
        CliRun both = run("context", "set", "--url", url, "--token", "x", "--token-file", tokenFile.toString());
        assertThat(both.exit()).isEqualTo(2);
        assertThat(both.err()).contains("mutually exclusive");
        CliRun noFile = run("context", "set", "--url", url, "--token-file", dir.resolve("nope.token").toString());
        assertThat(noFile.exit()).isEqualTo(2);
        assertThat(noFile.err()).contains("--token-file: \"" + dir.resolve("nope.token") + "\" is not allowed");
        CliRun badUrl = run("context", "set", "--url", "ctl-1:8080");
        assertThat(badUrl.exit()).isEqualTo(2);
        assertThat(badUrl.err()).isEqualTo("vigil context set: --url: \"ctl-1:8080\" is not allowed (allowed: "
                + ContextFile.URL_ALLOWED + ")\n");

        Files.writeString(context, "url: " + url + "\ntokn: abc\n");
        CliRun badKey = run("nodes");
        assertThat(badKey.exit()).isEqualTo(2);
        assertThat(badKey.err()).isEqualTo("vigil nodes: " + context + ": unknown key \"tokn\" (allowed keys: token, "
                + "url)\n");
    }

    @Test
    void flagsBeatTheEnvironmentWhichBeatsTheContextFileWhichBeatsTheDefault() throws Exception {
        String nowhere = "http://127.0.0.1:" + freePort();
        String bogus = "vgl_0000000000_bogusbogusbogusbogusbogus";
        Path context = dir.resolve("precedence.yaml");
        environment.put("VIGIL_CONTEXT", context.toString());

        CliRun defaults = run("context", "show");
        assertThat(defaults.out()).isEqualTo("context file  " + context + " (does not exist)\n"
                + "url           http://127.0.0.1:8080  (from default)\ntoken         none\n");

        Files.writeString(context, "url: " + nowhere + "\ntoken: " + bogus + "\n");
        CliRun fromFile = run("members");
        assertThat(fromFile.exit()).isEqualTo(1);
        assertThat(fromFile.err()).startsWith("vigil members: cannot reach the controller at " + nowhere + ": ");

        environment.put("VIGIL_URL", url);
        CliRun fileToken = run("members");
        assertThat(fileToken.exit()).isEqualTo(1);
        assertThat(fileToken.err()).startsWith("vigil members: 401 Unauthorized: the API token is not valid");

        environment.put("VIGIL_TOKEN", admin);
        assertThat(run("members").exit()).isZero();
        assertThat(run("context", "show").out()).contains("url           " + url + "  (from VIGIL_URL)\n")
                .contains("  (from VIGIL_TOKEN)\n");

        CliRun urlFlag = run("members", "--url", nowhere);
        assertThat(urlFlag.exit()).isEqualTo(1);
        assertThat(urlFlag.err()).startsWith("vigil members: cannot reach the controller at " + nowhere + ": ");
        CliRun tokenFlag = run("members", "--token", bogus);
        assertThat(tokenFlag.exit()).isEqualTo(1);
        assertThat(tokenFlag.err()).contains("401 Unauthorized");
        assertThat(run("context", "show", "--url", nowhere, "--token", bogus).out())
                .contains(nowhere + "  (from --url)", "vgl_0000000000_****  (from --token)");

        environment.put("VIGIL_URL", "ctl-1");
        CliRun badEnv = run("members");
        assertThat(badEnv.exit()).isEqualTo(2);
        assertThat(badEnv.err()).startsWith("vigil members: VIGIL_URL: \"ctl-1\" is not allowed");
    }

    @Test
    void anUnreachableControllerIsNamedWithWhatToDo() throws IOException {
        int closed = freePort();
        CliRun run = run("nodes", "--url", "http://127.0.0.1:" + closed);
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("vigil nodes: cannot reach the controller at http://127.0.0.1:" + closed
                + ": connection refused (is it running? set --url or VIGIL_URL)\n");
        CliRun badUrl = run("gpus", "--url", "localhost:8080");
        assertThat(badUrl.exit()).isEqualTo(2);
        assertThat(badUrl.err()).startsWith("vigil gpus: --url: \"localhost:8080\" is not allowed");
    }

    @Test
    void helpTeachesTheOperatorCommands() {
        CliRun help = run("--help");
        assertThat(help.out()).contains("vigil nodes", "vigil cordon NAME --reason TEXT", "vigil context set",
                "vigil alerts", "vigil silence add --matcher", "token ", "events ");
        for (String command : List.of("nodes", "node", "cordon", "uncordon", "drain", "resume", "gpus", "events",
                "members", "audit", "token", "context", "alerts", "alert", "silence")) {
            CliRun one = run("help", command);
            assertThat(one.exit()).isZero();
            assertThat(one.out()).as(command).contains("Examples:");
        }
        assertThat(run("cordon", "--help").out()).contains("--reason", "--url", "--token", "-o, --output");
        assertThat(run("token", "create", "--help").out()).contains("--name", "--role", "shown this once");
    }

    // --- alerts and silences ---------------------------------------------------------------------

    /** The firing alert {@code name} on {@code node}, as {@code vigil alerts -o json} shows it, once there. */
    private static JsonNode firing(String name, String node) throws Exception {
        Instant deadline = Instant.now().plusSeconds(10);
        while (true) {
            for (JsonNode alert : json(run("alerts", "-o", "json", "--url", url, "--token", admin)).get("alerts")) {
                if (alert.get("name").asText().equals(name) && alert.get("labels").path("node").asText().equals(node)
                        && alert.get("state").asText().equals("firing") && alert.get("notifications").size()
                        + alert.get("silencedBy").size() > 0) {
                    return alert;
                }
            }
            assertThat(Instant.now()).as("%s on %s within 10 s", name, node).isBefore(deadline);
            Thread.sleep(100);
        }
    }

    @Test
    void alertsAndAlertShowWhatFiresWhereAndHowItsNotificationsWent() throws Exception {
        report("gpu-alert", 5);
        String fingerprint = firing("GpuXidFatal", "gpu-alert").get("fingerprint").asText();

        CliRun alerts = run("alerts", "--url", url, "--token", admin);
        assertThat(alerts.exit()).as(alerts.err()).isZero();
        assertThat(alerts.out()).startsWith("FINGERPRINT       STATE")
                .containsPattern("(?m)^" + fingerprint + "  +firing  +GpuXidFatal  +critical  +gpu-alert GPU 5  +"
                        + "\\d+s ago  +log: notify sent$")
                .containsPattern("(?m)^RECEIVER  +KIND  +SENT  +FAILED  +RETRIED  +PENDING  +LAST ERROR$")
                .containsPattern("(?m)^log  +log  +\\d+  +0  +0  +0  +-$");
        assertThat(run("alerts", "--state", "resolved", "--severity", "critical", "--url", url, "--token", admin)
                .out()).doesNotContain(fingerprint);

        CliRun one = run("alert", fingerprint, "--url", url, "--token", admin);
        assertThat(one.exit()).as(one.err()).isZero();
        assertThat(one.out()).startsWith("Alert GpuXidFatal (" + fingerprint + "): firing\n")
                .contains("  severity   critical", "  where      gpu-alert GPU 5", "  muted      no",
                        "  summary    XID 48 on gpu-alert GPU 5: XID 48: double-bit ECC error",
                        "Notifications (oldest first):")
                .containsPattern("(?m)^  runbook_url +https://docs.nvidia.com/deploy/xid-errors/index.html$")
                .containsPattern("(?m)^log  +log  +notify  +sent  +1  +\\d+s ago  +-  +-$");
        List<String> facts = one.out().lines().dropWhile(line -> !line.equals("Facts:")).skip(1)
                .takeWhile(line -> !line.isEmpty()).toList();
        assertThat(facts).as("facts, their values in one column").hasSizeGreaterThan(2)
                .extracting(line -> line.replaceFirst("^  \\S+ +", "").length() - line.length()).containsOnly(
                        facts.get(0).replaceFirst("^  \\S+ +", "").length() - facts.get(0).length());
        assertThat(json(run("alert", fingerprint, "-o", "json", "--url", url, "--token", admin)).get("labels")
                .get("xid").asText()).isEqualTo("48");

        CliRun missing = run("alert", "ffffffffffffffff", "--url", url, "--token", admin);
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).startsWith("vigil alert: 404 Not found: no alert ffffffffffffffff");
        CliRun badState = run("alerts", "--state", "burning", "--url", url, "--token", admin);
        assertThat(badState.exit()).isEqualTo(2);
        assertThat(badState.err()).contains("state: \"burning\" is not allowed").endsWith("(--state)\n");
    }

    @Test
    void aSilenceAddedMutesListsAndExpires() throws Exception {
        CliRun add = run("silence", "add", "--matcher", "node=gpu-quiet", "--duration", "30m", "--comment", "reseating",
                "--url", url, "--token", admin);
        assertThat(add.exit()).as(add.err()).isZero();
        assertThat(add.out()).matches("silence ([0-9a-f-]{36}) active until \\S+Z: node=\"gpu-quiet\"\n");
        String id = add.out().split(" ")[1];

        report("gpu-quiet", 2);
        JsonNode muted = firing("GpuXidFatal", "gpu-quiet");
        assertThat(muted.get("silencedBy").get(0).asText()).isEqualTo(id);
        assertThat(run("alerts", "--url", url, "--token", admin).out())
                .containsPattern("(?m)^" + muted.get("fingerprint").asText() + "  +firing  +.*silenced by " + id + "$");

        CliRun list = run("silence", "list", "--url", url, "--token", admin);
        assertThat(list.exit()).as(list.err()).isZero();
        assertThat(list.out()).startsWith("ID  ").containsPattern("(?m)^" + id + "  +active  +node=\"gpu-quiet\"  +"
                + "\\S+Z  +\\S+Z \\(in \\d+m\\)  +admin  +reseating$");

        CliRun expire = run("silence", "expire", id, "--url", url, "--token", admin);
        assertThat(expire.exit()).as(expire.err()).isZero();
        assertThat(expire.out()).isEqualTo("silence " + id + " expired: node=\"gpu-quiet\"\n");
        assertThat(find(json(run("silence", "list", "-o", "json", "--url", url, "--token", admin)).get("silences"),
                "id", id).get("status").asText()).isEqualTo("expired");
    }

    @Test
    void aSilenceThatCannotBeMadeSaysWhichOptionIsWrong() {
        CliRun matcher = run("silence", "add", "--matcher", "node is x", "--comment", "c", "--url", url,
                "--token", admin);
        assertThat(matcher.exit()).isEqualTo(2);
        assertThat(matcher.err()).contains("matchers[0]: \"node is x\" is not allowed").endsWith("(--matcher)\n");
        CliRun duration = run("silence", "add", "--matcher", "node=x", "--duration", "soon", "--comment", "c",
                "--url", url, "--token", admin);
        assertThat(duration.exit()).isEqualTo(2);
        assertThat(duration.err()).endsWith("(--duration)\n");
        CliRun past = run("silence", "add", "--matcher", "node=x", "--ends", "2020-01-01T00:00:00Z", "--comment", "c",
                "--url", url, "--token", admin);
        assertThat(past.exit()).isEqualTo(2);
        assertThat(past.err()).contains("a time in the future").endsWith("(--ends)\n");
        CliRun unknown = run("silence", "expire", "00000000-0000-0000-0000-000000000000", "--url", url,
                "--token", admin);
        assertThat(unknown.exit()).isEqualTo(2);
    }

    // --- helpers --------------------------------------------------------------------------------

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    private static JsonNode json(CliRun run) throws IOException {
        assertThat(run.exit()).as(run.err()).isZero();
        return Documents.json().readTree(run.out());
    }

    private static JsonNode find(JsonNode array, String key, String value) {
        for (JsonNode item : array) {
            if (value.equals(item.path(key).asText())) {
                return item;
            }
        }
        throw new AssertionError("no " + key + "=" + value + " in " + array);
    }

    /** The secret line of {@code vigil token create}'s output. */
    private static String secretOf(CliRun create) {
        assertThat(create.exit()).as(create.err()).isZero();
        return create.out().lines().filter(line -> line.startsWith("vgl_")).findFirst()
                .orElseThrow(() -> new AssertionError("no secret in " + create.out()));
    }

    /** Reports {@code node} as its agent would, with 8 H100s; {@code failedGpu} (if any) has an XID 48. */
    private static void report(String node, Integer failedGpu) throws IOException, InterruptedException {
        Instant now = Instant.now();
        List<GpuHealth> health = new ArrayList<>();
        List<GpuSummary> vitals = new ArrayList<>();
        for (GpuDevice gpu : h100.gpus()) {
            health.add(Integer.valueOf(gpu.index()).equals(failedGpu)
                    ? new GpuHealth(gpu.index(), gpu.uuid(), HealthState.FAILED, RepairAction.RESET_GPU,
                    List.of(new HealthReason("xid-48", HealthState.FAILED, "XID 48: double-bit ECC error",
                            RepairAction.RESET_GPU, 48, now)))
                    : new GpuHealth(gpu.index(), gpu.uuid(), HealthState.HEALTHY, RepairAction.NONE, List.of()));
            vitals.add(new GpuSummary(gpu.index(), 97.0, 61.0, 650.0, 70_000.0));
        }
        AgentReport report = new AgentReport("agent-" + node, "test", "inventory-1", h100, health, vitals, List.of(),
                null, null);
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(url + "/v1/agents/" + node + "/report"))
                .header("Authorization", "Bearer " + agent)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Documents.json().writeValueAsBytes(report)))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    private static String readToken(Path file) throws Exception {
        Instant deadline = Instant.now().plusSeconds(10);
        while (!Files.exists(file) && Instant.now().isBefore(deadline)) {
            Thread.sleep(50);
        }
        return Files.readString(file, StandardCharsets.UTF_8).trim();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
