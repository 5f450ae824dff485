package dev.vigil.benchmarks;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A connection flood against {@code bin/vigil controller} (one member, persistence on) run with
 * a given open-file limit: {@code --connections} connections from 127.0.0.1, held open, then
 * <ol>
 *   <li>the descriptors the controller holds, against its limit;</li>
 *   <li>an operator on 127.0.0.2 while the flood is held: {@code GET /readyz} and a mutation
 *       ({@code POST /v1/tokens}), with their status and time;</li>
 *   <li>a {@code GET /healthz} on every flood connection: how many got 200, 503, were closed, or
 *       got no answer within 3 s;</li>
 *   <li>after the flood lets go: a request on a fresh connection, and whether the member is still
 *       alive.</li>
 * </ol>
 * Usage: {@code scripts/bench-connection-flood.sh [--connections 6000] [--fd-limit 4096]}
 */
public final class ConnectionFloodBenchmark {
    private ConnectionFloodBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path vigil = Path.of(arg(args, "--vigil", "cli/target/vigil-0.1.0-SNAPSHOT/vigil-0.1.0-SNAPSHOT/bin/vigil"));
        int connections = Integer.parseInt(arg(args, "--connections", "6000"));
        int fdLimit = Integer.parseInt(arg(args, "--fd-limit", "4096"));
        Path dir = Files.createTempDirectory("vigil-bench-flood-");
        int port = freePort();
        Files.writeString(dir.resolve("controller.yaml"), """
                member: flood
                listen: 127.0.0.1:%d
                dataDir: %s
                cluster: {members: [{name: flood, address: "127.0.0.1:%d"}], communicationPort: %d}
                """.formatted(port, dir.resolve("data"), freePort(), freePort()));
        Process controller = new ProcessBuilder("bash", "-c", "ulimit -n " + fdLimit + " && exec \"$0\" controller -c \"$1\"",
                vigil.toString(), dir.resolve("controller.yaml").toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("controller.log").toFile()).start();
        List<Socket> flood = new ArrayList<>();
        try {
            awaitReady(port);
            String admin = "Authorization: Bearer " + Files.readString(dir.resolve("data/admin.token")).trim() + "\r\n";
            long idle = descriptors(controller.pid());
            System.out.printf("controller pid %d ready, open-file limit %d, %d descriptors open; flooding with %d "
                    + "connections from 127.0.0.1%n", controller.pid(), fdLimit, idle, connections);

            long start = System.nanoTime();
            int failedConnects = 0;
            for (int i = 0; i < connections; i++) {
                try {
                    Socket socket = new Socket();
                    socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
                    socket.connect(new InetSocketAddress("127.0.0.1", port), 3000);
                    flood.add(socket);
                } catch (IOException e) {
                    failedConnects++;
                }
            }
            System.out.printf("  opened %d (%d failed to connect) in %.1f s%n", flood.size(), failedConnects,
                    (System.nanoTime() - start) / 1e9);
            Thread.sleep(1000); // let the server take in what the kernel queued (a measurement, not a test)
            System.out.printf("  controller descriptors while flooded: %d of %d%n", descriptors(controller.pid()),
                    fdLimit);
            timed("  from 127.0.0.2: GET /readyz", () -> exchange(port, "127.0.0.2", "GET", "/readyz", "", null));
            timed("  from 127.0.0.2: POST /v1/tokens", () -> exchange(port, "127.0.0.2", "POST", "/v1/tokens", admin,
                    "{\"name\": \"flood-check\", \"role\": \"viewer\"}"));
            System.out.printf("  GET /healthz on each flood connection: %s%n", answers(flood));
        } finally {
            for (Socket socket : flood) {
                socket.close();
            }
        }
        try {
            Thread.sleep(1000);
            timed("after the flood, 127.0.0.1: GET /readyz", () -> exchange(port, "127.0.0.1", "GET", "/readyz", "",
                    null));
            System.out.printf("controller alive: %s%n", controller.isAlive());
        } finally {
            controller.destroy();
            controller.waitFor(30, TimeUnit.SECONDS);
            System.out.printf("controller log: %s (%d lines with \"Too many open files\")%n",
                    dir.resolve("controller.log"), countLines(dir.resolve("controller.log"), "Too many open files"));
        }
    }

    @FunctionalInterface
    private interface Call {
        String answer() throws Exception;
    }

    private static void timed(String what, Call call) {
        long start = System.nanoTime();
        String answer;
        try {
            answer = call.answer();
        } catch (Exception e) {
            answer = "no answer: " + e.getMessage();
        }
        System.out.printf("%s -> %s (%.0f ms)%n", what, answer, (System.nanoTime() - start) / 1e6);
    }

    /** Sends one request from {@code source} and returns the status line, waiting up to 10 s. */
    private static String exchange(int port, String source, String method, String path, String headers, String body)
            throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout(10_000);
            byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            socket.getOutputStream().write((method + " " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                    + headers + (body == null ? "" : "Content-Type: application/json\r\n") + "Content-Length: "
                    + content.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().write(content);
            String reply = readAll(socket.getInputStream());
            return reply.isEmpty() ? "closed without an answer" : reply.lines().findFirst().orElseThrow();
        }
    }

    /** A GET on every connection, 64 at a time: how many got which answer. */
    private static Map<String, Integer> answers(List<Socket> flood) throws InterruptedException {
        Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
        ExecutorService threads = Executors.newFixedThreadPool(64);
        for (Socket socket : flood) {
            threads.execute(() -> counts.computeIfAbsent(classify(socket), k -> new AtomicInteger()).incrementAndGet());
        }
        threads.shutdown();
        threads.awaitTermination(10, TimeUnit.MINUTES);
        Map<String, Integer> sorted = new TreeMap<>();
        counts.forEach((k, v) -> sorted.put(k, v.get()));
        return sorted;
    }

    private static String classify(Socket socket) {
        try {
            socket.setSoTimeout(3000);
            socket.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] head = new byte[12];
            int read = socket.getInputStream().readNBytes(head, 0, 12);
            return read < 12 ? "closed" : new String(head, 9, 3, StandardCharsets.US_ASCII);
        } catch (SocketTimeoutException e) {
            return "no answer in 3 s";
        } catch (IOException e) {
            return "closed";
        }
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static long descriptors(long pid) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return fds.count();
        }
    }

    private static long countLines(Path file, String text) throws IOException {
        try (Stream<String> lines = Files.lines(file)) {
            return lines.filter(line -> line.contains(text)).count();
        }
    }

    private static void awaitReady(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            try {
                if (exchange(port, "127.0.0.1", "GET", "/readyz", "", null).contains(" 200 ")) {
                    return;
                }
            } catch (IOException notYet) {
                // Not listening yet.
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("the controller was not ready within 120 s");
    }

    private static int freePort() throws IOException {
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
