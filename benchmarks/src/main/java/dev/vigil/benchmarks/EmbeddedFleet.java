package dev.vigil.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.agent.Agent;
import dev.vigil.agent.config.AgentConfig;
import dev.vigil.agent.config.BackendKind;
import dev.vigil.agent.systemd.SystemdNotifier;
import dev.vigil.api.binding.Documents;
import dev.vigil.controller.Controller;
import dev.vigil.controller.config.ControllerConfig;
import dev.vigil.gpu.simulated.SimulatedNode;
import dev.vigil.gpu.simulated.SimulatedSpec;
import dev.vigil.http.HttpServer;
import io.netty.channel.EventLoopGroup;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One controller member and simulated agents in this JVM, as {@code vigil up} runs them, with the
 * REST calls a benchmark makes as the admin: what the process benchmarks share.
 */
final class EmbeddedFleet implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Path data;
    private final Controller controller;
    private final EventLoopGroup loop = HttpServer.newEventLoop(1);
    private final List<Agent> agents = new ArrayList<>();
    private final Map<String, SimulatedNode> gpus = new LinkedHashMap<>();
    private final String url;
    private final String admin;
    private final AgentConfig.Controller reporting;

    /**
     * Starts the controller; {@code sections} is more of its config (scheduler, runbooks, mig), YAML.
     */
    EmbeddedFleet(String prefix, String sections) throws Exception {
        data = Files.createTempDirectory(prefix);
        String yaml = """
                member: bench
                listen: "127.0.0.1:%d"
                dataDir: %s
                cluster:
                  members: [{name: bench, address: "127.0.0.1:%d"}]
                  persistence: false
                """.formatted(freePort(), data, freePort()) + sections;
        controller = Controller.start(Documents.readYaml(yaml, ControllerConfig.class, "bench"), Clock.systemUTC());
        if (!controller.awaitReady(Duration.ofSeconds(120))) {
            controller.close();
            throw new IllegalStateException("the controller did not become ready");
        }
        url = "http://127.0.0.1:" + controller.port();
        admin = Files.readString(data.resolve("admin.token")).trim();
        reporting = new AgentConfig.Controller(List.of(url), Files.readString(data.resolve("agent.token")).trim(),
                null, null, null);
    }

    /** Starts an agent on a simulated node and waits until the controller has it ready. */
    SimulatedNode agent(String name, SimulatedSpec spec) throws Exception {
        SimulatedNode backend = new SimulatedNode(name, spec, Clock.systemUTC());
        gpus.put(name, backend);
        agents.add(Agent.start(new AgentConfig(name, "127.0.0.1:0", BackendKind.SIMULATED,
                new AgentConfig.Sampling(Duration.ofSeconds(1), null), null, null, null, null, spec, reporting),
                backend, Clock.systemUTC(), loop, SystemdNotifier.disabled()));
        await(() -> "ready".equals(get("/v1/nodes/" + name).path("state").asText()), 30);
        return backend;
    }

    JsonNode get(String path) throws Exception {
        return send(request(path).GET());
    }

    JsonNode post(String path, String body) throws Exception {
        return send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    JsonNode put(String path, String body) throws Exception {
        return send(request(path).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body)));
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(url + path)).header("Authorization", "Bearer " + admin);
    }

    private static JsonNode send(HttpRequest.Builder request) throws Exception {
        HttpResponse<String> answer = HTTP.send(request.timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() >= 300) {
            throw new IllegalStateException(answer.statusCode() + ": " + answer.body());
        }
        return Documents.json().readTree(answer.body());
    }

    @FunctionalInterface
    interface Check {
        boolean holds() throws Exception;
    }

    /** Waits for {@code check}; an answer other than 2xx (a node not reported yet) counts as not yet. */
    static void await(Check check, int seconds) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        while (!holds(check)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not within " + seconds + " s");
            }
            Thread.sleep(10);
        }
    }

    private static boolean holds(Check check) throws Exception {
        try {
            return check.holds();
        } catch (IllegalStateException e) {
            return false;
        }
    }

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static String arg(String[] args, String name, String fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }

    @Override
    public void close() {
        for (Agent agent : agents) {
            agent.close();
        }
        loop.shutdownGracefully();
        controller.close();
    }
}
