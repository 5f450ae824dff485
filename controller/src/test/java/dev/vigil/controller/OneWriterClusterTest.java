package dev.vigil.controller;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.api.binding.Documents;
import dev.vigil.api.cluster.AgentReport;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.controller.config.ControllerConfig;
import dev.vigil.controller.leader.EventLoop;
import dev.vigil.gpu.simulated.NodeProfile;
import dev.vigil.gpu.simulated.SimulatedNode;
import dev.vigil.gpu.simulated.SimulatedSpec;
import org.apache.ignite.Ignition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three members in one JVM. The leader's event loop is the one writer: what the API, the
 * scheduler and the agents' reports change under load is applied in one order, and every member
 * reads the same logs. A leader stopped after applying a submit and before answering it does not
 * apply it again when the member that asked retries it with the new leader.
 */
class OneWriterClusterTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final List<String> NAMES = List.of("c1", "c2", "c3");

    @TempDir
    Path dir;
    private final Map<String, Controller> members = new LinkedHashMap<>();
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    /** Every event each member's loop applied, by kind, in order. */
    private final Map<String, List<String>> applied = new ConcurrentHashMap<>();
    /** The member whose next submit-job event is its last: it stops before it can answer. */
    private final AtomicReference<String> stopAfterSubmit = new AtomicReference<>();

    @AfterEach
    void stop() {
        members.values().forEach(member -> {
            try {
                member.close();
            } catch (RuntimeException e) {
                // stopped by the test already
            }
        });
    }

    private void start() throws Exception {
        StringBuilder list = new StringBuilder();
        for (String name : NAMES) {
            ports.put(name, TestController.freePort());
            list.append("    - {name: ").append(name).append(", address: \"127.0.0.1:")
                    .append(TestController.freePort()).append("\"}\n");
        }
        int communication = TestController.freePort();
        for (String name : NAMES) {
            applied.put(name, new CopyOnWriteArrayList<>());
            String yaml = """
                    member: %s
                    listen: 127.0.0.1:%d
                    dataDir: %s
                    nodeTimeout: 30s
                    scheduler: {backend: simulated, interval: 100ms}
                    tokens: {adminFile: %s, agentFile: %s}
                    cluster:
                      persistence: false
                      communicationPort: %d
                      failureDetectionTimeout: 2s
                      members:
                    %s""".formatted(name, ports.get(name), dir.resolve(name), dir.resolve("admin.token"),
                    dir.resolve("agent.token"), communication, list);
            ControllerConfig config = Documents.readYaml(yaml, ControllerConfig.class, name);
            members.put(name, Controller.start(config, config.alerts().load(), Clock.systemUTC(),
                    UnaryOperator.identity(), listener(name)));
        }
        for (Controller member : members.values()) {
            assertThat(member.awaitReady(Duration.ofSeconds(90))).as(member.name() + " ready").isTrue();
        }
    }

    private EventLoop.Listener listener(String name) {
        return kind -> {
            applied.get(name).add(kind);
            if (kind.equals("submit-job") && name.equals(stopAfterSubmit.getAndUpdate(v -> name.equals(v) ? null : v))) {
                stopBeforeAnswering(name);
            }
        };
    }

    /**
     * Stops this member's Ignite node as a crash would, from another thread, and holds the event
     * loop (so the applied submit is not answered) until the other members no longer see it.
     */
    private void stopBeforeAnswering(String name) {
        new Thread(() -> Ignition.stop(name, true), "stop-" + name).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String other = NAMES.stream().filter(n -> !n.equals(name)).findFirst().orElseThrow();
        while (System.nanoTime() < deadline && Ignition.ignite(other).cluster().forServers().nodes().stream()
                .anyMatch(node -> String.valueOf(node.consistentId()).equals(name))) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private String leader() {
        return members.values().stream().filter(Controller::leading).map(Controller::name).findFirst().orElseThrow();
    }

    private HttpResponse<String> send(String member, String method, String path, String token, String body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.get(member) + path))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * A write as a careful client sends it: with an Idempotency-Key, tried again while a member
     * answers 503 (a loaded machine stalls members now and then, and one that stalled refuses
     * writes until it has confirmed its view of the cluster).
     */
    private HttpResponse<String> write(String member, String path, String token, String body) throws Exception {
        String key = UUID.randomUUID().toString();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.get(member) + path))
                    .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json").header("Idempotency-Key", key)
                    .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
            HttpResponse<String> answer = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 503 || System.nanoTime() > deadline) {
                return answer;
            }
            Thread.sleep(100);
        }
    }

    private JsonNode json(String member, String path, String token) throws Exception {
        HttpResponse<String> response = send(member, "GET", path, token, null);
        assertThat(response.statusCode()).as(member + " GET " + path + ": " + response.body()).isEqualTo(200);
        return Documents.json().readTree(response.body());
    }

    private String token(String role) throws Exception {
        return Files.readString(dir.resolve(role + ".token")).trim();
    }

    /** A node reporting an 8-GPU inventory through {@code member}. */
    private void report(String member, String node) throws Exception {
        NodeInventory inventory = new SimulatedNode(node, SimulatedSpec.of(NodeProfile.HGX_H100_8, 1, List.of()),
                Clock.systemUTC()).inventory();
        String report = Documents.json().writeValueAsString(new AgentReport("a-" + node, "t", "h-" + node, inventory,
                List.of(), List.of(), List.of(), 0L, null));
        HttpResponse<String> answer = write(member, "/v1/agents/" + node + "/report", token("agent"), report);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    }

    @Test
    void aLeaderStoppedBetweenApplyingASubmitAndAnsweringItIsNotAppliedTwiceOnTheRetry() throws Exception {
        start();
        String admin = token("admin");
        String leader = leader();
        String asking = NAMES.stream().filter(n -> !n.equals(leader)).findFirst().orElseThrow();
        String name = "once-" + UUID.randomUUID();
        stopAfterSubmit.set(leader);

        HttpResponse<String> answer = send(asking, "POST", "/v1/jobs", admin, """
                {"name": "%s", "gpus": 8, "models": ["B200"], "waitForNodes": true}""".formatted(name));

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(201);
        assertThat(stopAfterSubmit.get()).as("the leader applied the submit and stopped; events applied: %s",
                applied).isNull();
        String successor = leader();
        assertThat(successor).isNotEqualTo(leader);
        assertThat(applied.get(successor)).as("the retry reached the new leader").contains("submit-job");
        String id = Documents.json().readTree(answer.body()).get("id").asText();
        JsonNode jobs = json(asking, "/v1/jobs", admin).get("jobs");
        List<String> ids = new ArrayList<>();
        jobs.forEach(job -> {
            if (job.get("name").asText().equals(name)) {
                ids.add(job.get("id").asText());
            }
        });
        assertThat(ids).containsExactly(id);
    }

    /**
     * A member resumed from a pause may drop the others before they drop it, and then its write to
     * the replicated cache succeeds on its own copy: without a majority, that confirms nothing.
     */
    @Test
    void aPausedMemberThatSeesNoMajorityKeepsRefusingReads() throws Exception {
        start();
        String admin = token("admin");
        report("c1", "n1");
        for (String other : List.of("c2", "c3")) {
            members.get(other).close();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (Ignition.ignite("c1").cluster().forServers().nodes().size() > 1) {
            assertThat(System.nanoTime()).as("c1 sees the others gone").isLessThan(deadline);
            Thread.sleep(50);
        }
        members.get("c1").pauseNoticed(Duration.ofSeconds(5));

        // The check after the pause runs every tick (100 ms) and would confirm within one.
        long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (System.nanoTime() < until) {
            HttpResponse<String> read = send("c1", "GET", "/v1/nodes/n1", admin, null);
            assertThat(read.statusCode()).as("a read from c1, alone after a pause: %s", read.body()).isEqualTo(503);
            assertThat(read.headers().firstValue("Vigil-Stale")).isPresent();
            Thread.sleep(100);
        }
    }

    @Test
    void changesFromTheApiTheSchedulerAndReportsAreAppliedInOneOrderEveryMemberReads() throws Exception {
        start();
        String admin = token("admin");
        for (int i = 1; i <= 3; i++) {
            report(NAMES.get(i - 1), "n" + i);
        }
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        List<Thread> load = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            String member = NAMES.get(t);
            String node = "n" + (t + 1);
            load.add(new Thread(() -> {
                try {
                    for (int i = 0; i < 15; i++) {
                        String action = i % 2 == 0 ? "cordon" : "uncordon";
                        HttpResponse<String> changed = write(member, "/v1/nodes/" + node + "/" + action, admin,
                                "{\"reason\": \"load " + i + "\"}");
                        assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
                        HttpResponse<String> job = write(member, "/v1/jobs", admin,
                                "{\"name\": \"" + member + "-" + i + "\", \"gpus\": 1, \"duration\": \"300ms\"}");
                        assertThat(job.statusCode()).as(job.body()).isEqualTo(201);
                        report(member, node);
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        load.forEach(Thread::start);
        for (Thread thread : load) {
            thread.join();
        }
        assertThat(failures).isEmpty();

        List<JsonNode> logs = new ArrayList<>();
        List<JsonNode> audits = new ArrayList<>();
        for (String member : NAMES) {
            logs.add(json(member, "/v1/events?limit=10000", admin).get("events"));
            audits.add(json(member, "/v1/audit?limit=10000", admin).get("entries"));
        }
        assertThat(logs.get(1)).as("c2 reads c1's event log").isEqualTo(logs.get(0));
        assertThat(logs.get(2)).as("c3 reads c1's event log").isEqualTo(logs.get(0));
        assertThat(audits.get(1)).isEqualTo(audits.get(0));
        assertThat(audits.get(2)).isEqualTo(audits.get(0));
        long previous = 0;
        for (JsonNode event : logs.get(0)) {
            assertThat(event.get("seq").asLong()).isGreaterThan(previous);
            previous = event.get("seq").asLong();
        }
        // Each node's history is the order its state changes were applied in, and the log's.
        for (int i = 1; i <= 3; i++) {
            String node = "n" + i;
            List<String> fromLog = new ArrayList<>();
            for (JsonNode event : logs.get(0)) {
                if (node.equals(event.path("node").asText()) && event.get("kind").asText().equals("state")) {
                    fromLog.add(event.get("message").asText().replaceFirst(":.*", ""));
                }
            }
            List<String> fromHistory = new ArrayList<>();
            for (JsonNode transition : json("c1", "/v1/nodes/" + node, admin).get("history")) {
                String from = transition.path("from").isNull() || transition.path("from").isMissingNode() ? "new"
                        : transition.get("from").asText();
                fromHistory.add("node " + node + " " + from + " -> " + transition.get("to").asText());
            }
            assertThat(fromLog).as(node + ": the log's state changes").endsWith(fromHistory.toArray(String[]::new));
            assertThat(fromHistory).as(node + " changed state under the load").hasSizeGreaterThan(4);
        }
        assertThat(applied.get(leader())).contains("node-change", "submit-job", "scheduler-cycle");
    }
}
