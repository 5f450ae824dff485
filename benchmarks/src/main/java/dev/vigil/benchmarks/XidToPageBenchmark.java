package dev.vigil.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.vigil.agent.Agent;
import dev.vigil.agent.config.AgentConfig;
import dev.vigil.agent.config.BackendKind;
import dev.vigil.agent.systemd.SystemdNotifier;
import dev.vigil.api.binding.Documents;
import dev.vigil.gpu.simulated.FaultKind;
import dev.vigil.gpu.simulated.FaultSpec;
import dev.vigil.gpu.simulated.NodeProfile;
import dev.vigil.gpu.simulated.SimulatedNode;
import dev.vigil.gpu.simulated.SimulatedSpec;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * "XID 79 on an agent → PagerDuty trigger request sent" (goal ≤ 2 s), end to end through a
 * controller process: simulated agents in this JVM report to {@code bin/vigil controller} (one
 * member, persistence on, the shipped conf/alerts.yaml with critical alerts routed to a local
 * PagerDuty stand-in); each sample raises XID 79 on a GPU not used before (a new alert and a new
 * group, as a real fault is) and times it from the simulated GPU raising it to the trigger's
 * arrival at the stand-in. The path measured: the agent's sample and its at-once report, the
 * controller's REST API and leader, the health reflex, the replicated writes of the node, the
 * alert, its group and the outbox entry, the evaluation, and the HTTP request to the stand-in.
 * Each sample also says when the controller's alert fired (its firedAt), splitting the time into
 * agent-to-alert and alert-to-page.
 *
 * <p>Usage: {@code scripts/bench-alert-latency.sh [--nodes 4] [--samples 24] [--warmup 2]}
 */
public final class XidToPageBenchmark {
    private static final String ROUTING_KEY = "R0123456789abcdef0123456789ABCDE";

    private XidToPageBenchmark() {
    }

    private record Trigger(String dedupKey, Instant received, long receivedNanos) {
    }

    public static void main(String[] args) throws Exception {
        Path vigil = Path.of(arg(args, "--vigil", "cli/target/vigil-0.1.0-SNAPSHOT/vigil-0.1.0-SNAPSHOT/bin/vigil"));
        int nodes = Integer.parseInt(arg(args, "--nodes", "4"));
        int samples = Integer.parseInt(arg(args, "--samples", "24"));
        int warmup = Integer.parseInt(arg(args, "--warmup", "2"));
        if (samples + warmup > nodes * 8) {
            throw new IllegalArgumentException("--samples + --warmup must be at most 8 × --nodes (one GPU each)");
        }

        // The stand-in: records each trigger by "node gpu" (payload.source and payload.component).
        Map<String, Trigger> triggers = new ConcurrentHashMap<>();
        HttpServer pagerDuty = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        pagerDuty.setExecutor(Executors.newFixedThreadPool(2));
        pagerDuty.createContext("/v2/enqueue", exchange -> {
            long nanos = System.nanoTime();
            Instant at = Instant.now();
            JsonNode event = Documents.json().readTree(exchange.getRequestBody().readAllBytes());
            if (event.path("event_action").asText().equals("trigger")) {
                JsonNode payload = event.path("payload");
                triggers.putIfAbsent(payload.path("source").asText() + " " + payload.path("component").asText(),
                        new Trigger(event.path("dedup_key").asText(), at, nanos));
            }
            byte[] body = "{\"status\":\"success\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(202, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        pagerDuty.start();

        Path dir = Files.createTempDirectory("vigil-bench-xid-page-");
        Path shipped = vigil.toAbsolutePath().getParent().getParent().resolve("conf/alerts.yaml");
        Files.writeString(dir.resolve("alerts.yaml"), Files.readString(shipped)
                .replace("  - name: log\n    log: {}\n", "  - name: log\n    log: {}\n  - name: oncall\n"
                        + "    pagerduty: {routingKey: " + ROUTING_KEY + ", url: \"http://127.0.0.1:"
                        + pagerDuty.getAddress().getPort() + "/v2/enqueue\"}\n")
                .replace("      receiver: log\n", "      receiver: oncall\n"));
        int port = freePort();
        Files.writeString(dir.resolve("controller.yaml"), """
                member: bench
                listen: 127.0.0.1:%d
                dataDir: %s
                nodeTimeout: 60s
                cluster: {members: [{name: bench, address: "127.0.0.1:%d"}], communicationPort: %d}
                """.formatted(port, dir.resolve("data"), freePort(), freePort()));
        Process controller = new ProcessBuilder(vigil.toString(), "controller", "-c", dir.resolve("controller.yaml")
                .toString()).redirectErrorStream(true).redirectOutput(dir.resolve("controller.log").toFile()).start();
        List<Agent> agents = new ArrayList<>();
        try {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String base = "http://127.0.0.1:" + port;
            awaitReady(client, base);
            String admin = Files.readString(dir.resolve("data/admin.token")).trim();
            String agentToken = Files.readString(dir.resolve("data/agent.token")).trim();
            List<SimulatedNode> gpus = new ArrayList<>();
            for (int i = 0; i < nodes; i++) {
                String name = String.format("bench-%02d", i + 1);
                SimulatedSpec spec = SimulatedSpec.of(NodeProfile.HGX_H100_8, i + 1, List.of());
                SimulatedNode node = new SimulatedNode(name, spec, Clock.systemUTC());
                agents.add(Agent.start(new AgentConfig(name, "127.0.0.1:0", BackendKind.SIMULATED,
                        new AgentConfig.Sampling(Duration.ofSeconds(1), null), null, null, null, null, spec,
                        new AgentConfig.Controller(List.of(base), agentToken, null, null, null)), node,
                        Clock.systemUTC(), null, SystemdNotifier.disabled()));
                gpus.add(node);
            }
            for (int i = 0; i < nodes; i++) {
                awaitNodeReady(client, base, admin, String.format("bench-%02d", i + 1));
            }
            System.out.printf("controller pid %d ready, %d simulated nodes reporting (1 s samples, 2 s reports); "
                    + "%d warm-up + %d samples%n", controller.pid(), nodes, warmup, samples);
            System.out.printf("%-8s %-10s %14s %14s %14s%n", "SAMPLE", "GPU", "TRIGGER (ms)", "TO ALERT (ms)",
                    "TO PAGE (ms)");

            long[] latencies = new long[samples];
            long[] toAlert = new long[samples];
            long[] toPage = new long[samples];
            for (int i = 0; i < warmup + samples; i++) {
                int nodeIndex = i % nodes;
                int gpu = i / nodes;
                String name = String.format("bench-%02d", nodeIndex + 1);
                Instant injectedAt = Instant.now();
                long injected = System.nanoTime();
                gpus.get(nodeIndex).inject(FaultSpec.now(gpu, FaultKind.XID, 79));
                Trigger trigger = awaitTrigger(triggers, name + " gpu " + gpu);
                long millis = (trigger.receivedNanos() - injected) / 1_000_000;
                Instant firedAt = Instant.parse(Documents.json().readTree(get(client, base + "/v1/alerts/"
                        + trigger.dedupKey(), admin)).path("firedAt").asText());
                long alerted = Duration.between(injectedAt, firedAt).toMillis();
                long paged = Duration.between(firedAt, trigger.received()).toMillis();
                System.out.printf("%-8s %-10s %14d %14d %14d%n", i < warmup ? "warm-up" : String.valueOf(i - warmup + 1),
                        name.substring(6) + "/" + gpu, millis, alerted, paged);
                if (i >= warmup) {
                    latencies[i - warmup] = millis;
                    toAlert[i - warmup] = alerted;
                    toPage[i - warmup] = paged;
                }
            }
            summary("XID 79 -> PagerDuty trigger received", latencies);
            summary("  of which XID -> alert firing", toAlert);
            summary("  of which alert firing -> trigger received", toPage);
            System.out.println("(goal: 2000 ms from the XID to the trigger)");
        } finally {
            agents.forEach(Agent::close);
            controller.destroy();
            controller.waitFor();
            pagerDuty.stop(0);
            ((ExecutorService) pagerDuty.getExecutor()).shutdownNow();
        }
    }

    private static void summary(String what, long[] millis) {
        long[] sorted = millis.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        System.out.printf(Locale.ROOT, "%-45s %d samples: median %d ms, p90 %d ms, max %d ms%n", what, n, sorted[n / 2],
                sorted[Math.min(n - 1, (int) Math.ceil(n * 0.9) - 1)], sorted[n - 1]);
    }

    private static Trigger awaitTrigger(Map<String, Trigger> triggers, String key) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            Trigger trigger = triggers.get(key);
            if (trigger != null) {
                return trigger;
            }
            Thread.sleep(1);
        }
        throw new IllegalStateException("no trigger for " + key + " within 30 s");
    }

    private static void awaitReady(HttpClient client, String base) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (client.send(HttpRequest.newBuilder(URI.create(base + "/readyz")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // Not listening yet.
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the controller was not ready within 120 s");
    }

    private static void awaitNodeReady(HttpClient client, String base, String token, String node) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            String body = get(client, base + "/v1/nodes/" + node, token);
            if (body != null && Documents.json().readTree(body).path("state").asText().equals("ready")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(node + " was not ready within 30 s");
    }

    private static String get(HttpClient client, String url, String token) throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? response.body() : null;
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
