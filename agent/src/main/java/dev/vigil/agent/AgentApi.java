package dev.vigil.agent;

import dev.vigil.agent.metrics.MetricsExporter;
import dev.vigil.agent.placement.GpuPlacement;
import dev.vigil.agent.mig.MigReconciler;
import dev.vigil.agent.repair.ActionExecutor;
import dev.vigil.agent.report.ControllerReporter;
import dev.vigil.agent.sampling.EventLog;
import dev.vigil.agent.sampling.Sampler;
import dev.vigil.agent.sampling.Snapshot;
import dev.vigil.api.Problem;
import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.gpu.GpuDevice;
import dev.vigil.api.gpu.GpuEvent;
import dev.vigil.api.gpu.GpuHealth;
import dev.vigil.api.gpu.GpuProcess;
import dev.vigil.gpu.backend.GpuBackend;
import dev.vigil.gpu.backend.GpuBackendException;
import dev.vigil.gpu.backend.EntitySample;
import dev.vigil.gpu.backend.FieldStatus;
import dev.vigil.gpu.fields.Field;
import dev.vigil.gpu.fields.FieldSet;
import dev.vigil.gpu.fields.MetricType;
import dev.vigil.gpu.health.HealthEvaluator;
import dev.vigil.gpu.simulated.FaultSpec;
import dev.vigil.gpu.simulated.SimulatedNode;
import dev.vigil.http.ProblemException;
import dev.vigil.http.QueryParams;
import dev.vigil.http.Request;
import dev.vigil.http.Response;
import dev.vigil.http.Router;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The agent's HTTP surface: /metrics, /healthz, /readyz, /v1/node (with the controller's view
 * when the agent reports to one), /v1/events, /v1/gpus (health and processes, for the Slurm
 * prolog/epilog gate), /v1/slurm/jobs/{id}/ended (the epilog's word that a job ended, passed on to
 * the controller), /v1/actions (the repairs the controller asked for, read-only) and, on the
 * simulated backend only, /v1/faults.
 */
final class AgentApi {
    private static final Logger LOG = LoggerFactory.getLogger(AgentApi.class);

    private final String node;
    private final String backend;
    private final Sampler sampler;
    private final EventLog events;
    private final MetricsExporter exporter;
    private final FieldSet sampled;
    private final List<Field> exported;
    private final HealthEvaluator evaluator;
    private final SimulatedNode simulated;
    private final ControllerReporter reporter;
    private final ActionExecutor actions;
    private final MigReconciler mig;
    private final Supplier<List<GpuPlacement>> placement;
    private final Clock clock;
    private final GpuBackend gpus;
    private final byte[] faultToken;

    /**
     * @param actions    the repairs asked for, or null when the agent reports to no controller
     * @param mig        the MIG reconciler, or null when the agent reports to no controller
     * @param placement  each GPU's processes and verdicts as of the last enforcement pass
     * @param faultToken the token the fault API wants, or null to take faults from loopback clients only
     */
    AgentApi(String node, GpuBackend gpus, Sampler sampler, EventLog events, MetricsExporter exporter, FieldSet sampled,
             List<Field> exported, HealthEvaluator evaluator, SimulatedNode simulated, ControllerReporter reporter,
             ActionExecutor actions, MigReconciler mig, Supplier<List<GpuPlacement>> placement, Clock clock,
             String faultToken) {
        this.node = node;
        this.gpus = gpus;
        this.backend = gpus.name();
        this.sampler = sampler;
        this.events = events;
        this.exporter = exporter;
        this.sampled = sampled;
        this.exported = exported.stream().filter(f -> f.type() != MetricType.LABEL).toList();
        this.evaluator = evaluator;
        this.simulated = simulated;
        this.reporter = reporter;
        this.actions = actions;
        this.mig = mig;
        this.placement = placement;
        this.clock = clock;
        this.faultToken = faultToken == null ? null : faultToken.getBytes(StandardCharsets.UTF_8);
    }

    Router router() {
        return new Router()
                .get("/metrics", r -> Response.bytes(200, exporter.contentType(), exporter.render(sampler.latest())))
                .get("/healthz", r -> Response.text(200, "ok\n"))
                .get("/readyz", this::ready)
                .get("/v1/node", r -> Response.json(view(sampler.latest())))
                .get("/v1/events", this::events)
                .get("/v1/gpus", this::gpus)
                .get("/v1/actions", this::actions)
                .post("/v1/slurm/jobs/{id}/ended", this::slurmJobEnded)
                .post("/v1/faults", this::inject)
                .delete("/v1/faults", this::clear);
    }

    /** Stale data is older than three intervals: one late sample is tolerated, a stuck loop is not. */
    private Duration maxAge() {
        return sampler.interval().multipliedBy(3).plusMillis(250);
    }

    private Response ready(Request request) {
        List<String> reasons = sampler.latest().notReadyReasons(clock.instant(), maxAge());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ready", reasons.isEmpty());
        body.put("reasons", reasons);
        return Response.json(reasons.isEmpty() ? 200 : 503, body);
    }

    NodeView view(Snapshot snapshot) {
        List<String> reasons = snapshot.notReadyReasons(clock.instant(), maxAge());
        return new NodeView(node, backend, snapshot.sampledAt(), reasons.isEmpty(), reasons, snapshot.inventory(),
                snapshot.health(), omitted(snapshot), reporter == null ? null : reporter.status(),
                mig == null ? List.of() : mig.statuses(), placement.get());
    }

    private List<NodeView.OmittedField> omitted(Snapshot snapshot) {
        List<NodeView.OmittedField> omitted = new ArrayList<>();
        if (snapshot.sample() == null) {
            return omitted;
        }
        List<Integer> lost = snapshot.sample().entities().stream().filter(EntitySample::lost)
                .map(EntitySample::gpu).toList();
        if (!lost.isEmpty()) {
            omitted.add(new NodeView.OmittedField("*", describe(FieldStatus.GPU_LOST), lost, List.of()));
        }
        for (Field field : exported) {
            int slot = sampled.slot(field);
            Map<FieldStatus, NodeView.OmittedField> byReason = new LinkedHashMap<>();
            for (EntitySample entity : snapshot.sample().entities()) {
                FieldStatus status = entity.status(slot);
                // MIG instances only carry per-instance fields; the rest are the parent GPU's.
                if (status == FieldStatus.OK || entity.lost() || entity.isMigInstance() && !field.perMigInstance()) {
                    continue;
                }
                NodeView.OmittedField entry = byReason.computeIfAbsent(status, s -> new NodeView.OmittedField(
                        field.name(), describe(s), new ArrayList<>(), new ArrayList<>()));
                if (entity.isMigInstance()) {
                    entry.migInstances().add(entity.gpu() + "/" + entity.gpuInstanceId());
                } else {
                    entry.gpus().add(entity.gpu());
                }
            }
            omitted.addAll(byReason.values());
        }
        return omitted;
    }

    private static String describe(FieldStatus status) {
        return switch (status) {
            case NOT_SUPPORTED -> "not supported by this GPU or driver";
            case NO_DATA -> "no value yet";
            case NO_PERMISSION -> "the agent lacks the privilege to read it";
            case GPU_LOST -> "the GPU does not answer";
            case OK -> "";
        };
    }

    /** Each GPU's health as last sampled and the processes on it now; {@code ?index=0,3} for some of them. */
    private Response gpus(Request request) {
        Snapshot snapshot = sampler.latest();
        List<GpuDevice> devices = snapshot.inventory().gpus();
        List<Integer> wanted = new ArrayList<>();
        String index = request.queryParam("index");
        if (index == null || index.isBlank()) {
            devices.forEach(d -> wanted.add(d.index()));
        } else {
            for (String item : index.split(",")) {
                int gpu = parseIndex(item.strip(), devices.size());
                if (!wanted.contains(gpu)) {
                    wanted.add(gpu);
                }
            }
        }
        List<GpuStatus> statuses = new ArrayList<>();
        for (int gpu : wanted) {
            GpuDevice device = devices.stream().filter(d -> d.index() == gpu).findFirst().orElseThrow();
            GpuHealth health = snapshot.health().stream().filter(h -> h.gpu() == gpu).findFirst()
                    .orElse(GpuHealth.of(gpu, device.uuid(), List.of()));
            List<GpuProcess> processes = List.of();
            String processError = null;
            try {
                processes = gpus.processes(gpu);
            } catch (GpuBackendException e) {
                processError = e.getMessage();
            }
            statuses.add(new GpuStatus(gpu, device.uuid(), device.pciBusId(), health, processes, processError));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("node", node);
        body.put("sampledAt", snapshot.sampledAt());
        body.put("gpus", statuses);
        return Response.json(body);
    }

    private static int parseIndex(String text, int count) {
        if (text.matches("\\d{1,3}") && Integer.parseInt(text) < count) {
            return Integer.parseInt(text);
        }
        throw ProblemException.badRequest("index", text, "GPU indices of this node, 0 to " + (count - 1)
                + ", separated by commas");
    }

    /** The repairs the controller asked for, oldest first, with how each went. */
    private Response actions(Request request) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("node", node);
        body.put("actions", actions == null ? List.of() : actions.all());
        return Response.json(body);
    }

    private Response events(Request request) {
        long since = QueryParams.wholeNumber(request, "since", 0, 0, Long.MAX_VALUE);
        int limit = (int) QueryParams.wholeNumber(request, "limit", 1000, 1, 10_000);
        List<GpuEvent> page = events.since(since, limit);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("node", node);
        body.put("events", page);
        body.put("lastSeq", page.isEmpty() ? Math.max(since, 0) : page.get(page.size() - 1).seq());
        return Response.json(body);
    }

    /**
     * {@code POST /v1/slurm/jobs/{id}/ended}: Slurm's epilog ({@code vigil agent gate --epilog})
     * says the job ended here; the word goes on to the controller, and the epilog is answered at
     * once. Slurm frees the job's GPUs when the epilog exits, so the sooner it does, the sooner
     * the next job the controller submits finds them free and starts in its submit (one held there
     * would wait for slurmctld's next scheduling pass). From this host only, as the epilog runs here.
     */
    private Response slurmJobEnded(Request request) {
        boolean local = request.remote() instanceof InetSocketAddress peer && peer.getAddress() != null
                && peer.getAddress().isLoopbackAddress();
        if (!local) {
            throw new ProblemException(Problem.of(403, "forbidden", "Forbidden", "job endings are taken from "
                    + "this host only (Slurm's epilog runs here)", null));
        }
        String id = request.pathParam("id");
        if (!id.matches("\\d{1,12}")) {
            throw ProblemException.badRequest("id", id, "a Slurm job id, e.g. 1234");
        }
        if (reporter == null) {
            return Response.json(200, Map.of("node", node, "job", id, "told", "nobody: this agent reports to no controller"));
        }
        reporter.backendJobEnded("slurm:" + id);   // a word lost on the way costs the controller's next poll
        return Response.json(202, Map.of("node", node, "job", id, "told", "passed on to the controller"));
    }

    private Response inject(Request request) {
        SimulatedNode sim = requireSimulated();
        authorizeFaults(request);
        FaultSpec fault = request.body(FaultSpec.class);
        InvalidValueException.require(fault.at() == null, "at", fault.at(),
                "nothing: a posted fault is injected at once (use the config's simulated.faults for later)");
        sim.inject(fault);
        LOG.atWarn().addKeyValue("node", node).addKeyValue("fault", fault.describe())
                .addKeyValue("remote", String.valueOf(request.remote())).log("fault_injected");
        return Response.json(202, Map.of("node", node, "injected", fault.describe()));
    }

    /**
     * {@code DELETE /v1/faults?gpu=N}: a GPU reset (every GPU without {@code gpu}); with
     * {@code replace=true}, the GPU swapped for a new one (an RMA). The answer says what the
     * repair could not clear, so "cleared" never hides a GPU that stays failed.
     */
    private Response clear(Request request) {
        SimulatedNode sim = requireSimulated();
        authorizeFaults(request);
        Integer gpu = request.queryParam("gpu") == null ? null
                : (int) QueryParams.wholeNumber(request, "gpu", 0, 0, sim.profile().gpuCount() - 1);
        boolean replace = QueryParams.flag(request, "replace");
        if (replace && gpu == null) {
            throw ProblemException.badRequest("gpu", null, "a GPU index with replace=true: one GPU is swapped at a time");
        }
        // Forget first: clearing wakes the sampler, whose next sample must see the repair whole.
        if (gpu == null) {
            for (int i = 0; i < sim.profile().gpuCount(); i++) {
                evaluator.forget(i);
            }
        } else {
            evaluator.forget(gpu);
        }
        List<String> remaining;
        if (replace) {
            sim.replace(gpu);
            remaining = List.of();
        } else {
            remaining = sim.clearFaults(gpu);
        }
        String which = gpu == null ? "all GPUs" : "gpu " + gpu;
        LOG.atWarn().addKeyValue("node", node).addKeyValue("gpus", which)
                .addKeyValue("repair", replace ? "replace" : "reset").addKeyValue("remaining", remaining.size())
                .addKeyValue("remote", String.valueOf(request.remote())).log("faults_cleared");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("node", node);
        body.put("repair", replace ? "replace" : "reset");
        body.put("cleared", which);
        body.put("remaining", remaining);
        return Response.json(body);
    }


    private SimulatedNode requireSimulated() {
        if (simulated == null) {
            throw ProblemException.notFound("fault injection exists only on the simulated backend (this agent uses "
                    + backend + ")");
        }
        return simulated;
    }

    /** With a token configured, the caller must present it; without one, the caller must be on this host. */
    private void authorizeFaults(Request request) {
        if (faultToken == null) {
            boolean local = request.remote() instanceof InetSocketAddress peer && peer.getAddress() != null
                    && peer.getAddress().isLoopbackAddress();
            if (!local) {
                throw new ProblemException(Problem.of(403, "forbidden", "Forbidden", "the fault API takes requests "
                        + "from this host only; set faultApi.token in the agent's config to allow others", null));
            }
            return;
        }
        String header = request.header("Authorization");
        boolean bearer = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7);
        byte[] presented = bearer ? header.substring(7).strip().getBytes(StandardCharsets.UTF_8) : new byte[0];
        if (!MessageDigest.isEqual(presented, faultToken)) {
            throw new ProblemException(Problem.of(401, "unauthorized", "Unauthorized", header == null
                    ? "the fault API needs Authorization: Bearer <token> (faultApi.token in the agent's config)"
                    : "the token is not the fault API's (faultApi.token in the agent's config)", null));
        }
    }
}
