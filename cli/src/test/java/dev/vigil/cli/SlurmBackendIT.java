package dev.vigil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.agent.Agent;
import dev.vigil.agent.config.AgentConfig;
import dev.vigil.agent.config.BackendKind;
import dev.vigil.agent.systemd.SystemdNotifier;
import dev.vigil.api.binding.Documents;
import dev.vigil.api.cluster.Hostlist;
import dev.vigil.controller.Controller;
import dev.vigil.controller.config.ControllerConfig;
import dev.vigil.gpu.simulated.FaultKind;
import dev.vigil.gpu.simulated.FaultSpec;
import dev.vigil.gpu.simulated.NodeProfile;
import dev.vigil.gpu.simulated.SimulatedNode;
import dev.vigil.gpu.simulated.SimulatedSpec;
import dev.vigil.slurm.JobState;
import dev.vigil.slurm.LocalSlurm;
import dev.vigil.slurm.Slurm;
import dev.vigil.slurm.SlurmJob;
import dev.vigil.slurm.conf.GresConf;
import dev.vigil.slurm.conf.TopologyConf;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static dev.vigil.testsupport.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The slurm execution backend and the node sync against the real Slurm 22.05 of
 * {@code scripts/slurm/start-local-slurm.sh} (gpu01..gpu04 with 8 GPUs each; leaf1 = gpu01-02,
 * leaf2 = gpu03-04): a controller in this JVM with the same fabric, and four agents on simulated
 * HGX H100 boards named as Slurm's nodes. Each test checks the outcome in Slurm itself (sinfo,
 * scontrol, the bridge) and in Vigil's API, and leaves the cluster as it found it.
 */
class SlurmBackendIT {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final List<String> NODES = List.of("gpu01", "gpu02", "gpu03", "gpu04");

    @TempDir
    static Path dir;
    private static Controller controller;
    private static final Map<String, Agent> AGENTS = new LinkedHashMap<>();
    private static Slurm slurm;
    private static String url;
    private static String admin;
    private static String agentToken;

    @BeforeAll
    static void start() throws Exception {
        if (!LocalSlurm.available()) {
            return; // each test skips in @BeforeEach, naming what is missing
        }
        Map<String, String> env = LocalSlurm.environment();
        slurm = Slurm.connect(LocalSlurm.config(env));
        // slurmd runs the jobs as root on this host: the outputs land here
        Path jobs = Files.createDirectories(dir.resolve("jobs"));
        String yaml = """
                member: c1
                listen: 127.0.0.1:%d
                dataDir: %s
                nodeTimeout: 5s
                cluster: {members: [{name: c1, address: "127.0.0.1:%d"}], persistence: false}
                scheduler:
                  interval: 200ms
                  backend: slurm
                  pools: {first: [gpu01]}
                runbooks: {mode: active, interval: 200ms}
                fabric:
                  spines:
                    - name: spine
                      leaves:
                        - {name: leaf1, nodes: ["gpu[01-02]"]}
                        - {name: leaf2, nodes: ["gpu[03-04]"]}
                slurm:
                  connection:
                    url: "%s"
                    user: %s
                    token: "%s"
                    commandEnvironment: {SLURM_CONF: "%s"}
                  poll: 300ms
                  workingDirectory: %s
                  output: "%s/{job}-%%j.out"
                """.formatted(freePort(), dir.resolve("controller"), freePort(), env.get("SLURMRESTD_URL"),
                env.get("SLURMRESTD_USER"), env.get("SLURMRESTD_TOKEN"), env.get("SLURM_CONF"), jobs, jobs);
        controller = Controller.start(Documents.readYaml(yaml, ControllerConfig.class, "test"), Clock.systemUTC());
        assertThat(controller.awaitReady(Duration.ofSeconds(60))).isTrue();
        url = "http://127.0.0.1:" + controller.port();
        admin = Files.readString(dir.resolve("controller/admin.token")).trim();
        agentToken = Files.readString(dir.resolve("controller/agent.token")).trim();
        for (String node : NODES) {
            SimulatedSpec spec = SimulatedSpec.of(NodeProfile.HGX_H100_8, node.hashCode(), List.of());
            AgentConfig config = new AgentConfig(node, "127.0.0.1:0", BackendKind.SIMULATED,
                    new AgentConfig.Sampling(Duration.ofMillis(500), null), null, null, null, null, spec,
                    new AgentConfig.Controller(List.of(url), agentToken, null, Duration.ofSeconds(1), null));
            AGENTS.put(node, Agent.start(config, new SimulatedNode(node, spec, Clock.systemUTC()), Clock.systemUTC(),
                    null, SystemdNotifier.disabled()));
        }
        for (String node : NODES) {
            // reporting, with Slurm's view of it
            await(Duration.ofSeconds(30), () -> {
                HttpResponse<String> response = send("GET", "/v1/nodes/" + node, null);
                return response.statusCode() == 200 && Documents.json().readTree(response.body()).path("execution")
                        .has("state");
            });
        }
    }

    @AfterAll
    static void stop() {
        AGENTS.values().forEach(Agent::close);
        if (controller != null) {
            controller.close();
        }
    }

    @BeforeEach
    void slurmIsThere() {
        LocalSlurm.require();
    }

    @Test
    void aJobSubmittedThroughVigilRunsOnTheChosenNodeWithTheChosenGpuCount() throws Exception {
        String id = submit("""
                {"name": "it-pinned", "gpus": 3, "runtimeLimit": "5m", "command": ["bash", "-c",
                 "echo node=$SLURMD_NODENAME gpus=$SLURM_JOB_GPUS cuda=$CUDA_VISIBLE_DEVICES; sleep 4"]}""");
        JsonNode running = awaitJob(id, "running");
        JsonNode placement = running.get("placements").get(0);
        String node = placement.get("node").asText();
        Set<Integer> vigilGpus = new TreeSet<>();
        placement.get("gpus").forEach(g -> vigilGpus.add(g.asInt()));
        assertThat(vigilGpus).hasSize(3);

        // In Slurm: Vigil's job, on that node, with that many GPUs, and Vigil's record names the same ones.
        SlurmJob job = slurmJobOf(id, node);
        assertThat(job.comment()).matches("vigil:[0-9a-z]{6}:" + id + "/1");
        assertThat(job.nodes()).containsExactly(node);
        assertThat(job.gpusOn(node)).isEqualTo(3);
        assertThat(job.state()).isIn(JobState.RUNNING, JobState.COMPLETING, JobState.COMPLETED);
        Set<Integer> slurmGpus = inVigilNumbers(node, job.gpus().get(0).indices());
        assertThat(vigilGpus).as("Vigil's record follows the GPUs Slurm chose").isEqualTo(slurmGpus);

        JsonNode done = awaitJob(id, "succeeded");
        assertThat(done.get("reason").asText()).isEqualTo("Slurm job " + job.id() + " completed, exit 0");
        String out = Files.readString(dir.resolve("jobs/" + id + "-" + job.id() + ".out")).strip();
        assertThat(out).startsWith("node=" + node + " gpus=");
        String cuda = out.substring(out.indexOf("cuda=") + 5);
        assertThat(cuda.split(",")).hasSize(3);
        assertThat(inVigilNumbers(node, parse(cuda))).as("CUDA_VISIBLE_DEVICES are the GPUs in Vigil's record")
                .isEqualTo(vigilGpus);
        await(Duration.ofSeconds(10), () -> vigilNode(node).get("allocations").isEmpty());
    }

    @Test
    void theWordThatAJobEndedIsAnsweredAtOnceAndEndsNothingSlurmStillRuns() throws Exception {
        String id = submit("""
                {"name": "it-word", "gpus": 1, "runtimeLimit": "5m", "command": ["sleep", "60"]}""");
        try {
            String node = awaitJob(id, "running").get("placements").get(0).get("node").asText();
            SlurmJob job = slurmJobOf(id, node);

            long start = System.nanoTime();
            HttpResponse<String> told = CLIENT.send(HttpRequest.newBuilder(URI.create(url + "/v1/agents/" + node
                    + "/ended")).header("Authorization", "Bearer " + agentToken).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"backendJob\": \"slurm:" + job.id() + "\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            long waited = Duration.ofNanos(System.nanoTime() - start).toMillis();

            assertThat(told.statusCode()).as(told.body()).isEqualTo(202);
            assertThat(waited).as("answered at once: Slurm's epilog, which waits for it, holds the GPUs")
                    .isLessThan(900);
            assertThat(job(id).get("state").asText()).as("a word that came early ends nothing").isEqualTo("running");
        } finally {
            cancel(id);
            awaitJob(id, "cancelled");
        }
    }

    @Test
    void aTwoNodeGangLandsUnderOneLeafAndACancelInVigilCancelsItInSlurm() throws Exception {
        String id = submit("""
                {"name": "it-gang", "nodes": 2, "gpusPerNode": 8, "topology": {"level": "same-leaf"},
                 "runtimeLimit": "10m", "command": ["sleep", "300"]}""");
        try {
            JsonNode running = awaitJob(id, "running");
            Set<String> placed = new HashSet<>(running.get("placements").findValuesAsText("node"));
            assertThat(placed).hasSize(2);

            SlurmJob job = slurmJobOf(id, placed.iterator().next());
            assertThat(job.state()).isEqualTo(JobState.RUNNING);
            assertThat(new HashSet<>(job.nodes())).isEqualTo(placed);
            assertThat(job.gpus()).extracting(g -> g.indices().size()).containsExactly(8, 8);
            LocalSlurm.Run show = LocalSlurm.run(List.of("scontrol", "show", "job", String.valueOf(job.id())));
            assertThat(show.out()).as("whole nodes are exclusive").contains("OverSubscribe=NO");
            TopologyConf topology = TopologyConf.parse(Files.readString(LocalSlurm.DIR.resolve("etc/topology.conf")),
                    "topology.conf");
            assertThat(topology.switches()).filteredOn(TopologyConf.Switch::leaf).anySatisfy(leaf -> assertThat(
                    Hostlist.expand(leaf.nodes(), "Nodes")).containsAll(job.nodes()));

            JsonNode cancelled = json("POST", "/v1/jobs/" + id + "/cancel", "{\"reason\": \"it: done looking\"}");
            assertThat(cancelled.get("state").asText()).isEqualTo("cancelled");
            await(Duration.ofSeconds(20), () -> slurm.job(job.id()).orElseThrow().state() == JobState.CANCELLED);
        } finally {
            cancel(id);
        }
    }

    @Test
    void aGangWhoseNodeFailsInSlurmIsRequeuedByVigilAndRunsAgain() throws Exception {
        String id = submit("""
                {"name": "it-node-fail", "nodes": 2, "gpusPerNode": 8, "topology": {"level": "same-leaf"},
                 "runtimeLimit": "10m", "command": ["sleep", "300"]}""");
        String failed = null;
        try {
            JsonNode first = awaitJob(id, "running");
            failed = first.get("placements").get(0).get("node").asText();
            SlurmJob before = slurmJobOf(id, failed);

            // Slurm kills the jobs of a node set down: the gang's Slurm job ends NODE_FAIL
            scontrol("update", "nodename=" + failed, "state=down", "reason=it: power lost");
            await(Duration.ofSeconds(20), () -> slurm.job(before.id()).orElseThrow().state() == JobState.NODE_FAIL);
            await(Duration.ofSeconds(30), () -> job(id).get("attempts").asInt() == 2
                    && job(id).get("state").asText().equals("running"));

            JsonNode again = job(id);
            assertThat(again.get("history").findValuesAsText("reason")).anyMatch(r -> r.equals("requeued: Slurm job "
                    + before.id() + " ended NODE_FAIL on " + String.join(",", before.nodes())));
            String node = again.get("placements").get(0).get("node").asText();
            SlurmJob after = slurmJobOf(id, node);
            assertThat(after.id()).isNotEqualTo(before.id());
            assertThat(after.comment()).isEqualTo(before.comment().replace("/1", "/2"));
            assertThat(after.state()).isEqualTo(JobState.RUNNING);
        } finally {
            cancel(id);
            if (failed != null) {
                resumeIfDown(failed);
            }
        }
    }

    @Test
    void aCordonInVigilDrainsTheNodeInSlurmAndAnUncordonResumesIt() throws Exception {
        try {
            json("POST", "/v1/nodes/gpu03/cordon", "{\"reason\": \"it: cable swap\"}");
            await(Duration.ofSeconds(10), () -> sinfo("gpu03").matches("(drain|drng)\\|vigil: it: cable swap"));
            assertThat(vigilNode("gpu03").get("state").asText()).isEqualTo("cordoned");
            assertThat(events("gpu03")).anyMatch(e -> e.contains("drained in Slurm: vigil: it: cable swap"));
            assertThat(audit()).anyMatch(a -> a.contains("drain gpu03 in slurm"));
        } finally {
            json("POST", "/v1/nodes/gpu03/uncordon", "{\"reason\": \"it: cable swapped\"}");
        }
        await(Duration.ofSeconds(10), () -> sinfo("gpu03").startsWith("idle|"));
        await(Duration.ofSeconds(10), () -> vigilNode("gpu03").get("state").asText().equals("ready"));
    }

    @Test
    void aNodeDrainedByHandInSlurmShowsInVigilWithItsReasonAndOnlyAnOperatorResumesIt() throws Exception {
        String reason = "it: fan failure, ticket 4711";
        try {
            scontrol("update", "nodename=gpu04", "state=drain", "reason=" + reason);
            await(Duration.ofSeconds(10), () -> vigilNode("gpu04").get("state").asText().equals("cordoned"));
            JsonNode node = vigilNode("gpu04");
            assertThat(node.get("actor").asText()).isEqualTo("slurm");
            assertThat(node.get("reason").asText()).startsWith("slurm says idle+drain, set by root at ")
                    .endsWith(": " + reason);
            assertThat(node.get("execution").get("reasonBy").asText()).isEqualTo("root");
            assertThat(node.get("execution").get("imposedCordon").asBoolean()).isTrue();
            assertThat(events("gpu04")).anyMatch(e -> e.contains("ready -> cordoned") && e.contains(reason));

            // Resumed by hand in Slurm: Vigil's cordon, which came from there, goes too.
            scontrol("update", "nodename=gpu04", "state=resume");
            await(Duration.ofSeconds(10), () -> vigilNode("gpu04").get("state").asText().equals("ready"));

            // Drained by hand again: Vigil leaves it drained on its own, and resumes it when an operator says so.
            scontrol("update", "nodename=gpu04", "state=drain", "reason=" + reason);
            await(Duration.ofSeconds(10), () -> vigilNode("gpu04").get("state").asText().equals("cordoned"));
            Thread.sleep(1500);
            assertThat(sinfo("gpu04")).isEqualTo("drain|" + reason);
            json("POST", "/v1/nodes/gpu04/uncordon", "{\"reason\": \"it: fan replaced\"}");
            await(Duration.ofSeconds(10), () -> sinfo("gpu04").startsWith("idle|"));
            assertThat(audit()).anyMatch(a -> a.contains("resume gpu04 in slurm")
                    && a.contains("overriding the drain by root (" + reason + ")"));
            Thread.sleep(1000);
            assertThat(vigilNode("gpu04").get("state").asText()).as("not cordoned again").isEqualTo("ready");
        } finally {
            resumeIfDrained("gpu04");
        }
    }

    @Test
    void anXid79DrainsItsNodeInSlurmRequeuesItsJobOnceAndTheRunbookReturnsAndResumesTheNode() throws Exception {
        String id = submit("""
                {"name": "it-xid79", "gpus": 8, "runtimeLimit": "10m", "command": ["sleep", "300"]}""");
        String hit = null;
        try {
            hit = awaitJob(id, "running").get("placements").get(0).get("node").asText();
            SlurmJob before = slurmJobOf(id, hit);
            String node = hit;
            SimulatedNode gpus = (SimulatedNode) AGENTS.get(hit).backend();
            long injected = System.nanoTime();
            gpus.inject(FaultSpec.now(3, FaultKind.XID, 79));
            String drained = awaitValue(Duration.ofSeconds(10), () -> {
                String line = sinfo(node);
                return line.startsWith("drain") || line.startsWith("drng") ? line : null;
            });
            long millis = (System.nanoTime() - injected) / 1_000_000;
            System.out.printf("XID 79 injected on %s GPU 3 -> DRAIN in sinfo in %d ms (goal 3000 ms)%n", hit, millis);
            // DRNG until Slurm has cancelled the job on the node, DRAIN after: both are the drain Vigil asked for.
            assertThat(drained).matches("(drain|drng)\\|vigil: health reflex: gpu 3: .*").endsWith("(power-cycle)");

            // The job lost its GPU: its Slurm job is cancelled, and it runs once more, elsewhere.
            await(Duration.ofSeconds(30), () -> job(id).get("attempts").asInt() == 2
                    && job(id).get("state").asText().equals("running"));
            JsonNode again = job(id);
            assertThat(again.get("history").findValuesAsText("reason"))
                    .anyMatch(r -> r.startsWith("requeued: gpu 3 of " + node + " failed: XID 79"));
            String elsewhere = again.get("placements").get(0).get("node").asText();
            assertThat(elsewhere).isNotEqualTo(hit);
            await(Duration.ofSeconds(20), () -> slurm.job(before.id()).orElseThrow().state() == JobState.CANCELLED);
            SlurmJob after = slurmJobOf(id, elsewhere);
            assertThat(after.id()).isNotEqualTo(before.id());
            assertThat(after.comment()).isEqualTo(before.comment().replace("/1", "/2"));

            // The runbook drains, reboots (the simulated node), checks and returns it; Vigil resumes it in Slurm.
            await(Duration.ofSeconds(60), () -> {
                JsonNode runs = json("GET", "/v1/runs?runbook=gpu-fallen-off-bus&node=" + node, null);
                return runs.size() > 0 && runs.get(0).get("state").asText().equals("succeeded");
            });
            await(Duration.ofSeconds(20), () -> sinfo(node).startsWith("idle|"));
            await(Duration.ofSeconds(10), () -> vigilNode(node).get("state").asText().equals("ready"));
            assertThat(audit()).anyMatch(a -> a.contains("resume " + node + " in slurm"));
            assertThat(json("GET", "/v1/jobs?state=running", null).get("jobs").findValuesAsText("id"))
                    .as("one attempt runs, never two").containsOnlyOnce(id);
        } finally {
            cancel(id);
            if (hit != null) {
                ((SimulatedNode) AGENTS.get(hit).backend()).clearFaults(3);
                resumeIfDrained(hit);
            }
        }
    }

    @Test
    void aJobStartedInSlurmOutsideVigilHoldsItsGpusInVigil() throws Exception {
        LocalSlurm.Run sbatch = LocalSlurm.run(List.of("sbatch", "--parsable", "--job-name=it-foreign",
                "--nodelist=gpu01", "--gpus-per-node=6", "--output=/dev/null", "--wrap", "sleep 120"));
        assertThat(sbatch.status()).as(sbatch.err()).isZero();
        long foreign = Long.parseLong(sbatch.out().strip());
        String id = null;
        try {
            await(Duration.ofSeconds(20), () -> slurm.job(foreign).orElseThrow().state() == JobState.RUNNING);
            await(Duration.ofSeconds(20), () -> vigilNode("gpu01").get("execution").get("foreignJobs").findValuesAsText("id")
                    .contains(String.valueOf(foreign)));
            JsonNode held = foreignJob("gpu01", foreign);
            assertThat(held.get("name").asText()).isEqualTo("it-foreign");
            assertThat(held.get("gpus")).hasSize(6);
            assertThat(gpuJobs("gpu01")).filteredOn(j -> j.startsWith("slurm job " + foreign)).hasSize(6);

            // gpu01 (pool "first") has 2 GPUs left: a 4-GPU job there waits for the foreign one
            id = submit("{\"name\": \"it-after-foreign\", \"gpus\": 4, \"pool\": \"first\", \"runtimeLimit\": \"5m\", "
                    + "\"command\": [\"sleep\", \"2\"]}");
            String waiting = id;
            await(Duration.ofSeconds(10), () -> job(waiting).get("state").asText().equals("admitted"));
            Thread.sleep(1000);
            assertThat(job(id).get("state").asText()).isEqualTo("admitted");

            slurm.cancel(foreign);
            JsonNode ran = awaitJob(id, "running");
            assertThat(ran.get("placements").get(0).get("node").asText()).isEqualTo("gpu01");
            awaitJob(id, "succeeded");
        } finally {
            slurm.cancel(foreign);
            if (id != null) {
                cancel(id);
            }
        }
    }

    // --- helpers

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String submit(String spec) throws Exception {
        HttpResponse<String> response = send("POST", "/v1/jobs", spec);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return Documents.json().readTree(response.body()).get("id").asText();
    }

    private static void cancel(String id) throws Exception {
        send("POST", "/v1/jobs/" + id + "/cancel", "{\"reason\": \"it: clean up\"}");
    }

    private static JsonNode job(String id) throws Exception {
        return json("GET", "/v1/jobs/" + id, null);
    }

    private static JsonNode awaitJob(String id, String state) throws Exception {
        await(Duration.ofSeconds(60), () -> {
            String now = job(id).get("state").asText();
            assertThat(now).as("job " + id + ": " + job(id)).isNotIn(List.of("failed", "cancelled").stream()
                    .filter(s -> !s.equals(state)).toList());
            return now.equals(state);
        });
        return job(id);
    }

    private static JsonNode vigilNode(String name) throws Exception {
        return json("GET", "/v1/nodes/" + name, null);
    }

    private static JsonNode foreignJob(String node, long id) throws Exception {
        for (JsonNode job : vigilNode(node).get("execution").get("foreignJobs")) {
            if (job.get("id").asText().equals(String.valueOf(id))) {
                return job;
            }
        }
        throw new AssertionError("no foreign job " + id + " on " + node);
    }

    /** What {@code GET /v1/gpus} says runs on each GPU of the node. */
    private static List<String> gpuJobs(String node) throws Exception {
        List<String> jobs = new ArrayList<>();
        for (JsonNode gpu : json("GET", "/v1/gpus?node=" + node, null).get("gpus")) {
            jobs.add(gpu.path("allocation").asText(""));
        }
        return jobs;
    }

    private static List<String> events(String node) throws Exception {
        List<String> messages = new ArrayList<>();
        json("GET", "/v1/events?node=" + node + "&limit=1000", null).get("events")
                .forEach(e -> messages.add(e.get("message").asText()));
        return messages;
    }

    private static List<String> audit() throws Exception {
        List<String> entries = new ArrayList<>();
        json("GET", "/v1/audit?limit=1000", null).get("entries").forEach(e -> entries.add(e.toString()));
        return entries;
    }

    /** The Slurm job that runs a Vigil job, as the node's allocation names it ({@code slurm:ID}). */
    private static SlurmJob slurmJobOf(String id, String node) throws Exception {
        for (JsonNode allocation : vigilNode(node).get("allocations")) {
            if (allocation.get("job").asText().equals(id)) {
                String backendJob = allocation.get("backendJob").asText();
                assertThat(backendJob).startsWith("slurm:");
                return slurm.job(Long.parseLong(backendJob.substring("slurm:".length()))).orElseThrow();
            }
        }
        throw new AssertionError("no allocation of " + id + " on " + node + ": " + vigilNode(node));
    }

    private static Set<Integer> inVigilNumbers(String node, List<Integer> slurmGpus) {
        List<Integer> order = GresConf.slurmOrder(AGENTS.get(node).backend().inventory());
        Set<Integer> gpus = new TreeSet<>();
        slurmGpus.forEach(g -> gpus.add(order.get(g)));
        return gpus;
    }

    private static List<Integer> parse(String list) {
        List<Integer> numbers = new ArrayList<>();
        for (String item : list.split(",")) {
            numbers.add(Integer.parseInt(item.strip()));
        }
        return numbers;
    }

    /** "state|reason" of a node as sinfo prints them. */
    private static String sinfo(String node) {
        return LocalSlurm.run(List.of("sinfo", "-h", "-n", node, "-o", "%t|%E")).out().strip();
    }

    private static void resumeIfDrained(String node) {
        if (sinfo(node).startsWith("drain") || sinfo(node).startsWith("drng")) {
            scontrol("update", "nodename=" + node, "state=resume");
        }
    }

    private static void resumeIfDown(String node) {
        if (sinfo(node).startsWith("down")) {
            scontrol("update", "nodename=" + node, "state=resume");
        }
    }

    private static void scontrol(String... args) {
        List<String> argv = new ArrayList<>(List.of("scontrol"));
        argv.addAll(List.of(args));
        LocalSlurm.Run run = LocalSlurm.run(argv);
        assertThat(run.status()).as(run.err()).isZero();
    }

    private static HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + admin)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(String method, String path, String body) throws Exception {
        HttpResponse<String> response = send(method, path, body);
        assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isLessThan(300);
        return Documents.json().readTree(response.body());
    }

    private static <T> T awaitValue(Duration limit, Value<T> value) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        for (T found = value.get(); ; found = value.get()) {
            if (found != null) {
                return found;
            }
            assertThat(System.nanoTime()).as("nothing within %s", limit).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    @FunctionalInterface
    private interface Value<T> {
        T get() throws Exception;
    }
}
