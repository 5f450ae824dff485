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
 * The {@code report} policy: after each sample, on its own thread (never on the scrape or sampling path), judges
 * every process on every GPU and reports each new violation once per PID: an event (which reaches the controller in
 * the agent's reports) and a {@code placement_violation} log line. A pass asked for while one runs is folded into
 * one more pass.
 */
public final class PlacementEnforcer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PlacementEnforcer.class);

    private final String node;
    private final GpuBackend backend;
    private final Attribution attribution;
    private final Supplier<List<Allocation>> allocations;
    private final PlacementRules rules;
    private final EventLog events;
    private final Clock clock;
    private final AllocationChanges changes = new AllocationChanges();
    private final ExecutorService thread;
    private final AtomicBoolean pending = new AtomicBoolean();
    /** When each PID still violating was first seen violating: reported again only after it stopped. */
    private final Map<Long, Instant> violatingSince = new HashMap<>();
    private volatile List<JudgedProcess> latest = List.of();

    public PlacementEnforcer(String node, GpuBackend backend, Attribution attribution,
                             Supplier<List<Allocation>> allocations, PlacementRules rules, EventLog events,
                             Clock clock) {
        this.node = node;
        this.backend = backend;
        this.attribution = attribution;
        this.allocations = allocations;
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
    public List<JudgedProcess> pass() {
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
        Map<Long, ProcessIdentity> identities = new HashMap<>();
        for (GpuProcess process : processes) {
            if (!identities.containsKey(process.pid())) {
                attribution.identify(process.pid()).ifPresent(identity -> identities.put(process.pid(), identity));
            }
        }
        List<Allocation> held = allocations.get();
        List<Judgement> judgements = PlacementJudge.judge(processes, identities, held,
                changes.observe(held, now), rules, now);
        List<JudgedProcess> judged = report(judgements, inventory, now);
        latest = judged;
        return judged;
    }

    private synchronized List<JudgedProcess> report(List<Judgement> judgements, NodeInventory inventory,
                                                    Instant now) {
        Set<Long> stillViolating = new HashSet<>();
        List<GpuEvent> added = new ArrayList<>();
        List<JudgedProcess> judged = new ArrayList<>(judgements.size());
        for (Judgement judgement : judgements) {
            if (!judgement.verdict().violation()) {
                judged.add(judgement.judged(null, null));
                continue;
            }
            long pid = judgement.identity().pid();
            Instant since = violatingSince.get(pid);
            if (since == null) {
                since = now;
                added.add(violation(judgement.judged(Enforcement.REPORTED, now), inventory));
            }
            violatingSince.put(pid, since);
            stillViolating.add(pid);
            judged.add(judgement.judged(Enforcement.REPORTED, since));
        }
        violatingSince.keySet().retainAll(stillViolating);
        events.append(added);
        return judged;
    }

    private GpuEvent violation(JudgedProcess process, NodeInventory inventory) {
        String job = process.job() == null ? "none" : process.job();
        LOG.atWarn().addKeyValue("node", node).addKeyValue("gpu", process.gpu())
                .addKeyValue("verdict", process.verdict().wire()).addKeyValue("pid", process.pid())
                .addKeyValue("user", process.user()).addKeyValue("command", process.command())
                .addKeyValue("owner", process.owner()).addKeyValue("job", job)
                .log("placement_violation");
        return event(process, inventory, process.since(), process.verdict().wire());
    }

    /** {@code placement <what> on gpu N: pid P user U command C owner O job J}: what the controller audits. */
    private static GpuEvent event(JudgedProcess process, NodeInventory inventory, Instant at, String what) {
        int gpu = process.gpu();
        String uuid = gpu < inventory.gpus().size() ? inventory.gpus().get(gpu).uuid() : null;
        return new GpuEvent(0, at, gpu, uuid, process.gpuInstance(), null, GpuEvent.Kind.FAULT, null,
                Severity.WARNING, RepairAction.NONE, "placement " + what + " on gpu " + gpu + ": pid " + process.pid()
                + " user " + process.user() + " command " + process.command() + " owner " + process.owner()
                + " job " + (process.job() == null ? "none" : process.job()));
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
}
