package dev.vigil.controller.slurm;

import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.cluster.ExecutionNode;
import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.gpu.GpuDevice;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.api.jobs.Allocation;
import dev.vigil.api.jobs.JobKind;
import dev.vigil.api.jobs.JobRecord;
import dev.vigil.api.jobs.JobSpec;
import dev.vigil.api.jobs.Placement;
import dev.vigil.controller.config.BackendName;
import dev.vigil.controller.config.SlurmSettings;
import dev.vigil.controller.execution.DesiredAllocations;
import dev.vigil.controller.execution.ExecutionBackend;
import dev.vigil.controller.execution.NodeObservations;
import dev.vigil.scheduler.Decision;
import dev.vigil.slurm.JobState;
import dev.vigil.slurm.SlurmJob;
import dev.vigil.slurm.SlurmNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;

/**
 * The {@code slurm} backend: each placed job becomes a Slurm batch job pinned to the nodes and
 * GPU counts the scheduler chose, and Slurm's view of its jobs and nodes comes back at every poll.
 *
 * <p>State mapping: PENDING in Slurm leaves the job placed, unless a node it waits for is drained
 * or down there (the scheduler chose it before Slurm's view said so): then it is placed again;
 * RUNNING (or suspended, completing)
 * makes it running, once Slurm's GPU indices are read back (Slurm picks the GPUs within a node:
 * the scheduler's record is {@linkplain Listener#rebind rebound} to them) and written into the
 * nodes' allocations; COMPLETED succeeds it; FAILED, TIMEOUT, a cancel by someone else, a
 * preemption fail it with Slurm's state, reason and exit status; NODE_FAIL gives it back to the
 * scheduler, which requeues it (Slurm's own requeue would wait for the pinned node, so jobs are
 * submitted with {@code --no-requeue}). A service's replicas are Slurm jobs of their own; the
 * service ends when one of them ends.
 *
 * <p>Slurm's jobs that Vigil did not launch are recorded with the nodes they run on, with their
 * GPUs, which the scheduler then leaves alone; so are Slurm's drains (see {@link NodeObservations}).
 *
 * <p>Submits and cancels run on the {@link Launcher}'s thread, listings on the
 * {@link SlurmPoller}'s: the scheduler loop, which alone calls this class, never waits on Slurm.
 */
public final class SlurmBackend implements ExecutionBackend, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SlurmBackend.class);
    private static final int CANCELLED_KEPT = 10_000;

    private final SlurmSettings settings;
    private final String cluster;
    private final DesiredAllocations nodes;
    private final NodeObservations observations;
    private final BiPredicate<String, Instant> unsettled;
    private final Launcher launcher;
    private final SlurmPoller poller;
    /** What this backend launched, by key (the Slurm comment). */
    private final Map<String, Launch> launches = new LinkedHashMap<>();
    /** Launches that could not even be asked for (a value Slurm would not take), to fail at the next poll. */
    private final Map<String, String> unlaunchable = new LinkedHashMap<>();
    /** Slurm jobs this backend cancelled: never taken for a launch again. */
    private final Set<Long> cancelled = new LinkedHashSet<>();
    private SlurmPoller.View seen;
    /**
     * Vigil's Slurm jobs whose epilog said they ended: their COMPLETING counts as ended (the job's
     * processes are gone; Slurm frees its GPUs as the epilog exits, or drains the node if the epilog
     * fails, and a job placed there meanwhile is placed again). Hints add on any thread.
     */
    private final Set<Long> epilogSaid = ConcurrentHashMap.newKeySet();
    /** The Slurm ids of {@link #launches}, for the hints, which come on other threads. */
    private final Set<Long> launched = ConcurrentHashMap.newKeySet();

    /** One Slurm job Vigil launched: a gang, or one replica. Owned by the scheduler loop's thread. */
    private static final class Launch {
        final String key;
        final String job;
        final JobSpec spec;
        final int attempt;
        final Integer replica;
        List<Placement> placements;
        Long slurmId;
        /** When Slurm took it: a view asked for later must list it. */
        Instant submitted;
        /** Not null: look for it in Slurm by key, in a view asked for after this (taken over, or an answer lost). */
        Instant lookFrom;
        /** The job record said it runs (taken over from another leader): if Slurm has no such job, it is gone. */
        boolean recordedRunning;
        boolean running;
        /** Slurm refused it (or it could not be asked for): there is nothing to cancel. */
        boolean refused;

        Launch(String cluster, String job, JobSpec spec, int attempt, List<Placement> placements) {
            this.job = job;
            this.spec = spec;
            this.attempt = attempt;
            this.replica = placements.get(0).replica();
            this.placements = List.copyOf(placements);
            this.key = BatchJobs.comment(cluster, job, attempt, replica);
        }
    }

    /** @param cluster this Vigil cluster's id, in its Slurm jobs' comments */
    public SlurmBackend(SlurmSettings settings, String cluster, DesiredAllocations nodes,
                        NodeObservations observations, SlurmNodeSync sync, Clock clock) {
        // one connection for the sync, the launcher and the poller
        this(settings, cluster, sync.connection(), nodes, observations, sync::unsettled, clock);
    }

    /** @param unsettled whether a view of a node asked for then predates a change the node sync is sending */
    SlurmBackend(SlurmSettings settings, String cluster, SlurmConnection connection, DesiredAllocations nodes,
                 NodeObservations observations, BiPredicate<String, Instant> unsettled, Clock clock) {
        this.settings = settings;
        this.cluster = cluster;
        this.nodes = nodes;
        this.observations = observations;
        this.unsettled = unsettled;
        this.launcher = new Launcher(connection, clock);
        this.poller = new SlurmPoller(connection, clock);
    }

    @Override
    public String name() {
        return BackendName.SLURM;
    }

    @Override
    public void wakeWith(Runnable wake) {
        poller.onView(wake);
    }

    @Override
    public void check(JobSpec spec) {
        BatchJobs.check(spec);
    }

    @Override
    public void start(Decision.Start start) {
        if (start.spec().kind() == JobKind.TRAINING) {
            launch(new Launch(cluster, start.job(), start.spec(), start.attempt(), start.placements()));
        } else {
            for (Placement placement : start.placements()) {
                launch(new Launch(cluster, start.job(), start.spec(), start.attempt(), List.of(placement)));
            }
        }
    }

    private void launch(Launch launch) {
        launches.put(launch.key, launch);
        submit(launch);
    }

    private void submit(Launch launch) {
        boolean wholeNodes = launch.placements.stream().allMatch(p -> nodes.node(p.node())
                .map(NodeRecord::inventory).map(i -> i.gpus().size() == p.gpus().size()).orElse(false));
        try {
            launcher.submit(launch.key, BatchJobs.request(settings, launch.job, launch.spec, launch.attempt,
                    launch.placements, wholeNodes, launch.key));
            LOG.atInfo().addKeyValue("job", launch.job).addKeyValue("key", launch.key)
                    .addKeyValue("nodes", String.join(",", launch.placements.stream().map(Placement::node).toList()))
                    .addKeyValue("gpus_per_node", launch.placements.get(0).gpus().size())
                    .addKeyValue("exclusive", wholeNodes).log("slurm_launch");
        } catch (InvalidValueException e) {
            unlaunchable.put(launch.key, "cannot be a Slurm job: " + e.getMessage());
        }
    }

    /**
     * Slurm's epilog on a node said this Slurm job ended: the poller looks it up at once (the epilog
     * runs while Slurm says COMPLETING, and holds the job's GPUs until it exits); the next cycle
     * ends it and places what waits. Called on any thread (a hint is not queued behind the
     * scheduler loop's cycles).
     */
    @Override
    public void ended(String backendJob) {
        long id;
        try {
            id = Long.parseLong(backendJob);
        } catch (NumberFormatException e) {
            throw new InvalidValueException("backendJob", "slurm:" + backendJob, "slurm:ID with a Slurm job id, e.g. slurm:1234");
        }
        poller.lookAt(id);
        if (launcher.submitted(id) || launched.contains(id)) {   // else not Vigil's, or already ended
            epilogSaid.add(id);
        }
    }

    @Override
    public void stop(Decision.Stop stop) {
        for (Launch launch : List.copyOf(launches.values())) {
            if (!launch.job.equals(stop.job()) || stop.placements().stream().noneMatch(p -> covers(launch, p))) {
                continue;
            }
            launches.remove(launch.key);
            withdraw(launch);
            LOG.atInfo().addKeyValue("job", launch.job).addKeyValue("key", launch.key)
                    .addKeyValue("slurm_job", launch.slurmId).addKeyValue("reason", stop.reason()).log("slurm_stop");
        }
    }

    /** Whether a placement the scheduler stops is (part of) this launch: a gang's node, or the replica. */
    private static boolean covers(Launch launch, Placement placement) {
        return launch.placements.stream().anyMatch(p -> p.node().equals(placement.node())
                && Objects.equals(p.replica(), placement.replica()));
    }

    /** Cancels a launch in Slurm (unless it already ended there) and takes its allocations off its nodes. */
    private void withdraw(Launch launch) {
        unlaunchable.remove(launch.key);
        SlurmJob known = launch.slurmId == null || seen == null ? null : find(seen.jobs(), launch.slurmId);
        // a COMPLETING job's processes have exited: there is nothing left to cancel
        if (!launch.refused && (known == null || !known.state().finished() && known.state() != JobState.COMPLETING)) {
            launcher.cancel(launch.key, launch.slurmId);
        }
        if (launch.slurmId != null) {
            remember(launch.slurmId);
            launched.remove(launch.slurmId);
            epilogSaid.remove(launch.slurmId);
        }
        if (launch.running) {
            for (Placement placement : launch.placements) {
                nodes.change(placement.node(), current -> current.stream()
                        .filter(a -> !(a.job().equals(launch.job) && Objects.equals(a.replica(), launch.replica)))
                        .toList());
            }
        }
    }

    private void remember(long cancelledId) {
        cancelled.add(cancelledId);
        if (cancelled.size() > CANCELLED_KEPT) {
            Iterator<Long> oldest = cancelled.iterator();
            oldest.next();
            oldest.remove();
        }
    }

    @Override
    public void poll(Instant now, Listener listener) {
        for (Launcher.Outcome outcome : launcher.take()) {
            Launch launch = launches.get(outcome.key());
            if (launch == null) {
                continue;
            }
            if (outcome instanceof Launcher.Submitted submitted) {
                launch.slurmId = submitted.id();
                launched.add(submitted.id());
                launch.submitted = submitted.at();
            } else if (outcome instanceof Launcher.Unsure unsure) {
                launch.lookFrom = unsure.at();
            } else {
                launch.refused = true;
                end(launch, false, "Slurm refused it: " + ((Launcher.Refused) outcome).error().getMessage(), now,
                        listener);
            }
        }
        for (Map.Entry<String, String> failed : List.copyOf(unlaunchable.entrySet())) {
            Launch launch = launches.get(failed.getKey());
            if (launch != null) {
                launch.refused = true;
                end(launch, false, failed.getValue(), now, listener);
            }
        }
        unlaunchable.clear();
        poller.refresh(settings.poll());
        SlurmPoller.View view = poller.latest();
        if (view == null || view == seen) {
            return;
        }
        // A lookup of one job keeps the listing's nodes, observed then: a foreign job's end it found shows
        // on its node at the next listing (observing every node at every view took 13 % of the leader's
        // thread in the jobs benchmark's profile)
        if (seen == null || view.nodes() != seen.nodes()) {
            observeNodes(view);
        }
        seen = view;
        Map<Long, SlurmJob> byId = new HashMap<>();
        Map<String, List<SlurmJob>> byKey = new HashMap<>();
        for (SlurmJob job : view.jobs()) {
            byId.put(job.id(), job);
            if (BatchJobs.ours(cluster, job.comment())) {
                byKey.computeIfAbsent(job.comment(), k -> new ArrayList<>()).add(job);
            }
        }
        cancelOrphans(byKey);
        for (Launch launch : List.copyOf(launches.values())) {
            if (launches.containsKey(launch.key)) {
                follow(launch, view, byId, byKey, now, listener);
            }
        }
    }

    /** Records what Slurm says of each node Vigil knows: drains, downs, and jobs Vigil did not launch. */
    private void observeNodes(SlurmPoller.View view) {
        for (SlurmNode slurmNode : view.nodes()) {
            NodeRecord node = nodes.node(slurmNode.name()).orElse(null);
            if (node == null || unsettled.test(node.name(), view.asked())) {
                continue;
            }
            ExecutionNode now = NodeViews.of(slurmNode, view.jobs(), node.inventory(), cluster);
            ExecutionNode before = node.execution();
            boolean imposed = node.cordoned() && before != null && before.imposedCordon();
            boolean cordonMoves = !now.available() && !now.byVigil() && !node.cordoned()
                    || imposed && (now.available() || now.byVigil());
            if (cordonMoves || !now.sameAs(before)) {
                observations.observed(node.name(), now, view.asked());
            }
        }
    }

    /**
     * Cancels Vigil's Slurm jobs that no launch claims: what a previous leader launched for jobs
     * that have since ended or moved, or a launch stopped before its answer came.
     */
    private void cancelOrphans(Map<String, List<SlurmJob>> byKey) {
        for (Map.Entry<String, List<SlurmJob>> entry : byKey.entrySet()) {
            if (launches.containsKey(entry.getKey())) {
                continue;
            }
            for (SlurmJob job : entry.getValue()) {
                if (!job.state().finished() && !cancelled.contains(job.id())) {
                    remember(job.id());
                    launcher.cancel(entry.getKey(), job.id());
                    LOG.atWarn().addKeyValue("slurm_job", job.id()).addKeyValue("key", entry.getKey())
                            .addKeyValue("state", job.slurmState()).log("slurm_orphan_cancelled");
                }
            }
        }
    }

    private void follow(Launch launch, SlurmPoller.View view, Map<Long, SlurmJob> byId,
                        Map<String, List<SlurmJob>> byKey, Instant now, Listener listener) {
        SlurmJob job;
        if (launch.slurmId == null) {
            if (launch.lookFrom == null || view.asked().isBefore(launch.lookFrom)) {
                return;   // its submit is under way, or this view is older than the question
            }
            job = byKey(byKey.getOrDefault(launch.key, List.of()));
            if (job == null) {
                if (launch.recordedRunning) {
                    end(launch, false, "Slurm no longer knows its job (" + launch.key + "): it ended more than "
                            + "MinJobAge ago, or was cancelled and purged, while no leader watched", now, listener);
                } else {
                    launch.lookFrom = null;
                    LOG.atInfo().addKeyValue("job", launch.job).addKeyValue("key", launch.key)
                            .log("slurm_resubmit");
                    submit(launch);
                }
                return;
            }
            launch.slurmId = job.id();
            launched.add(job.id());
            launch.submitted = view.asked();
            launch.lookFrom = null;
        } else {
            job = byId.get(launch.slurmId);
            if (job == null) {
                if (launch.submitted != null && view.asked().isAfter(launch.submitted)) {
                    end(launch, false, "Slurm job " + launch.slurmId + " is gone: slurmctld no longer lists it",
                            now, listener);
                }
                return;
            }
        }
        switch (job.state()) {
            case PENDING -> {
                // Waiting in Slurm for its GPUs is being placed; waiting for a node Slurm will not start
                // work on (drained or down since the scheduler chose it) is not: it is placed again.
                String unavailable = unavailable(launch, view);
                if (unavailable != null) {
                    requeue(launch, "Slurm will not start Slurm job " + job.id() + " there: " + unavailable,
                            launch.placements.stream().map(Placement::node).toList(), now, listener);
                }
            }
            case COMPLETING -> {
                started(launch, job, now, listener);
                if (epilogSaid.contains(job.id()) && job.exitCode() != null) {
                    end(launch, job.exitCode() == 0, "Slurm job " + job.id() + " ended" + exit(job)
                            + " (its epilog has run)", now, listener);
                }
            }
            case RUNNING, SUSPENDED, UNKNOWN -> started(launch, job, now, listener);
            case COMPLETED -> {
                started(launch, job, now, listener);
                end(launch, true, "Slurm job " + job.id() + " completed" + exit(job), now, listener);
            }
            case NODE_FAIL -> requeue(launch, "Slurm job " + job.id() + " ended NODE_FAIL on "
                    + String.join(",", job.nodes()), job.nodes(), now, listener);
            default -> {
                started(launch, job, now, listener);
                end(launch, false, "Slurm job " + job.id() + " ended " + job.slurmState()
                        + (job.reason() == null ? "" : " (" + job.reason() + ")") + exit(job)
                        + (job.state() == JobState.CANCELLED ? ": cancelled outside Vigil" : ""),
                        now, listener);
            }
        }
    }

    private static String exit(SlurmJob job) {
        return job.exitCode() == null ? "" : ", exit " + job.exitCode();
    }

    /** The Slurm job of a key: the unfinished one, else the newest; never one this backend cancelled. */
    private SlurmJob byKey(List<SlurmJob> jobs) {
        SlurmJob found = null;
        for (SlurmJob job : jobs) {
            if (cancelled.contains(job.id())) {
                continue;
            }
            if (!job.state().finished()) {
                return job;
            }
            if (found == null || job.id() > found.id()) {
                found = job;
            }
        }
        return found;
    }

    private static SlurmJob find(List<SlurmJob> jobs, long id) {
        for (SlurmJob job : jobs) {
            if (job.id() == id) {
                return job;
            }
        }
        return null;
    }

    /**
     * The Slurm job runs (or ran): its GPUs are read back and the scheduler's record follows them,
     * the nodes' allocations say what runs where, and once every launch of the job runs, so does the job.
     */
    private void started(Launch launch, SlurmJob job, Instant now, Listener listener) {
        if (launch.running || job.started() == null && job.state() != JobState.RUNNING) {
            return;
        }
        List<Placement> actual = new ArrayList<>();
        for (Placement placement : launch.placements) {
            List<Integer> slurmGpus = job.gpus().stream().filter(g -> g.node().equals(placement.node()))
                    .flatMap(g -> g.indices().stream()).toList();
            NodeInventory inventory = nodes.node(placement.node()).map(NodeRecord::inventory).orElse(null);
            Set<Integer> gpus = NodeViews.vigilGpus(inventory, slurmGpus);
            if (slurmGpus.isEmpty() || inventory == null || gpus.equals(new TreeSet<>(placement.gpus()))) {
                actual.add(placement);
                continue;
            }
            Placement moved = new Placement(placement.node(), List.copyOf(gpus), uuids(inventory, gpus), List.of(),
                    placement.replica());
            boolean followed = listener.rebind(launch.job, moved);
            LOG.atInfo().addKeyValue("job", launch.job).addKeyValue("node", placement.node())
                    .addKeyValue("chosen", placement.gpus()).addKeyValue("slurm", moved.gpus())
                    .addKeyValue("followed", followed).log("slurm_gpus_rebound");
            actual.add(moved);
        }
        launch.placements = List.copyOf(actual);
        launch.running = true;
        for (Placement placement : launch.placements) {
            Allocation allocation = Allocation.of(launch.job, launch.spec, placement).runAs("slurm:" + job.id());
            nodes.change(placement.node(), current -> {
                List<Allocation> next = new ArrayList<>(current.stream()
                        .filter(a -> !(a.job().equals(launch.job) && Objects.equals(a.replica(), launch.replica)))
                        .toList());
                next.add(allocation);
                return next;
            });
        }
        if (launches.values().stream().filter(l -> l.job.equals(launch.job)).allMatch(l -> l.running)) {
            listener.running(launch.job, job.started() != null ? job.started() : now);
        }
    }

    private static List<String> uuids(NodeInventory inventory, Set<Integer> gpus) {
        List<String> uuids = new ArrayList<>();
        for (int gpu : gpus) {
            uuids.add(inventory.gpus().stream().filter(d -> d.index() == gpu).map(GpuDevice::uuid).findFirst()
                    .orElse(null));
        }
        return uuids;
    }

    /** The job ended: every launch of it goes (a service's other replicas are cancelled), and the scheduler is told. */
    private void end(Launch ended, boolean succeeded, String reason, Instant now, Listener listener) {
        for (Launch launch : List.copyOf(launches.values())) {
            if (launch.job.equals(ended.job)) {
                launches.remove(launch.key);
                withdraw(launch);
            }
        }
        LOG.atInfo().addKeyValue("job", ended.job).addKeyValue("slurm_job", ended.slurmId)
                .addKeyValue("succeeded", succeeded).addKeyValue("reason", reason).log("slurm_job_ended");
        listener.finished(ended.job, succeeded, reason, now);
    }

    /**
     * The launch cannot go on where it was placed (NODE_FAIL, or waiting for a node Slurm will not
     * start work on): it is withdrawn, and the scheduler requeues the gang or replaces the replica.
     */
    private void requeue(Launch launch, String reason, List<String> nodes, Instant now, Listener listener) {
        launches.remove(launch.key);
        withdraw(launch);
        LOG.atWarn().addKeyValue("job", launch.job).addKeyValue("slurm_job", launch.slurmId)
                .addKeyValue("nodes", String.join(",", nodes)).addKeyValue("reason", reason).log("slurm_requeue");
        listener.lost(launch.job, nodes, reason, now);
    }

    /** "gpu04 (slurm says idle+drain, set by alice at ...: fan failure)" for the first of the launch's nodes Slurm will not use. */
    private static String unavailable(Launch launch, SlurmPoller.View view) {
        for (Placement placement : launch.placements) {
            for (SlurmNode node : view.nodes()) {
                if (node.name().equals(placement.node()) && !NodeViews.available(node)) {
                    return node.name() + " is " + node.state().name().toLowerCase(Locale.ROOT)
                            + (node.drain() ? "+drain" : "") + (node.reason() == null ? "" : " (" + node.reason()
                            + (node.reasonBy() == null ? "" : ", by " + node.reasonBy()) + ")");
                }
            }
        }
        return null;
    }

    @Override
    public void adopt(List<JobRecord> holding, Instant now) {
        launches.clear();
        launched.clear();
        epilogSaid.clear();
        unlaunchable.clear();
        seen = null;
        nodes.dropUnclaimed(SlurmBackend::slurms, new HashSet<>(holding.stream().map(JobRecord::id).toList()));
        for (JobRecord job : holding) {
            for (List<Placement> part : ExecutionBackend.launches(job)) {
                Launch launch = new Launch(cluster, job.id(), job.spec(), job.attempts(), part);
                launch.lookFrom = now;
                launch.recordedRunning = job.state() == dev.vigil.api.jobs.JobState.RUNNING;
                launches.put(launch.key, launch);
            }
        }
        LOG.atInfo().addKeyValue("jobs", holding.size()).addKeyValue("launches", launches.size())
                .log("slurm_adopted");
    }

    private static boolean slurms(Allocation allocation) {
        return allocation.backendJob() != null && allocation.backendJob().startsWith(BackendName.SLURM + ":");
    }

    @Override
    public void stopLeading() {
        epilogSaid.clear();
        launcher.forget();
        poller.forget();
        launches.clear();
        launched.clear();
        unlaunchable.clear();
        seen = null;
    }

    @Override
    public void close() {
        launcher.close();
        poller.close();
    }
}
