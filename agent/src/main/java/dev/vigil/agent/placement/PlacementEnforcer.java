package dev.vigil.agent.placement;

import dev.vigil.agent.sampling.EventLog;
import dev.vigil.api.gpu.GpuDevice;
import dev.vigil.api.gpu.GpuProcess;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.api.jobs.Allocation;
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
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Placement enforcement: after each sample, on its own thread (never on the scrape or sampling path), judges every
 * process on every GPU against the node's allocations and hands the violations to the node pool's policy
 * ({@link Violations}). A pass asked for while one runs is folded into one more pass. The last pass is what the
 * agent reports, shows on {@code /v1/node} and counts in {@code vigil_gpu_processes}.
 */
public final class PlacementEnforcer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PlacementEnforcer.class);

    private final String node;
    private final GpuBackend backend;
    private final Attribution attribution;
    private final Supplier<List<Allocation>> allocations;
    private final Supplier<PlacementPolicy> policy;
    private final PlacementRules rules;
    private final Clock clock;
    private final AllocationChanges changes = new AllocationChanges();
    private final ExecutorService thread;
    private final AtomicBoolean pending = new AtomicBoolean();
    private final Violations violations;
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
        this.violations = new Violations(node, attribution, signals, events);
        this.rules = rules;
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
        List<JudgedProcess> judged = violations.enforce(judgements, inventory, policy.get(), now);
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
