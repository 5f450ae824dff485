package dev.vigil.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.agent.Agent;
import dev.vigil.agent.config.AgentConfig;
import dev.vigil.agent.config.BackendKind;
import dev.vigil.agent.systemd.SystemdNotifier;
import dev.vigil.api.binding.Documents;
import dev.vigil.controller.Controller;
import dev.vigil.controller.config.ControllerConfig;
import dev.vigil.gpu.simulated.FaultKind;
import dev.vigil.gpu.simulated.FaultSpec;
import dev.vigil.gpu.simulated.NodeProfile;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The incident loop, end to end, as {@code vigil up} runs it (one controller member, simulated
 * agents in this JVM, the shipped runbooks made active): a 1-node gang runs; XID 79 is raised on
 * one of its GPUs; measured from the simulated GPU raising it to (1) the gang running again on
 * another node (goal ≤ 5 s) and (2) the node back to {@code ready}, returned by the
 * {@code gpu-fallen-off-bus} runbook after its drain, simulated reboot, health check and return
 * (goal ≤ the simulated reboot + diagnostic + 5 s). The repeat-offender guard and the circuit
 * breaker are widened, as the samples hit the same few nodes within minutes on purpose.
 *
 * <p>Usage: {@code scripts/bench-incident.sh [--nodes 4] [--samples 10]}
 */
public final class IncidentLoopBenchmark {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private IncidentLoopBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int nodes = Integer.parseInt(arg(args, "--nodes", "4"));
        int samples = Integer.parseInt(arg(args, "--samples", "10"));
        Path data = Files.createTempDirectory("vigil-incident-");
        String yaml = """
                member: bench
                listen: "127.0.0.1:%d"
                dataDir: %s
                cluster:
                  members: [{name: bench, address: "127.0.0.1:%d"}]
                  persistence: false
                scheduler: {interval: 500ms, backend: simulated}
                runbooks:
                  mode: active
                  interval: 500ms
                  guards: {breakerMinNodes: 1000, repeatLimit: 1000}
                """.formatted(freePort(), data, freePort());
        Controller controller = Controller.start(Documents.readYaml(yaml, ControllerConfig.class, "bench"),
                Clock.systemUTC());
        EventLoopGroup loop = HttpServer.newEventLoop(1);
        List<Agent> agents = new ArrayList<>();
        Map<String, SimulatedNode> gpus = new HashMap<>();
        try {
            if (!controller.awaitReady(Duration.ofSeconds(120))) {
                throw new IllegalStateException("the controller did not become ready");
            }
            String url = "http://127.0.0.1:" + controller.port();
            String admin = Files.readString(data.resolve("admin.token")).trim();
            AgentConfig.Controller reporting = new AgentConfig.Controller(List.of(url),
                    Files.readString(data.resolve("agent.token")).trim(), null, null, null);
            SimulatedSpec spec = SimulatedSpec.of(NodeProfile.HGX_H100_8, 1, List.of());
            for (int i = 1; i <= nodes; i++) {
                String name = "inc-" + i;
                SimulatedNode backend = new SimulatedNode(name, spec, Clock.systemUTC());
                gpus.put(name, backend);
                agents.add(Agent.start(new AgentConfig(name, "127.0.0.1:0", BackendKind.SIMULATED,
                                new AgentConfig.Sampling(Duration.ofSeconds(1), null), null, null, null, null, spec,
                                reporting), backend, Clock.systemUTC(), loop, SystemdNotifier.disabled()));
            }
            for (int i = 1; i <= nodes; i++) {
                String name = "inc-" + i;
                await(() -> "ready".equals(get(url, admin, "/v1/nodes/" + name).path("state").asText()), 30);
            }
            System.out.printf("incident loop: %d simulated HGX H100 nodes, %d samples; simulated reboot %s, "
                    + "diagnostic level 2 %s%n", nodes, samples, spec.rebootDelay(), spec.diagDuration().multipliedBy(2));
            List<Double> requeued = new ArrayList<>();
            List<Double> returned = new ArrayList<>();
            for (int sample = 1; sample <= samples; sample++) {
                String job = post(url, admin, "/v1/jobs", "{\"name\": \"gang-" + sample
                        + "\", \"gpus\": 8, \"duration\": \"1h\"}").get("id").asText();
                await(() -> "running".equals(get(url, admin, "/v1/jobs/" + job).path("state").asText()), 30);
                String hit = get(url, admin, "/v1/jobs/" + job).get("placements").get(0).get("node").asText();
                int runsBefore = get(url, admin, "/v1/runs?runbook=gpu-fallen-off-bus&limit=10000").size();

                long raised = System.nanoTime();
                gpus.get(hit).inject(FaultSpec.now(sample % 8, FaultKind.XID, 79));
                await(() -> {
                    JsonNode now = get(url, admin, "/v1/jobs/" + job);
                    return "running".equals(now.path("state").asText())
                            && !hit.equals(now.get("placements").get(0).get("node").asText());
                }, 60);
                double moved = (System.nanoTime() - raised) / 1e9;
                await(() -> {
                    JsonNode runs = get(url, admin, "/v1/runs?runbook=gpu-fallen-off-bus&limit=10000");
                    return runs.size() > runsBefore && "succeeded".equals(runs.get(0).path("state").asText())
                            && "ready".equals(get(url, admin, "/v1/nodes/" + hit).path("state").asText());
                }, 120);
                double back = (System.nanoTime() - raised) / 1e9;
                requeued.add(moved);
                returned.add(back);
                System.out.printf("sample %2d: %s gpu %d: gang running on another node after %.2f s, node ready "
                        + "again after %.2f s%n", sample, hit, sample % 8, moved, back);
                post(url, admin, "/v1/jobs/" + job + "/cancel", "{\"reason\": \"benchmark sample done\"}");
            }
            System.out.printf("XID 79 -> gang running elsewhere: median %.2f s, max %.2f s (goal <= 5 s)%n",
                    median(requeued), max(requeued));
            System.out.printf("XID 79 -> node back to ready:   median %.2f s, max %.2f s (goal <= %.0f s: reboot %s + "
                    + "diagnostic %s + 5 s)%n", median(returned), max(returned),
                    spec.rebootDelay().plus(spec.diagDuration().multipliedBy(2)).toMillis() / 1000.0 + 5,
                    spec.rebootDelay(), spec.diagDuration().multipliedBy(2));
        } finally {
            for (Agent agent : agents) {
                agent.close();
            }
            loop.shutdownGracefully();
            controller.close();
        }
    }

    private static JsonNode get(String url, String token, String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(url + path)).header("Authorization", "Bearer " + token).GET());
    }

    private static JsonNode post(String url, String token, String path, String body) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(url + path)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
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
    private interface Check {
        boolean holds() throws Exception;
    }

    /** Waits for {@code check}; an answer other than 2xx (a node not reported yet) counts as not yet. */
    private static void await(Check check, int seconds) throws Exception {
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

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String arg(String[] args, String name, String fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }
}
