package dev.vigil.agent.mig;

import dev.vigil.agent.repair.Outcome;
import dev.vigil.agent.sampling.EventLog;
import dev.vigil.api.binding.HumanDurations;
import dev.vigil.api.cluster.AgentActionResult;
import dev.vigil.api.gpu.GpuDevice;
import dev.vigil.api.gpu.GpuProcess;
import dev.vigil.api.mig.GpuMigStatus;
import dev.vigil.api.mig.GpuMigTarget;
import dev.vigil.api.mig.MigPhase;
import dev.vigil.gpu.backend.GpuBackend;
import dev.vigil.gpu.backend.GpuBackendException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Brings each GPU that the desired state gives a MIG target to that layout, and keeps it there.
 *
 * <p>Every reply's targets replace the ones held (a GPU without a target is left alone); after every
 * reply and every sample, the agent's MIG thread (never the reporting or the sampling thread) compares
 * each target with the GPU as the backend shows it. A GPU that differs is changed only while no
 * process uses it (else the target stays {@link MigPhase#APPLYING}, naming the PIDs, and is tried again
 * at the next sample); a layout the GPU cannot take fails at once. A mode change that waits for a GPU
 * reset gets the reset from the agent when {@code allowReset} (and no process uses the GPU), else it
 * is {@link MigPhase#RESET_REQUIRED}. A target that holds is {@link MigPhase#SUCCESS}, and one that
 * drifts later (instances lost at a reboot, a hand-run nvidia-smi) is applied again. Applying and
 * reset-required end in {@link MigPhase#FAILED} with the reason after {@code applyTimeout}; a failed
 * target is not tried again: a new version is a new change.
 *
 * <p>The targets and their phases, and the GPU being changed, are journaled before each change, so
 * that the agent after a crash or a reboot brings the GPUs to their targets before the controller
 * answers. Each phase change is logged ({@code mig_phase}), goes into the event log, and is told to
 * {@link #onChange} so that the reporter sends it at once.
 */
public final class MigReconciler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MigReconciler.class);

    private final String node;
    private final GpuBackend backend;
    private final GpuReset reset;
    private final MigJournal journal;
    private final boolean allowReset;
    private final Duration applyTimeout;
    private final PhaseChanges phases;
    private final Clock clock;
    private final ExecutorService worker;
    private final AtomicBoolean passQueued = new AtomicBoolean();
    private final AtomicLong passes = new AtomicLong();
    private final Object lock = new Object();
    /** By GPU index; the records are replaced, never changed. */
    private final Map<Integer, Held> held = new TreeMap<>();
    private volatile Runnable onChange = () -> { };
    private volatile Runnable onApplied = () -> { };

    /** The GPU being changed, for the journal; owned by the MIG thread. */
    private Integer applying;

    /** A target and where it stands; {@code changeStarted} is when its current change began (for the timeout). */
    private record Held(GpuMigTarget target, MigPhase phase, String message, Instant since, Instant changeStarted,
                        boolean resetTried) {
        GpuMigStatus status() {
            return new GpuMigStatus(target.gpu(), target.version(), phase, message, since);
        }

        Held with(MigPhase newPhase, String newMessage, Instant now) {
            return new Held(target, newPhase, newMessage, newPhase == phase ? since : now,
                    phase == MigPhase.SUCCESS ? now : changeStarted, resetTried);
        }
    }

    /**
     * @param reset      how the agent resets a GPU (its repairs' reset)
     * @param journal    where the held targets outlive the agent
     * @param allowReset whether the agent may reset a GPU for a MIG mode change
     */
    MigReconciler(String node, GpuBackend backend, GpuReset reset, MigJournal journal, boolean allowReset,
                  Duration applyTimeout, EventLog events, Clock clock) {
        this.node = node;
        this.backend = backend;
        this.reset = reset;
        this.journal = journal;
        this.allowReset = allowReset;
        this.applyTimeout = applyTimeout;
        this.phases = new PhaseChanges(node, events, clock);
        this.clock = clock;
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "vigil-mig-" + node);
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * A reconciler journaling in {@code stateDir}, or in no file when it is null (GPUs that do not
     * outlive the agent).
     */
    public static MigReconciler create(String node, GpuBackend backend, GpuReset reset, Path stateDir,
                                       boolean allowReset, Duration applyTimeout, EventLog events, Clock clock) {
        MigJournal journal = stateDir == null ? MigJournal.none(node) : MigJournal.in(node, stateDir);
        return new MigReconciler(node, backend, reset, journal, allowReset, applyTimeout, events, clock);
    }

    /** Registers the callback run after every attempt to change a GPU (the sampler's "sample now"). */
    public void onApplied(Runnable listener) {
        this.onApplied = listener;
    }

    /** Registers the callback run whenever a target's phase changes (the reporter's "report now"). */
    public void onChange(Runnable listener) {
        this.onChange = listener;
    }

    /**
     * Takes up the journaled targets and brings their GPUs to them, before any reply: a change a
     * restart cut is finished, instances a reboot lost are made again.
     */
    public void start() {
        MigJournal.Contents journaled = journal.load();
        Instant now = clock.instant();
        synchronized (lock) {
            for (MigJournal.Entry entry : journaled.held()) {
                int gpu = entry.target().gpu();
                String message = Integer.valueOf(gpu).equals(journaled.applying())
                        ? "resuming the change a restart cut: " + entry.target().describe() : entry.message();
                held.put(gpu, new Held(entry.target(), entry.phase(), message, now, now, false));
            }
        }
        if (!journaled.held().isEmpty()) {
            LOG.atInfo().addKeyValue("node", node).addKeyValue("targets", journaled.held().size())
                    .addKeyValue("applying", journaled.applying()).log("mig_journal_restored");
        }
        schedulePass();
    }

    /**
     * The MIG targets of the latest desired state: new ones (a new GPU or version) start applying,
     * known ones keep their phase, GPUs left out are left alone. Cheap and never blocking: the
     * reporting thread calls it with every reply.
     */
    public void requested(List<GpuMigTarget> targets) {
        Instant now = clock.instant();
        boolean fresh = false;
        boolean changed;
        synchronized (lock) {
            Map<Integer, Held> next = new TreeMap<>();
            for (GpuMigTarget target : targets) {
                Held known = held.get(target.gpu());
                if (known != null && known.target().equals(target)) {
                    next.put(target.gpu(), known);
                } else {
                    Held started = new Held(target, MigPhase.APPLYING, "applying " + target.describe(), now, now,
                            false);
                    next.put(target.gpu(), started);
                    told(target, null, started);
                    fresh = true;
                }
            }
            changed = fresh || !next.keySet().equals(held.keySet());
            held.clear();
            held.putAll(next);
        }
        if (changed) {
            schedulePass();
            onChange.run();
        }
    }

    /** After every sample: the GPUs are compared with their targets again (on the MIG thread). */
    public void sampled() {
        schedulePass();
    }

    /** One status per target held, by GPU: what each report carries, and /v1/node and /metrics show. */
    public List<GpuMigStatus> statuses() {
        synchronized (lock) {
            return held.values().stream().map(Held::status).toList();
        }
    }

    private void schedulePass() {
        if (passQueued.getAndSet(true)) {
            return;
        }
        try {
            worker.execute(this::pass);
        } catch (RejectedExecutionException e) {
            // The agent is stopping.
        }
    }

    private void pass() {
        passQueued.set(false);
        List<Held> targets;
        synchronized (lock) {
            targets = List.copyOf(held.values());
        }
        for (Held target : targets) {
            if (target.phase() == MigPhase.FAILED || !stillHeld(target)) {
                continue;
            }
            try {
                reconcile(target);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // A bug must not end reconciling for the life of the process.
                LOG.atError().addKeyValue("node", node).addKeyValue("gpu", target.target().gpu()).setCause(e)
                        .log("mig_reconcile_crashed");
                fail(target, "the agent's MIG reconciler crashed: " + e);
            }
        }
        persist();
        passes.incrementAndGet();
    }

    /** How many passes over the targets have ended: what a test waits on instead of sleeping. */
    long passes() {
        return passes.get();
    }

    private void reconcile(Held start) throws InterruptedException {
        Held current = start;
        GpuMigTarget target = current.target();
        GpuDevice device = device(target.gpu());
        if (device == null) {
            fail(current, "no GPU " + target.gpu() + " on this node");
            return;
        }
        if (target.heldBy(device.mig())) {
            if (current.phase() != MigPhase.SUCCESS) {
                move(current, MigPhase.SUCCESS, MigLayouts.summary(target));
            }
            return;
        }
        if (current.phase() == MigPhase.SUCCESS) {
            current = move(current, MigPhase.APPLYING, "GPU " + target.gpu() + " shows "
                    + MigLayouts.summary(device.mig()) + "; applying " + target.describe() + " again");
            if (current == null) {
                return;
            }
        }
        if (timedOut(current)) {
            fail(current, "timed out after " + HumanDurations.format(applyTimeout) + ": " + current.message());
            return;
        }
        if (current.phase() == MigPhase.RESET_REQUIRED && device.mig().enabled() != target.enabled()) {
            return; // nobody reset the GPU yet
        }
        Optional<String> problem = MigLayouts.problem(device, target);
        if (problem.isPresent()) {
            fail(current, problem.get());
            return;
        }
        List<GpuProcess> processes;
        try {
            processes = backend.processes(target.gpu());
        } catch (GpuBackendException e) {
            move(current, MigPhase.APPLYING, "cannot tell which processes use GPU " + target.gpu() + ": "
                    + e.getMessage() + "; trying again");
            return;
        }
        if (!processes.isEmpty()) {
            move(current, MigPhase.APPLYING, "refused: " + pids(processes) + " GPU " + target.gpu()
                    + "; waiting for " + (processes.size() == 1 ? "it" : "them") + " to exit");
            return;
        }
        apply(current);
    }

    private void apply(Held current) throws InterruptedException {
        try {
            applyJournaled(current.target());
            applied(current);
        } catch (GpuBackendException e) {
            switch (e.reason()) {
                case RESET_REQUIRED -> resetAndApply(current, e.getMessage());
                // Processes that came since the check, a host engine reconnecting: the next sample tries again.
                case REFUSED, CONNECTION_LOST -> move(current, MigPhase.APPLYING, e.getMessage() + "; trying again");
                default -> fail(current, e.getMessage());
            }
        }
        persist();
    }

    /** Changes the GPU, the journal naming it while the change runs (a crash then leaves it named). */
    private void applyJournaled(GpuMigTarget target) throws GpuBackendException {
        applying = target.gpu();
        persist();
        try {
            backend.applyMig(target.gpu(), target.enabled(), MigLayouts.placements(target));
        } finally {
            applying = null;
            // The GPU's instances changed (or may have): the next report should carry them, not wait a sample.
            onApplied.run();
        }
    }

    /** A mode change that waits for a reset: the agent resets the GPU where it may, then applies again. */
    private void resetAndApply(Held current, String why) throws InterruptedException {
        int gpu = current.target().gpu();
        String manual = "reset it (nvidia-smi -r -i " + gpu + ") or reboot";
        if (!allowReset) {
            move(current, MigPhase.RESET_REQUIRED, "MIG mode change on GPU " + gpu
                    + " needs a GPU reset; mig.allowReset is false: " + manual);
            return;
        }
        if (current.resetTried()) {
            move(current, MigPhase.RESET_REQUIRED, why);
            return;
        }
        current = move(current, MigPhase.APPLYING, "resetting GPU " + gpu + " to switch MIG "
                + (current.target().enabled() ? "on" : "off"));
        if (current == null) {
            return;
        }
        Outcome outcome = reset.reset(gpu);
        if (outcome.state() != AgentActionResult.State.SUCCEEDED) {
            Held tried = new Held(current.target(), current.phase(), current.message(), current.since(),
                    current.changeStarted(), true);
            move(tried, MigPhase.RESET_REQUIRED, "MIG mode change on GPU " + gpu + " needs a GPU reset; the agent's "
                    + "reset failed (" + outcome.message() + "): " + manual);
            return;
        }
        LOG.atInfo().addKeyValue("node", node).addKeyValue("gpu", gpu).addKeyValue("message", outcome.message())
                .log("mig_gpu_reset");
        try {
            applyJournaled(current.target());
            applied(current);
        } catch (GpuBackendException e) {
            if (e.reason() == GpuBackendException.Reason.RESET_REQUIRED) {
                move(current, MigPhase.RESET_REQUIRED, "still pending after the agent's reset of GPU " + gpu + ": "
                        + e.getMessage());
            } else if (e.reason() == GpuBackendException.Reason.REFUSED) {
                move(current, MigPhase.APPLYING, e.getMessage() + "; trying again");
            } else {
                fail(current, e.getMessage());
            }
        }
    }

    /** After the backend took the change: success when the GPU shows it, else another try at the next sample. */
    private void applied(Held current) {
        GpuDevice device = device(current.target().gpu());
        if (device != null && current.target().heldBy(device.mig())) {
            move(current, MigPhase.SUCCESS, MigLayouts.summary(current.target()));
        } else {
            move(current, MigPhase.APPLYING, "applied, but GPU " + current.target().gpu() + " shows "
                    + (device == null ? "nothing" : MigLayouts.summary(device.mig())) + "; trying again");
        }
    }

    /** Whether a reply took the target out (or replaced it) since the pass began. */
    private boolean stillHeld(Held target) {
        synchronized (lock) {
            Held now = held.get(target.target().gpu());
            return now != null && now.target().equals(target.target());
        }
    }

    private boolean timedOut(Held current) {
        return clock.instant().isAfter(current.changeStarted().plus(applyTimeout));
    }

    private void fail(Held current, String why) {
        move(current, MigPhase.FAILED, why);
    }

    /**
     * Records a target's new phase and message, unless a reply replaced the target meanwhile; returns
     * the target as now held, or null when it was replaced. The event of a phase change is in the log
     * by the time the new phase shows.
     */
    private Held move(Held current, MigPhase phase, String message) {
        Held next = current.with(phase, message, clock.instant());
        boolean changed = phase != current.phase();
        synchronized (lock) {
            Held now = held.get(current.target().gpu());
            if (now == null || !now.target().equals(current.target())) {
                return null;
            }
            if (changed) {
                told(current.target(), current.phase(), next);
            }
            held.put(current.target().gpu(), next);
        }
        if (changed) {
            persist();
            onChange.run();
        }
        return next;
    }

    /** A phase change: a log line and an event (and, from the caller, a report at once). */
    private void told(GpuMigTarget target, MigPhase from, Held to) {
        GpuDevice device = device(target.gpu());
        phases.told(target, from, to.phase(), to.message(), device == null ? null : device.uuid());
    }

    /** The journal as the targets and the change in flight now stand. */
    private void persist() {
        MigJournal.Contents contents;
        synchronized (lock) {
            contents = new MigJournal.Contents(held.values().stream()
                    .map(h -> new MigJournal.Entry(h.target(), h.phase(), h.message())).toList(), applying);
        }
        journal.save(contents);
    }

    private GpuDevice device(int gpu) {
        return backend.inventory().gpus().stream().filter(d -> d.index() == gpu).findFirst().orElse(null);
    }

    /** {@code pids 4121, 4188 use} or {@code pid 4121 uses}. */
    private static String pids(List<GpuProcess> processes) {
        List<Long> pids = processes.stream().map(GpuProcess::pid).distinct().toList();
        String listed = pids.stream().map(String::valueOf).collect(Collectors.joining(", "));
        return pids.size() == 1 ? "pid " + listed + " uses" : "pids " + listed + " use";
    }

    @Override
    public void close() {
        worker.shutdownNow();
        try {
            worker.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
