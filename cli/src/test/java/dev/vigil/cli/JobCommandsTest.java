package dev.vigil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.agent.Agent;
import dev.vigil.agent.config.AgentConfig;
import dev.vigil.agent.config.BackendKind;
import dev.vigil.agent.systemd.SystemdNotifier;
import dev.vigil.api.binding.Documents;
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

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The job commands against a real controller in this JVM with one real agent on a simulated
 * HGX H100 node reporting to it: submit from flags and from a file, jobs, job, why and cancel, as
 * tables and as JSON, and bad input refused naming the flag or the key.
 */
class JobCommandsTest {
    @TempDir
    static Path dir;
    private static Controller controller;
    private static Agent agent;
    private static String url;
    private static String admin;
    private static String sam;
    private static String vic;

    private final Map<String, String> environment = new HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        Path data = dir.resolve("data");
        String yaml = """
                member: c1
                listen: 127.0.0.1:%d
                dataDir: "%s"
                nodeTimeout: 1h
                cluster:
                  members: [{name: c1, address: "127.0.0.1:%d"}]
                  communicationPort: %d
                  persistence: false
                  failureDetectionTimeout: 2s
                scheduler:
                  interval: 200ms
                  backend: simulated
                  policy: {tenants: [{name: default}, {name: research}]}
                """.formatted(freePort(), data, freePort(), freePort());
        controller = Controller.start(Documents.readYaml(yaml, ControllerConfig.class, "test"), Clock.systemUTC());
        assertThat(controller.awaitReady(Duration.ofSeconds(30))).isTrue();
        url = "http://127.0.0.1:" + controller.port();
        admin = Files.readString(data.resolve("admin.token")).trim();
        SimulatedSpec spec = SimulatedSpec.of(NodeProfile.HGX_H100_8, 1, List.of());
        AgentConfig config = new AgentConfig("cli-1", "127.0.0.1:0", BackendKind.SIMULATED,
                new AgentConfig.Sampling(Duration.ofMillis(500), null), null, null, null, null, spec,
                new AgentConfig.Controller(List.of(url), Files.readString(data.resolve("agent.token")).trim(), null,
                        Duration.ofMillis(200), null));
        agent = Agent.start(config, new SimulatedNode("cli-1", spec, Clock.systemUTC()), Clock.systemUTC(), null,
                SystemdNotifier.disabled());
        sam = secret("sam", "submitter");
        vic = secret("vic", "viewer");
    }

    @AfterAll
    static void stop() {
        agent.close();
        controller.close();
    }

    @BeforeEach
    void isolateTheEnvironment() {
        environment.put("VIGIL_CONTEXT", dir.resolve("no-context.yaml").toString());
        environment.put("VIGIL_URL", url);
        ContextFile.environment = environment::get;
    }

    @AfterEach
    void restoreTheEnvironment() {
        ContextFile.environment = System::getenv;
    }

    @Test
    void aJobSubmittedWithFlagsRunsAndJobWhyJobsAndCancelShowIt() throws Exception {
        CliRun submit = run(sam, "submit", "--name", "lr-sweep", "--gpus", "4", "--topology", "same-nvlink",
                "--duration", "1h", "--env", "LR=3e-4", "--", "python", "train.py", "--epochs", "3");
        assertThat(submit.exit()).as(submit.err()).isZero();
        Matcher submitted = Pattern.compile("^submitted (j-\\d{6}) \\(lr-sweep\\): pending\n  vigil job \\1 ")
                .matcher(submit.out());
        assertThat(submitted.find()).as(submit.out()).isTrue();
        String id = submitted.group(1);
        await(() -> run(vic, "job", id).out().startsWith("Job " + id + " (lr-sweep): running\n"));

        CliRun job = run(vic, "job", id);
        assertThat(job.out()).contains("  reason     running on 1 node\n",
                "  asks       training: 1 node × 4 GPUs, topology same-nvlink (required)\n",
                "  tenant     default, queue default, priority 500 (normal)\n",
                "  command    python train.py --epochs 3\n", "  env        LR=3e-4\n")
                .containsPattern("  submitted  \\S+Z \\(\\d+s ago\\) by sam\n")
                .containsPattern("(?m)^NODE +REPLICA +GPU +UUID +MIG-INSTANCE$");
        List<String> uuids = agent.snapshot().inventory().gpus().stream().map(g -> g.uuid()).toList();
        assertThat(job.out().lines().filter(l -> l.startsWith("cli-1 "))).hasSize(4)
                .allSatisfy(l -> assertThat(l).matches("cli-1  +-  +[0-7]  +GPU-\\S+  +-")
                        .satisfies(row -> assertThat(uuids).contains(row.split(" +")[3])));
        assertThat(job.out()).containsPattern("(?m)^\\S+Z  +\\d+s ago  +new  +pending  +submitted$")
                .containsPattern("(?m)^\\S+Z  +\\d+s ago  +placed  +running  +running on 1 node$");

        assertThat(run(vic, "jobs").out()).containsPattern("(?m)^ID +NAME +TENANT +STATE +GPUS +NODES +SUBMITTED +REASON$")
                .containsPattern("(?m)^" + id + "  +lr-sweep  +default  +running  +4  +cli-1  +\\d+s ago  +running on 1 node$");
        CliRun why = run(vic, "why", id);
        assertThat(why.out()).startsWith(id + " is running\n  running on 1 node\n")
                .containsPattern("  - holds cli-1 GPUs \\[\\d, \\d, \\d, \\d]\n");

        CliRun cancel = run(sam, "cancel", id, "--reason", "diverged");
        assertThat(cancel.exit()).as(cancel.err()).isZero();
        assertThat(cancel.out()).isEqualTo("job " + id + " (lr-sweep): cancelled\n  reason  cancelled by sam: diverged\n");
        CliRun again = run(sam, "cancel", id, "--reason", "twice");
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).startsWith("vigil cancel: 409 Conflict: job " + id + " already cancelled at ");
        assertThat(run(vic, "why", id).out()).startsWith(id + " is cancelled\n  finished: cancelled at ");
        assertThat(run(vic, "jobs", "--state", "cancelled", "-o", "json").out()).contains("\"id\" : \"" + id + "\"");
    }

    @Test
    void aSpecFileWithFlagsOnTopIsSubmittedAndWhySaysWhatItWaitsFor() throws Exception {
        Path file = dir.resolve("job.yaml");
        Files.writeString(file, """
                name: big-model
                nodes: 1
                gpusPerNode: 8
                models: [B200]
                waitForNodes: true
                topology: {level: same-leaf}
                env: {NCCL_DEBUG: INFO}
                command: [torchrun, train.py]
                """);
        CliRun quiet = run(sam, "submit", "-f", file.toString(), "--tenant", "research", "--preferred", "-q");
        assertThat(quiet.exit()).as(quiet.err()).isZero();
        assertThat(quiet.out()).matches("j-\\d{6}\n");
        String id = quiet.out().strip();
        JsonNode job = Documents.json().readTree(run(vic, "job", id, "-o", "json").out());
        assertThat(job.get("spec").get("tenant").asText()).isEqualTo("research");
        assertThat(job.get("spec").get("env").get("NCCL_DEBUG").asText()).isEqualTo("INFO");
        assertThat(job.get("spec").get("topology").get("required").asBoolean()).isFalse();
        assertThat(job.get("submitter").asText()).isEqualTo("sam");

        await(() -> run(vic, "why", id).out().contains("waiting for: no-matching-nodes"));
        CliRun why = run(vic, "why", id);
        assertThat(why.out()).startsWith(id + " is admitted, waiting for: no-matching-nodes\n"
                + "  no node has a GPU model matching B200\n  position ").contains("  - priority 500 (class normal); tenant research: fair-share factor 1.000");
        JsonNode whyJson = Documents.json().readTree(run(vic, "why", id, "-o", "json").out());
        assertThat(whyJson.get("reason").asText()).isEqualTo("no-matching-nodes");

        CliRun refused = run(sam, "submit", "--replicas", "2", "--mig-profile", "1g.10gb", "--model", "B200");
        assertThat(refused.exit()).isNotZero();
        assertThat(refused.err()).contains("models: no node the controller knows could ever run this job")
                .contains("waitForNodes");
        CliRun service = run(sam, "submit", "--replicas", "2", "--mig-profile", "1g.10gb", "--model", "B200",
                "--wait-for-nodes", "-o", "json");
        assertThat(service.exit()).as(service.err()).isZero();
        assertThat(Documents.json().readTree(service.out()).get("spec").get("kind").asText()).isEqualTo("inference");
        run(sam, "cancel", id, "--reason", "no B200 here");
        run(sam, "cancel", Documents.json().readTree(service.out()).get("id").asText(), "--reason", "no B200 here");
    }

    @Test
    void aSweepFileIsSubmittedTogetherWithTheFlagsOnEveryJobOrNotAtAll() throws Exception {
        Path sweep = dir.resolve("sweep.yaml");
        Files.writeString(sweep, """
                jobs:
                  - {name: sweep-a, gpus: 1, command: [python, train.py, --lr, 1e-3]}
                  - {name: sweep-b, gpus: 1, command: [python, train.py, --lr, 1e-4]}
                """);
        CliRun quiet = run(sam, "submit", "-f", sweep.toString(), "--tenant", "research", "--duration", "1h", "-q");
        assertThat(quiet.exit()).as(quiet.err()).isZero();
        assertThat(quiet.out()).matches("j-\\d{6}\nj-\\d{6}\n");
        List<String> ids = List.of(quiet.out().strip().split("\n"));
        JsonNode first = Documents.json().readTree(run(vic, "job", ids.get(0), "-o", "json").out());
        JsonNode second = Documents.json().readTree(run(vic, "job", ids.get(1), "-o", "json").out());
        assertThat(first.get("spec").get("name").asText()).isEqualTo("sweep-a");
        assertThat(second.get("spec").get("name").asText()).isEqualTo("sweep-b");
        assertThat(second.get("spec").get("tenant").asText()).as("the flag is on every job").isEqualTo("research");
        CliRun table = run(sam, "submit", "-f", sweep.toString(), "--duration", "1h");
        assertThat(table.out()).matches("submitted 2 jobs together:\n  j-\\d{6} \\(sweep-a\\): pending\n"
                + "  j-\\d{6} \\(sweep-b\\): pending\n(?s).*");
        for (String id : ids) {
            run(sam, "cancel", id, "--reason", "sweep done");
        }

        int before = Documents.json().readTree(run(vic, "jobs", "-o", "json").out()).get("jobs").size();
        Files.writeString(sweep, """
                jobs:
                  - {name: sweep-c, gpus: 1}
                  - {name: sweep-d, gpus: 1, tenant: physics}
                """);
        CliRun refused = run(sam, "submit", "-f", sweep.toString());
        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.err()).contains("jobs[1].tenant: \"physics\" is not allowed");
        CliRun flagged = run(sam, "submit", "-f", sweep.toString(), "--priority", "urgent");
        assertThat(flagged.err()).contains("jobs[0].priorityClass").endsWith("(--priority)\n");
        assertThat(run(sam, "submit", "-f", sweep.toString(), "--gpus", "12").err()).as("bound before it is sent")
                .contains("jobs[0].gpus").endsWith("(--gpus)\n");
        assertThat(Documents.json().readTree(run(vic, "jobs", "-o", "json").out()).get("jobs")).as("none queued")
                .hasSize(before);
    }

    @Test
    void badInputIsRefusedNamingTheFlagOrTheKeyAndNothingIsSent() throws Exception {
        int before = Documents.json().readTree(run(vic, "jobs", "-o", "json").out()).get("jobs").size();
        CliRun gpus = run(sam, "submit", "--gpus", "12");
        assertThat(gpus.exit()).isEqualTo(2);
        assertThat(gpus.err()).isEqualTo("vigil submit: flags: gpus: \"12\" is not allowed (allowed: up to 8 on one "
                + "node, a multiple of 8 for whole nodes, or nodes and gpusPerNode) (--gpus)\n");
        Path two = dir.resolve("two.yaml");
        Files.writeString(two, "gpus: two\n");
        CliRun fromFile = run(sam, "submit", "-f", two.toString());
        assertThat(fromFile.exit()).isEqualTo(2);
        assertThat(fromFile.err()).contains(two + ": gpus: ").doesNotContain("--gpus");
        CliRun fileAndFlag = run(sam, "submit", "-f", two.toString(), "--name", "x");
        assertThat(fileAndFlag.err()).contains("gpus: ").doesNotContain("--gpus");
        assertThat(run(sam, "submit", "--nodes", "2", "--gpus-per-node", "9").err())
                .contains("gpusPerNode: \"9\" is not allowed (allowed: 1 to 8) (--gpus-per-node)");
        assertThat(run(sam, "submit", "--gpus", "8", "--topology", "max-leaves=two").err())
                .contains("--topology: \"max-leaves=two\" is not allowed (allowed: same-node, same-nvlink, same-leaf "
                        + "or max-leaves=N)");
        assertThat(run(sam, "submit", "--gpus", "8", "--topology", "same-rack").err())
                .contains("topology.level: \"same-rack\" is not allowed").endsWith("(--topology)\n");
        assertThat(run(sam, "submit", "--gpus", "8", "--preferred").err())
                .contains("--preferred: only with --topology");
        assertThat(run(sam, "submit", "--gpus", "8", "--duration", "5").err())
                .contains("duration: \"5\" is not allowed (allowed: a duration with a unit");
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "name: x\ngpuz: 8\n");
        CliRun file = run(sam, "submit", "-f", bad.toString());
        assertThat(file.exit()).isEqualTo(2);
        assertThat(file.err()).startsWith("vigil submit: " + bad + ": unknown key \"gpuz\" (allowed keys: backend, "
                + "command, duration, env, gpus, gpusPerNode, image");
        assertThat(run(sam, "submit", "-f", dir.resolve("nope.yaml").toString()).err())
                .contains("nope.yaml: file not found");
        assertThat(Documents.json().readTree(run(vic, "jobs", "-o", "json").out()).get("jobs")).hasSize(before);

        CliRun priority = run(sam, "submit", "--gpus", "1", "--priority", "urgent");
        assertThat(priority.exit()).isEqualTo(2);
        assertThat(priority.err()).isEqualTo("vigil submit: 400 Invalid input: request body: priorityClass: \"urgent\" "
                + "is not allowed (allowed: one of low, normal, high) (--priority)\n");
        CliRun tenant = run(sam, "submit", "--gpus", "1", "--tenant", "physics");
        assertThat(tenant.err()).contains("tenant: \"physics\" is not allowed (allowed: one of default, research) "
                + "(--tenant)");
        CliRun viewer = run(vic, "submit", "--gpus", "1");
        assertThat(viewer.exit()).isEqualTo(1);
        assertThat(viewer.err()).contains("403 Forbidden").contains("has role viewer; POST /v1/jobs needs submitter or "
                + "above");
        CliRun unknown = run(vic, "job", "j-999999");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).isEqualTo("vigil job: 404 Not found: no job j-999999\n");
    }

    @Test
    void aKubernetesManifestIsSentAsItIsAndTheControllersRefusalNamesItsField() throws Exception {
        int before = Documents.json().readTree(run(vic, "jobs", "-o", "json").out()).get("jobs").size();
        String server = Files.readString(Path.of("..", "k8s", "examples", "model-server.yaml"));
        Path noGpus = dir.resolve("no-gpus.yaml");
        Files.writeString(noGpus, server.replace("nvidia.com/gpu: 1", "cpu: 2"));

        CliRun refused = run(sam, "submit", "-f", noGpus.toString());

        assertThat(refused.exit()).as(refused.err()).isEqualTo(2);
        assertThat(refused.err()).startsWith("vigil submit: 400 Invalid input: "
                + "spec.template.spec.containers[0].resources.limits: \"cpu: 2, memory: 48Gi\" is not allowed "
                + "(allowed: nvidia.com/gpu: 1 to 8");
        Path shipped = Path.of("..", "k8s", "examples", "model-server.yaml");
        CliRun unconfigured = run(sam, "submit", "-f", shipped.toString());
        assertThat(unconfigured.err()).contains("backend: \"kubernetes\" is not allowed")
                .contains("kubernetes is not configured on this controller");
        CliRun withFlag = run(sam, "submit", "-f", shipped.toString(), "--tenant", "research");
        assertThat(withFlag.exit()).isEqualTo(2);
        assertThat(withFlag.err()).startsWith("vigil submit: flags: --tenant: not with a Kubernetes manifest")
                .contains("vigil.dev/tenant");
        assertThat(Documents.json().readTree(run(vic, "jobs", "-o", "json").out()).get("jobs")).hasSize(before);
    }

    @Test
    void helpTeachesTheJobCommands() {
        assertThat(run(null, "--help").out()).contains("vigil submit", "vigil jobs", "vigil why ID", "vigil cancel ID");
        for (String command : List.of("submit", "jobs", "job", "why", "cancel")) {
            CliRun help = run(null, "help", command);
            assertThat(help.exit()).isZero();
            assertThat(help.out()).as(command).contains("Examples:");
        }
        assertThat(run(null, "submit", "--help").out()).contains("--gpus-per-node", "--mig-profile", "--topology",
                "--preferred", "--runtime-limit", "--duration", "-f, --file", "job.yaml:", "max-leaves=N");
    }

    private CliRun run(String token, String... args) {
        if (token == null) {
            environment.remove("VIGIL_TOKEN");
        } else {
            environment.put("VIGIL_TOKEN", token);
        }
        return CliRun.of(args);
    }

    private static String secret(String name, String role) throws Exception {
        HttpResponse<String> issued = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(url + "/v1/tokens")).header("Authorization", "Bearer " + admin)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"name\": \""
                        + name + "\", \"role\": \"" + role + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
        return Documents.json().readTree(issued.body()).get("secret").asText();
    }

    private static void await(Check check) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!check.holds()) {
            assertThat(System.nanoTime()).as("condition not met within 20 s").isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    @FunctionalInterface
    private interface Check {
        boolean holds() throws Exception;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
