package dev.vigil.benchmarks;

import com.sun.net.httpserver.HttpServer;
import dev.vigil.alerts.AlertEngine;
import dev.vigil.alerts.AlertsConfig;
import dev.vigil.alerts.fleet.Fleet;
import dev.vigil.alerts.fleet.FleetGpu;
import dev.vigil.alerts.fleet.FleetNode;
import dev.vigil.alerts.fleet.GpuAllocation;
import dev.vigil.alerts.lifecycle.Fingerprint;
import dev.vigil.alerts.store.MemoryAlertStore;
import dev.vigil.api.cluster.NodeState;
import dev.vigil.api.gpu.HealthReason;
import dev.vigil.api.gpu.HealthState;
import dev.vigil.api.gpu.RepairAction;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.ExecutorService;

/**
 * The alert engine's part of "XID 79 on an agent → PagerDuty trigger request sent" (goal ≤ 2 s
 * end to end): from the fleet snapshot that first holds the XID to the trigger's arrival at a
 * local PagerDuty stand-in. The engine runs as the leader runs it: the shipped rules over a
 * fleet of 8-GPU nodes, every evaluation over the whole fleet, state written as JSON to the
 * in-memory store, the dispatcher sending in the background over HTTP. Not measured here: the
 * agent's report reaching the controller (HealthReflexLatencyTest: 81 ms), the controller
 * building the snapshot, Ignite's replicated writes.
 *
 * <p>Usage: {@code scripts/bench-alerts.sh [--nodes 1000] [--iterations 300] [--warmup 100]}
 */
public final class AlertLatencyBenchmark {
    private static final Pattern DEDUP = Pattern.compile("\"dedup_key\":\"([0-9a-f]+)\"");
    private static final Pattern ACTION = Pattern.compile("\"event_action\":\"([a-z]+)\"");

    private AlertLatencyBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int nodes = Integer.parseInt(arg(args, "--nodes", "1000"));
        int iterations = Integer.parseInt(arg(args, "--iterations", "300"));
        int warmup = Integer.parseInt(arg(args, "--warmup", "100"));

        ConcurrentHashMap<String, Long> triggers = new ConcurrentHashMap<>();
        ConcurrentHashMap<String, CountDownLatch> waiting = new ConcurrentHashMap<>();
        HttpServer pagerDuty = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        pagerDuty.setExecutor(Executors.newFixedThreadPool(2));
        pagerDuty.createContext("/v2/enqueue", exchange -> {
            long at = System.nanoTime();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Matcher dedup = DEDUP.matcher(body);
            Matcher action = ACTION.matcher(body);
            if (dedup.find() && action.find() && action.group(1).equals("trigger")) {
                triggers.putIfAbsent(dedup.group(1), at);
                CountDownLatch latch = waiting.get(dedup.group(1));
                if (latch != null) {
                    latch.countDown();
                }
            }
            byte[] answer = "{\"status\":\"success\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(202, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        pagerDuty.start();

        AlertsConfig shipped = AlertsConfig.defaults();
        // PagerDuty's 120 events a minute would make the benchmark measure the rate limit.
        AlertsConfig routing = AlertsConfig.parse("""
                receivers: [{name: oncall, pagerduty: {routingKey: 0123456789abcdef0123456789abcdef, url: "%s",
                             eventsPerMinute: 10000}}]
                route: {receiver: oncall, groupBy: [alertname, node, gpu], groupWait: 0s, groupInterval: 1s}
                """.formatted("http://127.0.0.1:" + pagerDuty.getAddress().getPort() + "/v2/enqueue"), "benchmark");
        AlertsConfig config = new AlertsConfig(null, routing.receivers(), routing.route(), shipped.inhibitRules(),
                null, shipped.rules());
        AlertEngine engine = new AlertEngine(config, new MemoryAlertStore(), Clock.systemUTC());
        engine.start();

        List<FleetNode> all = new ArrayList<>();
        for (int n = 0; n < nodes; n++) {
            all.add(node("gpu-" + n, null));
        }
        Fleet healthy = new Fleet(all, List.of(), List.of());
        engine.evaluate(healthy);
        System.out.printf(Locale.ROOT, "alert engine: %d rules over %d nodes x 8 GPUs; %d cores, Java %s%n",
                config.rules().size(), nodes, Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));

        long[] endToEnd = new long[iterations];
        long[] evaluate = new long[iterations];
        for (int i = -warmup; i < iterations; i++) {
            int n = Math.floorMod(i * 7919, nodes);
            int gpu = Math.floorMod(i, 8);
            FleetNode faulty = node("gpu-" + n, gpu);
            Fleet withXid = healthy.withNode(faulty);
            String key = fingerprint("gpu-" + n, gpu);
            CountDownLatch arrived = new CountDownLatch(1);
            waiting.put(key, arrived);
            triggers.remove(key);
            long start = System.nanoTime();
            engine.evaluate(withXid);
            long evaluated = System.nanoTime();
            if (!arrived.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("no trigger for " + key + " within 10 s");
            }
            if (i >= 0) {
                endToEnd[i] = triggers.get(key) - start;
                evaluate[i] = evaluated - start;
            }
            waiting.remove(key);
            // The GPU is repaired: the resolve goes out at the group's next look, in the background.
            engine.evaluate(healthy);
            Thread.sleep(20);
        }
        engine.close();
        pagerDuty.stop(0);
        ((ExecutorService) pagerDuty.getExecutor()).shutdownNow();

        report("XID 79 in the fleet -> PagerDuty trigger received", endToEnd);
        report("  of which evaluate() (rules, lifecycle, grouping, outbox)", evaluate);
    }

    /** The fingerprint of the GpuXidFatal alert for XID 79 on this GPU: the trigger's dedup_key. */
    private static String fingerprint(String node, int gpu) {
        TreeMap<String, String> labels = new TreeMap<>();
        labels.put("alertname", "GpuXidFatal");
        labels.put("gpu", Integer.toString(gpu));
        labels.put("node", node);
        labels.put("severity", "critical");
        labels.put("uuid", "GPU-" + node + "-" + gpu);
        labels.put("xid", "79");
        return Fingerprint.of(labels);
    }

    /** A ready node of 8 busy H100s; {@code xidGpu} has fallen off the bus (XID 79), when not null. */
    private static FleetNode node(String name, Integer xidGpu) {
        List<FleetGpu> gpus = new ArrayList<>(8);
        for (int g = 0; g < 8; g++) {
            boolean lost = xidGpu != null && xidGpu == g;
            List<HealthReason> reasons = lost ? List.of(new HealthReason("xid", HealthState.FAILED,
                    "XID 79 GPU_HAS_FALLEN_OFF_THE_BUS: GPU has fallen off the bus: unreachable on PCIe",
                    RepairAction.POWER_CYCLE, 79, Instant.now())) : List.of();
            gpus.add(new FleetGpu(g, "GPU-" + name + "-" + g, "NVIDIA H100 80GB HBM3",
                    lost ? HealthState.FAILED : HealthState.HEALTHY, reasons, List.of(), lost ? null : 64.0,
                    lost ? null : 655.0, lost ? null : 97.0, false, new GpuAllocation("job-" + name, "research")));
        }
        return new FleetNode(name, NodeState.READY, Instant.now(), gpus);
    }

    private static void report(String what, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "%s, %d runs: median %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms%n", what,
                sorted.length, ms(sorted, 0.5), ms(sorted, 0.9), ms(sorted, 0.99), sorted[sorted.length - 1] / 1e6);
    }

    private static double ms(long[] sorted, double quantile) {
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1)] / 1e6;
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
