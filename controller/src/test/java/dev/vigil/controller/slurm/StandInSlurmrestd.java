package dev.vigil.controller.slurm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in slurmrestd 22.05 (v0.0.38) for the backend's tests: it keeps jobs and nodes as
 * slurmrestd writes them, takes submits and cancels, and lets a test move a job through Slurm's
 * states. What the real daemon does is checked against the local Slurm in {@code SlurmBackendIT}.
 */
final class StandInSlurmrestd implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String META = "{\"plugin\": {\"type\": \"openapi/v0.0.38\"}, "
            + "\"Slurm\": {\"release\": \"22.05.8\"}}";

    private final HttpServer server;
    private final ExecutorService handlers = Executors.newCachedThreadPool();
    private final Map<Long, ObjectNode> jobs = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> nodes = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong(100);
    /** The bodies of the submits, in order. */
    final List<JsonNode> submits = new CopyOnWriteArrayList<>();
    /** The ids cancelled, in order. */
    final List<Long> cancels = new CopyOnWriteArrayList<>();
    /** What the next submit answers instead of taking the job: null to take it. */
    volatile String refuse;
    /** How many times one job was asked for ({@code GET /job/{id}}), and the whole list ({@code GET /jobs}). */
    final AtomicLong lookups = new AtomicLong();
    final AtomicLong listings = new AtomicLong();
    /** Not null: a lookup of one job waits for this to open (and counts in {@link #lookupsWaiting}). */
    volatile CountDownLatch lookupsHeld;
    final AtomicLong lookupsWaiting = new AtomicLong();
    /** Not null: a job listing is answered as it was when asked for, once this opens. */
    volatile CountDownLatch listingsHeld;
    /** Take the next submit, but answer 503 as if the answer was lost. */
    volatile boolean loseNextAnswer;

    StandInSlurmrestd(String... nodeNames) throws IOException {
        for (String name : nodeNames) {
            ObjectNode node = JSON.createObjectNode().put("name", name).put("state", "idle")
                    .put("gres", "gpu:h100:8(S:0-1)").put("gres_used", "gpu:h100:0(IDX:N/A)").put("cpus", 32)
                    .put("alloc_cpus", 0);
            node.putArray("state_flags");
            node.putArray("partitions").add("gpu");
            nodes.put(name, node);
        }
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(handlers);   // a held listing must not hold the lookups
        server.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private void handle(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        int status = 200;
        String answer;
        if (path.equals("/slurm/v0.0.38/ping")) {
            answer = "{\"meta\": " + META + ", \"errors\": []}";
        } else if (!path.startsWith("/slurm/v0.0.38/")) {
            status = 404;
            answer = "Unable find requested URL.";
        } else if (method.equals("GET") && path.contains("/job/")) {
            lookups.incrementAndGet();
            await(lookupsHeld, lookupsWaiting);
            ObjectNode job = jobs.get(Long.parseLong(path.substring(path.lastIndexOf('/') + 1)));
            if (job == null) {
                status = 500;
                answer = "{\"errors\": [{\"error_code\": 2017, \"error\": \"Invalid job id specified\"}], \"jobs\": []}";
            } else {
                answer = "{\"errors\": [], \"jobs\": [" + job + "]}";
            }
        } else if (method.equals("GET") && path.endsWith("/jobs")) {
            listings.incrementAndGet();
            ArrayNode list = JSON.createArrayNode();
            jobs.values().forEach(list::add);
            answer = "{\"errors\": [], \"jobs\": " + list + "}";
            await(listingsHeld, new AtomicLong());
        } else if (method.equals("GET") && path.endsWith("/nodes")) {
            ArrayNode list = JSON.createArrayNode();
            nodes.values().forEach(list::add);
            answer = "{\"errors\": [], \"nodes\": " + list + "}";
        } else if (method.equals("POST") && path.endsWith("/job/submit")) {
            JsonNode request = JSON.readTree(body);
            submits.add(request);
            if (refuse != null) {
                status = 500;
                answer = "{\"errors\": [{\"error_code\": 2015, \"error\": \"" + refuse + "\"}], \"job_id\": 0}";
                refuse = null;
            } else {
                long id = ids.incrementAndGet();
                JsonNode job = request.path("job");
                ObjectNode stored = JSON.createObjectNode().put("job_id", id).put("job_state", "PENDING")
                        .put("name", job.path("name").asText()).put("user_name", "vigil")
                        .put("comment", job.path("comment").asText()).put("nodes", "")
                        .put("state_reason", "Resources").put("submit_time", 1_800_000_000L)
                        .put("requested_nodes", job.path("nodelist").asText());
                stored.putArray("gres_detail");
                jobs.put(id, stored);
                if (loseNextAnswer) {
                    loseNextAnswer = false;
                    status = 503;
                    answer = "Service Unavailable";
                } else {
                    answer = "{\"errors\": [], \"job_id\": " + id + ", \"step_id\": \"BATCH\"}";
                }
            }
        } else if (method.equals("DELETE") && path.contains("/job/")) {
            long id = Long.parseLong(path.substring(path.lastIndexOf('/') + 1));
            cancels.add(id);
            ObjectNode job = jobs.get(id);
            if (job == null) {
                answer = "{\"errors\": [{\"error_code\": 2017, \"error\": \"Invalid job id specified\"}]}";
            } else {
                job.put("job_state", "CANCELLED").put("end_time", 1_800_000_100L);
                answer = "{\"errors\": []}";
            }
        } else {
            status = 404;
            answer = "Unable find requested URL.";
        }
        byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    /** A job as slurmrestd would list it. */
    ObjectNode job(long id) {
        return jobs.get(id);
    }

    /** The job Slurm holds with this comment, or null. */
    ObjectNode jobWithComment(String comment) {
        return jobs.values().stream().filter(j -> j.path("comment").asText().equals(comment)).findFirst().orElse(null);
    }

    /** Starts a job on its requested node, holding GPUs {@code idx} (Slurm's numbers, e.g. {@code 4-5}). */
    void run(long id, String idx) {
        ObjectNode job = jobs.get(id);
        job.put("job_state", "RUNNING").put("nodes", job.path("requested_nodes").asText())
                .put("start_time", 1_800_000_010L).put("state_reason", "None");
        ArrayNode detail = job.putArray("gres_detail");
        for (String ignored : job.path("requested_nodes").asText().split(",")) {
            detail.add("gpu:h100:" + count(idx) + "(IDX:" + idx + ")");
        }
    }

    /** Ends a job in a state, with a raw wait status as 22.05 writes it (exit 3 is 768). */
    void end(long id, String state, String reason, int waitStatus) {
        jobs.get(id).put("job_state", state).put("state_reason", reason).put("end_time", 1_800_000_020L)
                .put("exit_code", waitStatus);
    }

    /** Its processes exited with a raw wait status, and its epilog runs: COMPLETING, holding its GPUs. */
    void completing(long id, int waitStatus) {
        jobs.get(id).put("job_state", "COMPLETING").put("end_time", 1_800_000_020L).put("exit_code", waitStatus);
    }

    /** Adds a job somebody submitted with plain sbatch (or another Vigil), running on a node. */
    long foreign(String comment, String node, String idx) {
        long id = ids.incrementAndGet();
        ObjectNode job = JSON.createObjectNode().put("job_id", id).put("job_state", "RUNNING").put("name", "theirs")
                .put("user_name", "alice").put("comment", comment).put("nodes", node).put("requested_nodes", node)
                .put("submit_time", 1_800_000_000L).put("start_time", 1_800_000_001L);
        job.putArray("gres_detail").add("gpu:h100:" + count(idx) + "(IDX:" + idx + ")");
        jobs.put(id, job);
        return id;
    }

    /** Moves a job to a Slurm state word (SUSPENDED, COMPLETING, ...) and nothing else about it. */
    void state(long id, String state) {
        jobs.get(id).put("job_state", state);
    }

    void drain(String node, String reason, String by) {
        ObjectNode record = nodes.get(node);
        record.putArray("state_flags").add("DRAIN");
        record.put("reason", reason).put("reason_set_by_user", by).put("reason_changed_at", 1_800_000_000L);
    }

    private static int count(String idx) {
        int count = 0;
        for (String range : idx.split(",")) {
            String[] bounds = range.split("-");
            count += bounds.length == 1 ? 1 : Integer.parseInt(bounds[1]) - Integer.parseInt(bounds[0]) + 1;
        }
        return count;
    }

    private static void await(CountDownLatch held, AtomicLong waiting) {
        if (held == null) {
            return;
        }
        waiting.incrementAndGet();
        try {
            held.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        for (CountDownLatch held : new CountDownLatch[] {listingsHeld, lookupsHeld}) {
            if (held != null) {
                held.countDown();
            }
        }
        server.stop(0);
        handlers.shutdownNow();
    }
}
