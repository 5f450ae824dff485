package dev.vigil.controller.mig;

import dev.vigil.api.Problem;
import dev.vigil.api.cluster.ClusterEvent;
import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.cluster.NodeState;
import dev.vigil.api.cluster.Role;
import dev.vigil.api.gpu.GpuDevice;
import dev.vigil.api.gpu.RepairAction;
import dev.vigil.api.gpu.Severity;
import dev.vigil.api.jobs.JobRecord;
import dev.vigil.api.mig.GpuLayout;
import dev.vigil.api.mig.GpuMig;
import dev.vigil.api.mig.GpuMigTarget;
import dev.vigil.api.mig.MigPhase;
import dev.vigil.api.mig.MigProposal;
import dev.vigil.api.mig.MigRequest;
import dev.vigil.api.mig.MigSlot;
import dev.vigil.api.mig.NodeMig;
import dev.vigil.controller.config.MigSettings;
import dev.vigil.controller.leader.Caller;
import dev.vigil.controller.leader.EventLoop;
import dev.vigil.controller.leader.MigLayouts;
import dev.vigil.controller.leader.Mutation;
import dev.vigil.controller.leader.NodeControl;
import dev.vigil.controller.leader.Outcome;
import dev.vigil.controller.leader.Outcomes;
import dev.vigil.controller.state.Store;
import dev.vigil.gpu.mig.MigGpuPlan;
import dev.vigil.gpu.mig.MigPlanException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * MIG changes on the leader: an operator's request becomes a record per GPU on the node (applied
 * on the {@link EventLoop} like every change); the records then advance by {@link MigSteps} every
 * second and whenever the node's agent reports: the GPUs whose layout changes close to new work,
 * their jobs leave (preemptible ones at once), the layout goes to the agent once they are empty,
 * and the agent's word ends the change. GPUs that keep their layout stay in service.
 */
public final class MigControl implements MigLayouts {
    private static final Logger LOG = LoggerFactory.getLogger(MigControl.class);
    private static final Duration TICK = Duration.ofSeconds(1);
    /** Who {@code mig.auto}'s changes are audited as. */
    static final String AUTO = "mig-auto";

    /** How the scheduler takes jobs off a GPU. */
    @FunctionalInterface
    public interface Reclaimer {
        void reclaim(String node, int gpu, boolean preemptibleOnly, String why);
    }

    private final EventLoop loop;
    private final Store store;
    private final Clock clock;
    private final MigSettings settings;
    private final MigConfigs configs;
    private final NodeControl nodes;
    private final Reclaimer reclaimer;
    private final Map<String, String> poolOf;
    private final BooleanSupplier acting;
    private final String member;
    /** Nodes with a GPU whose change is in flight. Loop thread only. */
    private final Set<String> changing = new HashSet<>();
    private Future<?> ticks = CompletableFuture.completedFuture(null);
    private Future<?> autoTicks = CompletableFuture.completedFuture(null);

    /** @param member this member's name, for the audit of what {@code mig.auto} changes */
    public MigControl(EventLoop loop, Store store, Clock clock, MigSettings settings, MigConfigs configs,
                      NodeControl nodes, Reclaimer reclaimer, Map<String, String> poolOf, String member,
                      BooleanSupplier acting) {
        this.loop = loop;
        this.store = store;
        this.clock = clock;
        this.settings = settings;
        this.configs = configs;
        this.nodes = nodes;
        this.reclaimer = reclaimer;
        this.poolOf = Map.copyOf(poolOf);
        this.acting = acting;
        this.member = member;
    }

    @Override
    public void startLeading() {
        loop.requireLoop();
        changing.clear();
        for (NodeRecord node : store.nodes()) {
            if (node.mig().stream().anyMatch(m -> m.phase().changing())) {
                changing.add(node.name());
            }
        }
        ticks = loop.every("mig", TICK, this::tick);
        if (settings.auto().enabled()) {
            autoTicks = loop.every("mig-auto", settings.auto().interval(), this::followDemand);
        }
    }

    @Override
    public void stopLeading() {
        loop.requireLoop();
        ticks.cancel(false);
        autoTicks.cancel(false);
        changing.clear();
    }

    /** Told of every node the leader stores: an agent's word on a layout is followed at once. */
    public void changed(NodeRecord old, NodeRecord next) {
        boolean told = old == null || !old.migReported().equals(next.migReported());
        boolean moved = old != null && (old.state() != next.state() || !old.allocations().equals(next.allocations()));
        if (next.mig().stream().anyMatch(m -> m.phase().changing() || m.phase() == MigPhase.SUCCESS) && (told || moved)) {
            // After the event that stored it: a listener must not store the node again inside that event.
            loop.post("mig-follow", () -> follow(next.name()));
        }
    }

    @Override
    public Outcome apply(Mutation.MigMutation mutation) {
        loop.requireLoop();
        Mutation.SetMig set = (Mutation.SetMig) mutation;
        Instant now = clock.instant();
        List<NodeRecord> targets;
        try {
            targets = targets(set);
        } catch (Refusal refusal) {
            return refuse(set.caller(), refusal.problem);
        }
        Map<String, List<GpuMig>> planned = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (NodeRecord node : targets) {
            try {
                planned.put(node.name(), plan(node, set.request(), set.caller().actor(), now));
            } catch (Refusal refusal) {
                if (set.node() != null) {
                    return refuse(set.caller(), refusal.problem);
                }
                problems.add(refusal.problem.detail());
            }
        }
        if (!problems.isEmpty()) {
            return refuse(set.caller(), new Problem("/problems/invalid-input", "Invalid input", 400,
                    String.join("; ", problems), null, "config", set.request().config(),
                    "a config that fits the GPUs (GET /v1/mig/configs lists what each makes of each model)"));
        }
        List<NodeMig> answers = new ArrayList<>();
        for (Map.Entry<String, List<GpuMig>> entry : planned.entrySet()) {
            NodeRecord stored = nodes.changeMig(entry.getKey(), entry.getValue()).orElseThrow();
            changing.add(stored.name());
            String what = "mig " + set.request().config() + " on " + describeGpus(entry.getValue());
            store.append(new ClusterEvent(0, now, stored.name(), null, "mig", Severity.INFO, RepairAction.NONE,
                    "node " + stored.name() + ": " + what + " asked by " + set.caller().actor(), set.caller().actor()));
            LOG.atInfo().addKeyValue("node", stored.name()).addKeyValue("config", set.request().config())
                    .addKeyValue("gpus", describeGpus(entry.getValue())).addKeyValue("force", set.request().force())
                    .addKeyValue("actor", set.caller().actor()).log("mig_set");
            follow(stored.name());
            answers.add(view(store.node(stored.name()).orElse(stored)));
        }
        String result = answers.stream().map(a -> a.node() + ": " + a.gpus().stream()
                .filter(g -> g.change() != null && g.change().config().equals(set.request().config()))
                .map(g -> "gpu " + g.gpu() + " " + g.change().phase().wire()).collect(Collectors.joining(", ")))
                .collect(Collectors.joining("; "));
        store.audit(set.caller().audited(now, set.request().reason(), 200, result));
        return Outcomes.value(set.node() != null ? answers.get(0) : answers);
    }

    /** A node's GPUs, their layouts now and the changes asked of them. */
    public static NodeMig view(NodeRecord node) {
        List<GpuLayout> gpus = new ArrayList<>();
        if (node.inventory() != null) {
            for (GpuDevice device : node.inventory().gpus()) {
                GpuMig change = node.mig().stream().filter(m -> m.gpu() == device.index()).findFirst().orElse(null);
                gpus.add(new GpuLayout(device.index(), device.model(), device.mig() != null && device.mig().capable(),
                        MigConfigs.describe(device.mig()), change));
            }
        }
        return new NodeMig(node.name(), gpus);
    }

    /** One line per GPU whose layout is changing, for {@code vigil why}: where, to what, and what it waits for. */
    public static List<String> reconfiguring(List<NodeRecord> nodes) {
        List<String> lines = new ArrayList<>();
        for (NodeRecord node : nodes) {
            for (GpuMig mig : node.mig()) {
                if (mig.phase().changing()) {
                    lines.add("MIG: gpu " + mig.gpu() + " of " + node.name() + " takes no work while it changes to "
                            + mig.config() + " (" + mig.phase().wire() + ": " + mig.message() + ")");
                }
            }
        }
        return lines;
    }

    /**
     * {@code mig.auto}: applies what {@code vigil mig plan} proposes, within its limits, as an operator's
     * request would be (audited as {@code mig-auto}). Proposals only name idle GPUs, so nothing drains.
     */
    private void followDemand() {
        if (!acting.getAsBoolean()) {
            return;
        }
        List<MigProposal> proposals = MigDemand.plan(store.nodes(), store.jobs(), poolOf, configs,
                settings.auto().limits(), clock.instant());
        for (MigProposal proposal : proposals) {
            Caller auto = new Caller(AUTO, Role.OPERATOR, "controller", member, "mig auto", null);
            apply(new Mutation.SetMig(proposal.node(), null, new MigRequest(proposal.to(), proposal.gpus(), null, false,
                    "mig.auto: " + proposal.why()), auto));
        }
    }

    private void tick() {
        if (!acting.getAsBoolean()) {
            return;
        }
        for (String node : List.copyOf(changing)) {
            follow(node);
        }
    }

    /** Takes jobs off draining GPUs, then advances the node's records and stores what moved. */
    private void follow(String name) {
        loop.requireLoop();
        Instant now = clock.instant();
        NodeRecord node = store.node(name).orElse(null);
        if (node == null) {
            changing.remove(name);
            return;
        }
        List<MigSteps.Reclaim> reclaims = MigSteps.reclaims(node, this::preemptible, now);
        for (MigSteps.Reclaim reclaim : reclaims) {
            reclaimer.reclaim(name, reclaim.gpu(), reclaim.preemptibleOnly(), reclaim.why());
        }
        if (!reclaims.isEmpty()) {
            node = store.node(name).orElseThrow();
        }
        MigSteps.Step step = MigSteps.advance(node, settings.applyTimeout(), now);
        NodeRecord stored = nodes.changeMig(name, step.mig()).orElse(node);
        for (MigSteps.Transition moved : step.transitions()) {
            boolean failed = moved.to() == MigPhase.FAILED || moved.to() == MigPhase.RESET_REQUIRED;
            // Slurm's gres.conf lists a node's MIG instances: it must be written again after a change.
            String slurm = moved.to() == MigPhase.SUCCESS && stored.execution() != null
                    && "slurm".equals(stored.execution().backend())
                    ? "; Slurm's gres.conf must list the new instances: vigil slurm gres-conf " + name : "";
            String message = "mig gpu " + moved.gpu() + " of " + name + ": " + moved.from().wire() + " -> "
                    + moved.to().wire() + (moved.message() == null ? "" : ": " + moved.message()) + slurm;
            store.append(new ClusterEvent(0, now, name, moved.gpu(), "mig", failed ? Severity.WARNING : Severity.INFO,
                    RepairAction.NONE, message, "mig"));
            LOG.atInfo().addKeyValue("node", name).addKeyValue("gpu", moved.gpu())
                    .addKeyValue("from", moved.from().wire()).addKeyValue("to", moved.to().wire())
                    .addKeyValue("message", moved.message()).log("mig_phase");
        }
        if (stored.mig().stream().noneMatch(m -> m.phase().changing())) {
            changing.remove(name);
        }
    }

    private boolean preemptible(String job) {
        return store.job(job).map(JobRecord::spec).map(spec -> spec.preemptible()).orElse(false);
    }

    /** The nodes a request names: one node, or the pool's nodes that have a MIG-capable GPU. */
    private List<NodeRecord> targets(Mutation.SetMig set) throws Refusal {
        if (set.node() != null) {
            NodeRecord node = store.node(set.node()).orElseThrow(() -> new Refusal(Problem.of(404, "not-found",
                    "Not found", "no node " + set.node() + " (nodes appear when their agent first reports)", null)));
            return List.of(node);
        }
        List<NodeRecord> members = store.nodes().stream().filter(n -> set.pool().equals(poolOf.get(n.name())))
                .filter(n -> n.inventory() != null && n.inventory().gpus().stream()
                        .anyMatch(g -> g.mig() != null && g.mig().capable()))
                .sorted(Comparator.comparing(NodeRecord::name)).toList();
        if (members.isEmpty()) {
            Set<String> pools = new TreeSet<>(poolOf.values());
            throw new Refusal(Problem.of(404, "not-found", "Not found", "pool " + set.pool()
                    + " has no node with a MIG-capable GPU that has reported (pools: " + String.join(", ", pools) + ")",
                    null));
        }
        return members;
    }

    /** The records the request makes of a node's GPUs: unchanged ones in success at once, the rest draining. */
    private List<GpuMig> plan(NodeRecord node, MigRequest request, String actor, Instant now) throws Refusal {
        if (node.inventory() == null) {
            throw new Refusal(Problem.of(409, "conflict", "Conflict", "node " + node.name()
                    + " has sent no inventory yet: its GPUs are known with its agent's next report", null));
        }
        List<GpuDevice> devices = node.inventory().gpus();
        Set<Integer> indices = devices.stream().map(GpuDevice::index).collect(Collectors.toSet());
        for (int gpu : request.gpus()) {
            if (!indices.contains(gpu)) {
                throw new Refusal(new Problem("/problems/invalid-input", "Invalid input", 400, "node " + node.name()
                        + " has no GPU " + gpu, null, "gpus", request.gpus().toString(), "GPU indices of " + node.name()
                        + ": 0 to " + (devices.size() - 1)));
            }
        }
        Map<Integer, MigGpuPlan> plans;
        try {
            plans = configs.plan(request.config(), devices);
        } catch (MigPlanException e) {
            throw new Refusal(Problem.of(400, "invalid-input", "Invalid input", "node " + node.name() + ": "
                    + String.join("; ", e.reasons()), null));
        }
        Duration drain = request.drain() == null ? settings.drainTimeout() : request.drain();
        List<String> problems = new ArrayList<>();
        Map<Integer, GpuMig> records = new LinkedHashMap<>();
        node.mig().forEach(m -> records.put(m.gpu(), m));
        for (GpuDevice device : devices) {
            if (!request.gpus().isEmpty() && !request.gpus().contains(device.index())) {
                continue;
            }
            MigGpuPlan plan = plans.get(device.index());
            if (plan.action() == MigGpuPlan.Action.KEEP_CURRENT) {
                if (!request.gpus().isEmpty()) {
                    problems.add("mig-config " + request.config() + " has no entry for " + plan.gpu());
                }
                continue;
            }
            if (!plan.migEnabled() && (device.mig() == null || !device.mig().capable())) {
                continue; // MIG off on a GPU without MIG: nothing to hold or keep
            }
            List<MigSlot> slots = plan.placements().stream().map(p -> new MigSlot(p.profile(), p.start())).toList();
            GpuMig old = records.get(device.index());
            if (old != null && old.phase() == MigPhase.SUCCESS && old.enabled() == plan.migEnabled()
                    && old.instances().equals(slots) && new GpuMigTarget(device.index(), request.config(), plan.migEnabled(), slots, 0).heldBy(device.mig())) {
                continue;
            }
            if (new GpuMigTarget(device.index(), request.config(), plan.migEnabled(), slots, 0).heldBy(device.mig())) {
                records.put(device.index(), new GpuMig(device.index(), request.config(), plan.migEnabled(), slots,
                        MigPhase.APPLYING, "already in this layout", now, now.plus(settings.applyTimeout()),
                        request.force(), actor, node.version() + 1));
            } else {
                records.put(device.index(), new GpuMig(device.index(), request.config(), plan.migEnabled(), slots,
                        node.state() == NodeState.UNKNOWN ? MigPhase.PENDING : MigPhase.DRAINING,
                        "closed to new work", now, now.plus(drain), request.force(), actor, 0));
            }
        }
        if (!problems.isEmpty()) {
            throw new Refusal(Problem.of(400, "invalid-input", "Invalid input", "node " + node.name() + ": "
                    + String.join("; ", problems), null));
        }
        if (records.values().stream().noneMatch(m -> m.config().equals(request.config()))) {
            throw new Refusal(Problem.of(400, "invalid-input", "Invalid input", "node " + node.name()
                    + ": mig-config " + request.config() + " selects none of its GPUs", null));
        }
        return records.values().stream().sorted(Comparator.comparingInt(GpuMig::gpu)).toList();
    }

    private static String describeGpus(List<GpuMig> mig) {
        return mig.stream().map(m -> String.valueOf(m.gpu())).collect(Collectors.joining(","));
    }

    private Outcome refuse(Caller caller, Problem problem) {
        store.audit(caller.audited(clock.instant(), problem.detail(), problem.status(), "refused"));
        return Outcomes.problem(problem);
    }

    /** A request that cannot be carried out, with the problem to answer. */
    private static final class Refusal extends Exception {
        private final Problem problem;

        Refusal(Problem problem) {
            super(problem.detail(), null, false, false);
            this.problem = problem;
        }
    }
}
