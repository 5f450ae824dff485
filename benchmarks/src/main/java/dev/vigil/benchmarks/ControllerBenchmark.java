package dev.vigil.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.api.binding.Documents;
import dev.vigil.api.cluster.AgentReport;
import dev.vigil.api.cluster.GpuSummary;
import dev.vigil.api.gpu.GpuHealth;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.gpu.simulated.NodeProfile;
import dev.vigil.gpu.simulated.SimulatedNode;
import dev.vigil.gpu.simulated.SimulatedSpec;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The controller as processes ({@code bin/vigil controller}, one member or several, persistence
 * on), loaded the way a fleet loads it: N nodes registered with 8-GPU inventories, then
 * <ol>
 *   <li>{@code GET /v1/nodes} as fast as a few clients can ask: throughput and latency;</li>
 *   <li>every node's agent reporting every 2 s (N/2 reports/s, open loop: a late answer does not
 *       slow the next report), each agent to one member as agents spread over their URL lists:
 *       the rate achieved, latency, errors, each member's CPU, and what reached the leader (its
 *       events by kind, and reports by who answered them, from the members' /metrics).</li>
 * </ol>
 * Usage: {@code scripts/bench-controller.sh [--nodes 1000] [--seconds 30] [--members 1]}
 */
public final class ControllerBenchmark {
    private static final ObjectMapper JSON = Documents.json();

    private ControllerBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path vigil = Path.of(arg(args, "--vigil", "cli/target/vigil-0.1.0-SNAPSHOT/vigil-0.1.0-SNAPSHOT/bin/vigil"));
        int nodes = Integer.parseInt(arg(args, "--nodes", "1000"));
        int seconds = Integer.parseInt(arg(args, "--seconds", "30"));
        int memberCount = Integer.parseInt(arg(args, "--members", "1"));
        Path dir = Files.createTempDirectory("vigil-bench-controller-");
        List<String> names = new ArrayList<>();
        List<Integer> ports = new ArrayList<>();
        StringBuilder list = new StringBuilder();
        for (int m = 1; m <= memberCount; m++) {
            names.add("bench" + m);
            ports.add(freePort());
            list.append("    - {name: bench").append(m).append(", address: \"127.0.0.1:").append(freePort())
                    .append("\"}\n");
        }
        int communication = freePort();
        List<Process> controllers = new ArrayList<>();
        try {
            for (int m = 0; m < memberCount; m++) {
                Path yaml = dir.resolve(names.get(m) + ".yaml");
                // Agents come from many hosts; here they all come from 127.0.0.1. Registering thousands of
                // nodes one by one takes minutes: the first must not time out before the storm begins.
                Files.writeString(yaml, """
                        member: %s
                        listen: 127.0.0.1:%d
                        dataDir: %s
                        nodeTimeout: 30m
                        tokens: {adminFile: %s, agentFile: %s}
                        connections: {max: 5000, perClient: 5000}
                        cluster:
                          communicationPort: %d
                          members:
                        %s""".formatted(names.get(m), ports.get(m), dir.resolve(names.get(m)),
                        dir.resolve("admin.token"), dir.resolve("agent.token"), communication, list));
                controllers.add(new ProcessBuilder(vigil.toString(), "controller", "-c", yaml.toString())
                        .redirectErrorStream(true).redirectOutput(dir.resolve(names.get(m) + ".log").toFile()).start());
            }
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            List<String> bases = ports.stream().map(port -> "http://127.0.0.1:" + port).toList();
            for (String base : bases) {
                awaitReady(client, base);
            }
            String admin = Files.readString(dir.resolve("admin.token")).trim();
            String agent = Files.readString(dir.resolve("agent.token")).trim();
            System.out.printf("%d controller member(s) ready (pids %s); registering %d nodes%n", memberCount,
                    controllers.stream().map(p -> String.valueOf(p.pid())).toList(), nodes);

            SimulatedNode template = new SimulatedNode("template", SimulatedSpec.of(NodeProfile.HGX_H100_8, 1,
                    List.of()), Clock.systemUTC());
            List<GpuHealth> health = new ArrayList<>();
            List<GpuSummary> summaries = new ArrayList<>();
            for (int gpu = 0; gpu < 8; gpu++) {
                health.add(GpuHealth.of(gpu, template.inventory().gpus().get(gpu).uuid(), List.of()));
                summaries.add(new GpuSummary(gpu, 97.0, 64.0, 655.0, 70_000.0));
            }
            byte[][] steady = new byte[nodes][];
            for (int i = 0; i < nodes; i++) {
                String name = String.format("gpu-%05d", i);
                NodeInventory inventory = new NodeInventory(name, "dcgm", template.inventory().driverVersion(),
                        template.inventory().gpus(), template.inventory().topology());
                String base = bases.get(i % memberCount);
                // The first report brings the inventory; the second says the agent applied desired state 1.
                post(client, base + "/v1/agents/" + name + "/report", agent, JSON.writeValueAsBytes(
                        new AgentReport("agent-" + i, "bench", "inventory-" + i, inventory, health, summaries,
                                List.of(), 0L, null)));
                steady[i] = JSON.writeValueAsBytes(new AgentReport("agent-" + i, "bench", "inventory-" + i, null,
                        health, summaries, List.of(), 1L, null));
                post(client, base + "/v1/agents/" + name + "/report", agent, steady[i]);
            }

            System.out.printf("GET /v1/nodes with %d nodes, 4 clients, %d s%n", nodes, seconds);
            long[] listLatencies = closedLoop(client, bases.get(0) + "/v1/nodes", admin, 4, seconds);
            print("GET /v1/nodes", listLatencies, seconds);

            System.out.printf("%d agents reporting every 2 s (%d reports/s offered) to %d member(s), %d s%n", nodes,
                    nodes / 2, memberCount, seconds);
            List<Map<String, Double>> before = new ArrayList<>();
            long[] cpuBefore = new long[memberCount];
            for (int m = 0; m < memberCount; m++) {
                before.add(counters(client, bases.get(m)));
                cpuBefore[m] = cpuTicks(controllers.get(m).pid());
            }
            byte[][] requests = new byte[nodes][];
            for (int i = 0; i < nodes; i++) {
                requests[i] = ReportStorm.request(String.format("gpu-%05d", i), agent, steady[i]);
            }
            AtomicLong errors = new AtomicLong();
            long[] reportLatencies = new ReportStorm(ports.stream().map(port -> new InetSocketAddress("127.0.0.1",
                    port)).toList(), requests, 64).run(nodes / 2.0, seconds, errors);
            if (errors.get() > 0) {
                System.out.printf("  %d errors of %d%n", errors.get(), (long) (nodes / 2.0 * seconds));
            }
            print("POST /v1/agents/{node}/report", reportLatencies, seconds);
            for (int m = 0; m < memberCount; m++) {
                double cpu = (cpuTicks(controllers.get(m).pid()) - cpuBefore[m]) / 100.0 / seconds;
                Map<String, Double> after = counters(client, bases.get(m));
                Map<String, Double> was = before.get(m);
                Map<String, Double> delta = new TreeMap<>();
                after.forEach((sample, value) -> {
                    double change = value - was.getOrDefault(sample, 0.0);
                    if (change > 0) {
                        delta.put(sample, change);
                    }
                });
                System.out.printf(Locale.ROOT, "%-34s %.0f %% of one core (%d cores here)%n", names.get(m) + " CPU",
                        cpu * 100, Runtime.getRuntime().availableProcessors());
                delta.forEach((sample, change) -> System.out.printf(Locale.ROOT, "  %-60s +%.0f (%.1f/s)%n", sample,
                        change, change / seconds));
            }
        } finally {
            for (Process controller : controllers) {
                controller.destroy();
            }
            for (Process controller : controllers) {
                controller.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /** The leader's events and the reports' answerers from a member's /metrics (absent on older builds). */
    private static Map<String, Double> counters(HttpClient client, String base) throws Exception {
        Map<String, Double> found = new TreeMap<>();
        String metrics = client.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        for (String line : metrics.split("\n")) {
            if (line.startsWith("vigil_controller_leader_events_total") || line.startsWith("vigil_controller_reports_total")) {
                found.put(line.substring(0, line.lastIndexOf(' ')), Double.parseDouble(line.substring(
                        line.lastIndexOf(' ') + 1)));
            }
        }
        return found;
    }

    /** {@code clients} threads asking as fast as answers come. */
    private static long[] closedLoop(HttpClient client, String url, String token, int clients, int seconds)
            throws Exception {
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        AtomicInteger errors = new AtomicInteger();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .build();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            Thread thread = new Thread(() -> {
                while (System.nanoTime() < end) {
                    long start = System.nanoTime();
                    try {
                        HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
                        if (response.statusCode() == 200) {
                            latencies.add(System.nanoTime() - start);
                        } else {
                            errors.incrementAndGet();
                        }
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        if (errors.get() > 0) {
            System.out.printf("  %d errors%n", errors.get());
        }
        return latencies.stream().mapToLong(Long::longValue).toArray();
    }

    private static void print(String what, long[] latencies, int seconds) {
        Arrays.sort(latencies);
        if (latencies.length == 0) {
            System.out.printf("%-34s no successful request%n", what);
            return;
        }
        System.out.printf(Locale.ROOT, "%-34s %.0f/s, median %.2f ms, p99 %.2f ms, max %.2f ms (%d answered)%n", what,
                latencies.length / (double) seconds, latencies[latencies.length / 2] / 1e6,
                latencies[(int) Math.ceil(latencies.length * 0.99) - 1] / 1e6, latencies[latencies.length - 1] / 1e6,
                latencies.length);
    }

    private static void post(HttpClient client, String url, String token, byte[] body) throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(url + " answered " + response.statusCode() + ": " + response.body());
        }
    }

    private static void awaitReady(HttpClient client, String base) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            try {
                if (client.send(HttpRequest.newBuilder(URI.create(base + "/readyz")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (Exception notYet) {
                // Not listening yet.
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("the controller was not ready within 120 s");
    }

    private static long cpuTicks(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String arg(String[] args, String name, String fallback) {
        List<String> list = List.of(args);
        int i = list.indexOf(name);
        return i >= 0 && i + 1 < list.size() ? list.get(i + 1) : fallback;
    }
}
