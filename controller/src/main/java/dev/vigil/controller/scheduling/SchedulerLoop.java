package dev.vigil.controller.scheduling;

import dev.vigil.api.Problem;
import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.cluster.AuditEntry;
import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.cluster.NodeState;
import dev.vigil.api.cluster.Role;
import dev.vigil.api.gpu.GpuHealth;
import dev.vigil.api.gpu.HealthReason;
import dev.vigil.api.gpu.HealthState;
import dev.vigil.api.jobs.JobRecord;
import dev.vigil.api.jobs.JobSpec;
import dev.vigil.api.jobs.Placement;
import dev.vigil.api.jobs.WaitReason;
import dev.vigil.api.jobs.WhyPending;
import dev.vigil.controller.config.BackendName;
import dev.vigil.controller.config.ControllerConfig;
import dev.vigil.controller.execution.ExecutionBackend;
import dev.vigil.controller.leader.Caller;
import dev.vigil.controller.mig.MigControl;
import dev.vigil.controller.leader.EventLoop;
import dev.vigil.controller.leader.JobScheduling;
import dev.vigil.controller.leader.Mutation;
import dev.vigil.controller.leader.Outcome;
import dev.vigil.controller.leader.Outcomes;
import dev.vigil.controller.leader.SubmittedJobs;
import dev.vigil.controller.state.Store;
import dev.vigil.scheduler.Cycle;
import dev.vigil.scheduler.Decision;
import dev.vigil.scheduler.Scheduler;
import dev.vigil.scheduler.placement.NodeMatch;
import dev.vigil.scheduler.topology.Fabric;
import dev.vigil.scheduler.topology.NodeCapacity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * The jobs' and allocations' control: runs the {@link Scheduler} on the leader's
 * {@link EventLoop}, which owns it (it is not thread-safe). Submits, cancels and questions are
 * events there, and so is each cycle, which runs every {@code scheduler.interval} and at once when a
 * job arrives or a node changes in a way that matters.
 *
 * <p>A cycle asks the backends which jobs started or ended (and takes what they saw of the nodes),
 * follows the nodes the leader stored (capacity, health, cordons; a node that stops reporting or
 * is drained is failed, which requeues its gangs and replaces its replicas), schedules, stores
 * the changed jobs (with an event per transition), and only then hands the decisions to the
 * backends: the stored jobs are the truth a new leader starts from ({@link #startLeading}).
 */
public final class SchedulerLoop implements JobScheduling {
    private static final Logger LOG = LoggerFactory.getLogger(SchedulerLoop.class);
    private static final String ACTOR = "scheduler";
    /** How often the fair-share usage is stored while jobs run: what a failover may lose of it. */
    private static final Duration USAGE_EVERY = Duration.ofSeconds(5);

    /** Told about each cycle and each placement, for the controller's metrics. */
    public interface Observer {
        void cycled(long nanos, int starts, int stops, int queued, int holding);

        /** A job of {@code tenant} got its GPUs after waiting {@code waited} in the queue. */
        default void placed(String tenant, Duration waited) {
        }

        /** The jobs as they are after a change ({@link JobsView#EMPTY} when this member stops leading). */
        default void published(JobsView view) {
        }
    }

    private final Store store;
    private final Clock clock;
    private final ControllerConfig.Scheduling settings;
    private final Map<String, String> poolOf;
    private final Fabric fabric;
    private final Map<String, ExecutionBackend> backends = new LinkedHashMap<>();
    private final NodeChanges nodeChanges;
    private final JobLog log;
    private final BooleanSupplier acting;
    private final Observer observer;
    private final EventLoop loop;
    private final AtomicBoolean wakeQueued = new AtomicBoolean();
    private final Map<String, Integer> quotas;
    private volatile JobsView view = JobsView.EMPTY;
    /** Whether this member's scheduler runs (it leads): for the hints, taken off the loop. */
    private volatile boolean leading;

    // Owned by the event loop's thread.
    private Scheduler scheduler;
    /** When the fair-share usage was last stored; null until this leader stores it. */
    private Instant usageStored;
    private final Map<String, NodeCapacity> upserted = new HashMap<>();
    private final Set<String> failedNodes = new HashSet<>();
    /** Per node, the GPUs out of service by a fault (whose jobs were told once). */
    private final Map<String, Set<Integer>> failedGpus = new HashMap<>();
    private Future<?> cycles = CompletableFuture.completedFuture(null);

    /**
     * @param acting whether this member may act now (quorum, not paused); a cycle is skipped otherwise
     */
    public SchedulerLoop(EventLoop loop, Store store, Clock clock, ControllerConfig.Scheduling settings, Fabric fabric,
                         List<ExecutionBackend> backends, NodeChanges nodeChanges, BooleanSupplier acting,
                         Observer observer) {
        this.loop = loop;
        this.store = store;
        this.clock = clock;
        this.settings = settings;
        this.poolOf = settings.poolOf();
        this.fabric = fabric;
        for (ExecutionBackend backend : backends) {
            this.backends.put(backend.name(), backend);
        }
        this.nodeChanges = nodeChanges;
        this.log = new JobLog(store, observer);
        this.quotas = JobsView.quotas(settings.policy());
        this.acting = acting;
        this.observer = observer;
        nodeChanges.onChange(this::wake);
        this.backends.values().forEach(backend -> backend.wakeWith(this::wake));
    }

    @Override
    public void startLeading() {
        loop.requireLoop();
        restore();
        cycles = loop.every("scheduler-cycle", settings.interval(), this::cycle);
    }

    @Override
    public void stopLeading() {
        loop.requireLoop();
        cycles.cancel(false);
        leading = false;
        scheduler = null;
        backends.values().forEach(ExecutionBackend::stopLeading);
        view = JobsView.EMPTY;
        observer.published(view);
        upserted.clear();
        failedNodes.clear();
        failedGpus.clear();
        log.forget();
        LOG.atInfo().log("scheduler_stopped");
    }

    @Override
    public Outcome apply(Mutation.JobMutation mutation) {
        loop.requireLoop();
        if (scheduler == null) {
            return Outcomes.problem(notRunning());
        }
        if (mutation instanceof Mutation.SubmitJobs batch) {
            return submitAll(batch);
        }
        return mutation instanceof Mutation.SubmitJob submit ? submit(submit) : cancel((Mutation.CancelJob) mutation);
    }

    @Override
    public Outcome why(String job) {
        loop.requireLoop();
        if (scheduler == null) {
            return Outcomes.problem(notRunning());
        }
        Optional<WhyPending> why = scheduler.why(job);
        if (why.isPresent()) {
            return Outcomes.value(withReconfiguring(why.get()));
        }
        JobRecord stored = store.job(job).orElse(null);
        if (stored == null) {
            return Outcomes.problem(notFound(job));
        }
        if (!stored.state().finished()) {
            return Outcomes.problem(Problem.of(503, "unavailable", "Service unavailable", "job " + job
                    + " is stored but not in the scheduler yet (a new leader is taking over): retry", null));
        }
        return Outcomes.value(new WhyPending(job, stored.state(), WaitReason.NONE, "finished: "
                + wire(stored.state()) + " at " + stored.finished() + ": " + stored.reason(), List.of(), null,
                scheduler.queued()));
    }

    /**
     * Stops what runs on GPU {@code gpu} of {@code node} and requeues it (a gang everywhere, a
     * replica elsewhere): a runbook drains that GPU.
     */
    public void vacate(String node, int gpu, String why) {
        loop.requireLoop();
        if (scheduler == null) {
            return;
        }
        List<Decision> stops = scheduler.gpuFailed(node, gpu, why, clock.instant());
        persist(ACTOR);
        carryOut(stops);
        wake();
    }

    /** A waiting job's answer with the GPUs of its pool whose MIG layout is changing, and what each waits for. */
    private WhyPending withReconfiguring(WhyPending why) {
        if (why.state().holdsGpus()) {
            return why;
        }
        String pool = scheduler.job(why.job()).map(r -> r.spec().pool()).orElse(null);
        List<String> changing = MigControl.reconfiguring(store.nodes().stream()
                .filter(n -> pool == null || pool.equals(poolOf.get(n.name()))).toList());
        if (changing.isEmpty()) {
            return why;
        }
        List<String> details = new ArrayList<>(why.details());
        details.addAll(changing);
        return new WhyPending(why.job(), why.state(), why.reason(), why.summary(), details, why.position(),
                why.queued());
    }

    /**
     * Requeues what runs on GPU {@code gpu} of {@code node} (only the preemptible jobs when
     * {@code preemptibleOnly}): its MIG layout is about to change.
     */
    public void reclaim(String node, int gpu, boolean preemptibleOnly, String why) {
        loop.requireLoop();
        if (scheduler == null) {
            return;
        }
        List<Decision> stops = scheduler.reclaimGpu(node, gpu, preemptibleOnly, why, clock.instant());
        persist(ACTOR);
        carryOut(stops);
        wake();
    }

    /** The jobs as of the last change, for the alert rules and the metrics; empty unless this member leads. */
    public JobsView jobs() {
        return view;
    }

    /** Stores what the scheduler changed and, when anything did, publishes the jobs anew. */
    private void persist(String actor) {
        List<JobRecord> changed = scheduler.takeChanged();
        log.persist(changed, actor);
        Instant now = clock.instant();
        // When a job ended (its usage is final) and at least every few seconds while jobs run: a job
        // queued or started adds no usage yet.
        if (changed.stream().anyMatch(job -> job.state().finished()) || usageStored == null
                || !now.isBefore(usageStored.plus(USAGE_EVERY))) {
            store.put(new Store.FairShareUsage(scheduler.fairShareUsage(), now));
            usageStored = now;
        }
        if (!changed.isEmpty() || view == JobsView.EMPTY) {
            view = new JobsView(scheduler.waiting(), scheduler.heldMilliByTenant(), quotas);
            observer.published(view);
        }
    }

    /** A new leader's scheduler: the nodes as stored, then the unfinished jobs with the GPUs they hold. */
    private void restore() {
        Instant now = clock.instant();
        Scheduler restored = new Scheduler(settings.policy(), fabric, this::nodesFor);
        store.fairShareUsage().ifPresent(usage -> restored.restoreFairShareUsage(usage.gpuSeconds(), usage.asOf()));
        usageStored = null;
        upserted.clear();
        failedNodes.clear();
        failedGpus.clear();
        log.forget();
        nodeChanges.take();
        nodeChanges.takeFaults();
        List<NodeRecord> nodes = store.nodes();
        for (NodeRecord node : nodes) {
            NodeCapacity capacity = NodeCapacities.of(node, poolOf.get(node.name()));
            if (capacity != null) {
                restored.upsertNode(capacity);
                upserted.put(node.name(), capacity);
            }
        }
        List<JobRecord> unfinished = store.jobs().stream().filter(job -> !job.state().finished()).toList();
        for (JobRecord job : unfinished) {
            restored.restore(job, now);
            log.submittedBy(job.id(), job.submitter());
        }
        scheduler = restored;
        for (ExecutionBackend backend : backends.values()) {
            List<JobRecord> holding = new ArrayList<>();
            for (JobRecord job : unfinished) {
                restored.job(job.id()).filter(r -> r.state().holdsGpus() && backendOf(r.spec()) == backend)
                        .ifPresent(holding::add);
            }
            backend.adopt(holding, now);
        }
        List<Decision> decisions = new ArrayList<>();
        for (NodeRecord node : nodes) {
            decisions.addAll(follow(node, now));
        }
        leading = true;
        persist(ACTOR);
        carryOut(decisions);
        LOG.atInfo().addKeyValue("jobs", unfinished.size()).addKeyValue("nodes", upserted.size())
                .addKeyValue("holding", restored.holding()).addKeyValue("queued", restored.queued())
                .log("scheduler_restored");
        wake();
    }

    private void cycle() {
        try {
            if (scheduler == null || !acting.getAsBoolean()) {
                return;
            }
            long start = System.nanoTime();
            Instant now = clock.instant();
            List<Decision> decisions = new ArrayList<>();
            ExecutionBackend.Listener listener = new ExecutionBackend.Listener() {
                @Override
                public void running(String job, Instant at) {
                    scheduler.running(job, at);
                }

                @Override
                public void finished(String job, boolean succeeded, String reason, Instant at) {
                    scheduler.finished(job, succeeded, reason, at);
                }

                @Override
                public void lost(String job, Collection<String> nodes, String reason, Instant at) {
                    decisions.addAll(scheduler.lost(job, nodes, reason, at));
                }

                @Override
                public boolean rebind(String job, Placement actual) {
                    return scheduler.rebind(job, actual);
                }

                @Override
                public boolean unfinished(String job) {
                    return scheduler.job(job).map(record -> !record.state().finished()).orElse(false);
                }

                @Override
                public String submit(JobSpec spec, String actor) {
                    return submitFound(spec, actor, now);
                }
            };
            // Backends first: what they saw of the nodes (a node down in Slurm) is followed before scheduling.
            for (ExecutionBackend backend : backends.values()) {
                backend.poll(now, listener);
            }
            decisions.addAll(followNodes(now));
            Cycle cycle = scheduler.schedule(now);
            decisions.addAll(cycle.decisions());
            persist(ACTOR);
            carryOut(decisions);
            int starts = (int) decisions.stream().filter(d -> d instanceof Decision.Start).count();
            long nanos = System.nanoTime() - start;
            observer.cycled(nanos, starts, decisions.size() - starts, scheduler.queued(), scheduler.holding());
            if (!decisions.isEmpty()) {
                LOG.atInfo().addKeyValue("starts", starts).addKeyValue("stops", decisions.size() - starts)
                        .addKeyValue("examined", cycle.examined()).addKeyValue("queued", cycle.queued())
                        .addKeyValue("ms", nanos / 1_000_000).log("scheduler_cycle");
            }
        } catch (RuntimeException e) {
            // The next cycle tries again; a periodic task that throws would never run again.
            LOG.atError().addKeyValue("error", e.toString()).setCause(e).log("scheduler_cycle_failed");
        }
    }

    /**
     * Follows every node that changed and every application fault reported since the last call;
     * returns the stops for the jobs that lost nodes or GPUs, or faulted.
     */
    private List<Decision> followNodes(Instant now) {
        List<Decision> stops = new ArrayList<>();
        for (NodeChanges.ApplicationFault fault : nodeChanges.takeFaults()) {
            stops.addAll(scheduler.applicationFault(fault.node(), fault.gpu(), fault.why(), now));
        }
        for (NodeRecord node : nodeChanges.take()) {
            stops.addAll(follow(node, now));
        }
        return stops;
    }

    /**
     * Brings the scheduler's view of a node up to date; a node that stopped reporting or is drained
     * is failed, and so is each GPU a fault took out of service.
     */
    private List<Decision> follow(NodeRecord node, Instant now) {
        NodeCapacity capacity = NodeCapacities.of(node, poolOf.get(node.name()));
        if (capacity != null && !capacity.equals(upserted.get(node.name()))) {
            scheduler.upsertNode(capacity);
            upserted.put(node.name(), capacity);
        }
        List<Decision> stops = followGpus(node, now);
        boolean gone = node.state() == NodeState.UNKNOWN || node.drain();
        if (!gone) {
            failedNodes.remove(node.name());
            return stops;
        }
        if (!failedNodes.add(node.name())) {
            return stops;
        }
        String why = node.state() == NodeState.UNKNOWN ? node.reason()
                : "drained by " + node.actor() + " (" + node.reason() + ")";
        stops.addAll(scheduler.nodeFailed(node.name(), why, now));
        return stops;
    }

    /**
     * The jobs on a GPU that turned failed with a reset or worse to do (or was lost) lose it, once
     * per failure: a gang is requeued, a replica replaced.
     */
    private List<Decision> followGpus(NodeRecord node, Instant now) {
        Set<Integer> before = failedGpus.getOrDefault(node.name(), Set.of());
        Set<Integer> failed = new HashSet<>();
        List<Decision> stops = new ArrayList<>();
        for (GpuHealth health : node.health()) {
            if (health.state() != HealthState.FAILED || !health.action().takesGpuOutOfService()) {
                continue;
            }
            failed.add(health.gpu());
            if (!before.contains(health.gpu())) {
                stops.addAll(scheduler.gpuFailed(node.name(), health.gpu(), worstReason(health), now));
            }
        }
        if (failed.isEmpty()) {
            failedGpus.remove(node.name());
        } else {
            failedGpus.put(node.name(), failed);
        }
        return stops;
    }

    /** The reason behind a GPU's failure, an XID's first: {@code XID 79 GPU_HAS_FALLEN_OFF_THE_BUS: …}. */
    private static String worstReason(GpuHealth health) {
        return health.reasons().stream().filter(r -> r.state() == HealthState.FAILED)
                .min(Comparator.comparing((HealthReason r) -> r.xid() == null).thenComparing(r -> -r.action().ordinal()))
                .map(HealthReason::message).orElse(health.state().name().toLowerCase(Locale.ROOT));
    }

    private Outcome submit(Mutation.SubmitJob submit) {
        JobSpec spec = submit.spec();
        Caller caller = submit.caller();
        // A node that reported a moment ago counts: follow it before judging what the fleet can run.
        Instant now = clock.instant();
        followNodesNow(now);
        Problem refused = admit(spec);
        if (refused != null) {
            return Outcomes.problem(refused);
        }
        String id = queue(spec, caller.actor(), now);
        persist(caller.actor());
        audit(caller, describe(spec), 201, "job " + id + " submitted");
        wake();
        return Outcomes.value(store.job(id).orElseThrow());
    }

    /**
     * A batch: every job judged as {@link #submit} judges one, then all queued in their order, or
     * none (the first refused names its place, {@code jobs[3].gpus}); stored and audited once.
     */
    private Outcome submitAll(Mutation.SubmitJobs batch) {
        List<JobSpec> specs = batch.specs();
        Caller caller = batch.caller();
        Instant now = clock.instant();
        followNodesNow(now);
        for (int i = 0; i < specs.size(); i++) {
            Problem refused = admit(specs.get(i));
            if (refused != null) {
                return Outcomes.problem(inBatch(refused, i));
            }
        }
        List<String> ids = new ArrayList<>();
        for (JobSpec spec : specs) {
            ids.add(queue(spec, caller.actor(), now));
        }
        persist(caller.actor());
        String range = ids.size() == 1 ? "job " + ids.get(0) : "jobs " + ids.get(0) + " .. " + ids.get(ids.size() - 1);
        audit(caller, specs.size() + " jobs, the first " + describe(specs.get(0)), 201, range + " submitted");
        wake();
        Map<String, JobRecord> stored = store.jobs(new LinkedHashSet<>(ids));
        return Outcomes.value(new SubmittedJobs(ids.stream().map(stored::get).toList()));
    }

    /** A refusal of a batch's {@code index}-th job: its field as the batch names it ({@code jobs[3].gpus}). */
    private static Problem inBatch(Problem refused, int index) {
        String place = "jobs[" + index + "]";
        String field = refused.field() == null || refused.field().isEmpty() ? place : place + "." + refused.field();
        String body = "request body: ";
        String detail = refused.detail().startsWith(body + refused.field() + ":")
                ? body + place + "." + refused.detail().substring(body.length()) : place + ": " + refused.detail();
        return new Problem(refused.type(), refused.title(), refused.status(), detail, refused.instance(), field,
                refused.value(), refused.allowed());
    }

    private void followNodesNow(Instant now) {
        List<Decision> stops = followNodes(now);
        if (!stops.isEmpty()) {
            persist(ACTOR);
            carryOut(stops);
        }
    }

    /** Why this job cannot be queued (a backend, tenant, class, pool or size no node has), or null. */
    private Problem admit(JobSpec spec) {
        String allowed = "one of " + String.join(", ", this.backends.keySet());
        if (spec.backend() != null && !this.backends.containsKey(spec.backend())) {
            String unconfigured = BackendName.ALL.contains(spec.backend()) ? "; " + spec.backend()
                    + " is not configured on this controller (no " + spec.backend() + ": section in its config)" : "";
            return invalid(new InvalidValueException("backend", spec.backend(), allowed
                    + (settings.backend() == null ? "" : " (or leave it out for " + settings.backend() + ")")
                    + unconfigured));
        }
        if (backendName(spec) == null) {
            // No default on purpose: a default of simulated ran nothing on real GPUs while jobs showed succeeded.
            return invalid(new InvalidValueException("backend", null, allowed
                    + " (this controller sets no scheduler.backend default)"));
        }
        try {
            backendOf(spec).check(spec);
            scheduler.policy().tenant(spec.tenant());
            scheduler.policy().priorityClass(spec.priorityClass());
            Admission.pool(spec, settings.pools().keySet());
            Admission.migProfile(spec, upserted.values());
        } catch (InvalidValueException e) {
            return invalid(e);
        }
        return Admission.unrunnable(spec, scheduler);
    }

    /** Hands an admitted job to the scheduler under a new id. */
    private String queue(JobSpec spec, String actor, Instant now) {
        String id = store.nextJobId();
        scheduler.submit(id, spec, now);
        log.submittedBy(id, actor);
        LOG.atInfo().addKeyValue("job", id).addKeyValue("name", spec.name()).addKeyValue("kind", wire(spec.kind()))
                .addKeyValue("tenant", spec.tenant()).addKeyValue("gpus", spec.totalGpus())
                .addKeyValue("actor", actor).log("job_submitted");
        return id;
    }

    /**
     * Queues a job a backend found (pods others made for Vigil), in the cycle that polls it: checked
     * as {@link #submit} checks a user's, refused by throwing what a submit would answer.
     */
    private String submitFound(JobSpec spec, String actor, Instant now) {
        backendOf(spec).check(spec);
        scheduler.policy().tenant(spec.tenant());
        scheduler.policy().priorityClass(spec.priorityClass());
        Admission.migProfile(spec, upserted.values());
        Problem unrunnable = Admission.unrunnable(spec, scheduler);
        if (unrunnable != null) {
            String why = unrunnable.detail().replaceFirst("^.*could ever run this job: ", "")
                    .replaceFirst(" \\(set waitForNodes.*$", "");
            throw new InvalidValueException(unrunnable.field(), unrunnable.value(),
                    "what some node the controller knows could run (" + why + ")");
        }
        String id = queue(spec, actor, now);
        store.audit(new AuditEntry(0, now, actor, null, null, "submit", describe(spec), 201,
                "job " + id + " submitted"));
        return id;
    }

    /**
     * A hint that a backend job ended ({@code slurm:1234}): its backend looks at it now; what it
     * finds comes back through the backend's poll, in a cycle like any other news. Taken on the
     * caller's thread: it changes nothing itself, and the ends of a round of jobs come together.
     */
    @Override
    public Outcome hint(Mutation.BackendJobEnded ended) {
        if (!leading) {
            return Outcomes.problem(notRunning());
        }
        String backendJob = ended.backendJob();
        int colon = backendJob.indexOf(':');
        ExecutionBackend backend = colon < 0 ? null : backends.get(backendJob.substring(0, colon));
        try {
            if (backend == null) {
                throw new InvalidValueException("backendJob", backendJob, "BACKEND:ID of a backend this controller "
                        + "runs (" + String.join(", ", backends.keySet()) + "), e.g. slurm:1234");
            }
            backend.ended(backendJob.substring(colon + 1));
        } catch (InvalidValueException e) {
            return Outcomes.problem(new Problem("/problems/invalid-input", "Invalid input", 400, e.getMessage(), null,
                    e.field(), e.value(), e.allowed()));
        }
        LOG.atDebug().addKeyValue("backend_job", backendJob).addKeyValue("node", ended.node())
                .log("backend_job_ended_hint");
        return Outcomes.value(ended);
    }

    private Outcome cancel(Mutation.CancelJob cancel) {
        Caller caller = cancel.caller();
        String id = cancel.job();
        Optional<JobRecord> live = scheduler.job(id);
        if (live.isEmpty()) {
            Optional<JobRecord> stored = store.job(id);
            if (stored.isEmpty()) {
                return Outcomes.problem(notFound(id));
            }
            return Outcomes.problem(Problem.of(409, "conflict", "Conflict", "job " + id + " already "
                    + wire(stored.get().state()) + " at " + stored.get().finished() + ": nothing to cancel", null));
        }
        String submitter = log.submitter(id);
        if (!caller.role().covers(Role.OPERATOR) && !caller.actor().equals(submitter)) {
            return Outcomes.problem(Problem.of(403, "forbidden", "Forbidden", "job " + id + " was submitted by "
                    + submitter + "; " + caller.actor() + " (role " + wire(caller.role()) + ") may cancel only "
                    + "its own jobs (an operator may cancel any)", null));
        }
        Instant now = clock.instant();
        List<Decision> stops = scheduler.cancel(id, "cancelled by " + caller.actor() + ": " + cancel.reason(), now);
        persist(caller.actor());
        carryOut(stops);
        audit(caller, cancel.reason(), 200, "job " + id + ": " + wire(live.get().state()) + " -> cancelled");
        wake();
        return Outcomes.value(store.job(id).orElseThrow());
    }

    /** Hands decisions to the backends in order (stops before the starts they make room for). */
    private void carryOut(List<Decision> decisions) {
        for (Decision decision : decisions) {
            try {
                if (decision instanceof Decision.Start start) {
                    backendOf(start.spec()).start(start);
                } else {
                    Decision.Stop stop = (Decision.Stop) decision;
                    ExecutionBackend backend = store.job(stop.job()).map(job -> backendOf(job.spec())).orElse(null);
                    if (backend != null) {
                        backend.stop(stop);
                    }
                }
            } catch (RuntimeException e) {
                // The job's record says what it should hold; a new leader's adopt() puts it right.
                LOG.atError().addKeyValue("job", decision.job()).addKeyValue("decision",
                        decision.getClass().getSimpleName().toLowerCase(Locale.ROOT)).addKeyValue("error", e.toString())
                        .setCause(e).log("execution_failed");
            }
        }
    }

    private ExecutionBackend backendOf(JobSpec spec) {
        String name = backendName(spec);
        return name == null ? null : backends.get(name);
    }

    /**
     * The nodes a job may use: its pool's; for the simulated backend only nodes with simulated GPUs;
     * for Slurm and Kubernetes only the nodes that backend runs (a mixed fleet; a node Slurm has not
     * seen yet cannot start a Slurm job); and of those, what the backend's own filter allows (a
     * Kubernetes pod's nodeSelector).
     */
    private NodeMatch nodesFor(JobSpec spec) {
        String backend = backendName(spec);
        boolean simulated = BackendName.SIMULATED.equals(backend);
        ExecutionBackend runs = backendOf(spec);
        return new NodeMatch(spec.pool(), simulated, simulated ? null : backend,
                runs == null ? null : runs.nodeConstraint(spec));
    }

    /** The backend a job names, else the configured default; null when neither. */
    private String backendName(JobSpec spec) {
        return spec.backend() != null ? spec.backend() : settings.backend();
    }

    private void wake() {
        if (wakeQueued.compareAndSet(false, true)) {
            loop.post("scheduler-cycle", () -> {
                wakeQueued.set(false);
                cycle();
            });
        }
    }

    private static Problem notRunning() {
        return Problem.of(503, "unavailable", "Service unavailable", "the scheduler is not running on this member "
                + "(it is starting, or leadership just moved): retry", null);
    }

    private void audit(Caller caller, String detail, int status, String result) {
        store.audit(caller.audited(clock.instant(), detail, status, result));
    }

    /** "training, 2 nodes × 8 GPUs, tenant research, queue default". */
    private static String describe(JobSpec spec) {
        String size = switch (spec.kind()) {
            case TRAINING -> spec.nodes() + " node" + (spec.nodes() == 1 ? "" : "s") + " × " + spec.gpusPerNode()
                    + " GPUs";
            case INFERENCE -> spec.replicas() + " replica" + (spec.replicas() == 1 ? "" : "s") + " × "
                    + (spec.migProfile() != null ? "MIG " + spec.migProfile() : spec.gpusPerNode() + " GPUs");
        };
        return spec.name() + ": " + wire(spec.kind()) + ", " + size + ", tenant " + spec.tenant() + ", queue "
                + spec.queue();
    }

    private static Problem invalid(InvalidValueException e) {
        return new Problem("/problems/invalid-input", "Invalid input", 400, "request body: " + e.getMessage(), null,
                e.field(), e.value(), e.allowed());
    }

    private static Problem notFound(String job) {
        return Problem.of(404, "not-found", "Not found", "no job " + job, null);
    }

    static String wire(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

}
