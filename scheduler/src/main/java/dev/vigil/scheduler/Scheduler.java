package dev.vigil.scheduler;

import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.jobs.JobRecord;
import dev.vigil.api.jobs.JobSpec;
import dev.vigil.api.jobs.JobState;
import dev.vigil.api.jobs.JobTransition;
import dev.vigil.api.jobs.Placement;
import dev.vigil.api.jobs.WaitReason;
import dev.vigil.api.jobs.WhyPending;
import dev.vigil.scheduler.Job.Held;
import dev.vigil.scheduler.placement.Capacity;
import dev.vigil.scheduler.placement.NodeMatch;
import dev.vigil.scheduler.placement.Placer;
import dev.vigil.scheduler.placement.Placer.Choice;
import dev.vigil.scheduler.placement.Placer.Pick;
import dev.vigil.scheduler.policy.FairShare;
import dev.vigil.scheduler.policy.PriorityClass;
import dev.vigil.scheduler.policy.Quotas;
import dev.vigil.scheduler.policy.SchedulerPolicy;
import dev.vigil.scheduler.policy.Tenant;
import dev.vigil.scheduler.topology.ClusterState;
import dev.vigil.scheduler.topology.ClusterState.Node;
import dev.vigil.scheduler.topology.Fabric;
import dev.vigil.scheduler.topology.NodeCapacity;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Decides where work runs. Each {@link #schedule cycle} walks the queue in order (priority, fair
 * share, FIFO), checks each job against its tenant's quota, and places it with the
 * {@link Placer}. A gang that fits under one leaf switch waits a while for one
 * ({@link SchedulerPolicy#localityWait()}) before it takes more. The first gang that cannot start
 * gets a reservation on the nodes it will get once running jobs reach their runtime limits, under
 * one leaf while it waits for one; jobs behind it start only where they do not delay it (EASY
 * backfill). A job that still cannot start may evict preemptible jobs of lower priority.
 *
 * <p>The stages, after kube-scheduler's framework and Nomad's stack, each in its own class: queue sort
 * ({@link Queue}), filter ({@link Fit}: models, quota, the nodes a job may not use), score (the {@link Placer}'s
 * fewest leaves and best fit, {@link LocalityWait}'s leaf limit), reserve ({@link Backfill}), preempt (the
 * {@link Preemption} plugins: {@link QuotaReclaim}, then {@link PriorityPreemption}) and explain ({@link Explainer}
 * and its {@link Explanation} plugins). This class runs the cycle, keeps the books (what each job holds, what each
 * tenant is charged) and applies what the backends report.
 *
 * <p>The scheduler keeps no clock and does no I/O: callers pass the time and carry out the
 * {@link Decision}s, so the controller and {@code vigil sim} run this same code. Not thread-safe:
 * one thread owns it.
 */
public final class Scheduler {
    /** Marks a requeue after an application fault in the job's history, where the retries used are counted. */
    private static final String RETRY = "application-fault retry";

    private final SchedulerPolicy policy;
    private final ClusterState state;
    private final Placer placer;
    private final Fit fit;
    private final LocalityWait locality;
    /** Tried in order on a blocked job: reclaiming lent quota first, then priority. */
    private final List<Preemption> preemptions;
    private final Backfill backfill;
    private final Explainer explainer;
    private final Rebinding rebinding;
    private final Capacity capacity;
    /** What gang shapes did not fit, kept across cycles (the per-cycle memo is in each {@link Form}). */
    private final BlockedGangs blockedGangs;
    private final Quotas quotas;
    private final Function<JobSpec, NodeMatch> nodesFor;
    private final FairShare fairShare;
    private final Map<String, Job> jobs = new HashMap<>();
    private final Queue queue = new Queue();
    /** Jobs holding GPUs, by when backfill expects them back. */
    private final TreeSet<Job> holding = new TreeSet<>(Comparator.comparing(Job::expectedEnd)
            .thenComparingLong(job -> job.seq));
    private final Map<String, Long> heldByTenant = new HashMap<>();
    private final Map<String, Double> shares = new HashMap<>();
    private final Preemptible preemptible = new Preemptible();
    private final Map<String, Job> changed = new LinkedHashMap<>();
    private final Map<Form.Key, Form> forms = new HashMap<>();
    /** Queued jobs no cycle has looked at yet: a cycle that stops early still gives them a reason. */
    private final Set<Job> unexamined = new LinkedHashSet<>();
    private final List<Job> deferred = new ArrayList<>();
    private boolean cycling;
    /** Changes whenever what fits may have grown (a new cycle, an eviction): older memos no longer hold. */
    private long memoEpoch;
    private long seq;

    /** A scheduler whose jobs may use any node of their pool (as in {@code vigil sim}, where every node is simulated). */
    public Scheduler(SchedulerPolicy policy, Fabric fabric) {
        this(policy, fabric, spec -> new NodeMatch(spec.pool(), false, null));
    }

    /**
     * @param nodesFor the nodes each job may use: its pool's, with simulated GPUs for a job played on them
     *                 (the controller's simulated execution backend), none another execution backend runs
     */
    public Scheduler(SchedulerPolicy policy, Fabric fabric, Function<JobSpec, NodeMatch> nodesFor) {
        this.policy = policy;
        this.nodesFor = nodesFor;
        this.state = new ClusterState(fabric);
        this.placer = new Placer(state);
        this.capacity = new Capacity(state);
        this.blockedGangs = new BlockedGangs(state);
        this.quotas = new Quotas(policy);
        this.fairShare = new FairShare(policy.fairShareHalfLife());
        this.fit = new Fit(state, placer, quotas);
        this.locality = new LocalityWait(policy, state, capacity);
        this.preemptions = List.of(new QuotaReclaim(policy, state, quotas, fit, locality, holding),
                new PriorityPreemption(policy, state, fit, locality, jobs, preemptible));
        this.backfill = new Backfill(policy, state, placer, fit, locality, holding);
        this.rebinding = new Rebinding(state, jobs);
        this.explainer = new Explainer(policy, state, capacity, queue, fairShare, shares,
                List.of(new FitExplanation(fit, capacity, backfill), new ReservationExplanation(backfill)));
        for (Tenant tenant : policy.tenants()) {
            shares.put(tenant.name(), tenant.shares());
        }
    }

    public SchedulerPolicy policy() {
        return policy;
    }

    /** Adds a node or brings its GPUs, health and cordons up to date; what runs there keeps running. */
    public void upsertNode(NodeCapacity node) {
        state.upsert(node);
    }

    /**
     * A node is gone: its training jobs are stopped everywhere and requeued, its inference replicas
     * are replaced elsewhere at the next cycle.
     *
     * @return stops for what ran there (and for the gangs' other nodes)
     */
    public List<Decision> nodeFailed(String name, String why, Instant now) {
        Node node = state.node(name);
        if (node == null) {
            return List.of();
        }
        fairShare.accrue(now, heldByTenant);
        state.schedulable(node, false);
        List<Decision> decisions = new ArrayList<>();
        String reason = "node " + name + " failed: " + why;
        for (Job job : new ArrayList<>(holding)) {
            lose(job, h -> h.node() == node, reason, now, decisions);
        }
        return decisions;
    }

    /**
     * The backend lost what a job ran on some of its nodes (a Slurm job that ended with
     * NODE_FAIL): a gang is stopped everywhere and requeued, a service's replicas on those nodes
     * are replaced at the next cycle. The nodes stay schedulable: whether they failed is for the
     * nodes' own state to say.
     *
     * @return stops for what the job held there (and, for a gang, everywhere), for the backend to clean up
     */
    public List<Decision> lost(String id, Collection<String> nodes, String why, Instant now) {
        Job job = jobs.get(id);
        if (job == null || job.held.isEmpty()) {
            return List.of();
        }
        fairShare.accrue(now, heldByTenant);
        List<Decision> decisions = new ArrayList<>();
        lose(job, h -> nodes.contains(h.node().name), why, now, decisions);
        return decisions;
    }

    /**
     * A GPU failed under the jobs on it (it fell off the bus, or a fault calls for a reset or
     * worse): whatever ran there lost it — a gang is stopped everywhere and requeued, a service's
     * replica there is replaced at the next cycle. The GPU's own health keeps new work off it.
     *
     * @return stops for what ran on the GPU (and for the gangs' other nodes)
     */
    public List<Decision> gpuFailed(String node, int gpu, String why, Instant now) {
        return reclaimGpu(node, gpu, false, "gpu " + gpu + " of " + node + " failed: " + why, now);
    }

    /**
     * GPU {@code gpu} of {@code node} is wanted empty (its MIG layout is about to change): the jobs on it
     * lose it as on a failure — a gang is requeued, a replica replaced — or, with {@code preemptibleOnly},
     * only the jobs that said they may be preempted.
     *
     * @return stops for what left the GPU (and for the gangs' other nodes)
     */
    public List<Decision> reclaimGpu(String node, int gpu, boolean preemptibleOnly, String reason, Instant now) {
        Node n = state.node(node);
        if (n == null) {
            return List.of();
        }
        fairShare.accrue(now, heldByTenant);
        List<Decision> decisions = new ArrayList<>();
        for (Job job : new ArrayList<>(holding)) {
            if (!preemptibleOnly || job.spec.preemptible()) {
                lose(job, onGpu(n, gpu), reason, now, decisions);
            }
        }
        return decisions;
    }

    /**
     * An application fault (an XID the job's code caused, not the GPU) on a GPU of {@code node}:
     * a gang on it is stopped everywhere and ends failed naming the fault, or is requeued while
     * its {@code maxRetries} last; a service's replica there is replaced, as restarting it is
     * what such an XID asks for.
     *
     * @return stops for what the faulting jobs held
     */
    public List<Decision> applicationFault(String node, int gpu, String why, Instant now) {
        Node n = state.node(node);
        if (n == null) {
            return List.of();
        }
        fairShare.accrue(now, heldByTenant);
        List<Decision> decisions = new ArrayList<>();
        String reason = "application fault on gpu " + gpu + " of " + node + ": " + why;
        for (Job job : new ArrayList<>(holding)) {
            if (!job.training() || job.held.stream().noneMatch(onGpu(n, gpu))) {
                lose(job, onGpu(n, gpu), reason, now, decisions);
            } else if (retriesUsed(job) < job.spec.maxRetries()) {
                evict(job, reason + " (" + RETRY + " " + (retriesUsed(job) + 1) + " of " + job.spec.maxRetries()
                        + ")", now, decisions);
            } else {
                decisions.add(new Decision.Stop(job.id, releaseHeld(job, h -> true), reason));
                end(job, JobState.FAILED, reason + (job.spec.maxRetries() == 0 ? ""
                        : " (" + job.spec.maxRetries() + " retries used)"), now);
            }
        }
        return decisions;
    }

    /** Requeues after application faults so far: counted from the history, which a new leader restores. */
    private static long retriesUsed(Job job) {
        return job.history.stream().filter(t -> t.to() == JobState.PREEMPTED && t.reason().contains(RETRY)).count();
    }

    /** Holds on GPU {@code gpu} of {@code node}: the whole GPU or a MIG slice of it. */
    private static Predicate<Held> onGpu(Node node, int gpu) {
        return h -> h.node() == node && (h.slice() != null ? h.gpu() == gpu : (h.mask() & (1 << gpu)) != 0);
    }

    /** Takes back what {@code job} holds where {@code which} says; a gang loses everything and is requeued. */
    private void lose(Job job, Predicate<Held> which, String reason, Instant now, List<Decision> decisions) {
        if (job.held.stream().noneMatch(which)) {
            return;
        }
        if (job.training()) {
            evict(job, reason, now, decisions);
            return;
        }
        List<Placement> lost = releaseHeld(job, which);
        decisions.add(new Decision.Stop(job.id, lost, reason));
        if (job.held.isEmpty()) {
            job.move(JobState.PREEMPTED, reason, now);
            job.move(JobState.PENDING, "requeued: " + reason, now);
        } else {
            job.reason = "replacing " + lost.size() + " replica" + (lost.size() == 1 ? "" : "s") + " lost: "
                    + reason;
        }
        enqueue(job);
        changed(job);
    }

    /**
     * The backend runs a job's GPUs on {@code node} at other indices than the scheduler chose
     * (Slurm picks the GPUs within a node itself): the job's hold there moves to {@code gpus}, so
     * the scheduler's record says what really runs where. A placed job (or another replica of the
     * same service) that held some of those GPUs takes the ones given up in exchange: its own
     * backend has not said yet where it runs, and will rebind it when it does.
     *
     * @param replica the service replica, or null for a gang's share of the node
     * @return whether the hold now matches {@code gpus}; false, changing nothing, when the job holds
     *         no whole GPUs there (for that replica), holds another number of them, or a job that
     *         already runs holds one of {@code gpus}
     */
    public boolean rebind(String id, String node, Integer replica, List<Integer> gpus) {
        return rebinding.rebind(id, node, replica, gpus, this::changed);
    }

    /**
     * The backend runs a job's placement on {@code actual.node()} elsewhere than the scheduler chose: whole GPUs as
     * in {@link #rebind(String, String, Integer, List)}, or a MIG slice in another GPU instance of the same profile
     * (the Kubernetes device plugin picks it). For a slice, a placed job (or another replica of the same service)
     * that held that instance takes the one given up in exchange.
     *
     * @return whether the hold now matches {@code actual}; false, changing nothing, for the refusals of whole GPUs,
     *         or when the job holds no slice there (for that replica), the node has no such instance, it is of
     *         another profile, or a job that already runs holds it
     */
    public boolean rebind(String id, Placement actual) {
        if (actual.migInstances().isEmpty()) {
            return rebind(id, actual.node(), actual.replica(), actual.gpus());
        }
        return actual.gpus().size() == 1 && actual.migInstances().size() == 1
                && rebinding.rebindSlice(id, actual.node(), actual.replica(), actual.gpus().get(0),
                        actual.migInstances().get(0), this::changed);
    }

    /**
     * Queues a job.
     *
     * @throws InvalidValueException for an unknown tenant or priority class, or an id in use
     */
    public JobRecord submit(String id, JobSpec spec, Instant now) {
        InvalidValueException.require(!jobs.containsKey(id), "id", id, "an id no unfinished job has");
        Tenant tenant = policy.tenant(spec.tenant());
        PriorityClass priority = policy.priorityClass(spec.priorityClass());
        // The record keeps the class's name, the default's too: what the job was given, whatever the default becomes.
        JobSpec named = spec.withPriorityClass(priority.name());
        Job job = new Job(id, named, form(named), tenant, priority.value(), now, seq++);
        job.history.add(new JobTransition(null, JobState.PENDING, "submitted", now));
        jobs.put(id, job);
        shares.putIfAbsent(tenant.name(), tenant.shares());
        enqueue(job);
        changed(job);
        return job.record();
    }

    /**
     * Takes back a job a previous leader kept, with the GPUs it holds, so a new leader goes on
     * where the old one stopped. Nodes must be {@link #upsertNode upserted} first; a placement on a
     * node or GPU no longer known is dropped, and a gang that lost one is requeued.
     */
    public void restore(JobRecord record, Instant now) {
        if (record.state().finished() || jobs.containsKey(record.id())) {
            return;
        }
        Tenant tenant = policy.tenants().isEmpty() ? Tenant.unlimited(record.spec().tenant())
                : policy.tenants().stream().filter(t -> t.name().equals(record.spec().tenant())).findFirst()
                .orElse(Tenant.unlimited(record.spec().tenant()));
        Job job = new Job(record.id(), record.spec(), form(record.spec()), tenant, record.priority(),
                record.submitted(), seq++);
        job.history.addAll(record.history());
        job.state = record.state();
        job.wait = record.waiting();
        job.reason = record.reason();
        job.started = record.started();
        job.attempts = record.attempts();
        jobs.put(job.id, job);
        shares.putIfAbsent(tenant.name(), tenant.shares());
        if (record.state().holdsGpus()) {
            job.placedAt = record.started() != null ? record.started() : record.submitted();
            List<Pick> picks = new ArrayList<>();
            boolean complete = true;
            for (Placement placement : record.placements()) {
                Pick pick = resolve(placement, job.id);
                if (pick == null) {
                    complete = false;
                } else {
                    picks.add(pick);
                }
            }
            if (!complete && job.training() || picks.isEmpty()) {
                job.move(JobState.PENDING, "requeued: its GPUs were not found when the scheduler restarted", now);
                changed(job);
            } else {
                take(job, picks);
            }
        }
        if (job.needsPlacement()) {
            enqueue(job);
        }
    }

    /** A placement read back: its GPUs on a known node, if they are free (or already this job's). */
    private Pick resolve(Placement placement, String job) {
        Node node = state.node(placement.node());
        if (node == null) {
            return null;
        }
        if (!placement.migInstances().isEmpty()) {
            int gpu = placement.gpus().get(0);
            if (gpu >= node.gpuCount()) {
                return null;
            }
            for (ClusterState.Slice slice : node.slices(gpu)) {
                if (slice.gpuInstanceId == placement.migInstances().get(0)
                        && (slice.owner() == null || slice.owner().equals(job))) {
                    return new Pick(node, 0, gpu, slice, placement.replica());
                }
            }
            return null;
        }
        int mask = 0;
        for (int gpu : placement.gpus()) {
            if (gpu >= node.gpuCount() || node.owner(gpu) != null && !node.owner(gpu).equals(job)) {
                return null;
            }
            mask |= 1 << gpu;
        }
        return new Pick(node, mask, -1, null, placement.replica());
    }

    /**
     * Cancels a job: dropped from the queue, or stopped where it runs.
     *
     * @return the stops, if it held GPUs (empty for an unknown or finished job)
     */
    public List<Decision> cancel(String id, String reason, Instant now) {
        Job job = jobs.get(id);
        if (job == null) {
            return List.of();
        }
        fairShare.accrue(now, heldByTenant);
        List<Decision> decisions = new ArrayList<>();
        if (!job.held.isEmpty()) {
            decisions.add(new Decision.Stop(id, releaseHeld(job, h -> true), reason));
        }
        end(job, JobState.CANCELLED, reason, now);
        return decisions;
    }

    /** The backend confirms the job runs. */
    public void running(String id, Instant now) {
        Job job = jobs.get(id);
        if (job != null && job.state == JobState.PLACED) {
            job.started = now;
            job.move(JobState.RUNNING, "running on " + job.held.size() + (job.training() ? " node" : " replica")
                    + (job.held.size() == 1 ? "" : "s"), now);
            changed(job);
        }
    }

    /** The backend reports the job ended; its GPUs go back. */
    public void finished(String id, boolean succeeded, String reason, Instant now) {
        Job job = jobs.get(id);
        if (job == null) {
            return;
        }
        fairShare.accrue(now, heldByTenant);
        releaseHeld(job, h -> true);
        end(job, succeeded ? JobState.SUCCEEDED : JobState.FAILED, reason, now);
    }

    private void end(Job job, JobState to, String reason, Instant now) {
        queue.remove(job);
        unexamined.remove(job);
        job.wait = WaitReason.NONE;
        job.finished = now;
        job.move(to, reason, now);
        jobs.remove(job.id);
        changed(job);
    }

    /** Runs one scheduling cycle at {@code now}. */
    public Cycle schedule(Instant now) {
        fairShare.accrue(now, heldByTenant);
        backfill.newCycle();
        memoEpoch++;
        List<Decision> decisions = new ArrayList<>();
        List<Job> done = new ArrayList<>();
        int examined = 0;
        int passed = 0;
        cycling = true;
        try {
            Iterator<Job> order = queue.ordered(factors());
            while (order.hasNext() && examined < policy.maxJobsPerCycle()) {
                Job job = order.next();
                if (state.nothingFree() && !mayEvictFor(job)) {
                    // Nothing is free and no job from here on may evict: the rest of the queue would only
                    // be told again why it waits. Those never told are told now.
                    explainUnexamined(now, decisions, done);
                    break;
                }
                examined++;
                if (stillBlocked(job, now)) {
                    passed++;
                    continue;
                }
                attempt(job, now, decisions, true);
                if (!job.needsPlacement()) {
                    done.add(job);
                }
            }
        } finally {
            cycling = false;
        }
        done.forEach(queue::remove);
        deferred.forEach(this::enqueue);
        deferred.clear();
        int placed = (int) decisions.stream().filter(d -> d instanceof Decision.Start).count();
        return new Cycle(decisions, examined, passed, placed, queue.size());
    }

    private void explainUnexamined(Instant now, List<Decision> decisions, List<Job> done) {
        for (Job job : new ArrayList<>(unexamined)) {
            attempt(job, now, decisions, false);
            if (!job.needsPlacement()) {
                done.add(job);
            }
        }
    }

    /** Whether a preemption plugin could make room for {@code job}. */
    private boolean mayEvictFor(Job job) {
        for (Preemption preemption : preemptions) {
            if (preemption.mayHelp(job)) {
                return true;
            }
        }
        return false;
    }

    /** Stops what the first preemption plugin with a plan says, and starts {@code job} where that made room. */
    private boolean evictFor(Job job, int[] models, boolean avoidReserved, Instant now, List<Decision> decisions) {
        for (Preemption preemption : preemptions) {
            Preemption.Eviction eviction = preemption.mayHelp(job) ? preemption.plan(job, models, avoidReserved, now)
                    : null;
            if (eviction != null) {
                eviction.victims().forEach((victim, reason) -> evict(victim, reason, now, decisions));
                bind(job, eviction.model(), eviction.choice(), now, decisions);
                return true;
            }
        }
        return false;
    }

    /**
     * Tries to place a queued job, else says why it waits.
     *
     * @param plan whether it may evict and reserve (false: only say why it waits)
     */
    private void attempt(Job job, Instant now, List<Decision> decisions, boolean plan) {
        unexamined.remove(job);
        job.parkedAt = -1;
        int[] models = fit.models(job);
        if (models.length == 0) {
            waitFor(job, WaitReason.NO_MATCHING_NODES, job.spec.models().isEmpty() ? "no node with GPUs has joined yet"
                    : "no node has a GPU model matching " + String.join(" or ", job.spec.models()), now);
            return;
        }
        boolean avoidReserved = backfill.avoids(job, now);
        String quotaWhy = null;
        boolean quotaOk = false;
        boolean placedAny = false;
        for (int model : models) {
            int count = fit.admissible(job, model);
            if (count == 0) {
                quotaWhy = quotaWhy != null ? quotaWhy : fit.quotaWhy(job, model);
                continue;
            }
            quotaOk = true;
            int leafLimit = locality.leafLimit(job, model, now);
            boolean held = leafLimit != Integer.MAX_VALUE;
            if (job.form.failed(model, avoidReserved, held, memoEpoch)) {
                continue;
            }
            Choice choice = blockedGangs.known(job, model, leafLimit) ? null
                    : fit.place(job, model, count, leafLimit, job.form.filter(avoidReserved));
            if (choice == null) {
                // Within an epoch GPUs only get taken: what did not fit does not fit later in it.
                job.form.fail(model, avoidReserved, held, memoEpoch);
                if (!avoidReserved) {
                    blockedGangs.remember(job, model, leafLimit);
                }
                if (held && job.localitySince == null && fitsOnAnyLeaves(job, model, avoidReserved)) {
                    job.localitySince = now;
                }
                continue;
            }
            bind(job, model, choice, now, decisions);
            placedAny = true;
            if (!job.needsPlacement()) {
                return;
            }
        }
        if (placedAny) {
            waitFor(job, WaitReason.ROOM, job.held.size() + " of " + job.spec.replicas()
                    + " replicas placed; the rest wait for room", now);
        } else if (!quotaOk) {
            waitFor(job, WaitReason.QUOTA, quotaWhy, now);
        } else {
            blocked(job, models, avoidReserved, now, decisions, plan);
        }
    }

    /** The job fits no free GPUs: say why, and try preemption and a reservation. */
    private void blocked(Job job, int[] models, boolean avoidReserved, Instant now, List<Decision> decisions,
                         boolean plan) {
        Capacity.Verdict verdict = null;
        for (int model : models) {
            if (!job.form.idleKnown(model, state.capacityVersion())) {
                job.form.idle(model, capacity.idle(model, job.spec, job.form.match));
            }
            Capacity.Verdict idle = job.form.idle(model);
            if (idle == null) {
                verdict = null;
                break;
            }
            verdict = verdict == null ? idle : verdict;
        }
        if (verdict != null) {
            waitFor(job, verdict.reason(), verdict.why(), now);
            return;
        }
        if (plan && evictFor(job, models, avoidReserved, now, decisions)) {
            memoEpoch++;
            return;
        }
        if (avoidReserved) {
            for (int model : models) {
                if (fit.admissible(job, model) > 0 && fitsIgnoringReservation(job, model, now)) {
                    waitFor(job, WaitReason.RESERVATION, backfill.keptOff(job), now);
                    return;
                }
            }
        } else if (plan) {
            Backfill.Reservation reservation = backfill.reserveFor(job, models, now);
            if (reservation != null) {
                waitFor(job, WaitReason.ROOM, locality.waitingFor(job, models, now) + "; reserved "
                        + reservation.nodes().size() + " node" + (reservation.nodes().size() == 1 ? "" : "s") + " from "
                        + reservation.start(), now);
                return;
            }
        }
        waitFor(job, WaitReason.ROOM, locality.waitingFor(job, models, now), now);
        if (plan && job.training()) {
            park(job, models, now);
        }
    }

    /**
     * Parks a gang the walk left waiting for room, noting what that rests on (see {@link #stillBlocked}); not one held
     * to one leaf on some of its models and not on others.
     */
    private void park(Job job, int[] models, Instant now) {
        boolean held = locality.leafLimit(job, models[0], now) == 1;
        for (int model : models) {
            if ((locality.leafLimit(job, model, now) == 1) != held) {
                return;
            }
        }
        job.parkedHeld = held;
        job.parkedUntil = held && job.localitySince != null ? Job.nanos(locality.ends(job)) : Long.MAX_VALUE;
        job.parkedAt = state.capacityVersion();
    }

    /**
     * Whether the walk may pass a parked gang by, as a visit would find what the last one did: the same capacity
     * version (the same idle verdict and leaf limits), its locality wait not over, no reservation left to plan in this
     * cycle, nothing to evict for it, quota no matter (a tenant without one), and its shape known blocked on every
     * model under the same leaf limit, reserved nodes included (so neither placed nor kept off a reservation), nor
     * about to start its locality wait. It marks its search failed for this epoch as the visit would, as the jobs of
     * its form behind it read that. Reads the job and its form, not the spec: the walk passes thousands.
     */
    private boolean stillBlocked(Job job, Instant now) {
        if (job.parkedAt != state.capacityVersion() || Job.nanos(now) >= job.parkedUntil || !backfill.settled()
                || job.tenant.limited() || mayEvictFor(job)) {
            return false;
        }
        int[] models = fit.models(job);
        boolean held = job.parkedHeld;
        boolean avoidReserved = backfill.avoids(job, now);
        for (int model : models) {
            if (!blockedGangs.known(job, model, held ? 1 : Integer.MAX_VALUE)
                    || held && job.localitySince == null && !blockedGangs.known(job, model, Integer.MAX_VALUE)
                    && mayStartWait(job, model, avoidReserved)) {
                return false;
            }
        }
        for (int model : models) {
            job.form.fail(model, avoidReserved, held, memoEpoch);
        }
        return true;
    }

    /**
     * Whether a visit would look for room on any number of leaves, to start the locality wait: the first of its form
     * this epoch to fail under one leaf, and to ask.
     */
    private boolean mayStartWait(Job job, int model, boolean avoidReserved) {
        return !job.form.failed(model, avoidReserved, true, memoEpoch)
                && !job.form.failed(model, avoidReserved, false, memoEpoch);
    }

    /** Whether the gang would fit now on any number of leaf switches (remembered per form for the epoch). */
    private boolean fitsOnAnyLeaves(Job job, int model, boolean avoidReserved) {
        if (job.form.failed(model, avoidReserved, false, memoEpoch)) {
            return false;
        }
        boolean fits = !blockedGangs.known(job, model, Integer.MAX_VALUE)
                && fit.place(job, model, 1, Integer.MAX_VALUE, job.form.filter(avoidReserved)) != null;
        if (!fits) {
            job.form.fail(model, avoidReserved, false, memoEpoch);
            if (!avoidReserved) {
                blockedGangs.remember(job, model, Integer.MAX_VALUE);
            }
        }
        return fits;
    }

    /** Whether the job would fit if it could use the reserved nodes (remembered per form for the epoch). */
    private boolean fitsIgnoringReservation(Job job, int model, Instant now) {
        int leafLimit = locality.leafLimit(job, model, now);
        boolean held = leafLimit != Integer.MAX_VALUE;
        Boolean known = job.form.fitsIgnoringReservation(model, held, memoEpoch);
        if (known == null) {
            known = !blockedGangs.known(job, model, leafLimit)
                    && fit.place(job, model, 1, leafLimit, job.form.filter(false)) != null;
            if (!known) {
                blockedGangs.remember(job, model, leafLimit);
            }
            job.form.fitsIgnoringReservation(model, held, memoEpoch, known);
        }
        return known;
    }

    /** Gives the job the GPUs of {@code choice}. */
    private void bind(Job job, int model, Choice choice, Instant now, List<Decision> decisions) {
        boolean first = !job.state.holdsGpus();
        if (first) {
            job.placedAt = now;
            job.localitySince = null;
        }
        List<Placement> placements = take(job, choice.picks());
        if (first) {
            job.attempts++;
            job.wait = WaitReason.NONE;
            job.move(JobState.PLACED, describe(job, choice), now);
        }
        decisions.add(new Decision.Start(job.id, job.spec, placements, job.attempts));
        changed(job);
    }

    /** Allocates picks to the job and counts them against its tenant. */
    private List<Placement> take(Job job, List<Pick> picks) {
        List<Placement> placements = new ArrayList<>(picks.size());
        boolean wasHolding = !job.held.isEmpty();
        long total = 0;
        String model = null;
        for (Pick pick : picks) {
            Node node = pick.node();
            long milli;
            if (pick.slice() != null) {
                state.allocate(node, pick.gpu(), pick.slice(), job.id);
                milli = Fit.sliceMilli(pick.slice().profile);
            } else {
                state.allocate(node, pick.mask(), job.id);
                milli = Integer.bitCount(pick.mask()) * 1000L;
            }
            model = state.modelName(node.model());
            Held held = new Held(node, pick.mask(), pick.gpu(), pick.slice(), pick.replica(), model, milli);
            job.held.add(held);
            placements.add(held.placement());
            total += milli;
        }
        quotas.charge(job.tenant, model, total);
        heldByTenant.merge(job.tenant.name(), total, Long::sum);
        if (!wasHolding) {
            holding.add(job);
            preemptible.add(job);
        }
        return placements;
    }

    /** Gives back the held GPUs that match; returns them as placements. */
    private List<Placement> releaseHeld(Job job, Predicate<Held> which) {
        List<Placement> released = new ArrayList<>();
        boolean wasHolding = !job.held.isEmpty();
        for (Iterator<Held> it = job.held.iterator(); it.hasNext(); ) {
            Held held = it.next();
            if (!which.test(held)) {
                continue;
            }
            it.remove();
            released.add(held.placement());
            state.release(held.node(), job.id);
            quotas.charge(job.tenant, held.model(), -held.milli());
            heldByTenant.merge(job.tenant.name(), -held.milli(), Long::sum);
        }
        if (wasHolding && job.held.isEmpty()) {
            holding.remove(job);
            preemptible.remove(job);
        }
        return released;
    }

    /** Stops a running job and puts it back in the queue, saying why. */
    private void evict(Job job, String reason, Instant now, List<Decision> decisions) {
        decisions.add(new Decision.Stop(job.id, releaseHeld(job, h -> true), reason));
        job.move(JobState.PREEMPTED, reason, now);
        job.move(JobState.PENDING, "requeued: " + reason, now);
        job.wait = WaitReason.NONE;
        enqueue(job);
        changed(job);
    }

    private void waitFor(Job job, WaitReason wait, String reason, Instant now) {
        boolean different = job.wait != wait || !reason.equals(job.reason);
        job.wait = wait;
        if (job.state == JobState.PENDING || job.state == JobState.ADMITTED) {
            job.move(wait == WaitReason.QUOTA ? JobState.PENDING : JobState.ADMITTED, reason, now);
        } else {
            job.reason = reason;
        }
        if (different) {
            changed(job);
        }
    }

    private void enqueue(Job job) {
        if (cycling) {
            deferred.add(job);
        } else {
            queue.add(job);
            unexamined.add(job);
        }
    }

    /** The shared form of a spec: every job asking the same shares one. */
    private Form form(JobSpec spec) {
        return forms.computeIfAbsent(Form.Key.of(spec, nodesFor.apply(spec)), key -> new Form(spec, key.match()));
    }

    private void changed(Job job) {
        changed.put(job.id, job);
    }

    /** Why no known node could run a job: the spec field at fault and the numbers. */
    public record Unrunnable(String field, String why) {
    }

    private String describe(Job job, Choice choice) {
        if (!job.training()) {
            return choice.picks().size() + " of " + job.spec.replicas() + " replicas placed";
        }
        List<String> leaves = new ArrayList<>();
        for (Pick pick : choice.picks()) {
            String leaf = state.leafName(pick.node().leaf());
            if (!leaves.contains(leaf)) {
                leaves.add(leaf);
            }
        }
        return "placed on " + choice.picks().size() + " node" + (choice.picks().size() == 1 ? "" : "s") + " under "
                + String.join(", ", leaves);
    }

    private Map<String, Double> factors() {
        return fairShare.factors(shares);
    }

    /** Each tenant's decayed usage in GPU-seconds, as of the last change: stored so that a new leader goes on from it. */
    public Map<String, Double> fairShareUsage() {
        return fairShare.snapshot();
    }

    /** A new leader's scheduler takes the usage the old one stored ({@code asOf}), before its jobs are restored. */
    public void restoreFairShareUsage(Map<String, Double> gpuSeconds, Instant asOf) {
        fairShare.restore(gpuSeconds, asOf);
    }

    /** The jobs that changed since the last call, as records to persist or report. */
    public List<JobRecord> takeChanged() {
        List<JobRecord> records = new ArrayList<>(changed.size());
        for (Job job : changed.values()) {
            records.add(job.record());
        }
        changed.clear();
        return records;
    }

    /** An unfinished job. */
    public Optional<JobRecord> job(String id) {
        Job job = jobs.get(id);
        return job == null ? Optional.empty() : Optional.of(job.record());
    }

    /** How many jobs wait for GPUs (services short of replicas included). */
    public int queued() {
        return queue.size();
    }

    /** How many jobs hold GPUs. */
    public int holding() {
        return holding.size();
    }

    public FairShare fairShare() {
        return fairShare;
    }

    /** The jobs that wait for GPUs (services short of replicas included), for alert rules and metrics. */
    public List<JobRecord> waiting() {
        List<JobRecord> records = new ArrayList<>();
        for (Job job : jobs.values()) {
            if (job.needsPlacement()) {
                records.add(job.record());
            }
        }
        return records;
    }

    /** Thousandths of a GPU each tenant's jobs hold now (a MIG slice is part of a GPU), as quotas count them. */
    public Map<String, Long> heldMilliByTenant() {
        Map<String, Long> held = new TreeMap<>();
        heldByTenant.forEach((tenant, milli) -> {
            if (milli > 0) {
                held.put(tenant, milli);
            }
        });
        return held;
    }

    /** Why an unfinished job waits, with the numbers; empty for a job the scheduler does not have. */
    public Optional<WhyPending> why(String id) {
        Job job = jobs.get(id);
        return job == null ? Optional.empty() : Optional.of(explainer.why(job));
    }

    /**
     * Why {@code spec} could never run on the nodes the scheduler knows, even with nothing running
     * and every cordoned, drained or silent node back: no node has a GPU model it allows, or its
     * pool has none of them, or no set of them is large (or close) enough. A MIG slice is only
     * checked for a matching node: layouts are the operator's and may change.
     *
     * @return empty when some known node could hold it, or when no node is known yet
     */
    public Optional<Unrunnable> unrunnable(JobSpec spec) {
        return explainer.unrunnable(spec);
    }
}
