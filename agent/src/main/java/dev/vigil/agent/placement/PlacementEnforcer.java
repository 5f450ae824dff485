package dev.vigil.agent.placement;

import dev.vigil.agent.sampling.EventLog;
import dev.vigil.api.gpu.GpuDevice;
import dev.vigil.api.gpu.GpuEvent;
import dev.vigil.api.gpu.GpuProcess;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.api.gpu.RepairAction;
import dev.vigil.api.gpu.Severity;
import dev.vigil.api.jobs.Allocation;
import dev.vigil.api.placement.Enforcement;
import dev.vigil.api.placement.JudgedProcess;
import dev.vigil.api.placement.PlacementPolicy;
import dev.vigil.api.placement.PlacementVerdict;
import dev.vigil.gpu.backend.GpuBackend;
import dev.vigil.gpu.backend.GpuBackendException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Placement enforcement: after each sample, on its own thread (never on the scrape or sampling path), judges every
 * process on every GPU and reports each new violation once per PID: an event (which reaches the controller in the
 * agent's reports) and a {@code placement_violation} log line. Then the node pool's policy: {@code report} stops
 * there; {@code kill} sends SIGTERM at once and SIGKILL once {@code killGrace} has passed; {@code cordon-gpu} marks
 * the process so, for the controller to cordon its GPU. Each action is an event and a {@code placement_action} log
 * line. A pass asked for while one runs is folded into one more pass.
 */
public final class PlacementEnforcer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PlacementEnforcer.class);

    private final String node;
    private final GpuBackend backend;
    private final Attribution attribution;
    private final Supplier<List<Allocation>> allocations;
    private final Supplier<PlacementPolicy> policy;
    private final Signals signals;
    private final PlacementRules rules;
    private final EventLog events;
    private final Clock clock;
    private final AllocationChanges changes = new AllocationChanges();
    private final ExecutorService thread;
    private final AtomicBoolean pending = new AtomicBoolean();
    /** Each PID violating as of the last pass: reported again only after it stopped violating. */
    private final Map<Long, Violation> violations = new HashMap<>();
    /** Who each PID listed in the last pass is. */
    private Map<Long, ProcessIdentity> known = Map.of();
    private volatile List<JudgedProcess> latest = List.of();

    public PlacementEnforcer(String node, GpuBackend backend, Attribution attribution,
                             Supplier<List<Allocation>> allocations, Supplier<PlacementPolicy> policy,
                             Signals signals, PlacementRules rules, EventLog events, Clock clock) {
        this.node = node;
        this.backend = backend;
        this.attribution = attribution;
        this.allocations = allocations;
        this.policy = policy;
        this.signals = signals;
        this.rules = rules;
        this.events = events;
        this.clock = clock;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "vigil-placement-" + node);
            t.setDaemon(true);
            return t;
        });
    }

    /** A new sample is out: runs a pass on the enforcer's thread unless one is already waiting. */
    public void sampled() {
        if (pending.getAndSet(true)) {
            return;
        }
        try {
            thread.execute(() -> {
                pending.set(false);
                try {
                    pass();
                } catch (RuntimeException e) {
                    LOG.atWarn().addKeyValue("node", node).addKeyValue("error", String.valueOf(e.getMessage()))
                            .log("placement_pass_failed");
                }
            });
        } catch (RejectedExecutionException closed) {
            pending.set(false);
        }
    }

    /** One enforcement pass; returns its judgements (also kept for {@link #gpus} and {@link #counts}). */
    public synchronized List<JudgedProcess> pass() {
        Instant now = clock.instant();
        NodeInventory inventory = backend.inventory();
        List<GpuProcess> processes = new ArrayList<>();
        for (GpuDevice device : inventory.gpus()) {
            try {
                processes.addAll(backend.processes(device.index()));
            } catch (GpuBackendException e) {
                // A GPU that does not answer has its own health event; its processes are judged once it answers.
            }
        }
        Map<Long, ProcessIdentity> identities = identify(processes);
        List<Allocation> held = allocations.get();
        List<Judgement> judgements = PlacementJudge.judge(processes, identities, held,
                changes.observe(held, now), rules, now);
        List<JudgedProcess> judged = enforce(judgements, inventory, policy.get(), now);
        latest = judged;
        return judged;
    }

    /**
     * Who each listed PID is: /proc is read for the PIDs not listed in the last pass only, a PID that left every
     * GPU is forgotten. A PID listed in two passes in a row is taken for the same process: for another process to
     * get it in between, the old one must have ended and the kernel handed out every other PID meanwhile; before a
     * signal the start time is checked all the same ({@link Attribution#sameProcess}).
     */
    private Map<Long, ProcessIdentity> identify(List<GpuProcess> processes) {
        Map<Long, ProcessIdentity> identities = new HashMap<>();
        for (GpuProcess process : processes) {
            long pid = process.pid();
            if (identities.containsKey(pid)) {
                continue;
            }
            ProcessIdentity identity = known.get(pid);
            if (identity == null) {
                identity = attribution.identify(pid).orElse(null);
            }
            if (identity != null) {
                identities.put(pid, identity);
            }
        }
        known = identities;
        return identities;
    }

    /**
     * Reports each new violating PID once, carries out the policy on it, and returns every process as reported.
     * A PID on several GPUs is acted on once; each of its violating entries shows what was done.
     */
    private List<JudgedProcess> enforce(List<Judgement> judgements, NodeInventory inventory,
                                                     PlacementPolicy policy, Instant now) {
        Map<Long, Violation> thisPass = new HashMap<>();
        List<GpuEvent> added = new ArrayList<>();
        List<JudgedProcess> judged = new ArrayList<>(judgements.size());
        for (Judgement judgement : judgements) {
            if (!judgement.verdict().violation()) {
                judged.add(judgement.judged(null, null));
                continue;
            }
            long pid = judgement.identity().pid();
            Violation violation = thisPass.get(pid);
            if (violation == null) {
                violation = violations.get(pid);
                if (violation == null || violation.identity.startTime() != judgement.identity().startTime()) {
                    violation = new Violation(judgement.identity(), now);
                    added.add(violation(judgement.judged(Enforcement.REPORTED, now), inventory));
                }
                thisPass.put(pid, violation);
                act(violation, judgement, policy, inventory, now, added);
            }
            judged.add(judgement.judged(violation.enforcement, violation.since));
        }
        violations.clear();
        violations.putAll(thisPass);
        events.append(added);
        return judged;
    }

    /** The policy's next step for one violating process, if it has one now. */
    private void act(Violation violation, Judgement judgement, PlacementPolicy policy, NodeInventory inventory,
                     Instant now, List<GpuEvent> added) {
        if (violation.settled) {
            return;
        }
        Enforcement current = violation.enforcement;
        switch (policy.action()) {
            case REPORT -> {
            }
            case CORDON_GPU -> {
                if (current == Enforcement.REPORTED) {
                    record(violation, judgement, Enforcement.CORDON_GPU, null, inventory, now, added);
                }
            }
            case KILL -> {
                if (current == Enforcement.REPORTED || current == Enforcement.CORDON_GPU) {
                    signal(violation, judgement, false, inventory, now, added);
                } else if (current == Enforcement.SIGTERM_SENT
                        && !now.isBefore(violation.terminatedAt.plus(policy.killGrace()))) {
                    signal(violation, judgement, true, inventory, now, added);
                }
            }
        }
    }

    /** SIGTERM or SIGKILL, only to the very process judged: a PID the kernel gave to another one is left alone. */
    private void signal(Violation violation, Judgement judgement, boolean force, NodeInventory inventory,
                        Instant now, List<GpuEvent> added) {
        long pid = violation.identity.pid();
        if (!attribution.sameProcess(violation.identity)) {
            violation.settled = true;
            LOG.atInfo().addKeyValue("node", node).addKeyValue("pid", pid)
                    .addKeyValue("signal", force ? "SIGKILL" : "SIGTERM")
                    .log("placement_process_gone");
            return;
        }
        try {
            if (!(force ? signals.kill(pid) : signals.terminate(pid))) {
                violation.settled = true;
                return;
            }
            record(violation, judgement, force ? Enforcement.SIGKILL_SENT : Enforcement.SIGTERM_SENT, null, inventory,
                    now, added);
            violation.terminatedAt = now;
        } catch (Signals.SignalFailedException e) {
            record(violation, judgement, Enforcement.SIGNAL_FAILED, e.getMessage(), inventory, now, added);
            violation.settled = true;
        }
    }

    /** One action: the violation's new enforcement, an event the controller audits and a log line. */
    private void record(Violation violation, Judgement judgement, Enforcement enforcement, String reason,
                        NodeInventory inventory, Instant now, List<GpuEvent> added) {
        violation.enforcement = enforcement;
        JudgedProcess process = judgement.judged(enforcement, violation.since);
        var log = LOG.atWarn().addKeyValue("node", node).addKeyValue("gpu", process.gpu())
                .addKeyValue("action", enforcement.wire()).addKeyValue("verdict", process.verdict().wire())
                .addKeyValue("pid", process.pid()).addKeyValue("user", process.user())
                .addKeyValue("command", process.command()).addKeyValue("owner", process.owner())
                .addKeyValue("job", process.job() == null ? "none" : process.job());
        if (reason != null) {
            log = log.addKeyValue("reason", reason);
        }
        log.log("placement_action");
        added.add(event(process, inventory, now, enforcement.wire(), reason));
    }

    private GpuEvent violation(JudgedProcess process, NodeInventory inventory) {
        String job = process.job() == null ? "none" : process.job();
        LOG.atWarn().addKeyValue("node", node).addKeyValue("gpu", process.gpu())
                .addKeyValue("verdict", process.verdict().wire()).addKeyValue("pid", process.pid())
                .addKeyValue("user", process.user()).addKeyValue("command", process.command())
                .addKeyValue("owner", process.owner()).addKeyValue("job", job)
                .log("placement_violation");
        return event(process, inventory, process.since(), process.verdict().wire(), null);
    }

    /**
     * {@code placement <what> on gpu N: pid P user U command C owner O job J[: reason]}, {@code what} being the
     * verdict or the action taken: what the controller audits.
     */
    private static GpuEvent event(JudgedProcess process, NodeInventory inventory, Instant at, String what,
                                  String reason) {
        int gpu = process.gpu();
        String uuid = gpu < inventory.gpus().size() ? inventory.gpus().get(gpu).uuid() : null;
        return new GpuEvent(0, at, gpu, uuid, process.gpuInstance(), null, GpuEvent.Kind.FAULT, null,
                Severity.WARNING, RepairAction.NONE, "placement " + what + " on gpu " + gpu + ": pid " + process.pid()
                + " user " + process.user() + " command " + process.command() + " owner " + process.owner()
                + " job " + (process.job() == null ? "none" : process.job()) + (reason == null ? "" : ": " + reason));
    }

    /** Every process on every GPU, judged, as of the last pass: what the agent reports to the controller. */
    public List<JudgedProcess> processes() {
        return latest;
    }

    /** Each GPU's processes with their verdicts, as of the last pass; GPUs without processes are left out. */
    public List<GpuPlacement> gpus() {
        Map<Integer, List<JudgedProcess>> byGpu = new TreeMap<>();
        for (JudgedProcess process : latest) {
            byGpu.computeIfAbsent(process.gpu(), gpu -> new ArrayList<>()).add(process);
        }
        return byGpu.entrySet().stream().map(e -> new GpuPlacement(e.getKey(), e.getValue())).toList();
    }

    /** How many processes each GPU has per verdict, as of the last pass. */
    public Map<Integer, Map<PlacementVerdict, Integer>> counts() {
        Map<Integer, Map<PlacementVerdict, Integer>> counts = new TreeMap<>();
        for (JudgedProcess process : latest) {
            counts.computeIfAbsent(process.gpu(), gpu -> new TreeMap<>()).merge(process.verdict(), 1, Integer::sum);
        }
        return counts;
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }

    /** What the agent knows of one violating process and has done about it. */
    private static final class Violation {
        final ProcessIdentity identity;
        final Instant since;
        Enforcement enforcement = Enforcement.REPORTED;
        /** When SIGTERM went out. */
        Instant terminatedAt;
        /** Nothing more to do: it ended before a signal, or it could not be signalled. */
        boolean settled;

        Violation(ProcessIdentity identity, Instant since) {
            this.identity = identity;
            this.since = since;
        }
    }
}
