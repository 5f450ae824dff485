package dev.vigil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.api.binding.Documents;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Controller members in their own JVMs on loopback, each started through the packaged
 * {@code bin/vigil controller} with its config, data dir and log in one directory (an
 * {@code alerts.yaml} written there is beside every member's config, so it is theirs).
 * Closing kills what still runs.
 */
final class ControllerMembers implements AutoCloseable {
    private static final Path VIGIL = Path.of(System.getProperty("vigil.dist")).resolve("bin/vigil");
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private final Path dir;
    private final Map<String, Integer> restPorts = new LinkedHashMap<>();
    private final Map<String, Process> running = new LinkedHashMap<>();

    /** Writes the configs of members {@code names}: a 2 s failure detection timeout, shared token files. */
    ControllerMembers(Path dir, List<String> names) throws IOException {
        this.dir = dir;
        StringBuilder memberList = new StringBuilder();
        for (String name : names) {
            restPorts.put(name, freePort());
            memberList.append("    - {name: ").append(name).append(", address: \"127.0.0.1:").append(freePort())
                    .append("\"}\n");
        }
        int communicationPort = freePort();
        for (String name : names) {
            Files.writeString(dir.resolve(name + ".yaml"), """
                    member: %s
                    listen: 127.0.0.1:%d
                    dataDir: %s
                    nodeTimeout: 60s
                    scheduler: {backend: simulated}
                    tokens: {adminFile: %s, agentFile: %s}
                    cluster:
                      communicationPort: %d
                      failureDetectionTimeout: 2s
                      members:
                    %s""".formatted(name, restPorts.get(name), dir.resolve(name), dir.resolve("admin.token"),
                    dir.resolve("agent.token"), communicationPort, memberList));
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    List<String> names() {
        return List.copyOf(restPorts.keySet());
    }

    /** The others of {@code name}, in order. */
    List<String> except(String name) {
        return restPorts.keySet().stream().filter(other -> !other.equals(name)).toList();
    }

    String url(String name) {
        return "http://127.0.0.1:" + restPorts.get(name);
    }

    /** Starts every member and waits (up to 2 minutes) until all answer /readyz. */
    void startAll() throws Exception {
        for (String name : restPorts.keySet()) {
            start(name);
        }
        awaitReady(names(), Duration.ofSeconds(120));
    }

    void start(String name) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(VIGIL.toString(), "controller", "-c",
                dir.resolve(name + ".yaml").toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".log").toFile()));
        builder.environment().put("VIGIL_JAVA_OPTS", "-Xmx256m");
        running.put(name, builder.start());
    }

    Process process(String name) {
        return running.get(name);
    }

    /** SIGTERM to every member, each to exit within 30 s. */
    void stopAll() throws InterruptedException {
        running.values().forEach(Process::destroy);
        for (Map.Entry<String, Process> member : running.entrySet()) {
            if (!member.getValue().waitFor(30, TimeUnit.SECONDS)) {
                throw new AssertionError(member.getKey() + " did not stop within 30 s" + logs());
            }
        }
        running.clear();
    }

    void awaitReady(List<String> names, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!names.stream().allMatch(this::ready)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("members " + names + " not ready within " + limit + logs());
            }
            Thread.sleep(200);
        }
    }

    private boolean ready(String name) {
        try {
            return CLIENT.send(HttpRequest.newBuilder(URI.create(url(name) + "/readyz")).timeout(Duration.ofSeconds(2))
                    .build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    String adminToken() throws IOException {
        return Files.readString(dir.resolve("admin.token")).trim();
    }

    String agentToken() throws IOException {
        return Files.readString(dir.resolve("agent.token")).trim();
    }

    /** A request to {@code member} with the admin token (the agent token for /v1/agents). */
    HttpResponse<String> send(String member, String method, String path, String body) throws Exception {
        String token = path.startsWith("/v1/agents") ? agentToken() : adminToken();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(member) + path))
                .timeout(Duration.ofSeconds(15)).header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The answer to a GET, or an empty object when the member does not answer 200 (it may be dead or electing). */
    JsonNode json(String member, String path) {
        try {
            HttpResponse<String> response = send(member, "GET", path, null);
            return response.statusCode() == 200 ? Documents.json().readTree(response.body())
                    : Documents.json().createObjectNode();
        } catch (Exception e) {
            return Documents.json().createObjectNode();
        }
    }

    /** The leader {@code asking} names, or null while there is none. */
    String leader(String asking) {
        JsonNode leader = json(asking, "/v1/members").path("leader");
        return leader.isTextual() ? leader.asText() : null;
    }

    /** The last lines of every member's log, for a failing assertion's message. */
    String logs() {
        StringBuilder all = new StringBuilder();
        for (String name : restPorts.keySet()) {
            Path log = dir.resolve(name + ".log");
            try {
                List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
                all.append("\n--- ").append(name).append('\n')
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size())));
            } catch (IOException e) {
                all.append("\n--- ").append(name).append(": ").append(e);
            }
        }
        return all.toString();
    }

    @Override
    public void close() throws InterruptedException {
        running.values().forEach(Process::destroyForcibly);
        for (Process process : running.values()) {
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
