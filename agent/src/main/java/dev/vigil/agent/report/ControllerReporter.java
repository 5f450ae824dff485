package dev.vigil.agent.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.vigil.agent.config.AgentConfig;
import dev.vigil.agent.execution.JobRunner;
import dev.vigil.agent.mig.MigReconciler;
import dev.vigil.agent.repair.ActionExecutor;
import dev.vigil.agent.repair.ReportingPause;
import dev.vigil.agent.sampling.EventLog;
import dev.vigil.agent.sampling.Snapshot;
import dev.vigil.api.binding.Documents;
import dev.vigil.api.binding.HumanDurations;
import dev.vigil.api.cluster.AgentActionResult;
import dev.vigil.api.cluster.AgentReport;
import dev.vigil.api.cluster.DesiredState;
import dev.vigil.api.gpu.GpuDevice;
import dev.vigil.api.gpu.GpuEvent;
import dev.vigil.api.gpu.GpuHealth;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.api.jobs.Allocation;
import dev.vigil.api.placement.JudgedProcess;
import dev.vigil.gpu.fields.Field;
import dev.vigil.gpu.fields.FieldSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Reports the node to the controller and keeps the desired state it answers with.
 *
 * <p>A daemon thread sends an {@link AgentReport} every {@code controller.interval}, and at once
 * (coalesced) when a published snapshot's GPU health differs from the last one sent, since the
 * controller's health reflex cordons on it, or when an event (an XID) arrived after the last
 * report was built, even one that leaves health as it was, so that the controller hears of it
 * without waiting out the interval. The inventory travels on the first report, when its hash
 * changes and when the controller asks for it; events travel until the controller
 * acknowledges them. A member that does not answer (connection error, timeout, 5xx) makes the
 * agent try the next at once, round robin, and it stays on the one that answers; a refusal (4xx)
 * is logged once and retried on schedule. The sampling thread only hands over snapshots: it
 * never waits on the network.
 *
 * <p>The repairs each reply asks for go to the {@link ActionExecutor}, which carries them out on
 * its own thread; their results travel in every report while the desired state holds them, and a
 * result that changes is reported at once. The MIG targets of each reply go to the {@link MigReconciler}
 * in the same way; every report carries how each target stands, and a phase change is reported at
 * once. While a simulated reboot pauses reporting, nothing is sent.
 */
public final class ControllerReporter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControllerReporter.class);
    /** Events per report; a full batch that the controller takes is followed by the next at once. */
    static final int MAX_EVENTS = 500;
    /** The reply may grow keys in later controller versions: an older agent ignores them. */
    private static final ObjectReader DESIRED = Documents.json().readerFor(DesiredState.class)
            .without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** What one report request came to; the {@code result} label of the report metrics. */
    public enum Result {
        OK, ERROR, REFUSED;

        public String wire() {
            return name().toLowerCase();
        }
    }

    /** Told about every report request, for the agent's metrics. */
    @FunctionalInterface
    public interface Observer {
        void reported(Result result, long nanos);
    }

    private final String node;
    private final String agentVersion;
    private final AgentConfig.Controller config;
    private final List<String> urls;
    private final List<URI> endpoints;
    private final EventLog events;
    private final ReportBuilder builder;
    private final Observer observer;
    private final JobRunner jobs;
    private final ActionExecutor actions;
    private final MigReconciler mig;
    private final ReportingPause pause;
    private final Clock clock;
    private final HttpClient client;
    private final String agentId = UUID.randomUUID().toString();
    private final Thread thread;
    private final AtomicBoolean wake = new AtomicBoolean();
    private volatile boolean running = true;
    private volatile Snapshot latest;
    /** The health the last report carried (or is carrying); compared on the sampling thread. */
    private volatile List<GpuHealth> lastSentHealth;
    private volatile NodeInventory lastSentInventory;
    /** The newest event when the last report was built; a later one asks for a report at once. */
    private volatile long lastSeenEventSeq;
    private volatile ControllerStatus status;
    private volatile Supplier<List<JudgedProcess>> placement = List::of;

    // Owned by the reporting thread.
    private String token;
    private boolean reloadToken;
    private int current;
    private String inventoryAcked;
    private long lastAckedSeq;
    private boolean connected;
    private boolean unreachableLogged;
    private String lastRefusal;
    private Instant lastReport;
    private ControllerStatus.Desired desired;
    private long appliedVersion;
    private String applyError;

    /**
     * @param fields  the fields the sampler reads; a GPU's summary takes what it finds there
     * @param events  the agent's events, sent until the controller acknowledges them
     * @param jobs    runs the allocations of each new desired state
     * @param actions carries out the repairs each desired state asks for
     * @param mig     brings the GPUs to the MIG layouts each desired state asks for
     * @param pause   holds reports back while the node (simulated) reboots
     */
    public ControllerReporter(String node, String agentVersion, AgentConfig.Controller config, FieldSet fields,
                              EventLog events, Observer observer, JobRunner jobs, ActionExecutor actions,
                              MigReconciler mig, ReportingPause pause, Clock clock) {
        if (!config.enabled()) {
            throw new IllegalArgumentException("no controller urls configured");
        }
        this.node = node;
        this.agentVersion = agentVersion;
        this.config = config;
        this.urls = config.urls();
        this.endpoints = urls.stream().map(u -> URI.create(u + "/v1/agents/" + node + "/report")).toList();
        this.current = firstMember(node, urls.size());
        this.events = events;
        this.builder = new ReportBuilder(fields);
        this.observer = observer;
        this.jobs = jobs;
        this.actions = actions;
        this.mig = mig;
        this.pause = pause;
        this.clock = clock;
        this.token = config.readToken();
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.timeout()).followRedirects(HttpClient.Redirect.NEVER).build();
        this.status = new ControllerStatus(urls.get(current), agentId, null, null, null, 0, null);
        this.thread = new Thread(this::loop, "vigil-reporter-" + node);
        this.thread.setDaemon(true);
        actions.onChange(this::wakeUp);
        mig.onChange(this::wakeUp);
        pause.onResume(this::wakeUp);
    }

    /** The fields a GPU's summary in the report is made of, to sample alongside the exported ones. */
    public static List<Field> summaryFields() {
        return ReportBuilder.SUMMARY_FIELDS;
    }

    /** Starts reporting, the first report at once; {@link #published} must have been called before. */
    public void start() {
        if (latest == null) {
            throw new IllegalStateException("no snapshot to report yet");
        }
        thread.start();
    }

    /**
     * A new snapshot from the sampler (on the sampling thread): kept for the next report, and a
     * report is asked for at once when a GPU's health differs from the last one sent or a new
     * event came (the sampler logs a sample's events before publishing it). Cheap and never blocking.
     */
    public void published(Snapshot snapshot) {
        latest = snapshot;
        if (newSinceLastReport(snapshot)) {
            wakeUp();
        }
    }

    /**
     * Whether {@code snapshot}'s health, the event log or the inventory (a new MIG layout, a link down)
     * moved on since the last report was built.
     */
    private boolean newSinceLastReport(Snapshot snapshot) {
        List<GpuHealth> sent = lastSentHealth;
        NodeInventory inventory = lastSentInventory;
        return sent != null && (ReportBuilder.healthDiffers(snapshot.health(), sent)
                || events.lastSeq() > lastSeenEventSeq
                // Backends keep one inventory object until it changes: the equality check runs only then.
                || snapshot.inventory() != inventory && !Objects.equals(snapshot.inventory(), inventory));
    }

    /** Where each report takes the node's judged GPU processes from (placement enforcement's last pass). */
    public void placement(Supplier<List<JudgedProcess>> processes) {
        this.placement = processes;
    }

    /**
     * Tells the controller member this agent reports to that a backend job ({@code slurm:1234})
     * ended on this node, so its leader looks at the job now rather than at its next poll. Sent
     * once and not waited for: a hint lost on the way costs the controller its normal poll.
     */
    public void backendJobEnded(String backendJob) {
        URI endpoint = URI.create(urls.get(current) + "/v1/agents/" + node + "/ended");
        HttpRequest request = HttpRequest.newBuilder(endpoint).timeout(config.timeout())
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .header("User-Agent", "vigil-agent/" + agentVersion)
                .POST(HttpRequest.BodyPublishers.ofString("{\"backendJob\": \"" + backendJob + "\"}")).build();
        client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
            if (error != null || response.statusCode() != 202) {
                LOG.atDebug().addKeyValue("node", node).addKeyValue("backend_job", backendJob)
                        .addKeyValue("status", response == null ? null : response.statusCode())
                        .addKeyValue("error", error == null ? null : String.valueOf(error.getMessage()))
                        .log("job_ended_hint_lost");
            }
        });
    }

    /** How the agent stands with the controller, for /v1/node. */
    public ControllerStatus status() {
        return status;
    }

    private void wakeUp() {
        if (!wake.getAndSet(true)) {
            LockSupport.unpark(thread);
        }
    }

    private void loop() {
        long next = System.nanoTime();
        while (running) {
            waitUntil(next);
            if (!running) {
                break;
            }
            if (pause.paused()) {
                next = System.nanoTime() + config.interval().toNanos();
                continue;
            }
            boolean more;
            try {
                more = reportOnce();
            } catch (RuntimeException e) {
                // A bug must not end reporting for the life of the process.
                LOG.atError().addKeyValue("node", node).setCause(e).log("report_failed");
                more = false;
            }
            next = more ? System.nanoTime() : System.nanoTime() + config.interval().toNanos();
            // Health or events that changed while the report was being built were compared with the old ones.
            if (newSinceLastReport(latest)) {
                wake.set(true);
            }
        }
    }

    private void waitUntil(long deadline) {
        while (running && !wake.getAndSet(false)) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return;
            }
            LockSupport.parkNanos(this, remaining);
        }
    }

    /** One report, failing over across the members; true when more events wait to be sent at once. */
    private boolean reportOnce() {
        if (reloadToken) {
            reloadToken();
        }
        Snapshot snapshot = latest;
        // Read before the events are: one appended in between goes now and asks for one more report, never none.
        lastSeenEventSeq = events.lastSeq();
        lastSentHealth = snapshot.health();
        lastSentInventory = snapshot.inventory();
        String hash = builder.inventoryHash(snapshot.inventory());
        boolean withInventory = !hash.equals(inventoryAcked);
        List<GpuEvent> pending = events.since(lastAckedSeq, MAX_EVENTS);
        long sentUpTo = pending.isEmpty() ? lastAckedSeq : pending.get(pending.size() - 1).seq();
        List<AgentActionResult> results = actions.reported();
        AgentReport report = new AgentReport(agentId, agentVersion, hash, withInventory ? snapshot.inventory() : null,
                snapshot.health(), builder.summaries(snapshot.sample()), pending, appliedVersion, applyError, results,
                mig.statuses(), placement.get());
        byte[] body;
        try {
            body = Documents.json().writeValueAsBytes(report);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the report", e);
        }

        List<String> errors = new ArrayList<>();
        int from = current;
        for (int i = 0; i < urls.size() && running; i++) {
            int index = (from + i) % urls.size();
            Attempt attempt = send(index, body);
            observer.reported(attempt.result(), attempt.nanos());
            switch (attempt.result()) {
                case OK -> {
                    long appliedBefore = appliedVersion;
                    answered(index, errors, attempt.desired(), snapshot.inventory());
                    if (attempt.desired().needInventory()) {
                        inventoryAcked = null;
                    } else if (withInventory) {
                        inventoryAcked = hash;
                    }
                    long acked = Math.min(attempt.desired().lastEventSeq(), sentUpTo);
                    lastAckedSeq = acked;
                    // A newly applied version goes back at once: the controller waits on it to confirm a job started.
                    return pending.size() == MAX_EVENTS && acked == sentUpTo || appliedVersion != appliedBefore;
                }
                case REFUSED -> {
                    refused(index, attempt);
                    return false;
                }
                case ERROR -> errors.add(urls.get(index) + ": " + attempt.error());
            }
        }
        if (running) {
            unreachable(from, errors);
        }
        return false;
    }

    /** One request to one member. */
    /**
     * Where a node's agent starts in its list of controller members: agents spread over the
     * members by their node's name (each member takes its share of the reports), and an agent
     * stays with the member that answers until it stops answering.
     */
    static int firstMember(String node, int members) {
        return Math.floorMod(node.hashCode(), members);
    }

    private Attempt send(int index, byte[] body) {
        URI endpoint = endpoints.get(index);
        HttpRequest request = HttpRequest.newBuilder(endpoint)
                .timeout(config.timeout())
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .header("User-Agent", "vigil-agent/" + agentVersion)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        long start = System.nanoTime();
        CompletableFuture<HttpResponse<byte[]>> future = client.sendAsync(request,
                HttpResponse.BodyHandlers.ofByteArray());
        HttpResponse<byte[]> response;
        try {
            // The request timeout covers the headers; this bounds the body too.
            response = future.get(config.timeout().toMillis() + 100, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            return Attempt.error("no answer within " + HumanDurations.format(config.timeout()), start);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            running = false;
            return Attempt.error("interrupted", start);
        } catch (ExecutionException e) {
            return Attempt.error(describe(e.getCause(), config.timeout()), start);
        }
        int code = response.statusCode();
        if (code / 100 == 2) {
            try {
                DesiredState answer = DESIRED.readValue(response.body());
                if (answer == null) {
                    return Attempt.error(code + " with an empty answer (expected the desired state)", start);
                }
                return new Attempt(Result.OK, System.nanoTime() - start, answer, code, null);
            } catch (IOException | RuntimeException e) {
                return Attempt.error(code + " with an answer that is not a desired state: " + firstLine(e.getMessage()),
                        start);
            }
        }
        String detail = problemDetail(response);
        Result result = code >= 500 ? Result.ERROR : Result.REFUSED;
        return new Attempt(result, System.nanoTime() - start, null, code, code + " " + detail);
    }

    private static String describe(Throwable cause, Duration timeout) {
        if (cause instanceof HttpConnectTimeoutException) {
            return "no connection within " + HumanDurations.format(timeout);
        }
        if (cause instanceof HttpTimeoutException) {
            return "no answer within " + HumanDurations.format(timeout);
        }
        if (cause instanceof ConnectException) {
            return cause.getMessage() == null ? "connection refused" : "cannot connect: " + cause.getMessage();
        }
        String message = cause == null ? null : cause.getMessage();
        String kind = cause == null ? "error" : cause.getClass().getSimpleName();
        return message == null ? kind : kind + ": " + firstLine(message);
    }

    /** A problem's detail (or title), or the start of whatever else the body is. */
    private static String problemDetail(HttpResponse<byte[]> response) {
        String text = new String(response.body(), StandardCharsets.UTF_8).strip();
        try {
            JsonNode problem = Documents.json().readTree(text);
            if (problem != null && problem.isObject()) {
                for (String key : List.of("detail", "title")) {
                    if (problem.hasNonNull(key)) {
                        return problem.get(key).asText();
                    }
                }
            }
        } catch (IOException e) {
            // Not JSON: shown as text below.
        }
        String line = firstLine(text);
        return line.isEmpty() ? "(no detail)" : line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }

    private void answered(int index, List<String> errors, DesiredState answer, NodeInventory inventory) {
        String url = urls.get(index);
        if (!connected) {
            LOG.atInfo().addKeyValue("node", node).addKeyValue("url", url).addKeyValue("agentId", agentId)
                    .log("controller_reached");
        } else if (index != current) {
            LOG.atWarn().addKeyValue("node", node).addKeyValue("from", urls.get(current)).addKeyValue("to", url)
                    .addKeyValue("reason", String.join("; ", errors)).log("controller_changed");
        }
        connected = true;
        unreachableLogged = false;
        lastRefusal = null;
        current = index;
        lastReport = clock.instant();
        actions.requested(answer.actions());
        mig.requested(answer.mig());
        apply(answer, inventory);
        status = new ControllerStatus(url, agentId, lastReport, null, desired, appliedVersion, applyError);
    }

    private void refused(int index, Attempt attempt) {
        String url = urls.get(index);
        String problem = url + " " + attempt.error();
        if (!problem.equals(lastRefusal)) {
            LOG.atWarn().addKeyValue("node", node).addKeyValue("url", url).addKeyValue("status", attempt.status())
                    .addKeyValue("detail", attempt.error().substring(attempt.error().indexOf(' ') + 1))
                    .log("report_refused");
            lastRefusal = problem;
        }
        if (attempt.status() == 401 && config.tokenFile() != null) {
            reloadToken = true;
        }
        current = index;
        connected = false;
        status = new ControllerStatus(url, agentId, lastReport, "refused by " + url + ": " + attempt.error(), desired,
                appliedVersion, applyError);
    }

    private void unreachable(int from, List<String> errors) {
        String error = "no controller answered: " + String.join("; ", errors);
        if (connected) {
            LOG.atWarn().addKeyValue("node", node).addKeyValue("url", urls.get(from))
                    .addKeyValue("error", String.join("; ", errors)).log("controller_lost");
        } else if (!unreachableLogged) {
            LOG.atWarn().addKeyValue("node", node).addKeyValue("urls", String.join(",", urls))
                    .addKeyValue("error", String.join("; ", errors)).log("controller_unreachable");
        }
        connected = false;
        unreachableLogged = true;
        status = new ControllerStatus(urls.get(current), agentId, lastReport, error, desired, appliedVersion,
                applyError);
    }

    /**
     * Applies what the agent can of the desired state today: it records the cordon, the drain and
     * the cordoned GPUs (MIG acts on them later), and hands the allocations to the job runner. A
     * cordoned GPU or an allocation's GPU this node does not have is named in applyError; the rest
     * is applied.
     */
    private void apply(DesiredState answer, NodeInventory inventory) {
        ControllerStatus.Desired next = new ControllerStatus.Desired(answer.version(), answer.cordoned(),
                answer.drain(), answer.cordonedGpus(), answer.allocations(), answer.placement());
        if (next.equals(desired) && appliedVersion == answer.version()) {
            return;
        }
        Set<String> known = inventory.gpus().stream().map(GpuDevice::uuid).collect(Collectors.toSet());
        List<String> problems = new ArrayList<>();
        List<String> unknown = answer.cordonedGpus().stream().filter(u -> !known.contains(u)).toList();
        if (!unknown.isEmpty()) {
            problems.add("cordonedGpus: not on this node: " + String.join(", ", unknown));
        }
        List<Allocation> runnable = new ArrayList<>();
        for (Allocation allocation : answer.allocations()) {
            List<String> missing = allocation.uuids().stream().filter(u -> !known.contains(u)).toList();
            if (missing.isEmpty() && allocation.uuids().size() == allocation.gpus().size()) {
                runnable.add(allocation);
            } else {
                problems.add("allocation of job " + allocation.job() + ": GPUs not on this node: "
                        + String.join(", ", missing));
            }
        }
        String runError = jobs.apply(runnable);
        if (runError != null) {
            problems.add(runError);
        }
        String error = problems.isEmpty() ? null : String.join("; ", problems);
        if (!Objects.equals(error, applyError) && error != null) {
            LOG.atWarn().addKeyValue("node", node).addKeyValue("version", answer.version())
                    .addKeyValue("error", error).log("desired_state_apply_failed");
        }
        desired = next;
        appliedVersion = answer.version();
        applyError = error;
        LOG.atInfo().addKeyValue("node", node).addKeyValue("version", answer.version())
                .addKeyValue("cordoned", answer.cordoned()).addKeyValue("drain", answer.drain())
                .addKeyValue("cordonedGpus", String.join(",", answer.cordonedGpus()))
                .addKeyValue("placement", answer.placement().action().wire())
                .addKeyValue("allocations", answer.allocations().stream().map(Allocation::job).distinct()
                        .collect(Collectors.joining(","))).log("desired_state_applied");
    }

    private void reloadToken() {
        reloadToken = false;
        try {
            String read = config.readToken();
            if (!read.equals(token)) {
                token = read;
                lastRefusal = null;
                LOG.atInfo().addKeyValue("node", node).addKeyValue("tokenFile", config.tokenFile())
                        .log("controller_token_reloaded");
            }
        } catch (RuntimeException e) {
            LOG.atWarn().addKeyValue("node", node).addKeyValue("tokenFile", config.tokenFile())
                    .addKeyValue("error", e.getMessage()).log("controller_token_unreadable");
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** What one request came to: the desired state when ok, else the error in words. */
    private record Attempt(Result result, long nanos, DesiredState desired, int status, String error) {
        static Attempt error(String error, long start) {
            return new Attempt(Result.ERROR, System.nanoTime() - start, null, 0, error);
        }
    }
}
