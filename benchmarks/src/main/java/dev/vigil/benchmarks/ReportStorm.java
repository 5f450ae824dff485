package dev.vigil.benchmarks;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Agents' reports at a fixed rate, open loop, over kept-alive connections as agents hold them.
 * Each report is due at its time; its latency runs from then to its answer, so a request that
 * waits for a free connection counts its wait (no coordinated omission). The JDK's HttpClient
 * could not offer more than about 800 requests/s here with the controller idle, so this writes
 * HTTP/1.1 on plain sockets: the requests are prebuilt bytes, the answers are read by length.
 */
final class ReportStorm {
    private record Due(long nanos, int node) {
    }

    private final List<InetSocketAddress> members;
    private final byte[][] requests;
    private final int connections;

    /**
     * @param requests    each node's whole request (line, headers, body)
     * @param connections sockets per member, each with a thread of its own
     */
    ReportStorm(List<InetSocketAddress> members, byte[][] requests, int connections) {
        this.members = members;
        this.requests = requests;
        this.connections = connections;
    }

    static byte[] request(String node, String token, byte[] body) {
        String head = "POST /v1/agents/" + node + "/report HTTP/1.1\r\nHost: controller\r\nAuthorization: Bearer "
                + token + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n";
        byte[] bytes = new byte[head.length() + body.length];
        System.arraycopy(head.getBytes(StandardCharsets.US_ASCII), 0, bytes, 0, head.length());
        System.arraycopy(body, 0, bytes, head.length(), body.length);
        return bytes;
    }

    /** Latencies of the reports answered 200, in nanoseconds; errors are counted into {@code errors}. */
    long[] run(double perSecond, int seconds, AtomicLong errors) throws InterruptedException {
        List<BlockingQueue<Due>> queues = new ArrayList<>();
        for (int m = 0; m < members.size(); m++) {
            queues.add(new ArrayBlockingQueue<>(1 << 20));
        }
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        List<Thread> workers = new ArrayList<>();
        long total = (long) (perSecond * seconds);
        AtomicLong done = new AtomicLong();
        for (int m = 0; m < members.size(); m++) {
            for (int c = 0; c < connections; c++) {
                InetSocketAddress member = members.get(m);
                BlockingQueue<Due> queue = queues.get(m);
                Thread worker = new Thread(() -> work(member, queue, latencies, errors, done), "storm-" + m + "-" + c);
                worker.setDaemon(true);
                worker.start();
                workers.add(worker);
            }
        }
        long interval = (long) (1e9 / perSecond);
        long start = System.nanoTime();
        for (long i = 0; i < total; i++) {
            long due = start + i * interval;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            int node = (int) (i % requests.length);
            queues.get(node % members.size()).add(new Due(due, node));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (done.get() < total && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        workers.forEach(Thread::interrupt);
        errors.addAndGet(total - done.get());
        return latencies.stream().mapToLong(Long::longValue).toArray();
    }

    private void work(InetSocketAddress member, BlockingQueue<Due> queue, ConcurrentLinkedQueue<Long> latencies,
                      AtomicLong errors, AtomicLong done) {
        Socket socket = null;
        InputStream in = null;
        while (!Thread.currentThread().isInterrupted()) {
            Due due;
            try {
                due = queue.take();
            } catch (InterruptedException e) {
                break;
            }
            try {
                if (socket == null) {
                    socket = new Socket();
                    socket.setTcpNoDelay(true);
                    socket.connect(member, 5_000);
                    socket.setSoTimeout(30_000);
                    in = new BufferedInputStream(socket.getInputStream(), 8192);
                }
                OutputStream out = socket.getOutputStream();
                out.write(requests[due.node()]);
                out.flush();
                int status = readResponse(in);
                if (status == 200) {
                    latencies.add(System.nanoTime() - due.nanos());
                } else {
                    errors.incrementAndGet();
                }
            } catch (IOException e) {
                errors.incrementAndGet();
                close(socket);
                socket = null;
            }
            done.incrementAndGet();
        }
        close(socket);
    }

    /** Reads one response (status line, headers, a Content-Length body); returns its status. */
    private static int readResponse(InputStream in) throws IOException {
        String statusLine = line(in);
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        int length = 0;
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
            int colon = header.indexOf(':');
            if (colon > 0 && header.substring(0, colon).equalsIgnoreCase("content-length")) {
                length = Integer.parseInt(header.substring(colon + 1).trim());
            }
        }
        if (in.readNBytes(length).length != length) {
            throw new IOException("the answer ended early");
        }
        return status;
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("connection closed");
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    private static void close(Socket socket) {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
