package dev.vigil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.api.binding.Documents;
import org.junit.jupiter.api.AfterEach;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three controller members in separate JVMs on loopback, started through the packaged
 * {@code bin/vigil controller}: leader failover on kill -9 without losing an acknowledged write (and
 * with the queued jobs in the new leader's scheduler),
 * no second leader after a pause past the failure timeout, and state intact across a restart of
 * every member.
 */
class ControllerClusterIT {
    private static final Path VIGIL = Path.of(System.getProperty("vigil.dist")).resolve("bin/vigil");
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path dir;
    private final Map<String, Process> members = new LinkedHashMap<>();
    private final Map<String, Integer> restPorts = new LinkedHashMap<>();
    private final List<Integer> discoveryPorts = new ArrayList<>();
    private int communicationPort;

    @AfterEach
    void stopAll() throws InterruptedException {
        for (Process process : members.values()) {
            process.destroyForcibly();
        }
        for (Process process : members.values()) {
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private void configure() throws IOException {
        for (String name : List.of("c1", "c2", "c3")) {
            restPorts.put(name, freePort());
            discoveryPorts.add(freePort());
        }
        communicationPort = freePort();
        StringBuilder memberList = new StringBuilder();
        int i = 0;
        for (String name : restPorts.keySet()) {
            memberList.append("    - {name: ").append(name).append(", address: \"127.0.0.1:")
                    .append(discoveryPorts.get(i++)).append("\"}\n");
        }
        for (String name : restPorts.keySet()) {
            Files.writeString(dir.resolve(name + ".yaml"), """
                    member: %s
                    listen: 127.0.0.1:%d
                    dataDir: %s
                    nodeTimeout: 60s
                    tokens: {adminFile: %s, agentFile: %s}
                    cluster:
                      communicationPort: %d
                      failureDetectionTimeout: 2s
                      members:
                    %s""".formatted(name, restPorts.get(name), dir.resolve(name), dir.resolve("admin.token"),
                    dir.resolve("agent.token"), communicationPort, memberList));
        }
    }

    private void start(String name) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(VIGIL.toString(), "controller", "-c",
                dir.resolve(name + ".yaml").toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".log").toFile()));
        builder.environment().put("VIGIL_JAVA_OPTS", "-Xmx256m");
        members.put(name, builder.start());
    }

    private HttpResponse<String> send(String member, String method, String path, String body) throws Exception {
        String token = Files.readString(dir.resolve(path.startsWith("/v1/agents") ? "agent.token" : "admin.token")).trim();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + restPorts.get(member)
                        + path)).timeout(Duration.ofSeconds(15)).header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private boolean ready(String member) {
        try {
            return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + restPorts.get(member)
                    + "/readyz")).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    private void awaitReady(List<String> names, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!names.stream().allMatch(this::ready)) {
            assertThat(System.nanoTime()).as("members %s ready within %s; logs: %s", names, limit, logs())
                    .isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private String logs() throws IOException {
        StringBuilder all = new StringBuilder();
        for (String name : restPorts.keySet()) {
            Path log = dir.resolve(name + ".log");
            if (Files.exists(log)) {
                List<String> lines = Files.readAllLines(log);
                all.append("\n--- ").append(name).append('\n')
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size())));
            }
        }
        return all.toString();
    }

    private String leader(String asking) throws Exception {
        JsonNode members = Documents.json().readTree(send(asking, "GET", "/v1/members", null).body());
        return members.path("leader").isNull() || members.path("leader").isMissingNode() ? null
                : members.get("leader").asText();
    }

    /** An agent report creating node {@code name}; true when the controller acknowledged it. */
    private boolean write(String member, String node) {
        try {
            return send(member, "POST", "/v1/agents/" + node + "/report",
                    "{\"agentId\": \"a-" + node + "\", \"agentVersion\": \"it\", \"inventoryHash\": \"h\"}")
                    .statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    private double leaderGauge(String member) {
        try {
            HttpResponse<String> metrics = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + restPorts.get(member) + "/metrics")).timeout(Duration.ofSeconds(1)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return metrics.body().lines().filter(l -> l.startsWith("vigil_controller_leader "))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf(' ') + 1))).findFirst().orElse(0);
        } catch (Exception e) {
            return 0;
        }
    }

    private void startCluster() throws Exception {
        configure();
        for (String name : restPorts.keySet()) {
            start(name);
        }
        awaitReady(List.copyOf(restPorts.keySet()), Duration.ofSeconds(120));
    }

    @Test
    void killingTheLeaderMovesLeadershipAndLosesNoAcknowledgedWrite() throws Exception {
        startCluster();
        String leader = leader("c1");
        List<String> survivors = restPorts.keySet().stream().filter(n -> !n.equals(leader)).toList();
        List<String> acknowledged = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String node = "before-" + i;
            if (write(survivors.get(i % 2), node)) {
                acknowledged.add(node);
            }
        }
        assertThat(acknowledged).hasSize(20);
        HttpResponse<String> submitted = send(survivors.get(0), "POST", "/v1/jobs",
                "{\"name\": \"queued\", \"gpus\": 8, \"models\": [\"B200\"]}");
        assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(201);
        String job = Documents.json().readTree(submitted.body()).get("id").asText();

        long killed = System.nanoTime();
        members.get(leader).destroyForcibly();
        long firstWrite = -1;
        int attempt = 0;
        while (System.nanoTime() - killed < TimeUnit.SECONDS.toNanos(15)) {
            String node = "after-" + attempt++;
            if (write(survivors.get(attempt % 2), node)) {
                acknowledged.add(node);
                if (firstWrite < 0) {
                    firstWrite = System.nanoTime();
                }
                if (acknowledged.size() >= 40) {
                    break;
                }
            }
        }
        assertThat(firstWrite).as("a write was acknowledged after the leader died").isPositive();
        double seconds = (firstWrite - killed) / 1e9;
        String newLeader = leader(survivors.get(0));
        System.out.printf("kill -9 of leader %s: new leader %s acknowledged a write %.2f s later%n", leader, newLeader,
                seconds);
        assertThat(newLeader).isIn(survivors);
        assertThat(seconds).as("new leader within 5 s").isLessThan(5.0);
        // The new leader rebuilt its scheduler from the stored jobs: the queued job is in its queue.
        JsonNode why = Documents.json().readTree(send(survivors.get(1), "GET", "/v1/jobs/" + job + "/why", null).body());
        assertThat(why.get("job").asText()).as(why.toString()).isEqualTo(job);
        assertThat(why.get("state").asText()).isIn("pending", "admitted");
        assertThat(why.get("position").asInt()).isEqualTo(1);
        HttpResponse<String> next = send(survivors.get(1), "POST", "/v1/jobs", "{\"gpus\": 1, \"models\": [\"B200\"]}");
        assertThat(Documents.json().readTree(next.body()).get("id").asText()).as("ids go on after the failover")
                .isEqualTo("j-000002");
        for (String survivor : survivors) {
            for (String node : acknowledged) {
                assertThat(send(survivor, "GET", "/v1/nodes/" + node, null).statusCode())
                        .as("acknowledged write %s on %s", node, survivor).isEqualTo(200);
            }
        }
    }

    @Test
    void aLeaderPausedPastTheFailureTimeoutNeverActsAsASecondLeader() throws Exception {
        startCluster();
        String leader = leader("c1");
        List<String> others = restPorts.keySet().stream().filter(n -> !n.equals(leader)).toList();
        long pid = members.get(leader).pid();
        new ProcessBuilder("kill", "-STOP", String.valueOf(pid)).start().waitFor();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            String next = null;
            while (next == null || next.equals(leader)) {
                assertThat(System.nanoTime()).as("the others elect a leader; %s", logs()).isLessThan(deadline);
                Thread.sleep(250);
                try {
                    next = leader(others.get(0));
                } catch (Exception e) {
                    next = null;
                }
            }
            assertThat(write(others.get(0), "during-pause")).isTrue();
        } finally {
            new ProcessBuilder("kill", "-CONT", String.valueOf(pid)).start().waitFor();
        }
        // For a while after it resumes: at no moment do two members act as leader, and the
        // resumed member never acknowledges a write it applied on its own.
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int writesOnResumed = 0;
        while (System.nanoTime() < until) {
            double acting = 0;
            for (String name : restPorts.keySet()) {
                acting += leaderGauge(name);
            }
            assertThat(acting).as("members acting as leader at once").isLessThanOrEqualTo(1.0);
            if (write(leader, "resumed-" + writesOnResumed)) {
                // Acknowledged only if it reached the real leader: then the others have it too.
                assertThat(send(others.get(0), "GET", "/v1/nodes/resumed-" + writesOnResumed, null).statusCode())
                        .isEqualTo(200);
            }
            writesOnResumed++;
            Thread.sleep(200);
        }
        assertThat(send(others.get(0), "GET", "/v1/nodes/during-pause", null).statusCode()).isEqualTo(200);
    }

    @Test
    void stateSurvivesARestartOfEveryMember() throws Exception {
        startCluster();
        assertThat(write("c2", "persisted-node")).isTrue();
        assertThat(send("c3", "POST", "/v1/nodes/persisted-node/cordon", "{\"reason\": \"before restart\"}")
                .statusCode()).isEqualTo(200);
        for (Process process : members.values()) {
            process.destroy();
        }
        for (Process process : members.values()) {
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        members.clear();
        for (String name : restPorts.keySet()) {
            start(name);
        }
        awaitReady(List.copyOf(restPorts.keySet()), Duration.ofSeconds(120));
        JsonNode node = Documents.json().readTree(send("c1", "GET", "/v1/nodes/persisted-node", null).body());
        assertThat(node.get("state").asText()).isIn("cordoned", "unknown");
        assertThat(node.get("cordoned").asBoolean()).isTrue();
        assertThat(node.get("history").findValuesAsText("reason")).contains("before restart");
        JsonNode audit = Documents.json().readTree(send("c2", "GET", "/v1/audit", null).body());
        assertThat(audit.get("entries").findValuesAsText("detail")).contains("before restart");
    }
}
