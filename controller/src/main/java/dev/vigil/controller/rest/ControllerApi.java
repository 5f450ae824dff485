package dev.vigil.controller.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.api.Problem;
import dev.vigil.api.binding.InvalidDocumentException;
import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.cluster.AgentReport;
import dev.vigil.api.cluster.AuditEntry;
import dev.vigil.api.cluster.ClusterEvent;
import dev.vigil.api.cluster.CordonedGpu;
import dev.vigil.api.cluster.DesiredState;
import dev.vigil.api.cluster.EndedJob;
import dev.vigil.api.cluster.GpuView;
import dev.vigil.api.cluster.Members;
import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.cluster.ReasonRequest;
import dev.vigil.api.cluster.Role;
import dev.vigil.api.cluster.TokenInfo;
import dev.vigil.api.cluster.TokenRequest;
import dev.vigil.api.gpu.GpuDevice;
import dev.vigil.api.gpu.GpuHealth;
import dev.vigil.api.gpu.HealthReason;
import dev.vigil.api.gpu.HealthState;
import dev.vigil.api.gpu.RepairAction;
import dev.vigil.api.jobs.Allocation;
import dev.vigil.api.jobs.JobBatch;
import dev.vigil.api.jobs.JobRecord;
import dev.vigil.api.jobs.JobSpec;
import dev.vigil.api.jobs.JobState;
import dev.vigil.api.placement.JudgedProcess;
import dev.vigil.api.placement.PlacementVerdict;
import dev.vigil.api.placement.PlacementViolation;
import dev.vigil.api.jobs.JobSummary;
import dev.vigil.api.jobs.WhyPending;
import dev.vigil.api.provisioning.AnsibleRun;
import dev.vigil.controller.leader.Caller;
import dev.vigil.controller.mig.MigConfigs;
import dev.vigil.scheduler.mig.LayoutAdvisor;
import dev.vigil.controller.leader.LeaderClient;
import dev.vigil.controller.leader.Mutation;
import dev.vigil.controller.leader.NodeAction;
import dev.vigil.controller.leader.ReportIntake;
import dev.vigil.controller.leader.SubmittedJobs;
import dev.vigil.controller.state.Store;
import dev.vigil.http.Handler;
import dev.vigil.http.ProblemException;
import dev.vigil.http.QueryParams;
import dev.vigil.http.Request;
import dev.vigil.http.Response;
import dev.vigil.http.Router;
import dev.vigil.k8s.Manifests;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The controller's admin REST API. Reads are answered from this member's copy of the cluster
 * state (refused while that may be stale, after a pause); writes go to the leader. Every route
 * but the probes, /metrics and the OpenAPI document wants a bearer token whose role covers it,
 * and every mutating request is audited with who, what, when, from where and the result, whether
 * it was applied or refused. So is every other refused request that carried credentials: a read
 * refused its token, and a request the HTTP server refused before any route saw it.
 */
public final class ControllerApi {
    private static final Logger LOG = LoggerFactory.getLogger(ControllerApi.class);
    /** On answers from a member whose view is stale: why. */
    private static final String STALE_HEADER = "Vigil-Stale";
    /** Content types a manifest may come as. */
    private static final Set<String> YAML_TYPES = Set.of("application/yaml", "application/x-yaml", "text/yaml");

    /** What a route needs of this member. */
    public interface Member {
        String name();

        Store store();

        LeaderClient leader();

        /** Where agents' reports go: answered here when they change nothing, else sent to the leader. */
        ReportIntake reports();

        Members members();

        /** Why this member is not ready, or null. */
        String notReadyReason();

        /** Why what this member holds may be out of date (a pause it has not confirmed its view after), or null. */
        String staleReason();

        byte[] metrics();

        String version();
    }

    /** A handler that knows who is calling. */
    @FunctionalInterface
    interface Authorized {
        Response handle(Request request, Identity who) throws Exception;
    }

    static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    private static final Pattern IDEMPOTENCY_KEY_FORM = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private final Member member;
    private final Authenticator authenticator;
    private final byte[] openApi;
    private final ReportTimer reportTimer;
    private final AlertRoutes alerts;
    private final RunbookRoutes runbooks;
    private final MigRoutes mig;
    private final NodePlaces places;

    /** Told how long each agent report took, for the controller's metrics. */
    @FunctionalInterface
    public interface ReportTimer {
        void reported(long nanos);
    }

    /**
     * @param migConfigs the named MIG configs
     * @param migLimits  the limits MIG proposals keep to ({@code mig.auto})
     * @param poolOf     each node's pool, for MIG proposals and the node list
     * @param leafOf     each node's leaf switch the fabric lists, for the node list
     */
    public ControllerApi(Member member, ReportTimer reportTimer, MigConfigs migConfigs,
                         LayoutAdvisor.Settings migLimits, Map<String, String> poolOf, Map<String, String> leafOf) {
        this.member = member;
        this.authenticator = new Authenticator(member::store);
        this.openApi = openApiDocument();
        this.reportTimer = reportTimer;
        this.places = new NodePlaces(poolOf, leafOf);
        this.alerts = new AlertRoutes(member::leader, this::caller);
        this.runbooks = new RunbookRoutes(member::leader, member::store, this::caller);
        this.mig = new MigRoutes(member::leader, member::store, migConfigs, migLimits, poolOf, Clock.systemUTC(),
                this::caller);
    }

    public Router router() {
        return new Router()
                .get("/healthz", r -> Response.text(200, "ok\n"))
                .get("/readyz", this::ready)
                .get("/metrics", r -> Response.bytes(200, "text/plain; version=0.0.4; charset=utf-8", member.metrics()))
                .get("/openapi.json", r -> Response.bytes(200, Response.JSON, openApi))
                .get("/v1/version", r -> Response.json(Map.of("version", member.version())))
                .get("/v1/members", authorized(Role.VIEWER, this::members))
                .get("/v1/nodes", read(Role.VIEWER, this::nodes))
                .get("/v1/nodes/{node}", read(Role.VIEWER, (r, who) -> Response.json(node(r.pathParam("node")))))
                .post("/v1/nodes/{node}/cordon", write(Role.OPERATOR, (r, who) -> nodeChange(r, who, NodeAction.CORDON)))
                .post("/v1/nodes/{node}/uncordon",
                        write(Role.OPERATOR, (r, who) -> nodeChange(r, who, NodeAction.UNCORDON)))
                .post("/v1/nodes/{node}/gpus/{gpu}/cordon",
                        write(Role.OPERATOR, (r, who) -> gpuChange(r, who, NodeAction.CORDON)))
                .post("/v1/nodes/{node}/gpus/{gpu}/uncordon",
                        write(Role.OPERATOR, (r, who) -> gpuChange(r, who, NodeAction.UNCORDON)))
                .post("/v1/nodes/{node}/drain", write(Role.OPERATOR, (r, who) -> nodeChange(r, who, NodeAction.DRAIN)))
                .post("/v1/nodes/{node}/resume", write(Role.OPERATOR, (r, who) -> nodeChange(r, who, NodeAction.RESUME)))
                .get("/v1/gpus", read(Role.VIEWER, this::gpus))
                .get("/v1/violations", read(Role.VIEWER, this::violations))
                .get("/v1/events", read(Role.VIEWER, this::events))
                .get("/v1/audit", read(Role.ADMIN, this::audit))
                .post("/v1/agents/{node}/report", write(Role.AGENT, this::report))
                .post("/v1/agents/{node}/ended", write(Role.AGENT, this::backendJobEnded))
                .get("/v1/tokens", read(Role.ADMIN, (r, who) -> Response.json(Map.of("tokens",
                        member.store().tokens().stream().map(t -> t.info()).toList()))))
                .post("/v1/jobs", write(Role.SUBMITTER, this::submitJob))
                .post("/v1/jobs:batch", write(Role.SUBMITTER, this::submitJobs))
                .get("/v1/jobs", read(Role.VIEWER, this::jobs))
                .get("/v1/jobs/{id}", read(Role.VIEWER, (r, who) -> Response.json(job(r.pathParam("id")))))
                .post("/v1/jobs/{id}/cancel", write(Role.SUBMITTER, this::cancelJob))
                .get("/v1/jobs/{id}/why", read(Role.VIEWER, (r, who) -> Response.json(member.leader()
                        .why(Params.jobId(r.pathParam("id"), "id"), WhyPending.class))))
                .post("/v1/tokens", write(Role.ADMIN, this::issueToken))
                .post("/v1/provisioning/ansible-runs", write(Role.OPERATOR, this::recordAnsibleRun))
                .delete("/v1/tokens/{id}", write(Role.ADMIN, this::revokeToken))
                .get("/v1/alerts", read(Role.VIEWER, alerts::alerts))
                .get("/v1/alerts/{fingerprint}", read(Role.VIEWER, alerts::alert))
                .get("/v1/silences", read(Role.VIEWER, alerts::silences))
                .post("/v1/silences", write(Role.OPERATOR, alerts::createSilence))
                .delete("/v1/silences/{id}", write(Role.OPERATOR, alerts::expireSilence))
                // Alertmanager's webhook makes alerts that page people: an operator's act, like a silence.
                .post("/v1/alertmanager/webhook", write(Role.OPERATOR, alerts::alertmanagerWebhook))
                .get("/v1/runbooks", read(Role.VIEWER, runbooks::runbooks))
                .get("/v1/runbooks/automation", read(Role.VIEWER, runbooks::automation))
                .post("/v1/runbooks/reload", write(Role.OPERATOR, runbooks::reload))
                .post("/v1/runbooks/resume", write(Role.OPERATOR, runbooks::resume))
                .post("/v1/runbooks/{name}/runs", write(Role.OPERATOR, runbooks::start))
                .get("/v1/runs", read(Role.VIEWER, runbooks::runs))
                .get("/v1/runs/{id}", read(Role.VIEWER, runbooks::run))
                .post("/v1/runs/{id}/approve", write(Role.OPERATOR, runbooks::approve))
                .post("/v1/runs/{id}/abort", write(Role.OPERATOR, runbooks::abort))
                .get("/v1/mig", read(Role.VIEWER, mig::fleet))
                .get("/v1/mig/configs", read(Role.VIEWER, mig::configs))
                .get("/v1/mig/plan", read(Role.VIEWER, mig::plan))
                .get("/v1/nodes/{node}/mig", read(Role.VIEWER, mig::node))
                .put("/v1/nodes/{node}/mig", write(Role.OPERATOR, mig::setNode))
                .put("/v1/pools/{pool}/mig", write(Role.OPERATOR, mig::setPool));
    }

    private Response ready(Request request) {
        String why = member.notReadyReason();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ready", why == null);
        body.put("reasons", why == null ? List.of() : List.of(why));
        return Response.json(why == null ? 200 : 503, body);
    }

    /** Served even while this member's view is stale, marked so: what an operator looks at to see why. */
    private Response members(Request request, Identity who) {
        Members members = member.members();
        Response response = Response.json(members);
        return members.staleReason() == null ? response : response.header(STALE_HEADER, members.staleReason());
    }

    /** The stored summaries, joined as they are with each node's place added: no parsing on the way out. */
    private Response nodes(Request request, Identity who) {
        List<String> items = new ArrayList<>();
        member.store().nodeSummariesJson().forEach((node, json) -> items.add(places.addTo(node, json)));
        String body = "{\"nodes\":[" + String.join(",", items) + "]}";
        return Response.bytes(200, Response.JSON, body.getBytes(StandardCharsets.UTF_8));
    }

    private NodeRecord node(String name) {
        return member.store().node(name).orElseThrow(() -> ProblemException.notFound("no node " + name
                + " (nodes appear when their agent first reports)"));
    }

    private Response nodeChange(Request request, Identity who, NodeAction action) {
        ReasonRequest reason = request.body(ReasonRequest.class);
        String node = request.pathParam("node");
        NodeRecord changed = member.leader().apply(new Mutation.NodeChange(node, action, reason.reason(),
                caller(request, who)), NodeRecord.class);
        return Response.json(changed);
    }

    private Response gpuChange(Request request, Identity who, NodeAction action) {
        int gpu = Params.gpuIndex(request.pathParam("gpu"));
        ReasonRequest reason = request.body(ReasonRequest.class);
        NodeRecord changed = member.leader().apply(new Mutation.GpuChange(request.pathParam("node"), gpu, action,
                reason.reason(), caller(request, who)), NodeRecord.class);
        return Response.json(changed);
    }

    private Response submitJob(Request request, Identity who) {
        JobSpec spec = isYaml(request) ? manifest(request) : request.body(JobSpec.class);
        JobRecord submitted = member.leader().apply(new Mutation.SubmitJob(spec, caller(request, who)),
                JobRecord.class);
        return Response.json(201, submitted).header("Location", "/v1/jobs/" + submitted.id());
    }

    /** Jobs queued together, all or none: one leader event, so a sweep costs one round trip, not one per job. */
    private Response submitJobs(Request request, Identity who) {
        JobBatch batch = request.body(JobBatch.class);
        SubmittedJobs submitted = member.leader().apply(new Mutation.SubmitJobs(batch.jobs(), caller(request, who)),
                SubmittedJobs.class);
        return Response.json(201, submitted);
    }

    /** A Kubernetes manifest is sent as YAML (JSON is YAML too); a Vigil spec as JSON. */
    private static boolean isYaml(Request request) {
        String contentType = request.header("Content-Type");
        String mime = contentType == null ? "" : contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        return YAML_TYPES.contains(mime);
    }

    /** The job a batch/v1 Job or apps/v1 Deployment describes; what Vigil cannot honour names the manifest's field. */
    private static JobSpec manifest(Request request) {
        try {
            return Manifests.read(new String(request.body(), StandardCharsets.UTF_8));
        } catch (InvalidValueException e) {
            throw ProblemException.badRequest(e.field(), e.value(), e.allowed());
        }
    }

    /** Job summaries in submission order, filtered by state and tenant, a page at a time after {@code after}. */
    private Response jobs(Request request, Identity who) {
        Set<JobState> states = states(request.queryParam("state"));
        String tenant = request.queryParam("tenant");
        String after = request.queryParam("after") == null ? null : Params.jobId(request.queryParam("after"), "after");
        int limit = (int) QueryParams.wholeNumber(request, "limit", 1000, 1, 10_000);
        List<JobSummary> page = new ArrayList<>();
        String next = null;
        for (JobSummary job : member.store().jobSummaries()) {
            if (after != null && Store.ID_ORDER.compare(job.id(), after) <= 0
                    || !states.isEmpty() && !states.contains(job.state())
                    || tenant != null && !tenant.equals(job.tenant())) {
                continue;
            }
            if (page.size() == limit) {
                next = page.get(limit - 1).id();
                break;
            }
            page.add(job);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("jobs", page);
        body.put("next", next);
        return Response.json(body);
    }

    private static Set<JobState> states(String text) {
        Set<JobState> states = EnumSet.noneOf(JobState.class);
        if (text == null) {
            return states;
        }
        for (String name : text.split(",")) {
            JobState state = Arrays.stream(JobState.values())
                    .filter(s -> s.name().equalsIgnoreCase(name.trim().replace('-', '_'))).findFirst()
                    .orElseThrow(() -> ProblemException.badRequest("state", text, "job states, comma-separated: "
                            + Arrays.stream(JobState.values()).map(s -> s.name().toLowerCase(Locale.ROOT))
                            .collect(Collectors.joining(", "))));
            states.add(state);
        }
        return states;
    }

    private JobRecord job(String id) {
        return member.store().job(Params.jobId(id, "id")).orElseThrow(() -> ProblemException.notFound("no job " + id));
    }

    private Response cancelJob(Request request, Identity who) {
        String id = Params.jobId(request.pathParam("id"), "id");
        ReasonRequest reason = request.body(ReasonRequest.class);
        JobRecord cancelled = member.leader().apply(new Mutation.CancelJob(id, reason.reason(), caller(request, who)),
                JobRecord.class);
        return Response.json(cancelled);
    }

    private Response gpus(Request request, Identity who) {
        String only = request.queryParam("node");
        List<GpuView> gpus = new ArrayList<>();
        List<NodeRecord> nodes = only == null ? member.store().nodes() : List.of(node(only));
        for (NodeRecord node : nodes) {
            if (node.inventory() == null) {
                continue;
            }
            for (GpuDevice device : node.inventory().gpus()) {
                GpuHealth health = node.health().stream().filter(h -> h.gpu() == device.index()).findFirst()
                        .orElse(null);
                CordonedGpu cordon = node.cordonedGpus().stream().filter(c -> c.uuid().equals(device.uuid()))
                        .findFirst().orElse(null);
                String cordonReason = cordon != null ? cordon.reason() : node.unschedulable()
                        ? "node " + node.state().name().toLowerCase() + ": " + node.reason() : null;
                gpus.add(new GpuView(node.name(), device.index(), device.uuid(), device.model(),
                        health == null ? HealthState.HEALTHY : health.state(),
                        health == null ? RepairAction.NONE : health.action(),
                        health == null ? null : health.reasons().stream().map(HealthReason::message).findFirst()
                                .orElse(null), cordonReason != null, cordonReason, allocation(node, device.index()),
                        node.processes().stream().filter(p -> p.gpu() == device.index()).toList()));
            }
        }
        return Response.json(Map.of("gpus", gpus));
    }

    /** Processes on GPUs their jobs were not given, fleet-wide or on one node, as the agents last judged them. */
    private Response violations(Request request, Identity who) {
        String only = request.queryParam("node");
        String asked = request.queryParam("verdict");
        PlacementVerdict verdict = asked == null ? null : Arrays.stream(PlacementVerdict.values())
                .filter(v -> v.violation() && v.wire().equals(asked)).findFirst()
                .orElseThrow(() -> ProblemException.badRequest("verdict", asked, "overreach or rogue"));
        List<PlacementViolation> found = new ArrayList<>();
        for (NodeRecord node : only == null ? member.store().nodes() : List.of(node(only))) {
            for (JudgedProcess process : node.violations()) {
                if (verdict == null || process.verdict() == verdict) {
                    String uuid = node.inventory() == null ? null : node.inventory().gpus().stream()
                            .filter(d -> d.index() == process.gpu()).map(GpuDevice::uuid).findFirst().orElse(null);
                    found.add(PlacementViolation.of(node.name(), uuid, process));
                }
            }
        }
        return Response.json(Map.of("violations", found));
    }

    /**
     * The jobs on a GPU: "j-000042", or its MIG slices' jobs, "j-000043 (MIG 1,2), j-000044 (MIG 3)",
     * or a job Vigil did not launch, "slurm job 812 (train) of alice".
     */
    private static String allocation(NodeRecord node, int gpu) {
        Map<String, List<Integer>> slices = new LinkedHashMap<>();
        for (Allocation allocation : node.allocations()) {
            if (allocation.gpus().contains(gpu)) {
                slices.computeIfAbsent(allocation.job(), job -> new ArrayList<>()).addAll(allocation.migInstances());
            }
        }
        List<String> jobs = new ArrayList<>(slices.entrySet().stream().map(job -> job.getKey()
                + (job.getValue().isEmpty() ? "" : " (MIG " + job.getValue().stream().sorted().map(String::valueOf)
                .collect(Collectors.joining(",")) + ")")).toList());
        if (node.execution() != null) {
            node.execution().foreignJobs().stream().filter(f -> f.gpus().contains(gpu)).forEach(f -> jobs.add(
                    node.execution().backend() + " job " + f.id() + " (" + f.name() + ") of " + f.user()));
        }
        return jobs.isEmpty() ? null : String.join(", ", jobs);
    }

    private Response events(Request request, Identity who) {
        long since = QueryParams.wholeNumber(request, "since", 0, 0, Long.MAX_VALUE);
        int limit = (int) QueryParams.wholeNumber(request, "limit", 1000, 1, 10_000);
        String node = request.queryParam("node");
        if (node != null) {
            node(node); // a name that does not exist is a 404, as for /v1/gpus?node=
        }
        Store.Page<ClusterEvent> page = member.store().events(since, limit, node);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("events", page.items());
        body.put("lastSeq", page.readTo());
        return Response.json(body);
    }

    private Response audit(Request request, Identity who) {
        long since = QueryParams.wholeNumber(request, "since", 0, 0, Long.MAX_VALUE);
        int limit = (int) QueryParams.wholeNumber(request, "limit", 1000, 1, 10_000);
        Store.Page<AuditEntry> page = member.store().audit(since, limit);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("entries", page.items());
        body.put("lastSeq", page.readTo());
        return Response.json(body);
    }

    private Response report(Request request, Identity who) {
        long start = System.nanoTime();
        String node = Params.nodeName(request.pathParam("node"));
        AgentReport report = request.body(AgentReport.class);
        DesiredState desired = member.reports().take(node, report, caller(request, who));
        reportTimer.reported(System.nanoTime() - start);
        return Response.json(desired);
    }

    /** Slurm's epilog on a node, through its agent: a backend job ended there; the leader looks at it now. */
    private Response backendJobEnded(Request request, Identity who) {
        String node = Params.nodeName(request.pathParam("node"));
        EndedJob ended = request.body(EndedJob.class);
        member.leader().apply(new Mutation.BackendJobEnded(node, ended.backendJob(), caller(request, who)),
                JsonNode.class);
        return Response.json(202, ended);
    }

    private Response issueToken(Request request, Identity who) {
        TokenRequest wanted = request.body(TokenRequest.class);
        TokenInfo issued = member.leader().apply(new Mutation.IssueToken(wanted.name(), wanted.role(),
                caller(request, who)), TokenInfo.class);
        return Response.json(201, issued);
    }

    /** {@code vigil provision ansible} reports a playbook run; the answer is its audit entry. */
    private Response recordAnsibleRun(Request request, Identity who) {
        AnsibleRun run = request.body(AnsibleRun.class);
        return Response.json(201, member.leader().apply(new Mutation.RecordAnsibleRun(run, caller(request, who)),
                AuditEntry.class));
    }

    private Response revokeToken(Request request, Identity who) {
        TokenInfo revoked = member.leader().apply(new Mutation.RevokeToken(request.pathParam("id"),
                caller(request, who)), TokenInfo.class);
        return Response.json(revoked);
    }

    private Caller caller(Request request, Identity who) {
        return new Caller(who.name(), who.role(), remote(request), member.name(),
                request.method() + " " + request.path(), requestId(request, who));
    }

    /**
     * A client that may send a write again (its answer was lost) names it with an
     * {@code Idempotency-Key}; the leader applies each key of each caller once. Without one, every
     * request is new to the leader, though this member's own retries (leadership moving) keep its id.
     */
    static String requestId(Request request, Identity who) {
        String key = request.header(IDEMPOTENCY_KEY);
        if (key == null) {
            return UUID.randomUUID().toString();
        }
        if (!IDEMPOTENCY_KEY_FORM.matcher(key).matches()) {
            throw ProblemException.badRequest(IDEMPOTENCY_KEY, key, "1 to 128 letters, digits and . _ : -");
        }
        return who.name() + "/" + key;
    }

    private static String remote(Request request) {
        return request.remote() == null ? null : request.remote().toString().replaceFirst("^/", "");
    }

    /**
     * A route that needs only that the caller's role covers {@code needed}. A refusal of
     * credentials (401, 403) is audited; a request without any is only answered.
     */
    private Handler authorized(Role needed, Authorized handler) {
        return request -> {
            Identity who = authenticator.identify(request);
            try {
                authenticator.authorize(request, who, needed);
            } catch (ProblemException e) {
                if (Authenticator.carriesCredentials(request)) {
                    auditRefusal(request, who, e.problem().status(), e.problem().detail());
                }
                throw e;
            }
            return handler.handle(request, who);
        };
    }

    /**
     * A read: as {@link #authorized}, and refused while this member's view of the cluster is stale
     * (after a pause, until it has confirmed it with the others): what it holds may be seconds old,
     * a job long ended may still hold its GPUs, and nothing in a 200 would say so.
     */
    private Handler read(Role needed, Authorized handler) {
        return authorized(needed, (request, who) -> {
            String stale = member.staleReason();
            if (stale != null) {
                return Response.problem(Problem.of(503, "stale-view", "View not confirmed", "this member ("
                        + member.name() + ") does not serve reads: " + stale + "; retry, or ask another member",
                        null)).header("Retry-After", "1").header(STALE_HEADER, stale);
            }
            return handler.handle(request, who);
        });
    }

    /**
     * A mutation: as {@link #read}, and anything refused on the way (no token, wrong role, bad
     * input, a conflict) is audited too. Applied mutations are audited by the leader with them.
     */
    private Handler write(Role needed, Authorized handler) {
        return request -> {
            Identity who = null;
            try {
                who = authenticator.identify(request);
                authenticator.authorize(request, who, needed);
                return handler.handle(request, who);
            } catch (ProblemException e) {
                auditRefusal(request, who, e.problem().status(), e.problem().detail());
                throw e;
            } catch (InvalidDocumentException e) {
                auditRefusal(request, who, 400, e.getMessage());
                throw e;
            } catch (InvalidValueException e) {
                auditRefusal(request, who, 400, e.getMessage());
                throw e;
            }
        };
    }

    /**
     * Audits a request the HTTP server refused before any route saw it (unparsable, too large, no
     * such route) when it carried credentials: someone with a token, or pretending to have one,
     * sent something this API does not take.
     */
    public void refused(Request request, Problem problem) {
        if (!Authenticator.carriesCredentials(request)) {
            return;
        }
        Identity who = null;
        try {
            who = authenticator.identify(request);
        } catch (ProblemException e) {
            // The token store is not open yet: audited as anonymous, with the reason the request was refused.
        }
        auditRefusal(request, who, problem.status(), problem.detail());
    }

    private void auditRefusal(Request request, Identity who, int status, String detail) {
        if (status == 503 || who != null && who.role() == Role.AGENT && status < 500 && status != 403) {
            // No leader to write it (logged instead), or an agent's malformed report: logged, not audited.
            LOG.atWarn().addKeyValue("action", request.method() + " " + request.path())
                    .addKeyValue("actor", who == null ? "anonymous" : who.name()).addKeyValue("status", status)
                    .addKeyValue("detail", detail).log("request_refused");
            return;
        }
        Caller caller = new Caller(who == null ? "anonymous" : who.name(), who == null ? null : who.role(),
                remote(request), member.name(), request.method() + " " + request.path(), null);
        try {
            member.leader().apply(new Mutation.Refused(caller.action(), body(request), status, detail, caller),
                    Void.class);
        } catch (ProblemException e) {
            LOG.atWarn().addKeyValue("action", caller.action()).addKeyValue("status", status)
                    .addKeyValue("detail", detail).addKeyValue("audit_error", e.getMessage()).log("audit_failed");
        }
    }

    /** The request body for the audit log, cut short. */
    private static String body(Request request) {
        String text = new String(request.body(), StandardCharsets.UTF_8);
        return text.length() > 500 ? text.substring(0, 500) + "..." : text;
    }

    private static byte[] openApiDocument() {
        try (InputStream in = ControllerApi.class.getResourceAsStream("/openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("openapi.json is missing from the controller jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
