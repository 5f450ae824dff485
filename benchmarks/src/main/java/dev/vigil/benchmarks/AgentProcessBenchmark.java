package dev.vigil.benchmarks;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The agent as a process, the way it runs on a GPU node: {@code bin/vigil agent} with the
 * launcher's production JVM flags, 8 simulated H100s under training load, every default field
 * sampled every second, and one scrape a second over a kept-alive connection, like Prometheus.
 * Reports the agent's CPU share of one core and its RSS over the measured window, and the
 * median and p99 time to serve /metrics: from writing the request to reading the last byte of
 * the body, on a plain socket, so the client's own overhead stays out of the number. Half a
 * second after each scrape it asks /healthz (a few bytes, no work) the same way: on a shared VM
 * most of a 1/s request's latency is waking two idle processes, and the /healthz column shows
 * that floor measured in the same run.
 *
 * <p>Usage: {@code scripts/bench-agent.sh [--warmup 30] [--seconds 60]}
 */
public final class AgentProcessBenchmark {
    private AgentProcessBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path vigil = Path.of(arg(args, "--vigil", "cli/target/vigil-0.1.0-SNAPSHOT/vigil-0.1.0-SNAPSHOT/bin/vigil"));
        int warmup = Integer.parseInt(arg(args, "--warmup", "30"));
        int seconds = Integer.parseInt(arg(args, "--seconds", "60"));
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path config = Files.createTempFile("vigil-bench-", ".yaml");
        Files.writeString(config, """
                node: bench-node
                listen: 127.0.0.1:%d
                backend: simulated
                sampling: {interval: 1s, fields: [default]}
                simulated:
                  profile: hgx-h100-8
                  workloads: [{kind: training}]
                """.formatted(port));
        Path log = Files.createTempFile("vigil-bench-", ".log");
        Process agent = new ProcessBuilder(vigil.toString(), "agent", "-c", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpRequest scrape = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build();
            waitUntilUp(client, scrape);
            Scraper scraper = new Scraper(port, "/metrics");
            Scraper baseline = new Scraper(port, "/healthz");
            System.out.printf("agent pid %d up; warming up %d s, then measuring %d s with one scrape a second%n",
                    agent.pid(), warmup, seconds);
            scrapeEverySecond(scraper, baseline, warmup, new long[warmup]);
            long cpuBefore = cpuTicks(agent.pid());
            long wallBefore = System.nanoTime();
            long[] floor = new long[seconds];
            long[] latencies = scrapeEverySecond(scraper, baseline, seconds, floor);
            long cpuAfter = cpuTicks(agent.pid());
            double wall = (System.nanoTime() - wallBefore) / 1e9;
            long rssKb = statusKb(agent.pid(), "VmRSS:");
            long hwmKb = statusKb(agent.pid(), "VmHWM:");
            int bytes = client.send(scrape, HttpResponse.BodyHandlers.ofByteArray()).body().length;
            long series = new String(client.send(scrape, HttpResponse.BodyHandlers.ofByteArray()).body())
                    .lines().filter(l -> l.startsWith("DCGM_")).count();
            double cpuShare = (cpuAfter - cpuBefore) / 100.0 / wall;
            Arrays.sort(latencies);
            Arrays.sort(floor);
            System.out.printf(Locale.ROOT, "%n%-34s %s%n", "metric", "value");
            System.out.printf(Locale.ROOT, "%-34s %d GPUs, %d DCGM series, %d bytes%n", "/metrics", 8, series, bytes);
            System.out.printf(Locale.ROOT, "%-34s %.2f %% (%.2f s CPU in %.1f s)%n", "agent CPU share of one core",
                    cpuShare * 100, (cpuAfter - cpuBefore) / 100.0, wall);
            System.out.printf(Locale.ROOT, "%-34s %.1f MB (peak %.1f MB)%n", "agent RSS", rssKb / 1024.0, hwmKb / 1024.0);
            printLatency("/metrics latency", latencies);
            printLatency("/healthz latency (same run)", floor);
        } finally {
            agent.destroy();
            agent.waitFor(10, TimeUnit.SECONDS);
            Files.deleteIfExists(config);
        }
    }

    private static void printLatency(String what, long[] sorted) {
        System.out.printf(Locale.ROOT, "%-34s median %.3f ms, p99 %.3f ms, max %.3f ms (%d requests)%n", what,
                sorted[sorted.length / 2] / 1e6, sorted[(int) Math.ceil(sorted.length * 0.99) - 1] / 1e6,
                sorted[sorted.length - 1] / 1e6, sorted.length);
    }

    /** Scrapes once a second, and asks the baseline half a second after each scrape. */
    private static long[] scrapeEverySecond(Scraper scraper, Scraper baseline, int seconds, long[] floor)
            throws Exception {
        long[] latencies = new long[seconds];
        long next = System.nanoTime();
        for (int i = 0; i < seconds; i++) {
            latencies[i] = scraper.scrape();
            next += 500_000_000L;
            sleepUntil(next);
            floor[i] = baseline.scrape();
            next += 500_000_000L;
            sleepUntil(next);
        }
        return latencies;
    }

    private static void sleepUntil(long deadline) throws InterruptedException {
        long sleep = deadline - System.nanoTime();
        if (sleep > 0) {
            TimeUnit.NANOSECONDS.sleep(sleep);
        }
    }

    private static void waitUntilUp(HttpClient client, HttpRequest scrape) throws Exception {
        for (int attempt = 0; attempt < 300; attempt++) {
            try {
                if (client.send(scrape, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("the agent did not answer within 30 s");
    }

    /** utime + stime of a process, in clock ticks (100 per second on Linux). */
    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    private static long statusKb(long pid, String key) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith(key)) {
                return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
            }
        }
        throw new IllegalStateException(key + " not in /proc/" + pid + "/status");
    }

    private static String arg(String[] args, String name, String fallback) {
        List<String> list = new ArrayList<>(List.of(args));
        int i = list.indexOf(name);
        return i >= 0 && i + 1 < list.size() ? list.get(i + 1) : fallback;
    }

    /** GETs a path over one kept-alive HTTP/1.1 connection, reading exactly Content-Length bytes. */
    private static final class Scraper {
        private final Socket socket;
        private final DataInputStream in;
        private final OutputStream out;
        private final byte[] request;

        Scraper(int port, String path) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setTcpNoDelay(true);
            in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 256 * 1024));
            out = socket.getOutputStream();
            request = ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: vigil-bench\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
        }

        /** One scrape; returns its latency in nanoseconds. */
        long scrape() throws IOException {
            long start = System.nanoTime();
            out.write(request);
            out.flush();
            String status = line();
            if (!status.startsWith("HTTP/1.1 200")) {
                throw new IllegalStateException("scrape answered " + status);
            }
            int length = -1;
            for (String header = line(); !header.isEmpty(); header = line()) {
                if (header.regionMatches(true, 0, "content-length:", 0, 15)) {
                    length = Integer.parseInt(header.substring(15).trim());
                }
            }
            in.readFully(new byte[length]);
            return System.nanoTime() - start;
        }

        private String line() throws IOException {
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new IOException("connection closed");
                }
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            return line.toString();
        }
    }
}
