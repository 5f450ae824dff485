package dev.vigil.controller.leader;

import dev.vigil.api.Problem;
import dev.vigil.api.cluster.AgentAction;
import dev.vigil.api.cluster.AgentReport;
import dev.vigil.api.cluster.AuditEntry;
import dev.vigil.api.cluster.ClusterEvent;
import dev.vigil.api.cluster.CordonedGpu;
import dev.vigil.api.cluster.DesiredState;
import dev.vigil.api.cluster.ExecutionNode;
import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.cluster.NodeState;
import dev.vigil.api.cluster.Transition;
import dev.vigil.api.gpu.GpuDevice;
import dev.vigil.api.gpu.GpuEvent;
import dev.vigil.api.gpu.GpuHealth;
import dev.vigil.api.gpu.HealthReason;
import dev.vigil.api.gpu.HealthState;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.api.gpu.RepairAction;
import dev.vigil.api.gpu.Severity;
import dev.vigil.api.jobs.Allocation;
import dev.vigil.api.mig.GpuMig;
import dev.vigil.api.placement.JudgedProcess;
import dev.vigil.api.placement.PlacementPolicy;
import dev.vigil.controller.execution.DesiredAllocations;
import dev.vigil.controller.execution.NodeObservations;
import dev.vigil.controller.placement.PlacementReflex;
import dev.vigil.controller.state.NodeFacts;
import dev.vigil.controller.state.NodeVitals;
import dev.vigil.controller.state.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The nodes' control on the leader: every change to a node is made here, on the leader's
 * {@link EventLoop} — agent reports that change something, operators' cordons and drains, the
 * allocations the execution backends write, what a backend saw of a node, the sweep of silent
 * nodes. Node lifecycle and the health reflex live here; what is applied is audited with it.
 *
 * <p>A node's state is derived from a few facts rather than moved by hand: not reporting →
 * unknown; drain asked → draining, then drained once nothing runs there; cordoned → cordoned; no
 * inventory yet → registered; otherwise ready. Each change of the derived state is a transition
 * with its reason, actor and time, in the node's history and the event log.
 *
 * <p>The health reflex: a GPU that turns failed with a node-wide repair (power cycle, reboot, a
 * GPU fallen off the bus) cordons the node; with a GPU repair (reset, RMA, an ECC double-bit
 * error) it cordons that GPU. A node that stops reporting becomes unknown, which no work may land
 * on. The reflex acts on the change, once; an operator's uncordon then stands.
 */
public final class NodeControl implements DesiredAllocations, NodeObservations {
    static final String REFLEX = "health-reflex";
    private static final Logger LOG = LoggerFactory.getLogger(NodeControl.class);
    private static final int HISTORY = 50;

    private final Store store;
    private final Clock clock;
    private final Duration nodeTimeout;
    private final NodeListener nodes;
    private final EventLoop loop;
    private final Function<String, PlacementPolicy> placementOf;
    private Instant leadingSince;

    /**
     * @param placementOf each node's placement policy (its pool's), for its desired state
     */
    public NodeControl(Store store, Clock clock, Duration nodeTimeout, NodeListener nodes, EventLoop loop,
                       Function<String, PlacementPolicy> placementOf) {
        this.store = store;
        this.clock = clock;
        this.nodeTimeout = nodeTimeout;
        this.nodes = nodes;
        this.loop = loop;
        this.placementOf = placementOf;
    }

    /**
     * This member just became leader: every node gets a full timeout to report before it is unknown, and the
     * placement policy of the config it started with (a changed policy reaches the agent with a new version).
     */
    void startLeading() {
        leadingSince = clock.instant();
        for (NodeRecord node : store.nodes()) {
            PlacementPolicy policy = placementOf.apply(node.name());
            if (!policy.equals(node.placement())) {
                store.put(node.with().placement(policy).version(node.version() + 1).build());
            }
        }
    }

    /** An agent's report that a member could not answer alone; the answer is the node's desired state. */
    DesiredState report(Mutation.Report mutation) {
        loop.requireLoop();
        Instant now = clock.instant();
        String name = mutation.node();
        AgentReport report = mutation.report();
        NodeRecord old = store.node(name).orElse(null);

        boolean sameInventory = old != null && report.inventoryHash().equals(old.inventoryHash());
        NodeInventory inventory = report.inventory() != null ? report.inventory() : sameInventory ? old.inventory() : null;
        String inventoryHash = inventory == null ? null : report.inventoryHash();
        boolean sameAgent = old != null && report.agentId().equals(old.agentId());
        long lastEventSeq = sameAgent ? old.lastEventSeq() : 0;
        List<GpuEvent> fresh = new ArrayList<>();
        for (GpuEvent event : report.events()) {
            if (event.seq() > lastEventSeq) {
                store.append(new ClusterEvent(0, event.time(), name, event.gpu(), event.kind().name().toLowerCase(),
                        event.severity(), event.action(), event.message(), "agent"));
                lastEventSeq = event.seq();
                fresh.add(event);
            }
        }
        if (!fresh.isEmpty()) {
            nodes.events(name, fresh);
        }

        boolean cordoned = old != null && old.cordoned();
        List<CordonedGpu> cordonedGpus = new ArrayList<>(old == null ? List.of() : old.cordonedGpus());
        // A reason says why the node is in its state now, not what happened first.
        String reason = old != null ? old.reason() : inventory != null ? "reporting, inventory received"
                : "reporting, no inventory yet";
        String actor = old == null ? "agent" : old.actor();
        boolean reflexCordoned = false;
        for (GpuHealth health : report.health()) {
            if (health.state() != HealthState.FAILED || wasFailed(old, health)) {
                continue;
            }
            String why = "gpu " + health.gpu() + ": " + firstReason(health) + " (" + wire(health.action()) + ")";
            if (nodeWide(health.action())) {
                if (!cordoned) {
                    cordoned = true;
                    reflexCordoned = true;
                    reason = "health reflex: " + why;
                    actor = REFLEX;
                    reflex(name, health.gpu(), health.action(), "cordoned node " + name + ": " + why, now);
                }
            } else if (cordonedGpus.stream().noneMatch(c -> c.uuid().equals(health.uuid()))) {
                cordonedGpus.add(new CordonedGpu(health.gpu(), health.uuid(), "health reflex: " + why, REFLEX, now));
                reflex(name, health.gpu(), health.action(), "cordoned gpu " + health.gpu() + " of " + name + ": "
                        + why, now);
            }
        }

        List<JudgedProcess> violations = NodeFacts.violations(report);
        PlacementReflex.Step placement = PlacementReflex.apply(name, inventory,
                old == null ? List.of() : old.violations(), violations, cordonedGpus, now);
        cordonedGpus = new ArrayList<>(placement.cordonedGpus());
        placement.events().forEach(store::append);
        placement.audits().forEach(store::audit);
        placement.audits().forEach(entry -> LOG.atWarn().addKeyValue("node", name)
                .addKeyValue("action", entry.action()).addKeyValue("what", entry.detail())
                .addKeyValue("result", entry.result()).log("placement_action"));
        PlacementPolicy policy = placementOf.apply(name);

        List<Allocation> allocations = old == null ? List.of() : old.allocations();
        ExecutionNode execution = old == null ? null : old.execution();
        NodeState state = derive(reachable(execution), old != null && old.drain(), cordoned, inventory != null,
                busy(allocations, execution));
        if (old != null && state != old.state() && !reflexCordoned) {
            reason = old.state() == NodeState.UNKNOWN ? "reporting again" : "inventory received";
            actor = "agent";
        }
        long version = old == null ? 1 : old.version();
        if (old != null && (cordoned != old.cordoned() || !cordonedGpus.equals(old.cordonedGpus())
                || !policy.equals(old.placement()))) {
            version++;
        }
        NodeRecord next = (old == null ? NodeRecord.named(name).since(now) : old.with()).state(state).reason(reason)
                .actor(actor).lastReport(now).agentId(report.agentId()).agentVersion(report.agentVersion())
                .inventoryHash(inventoryHash).inventory(inventory).health(report.health()).gpus(report.gpus())
                .cordoned(cordoned).cordonedGpus(cordonedGpus).drain(old != null && old.drain()).version(version)
                .appliedVersion(report.appliedVersion()).applyError(report.applyError()).lastEventSeq(lastEventSeq)
                .allocations(allocations).execution(execution).actionResults(report.actions()).migReported(report.mig())
                .placement(policy).violations(violations).processes(report.placement()).build();
        next = transition(old, next, now);
        if (!next.equals(old)) {
            store.put(next);
            nodes.changed(old, next);
        }
        return NodeFacts.desired(next);
    }

    /** An operator's cordon, uncordon, drain or resume of a node. */
    public Outcome nodeChange(Mutation.NodeChange change) {
        loop.requireLoop();
        NodeRecord old = store.node(change.node()).orElse(null);
        if (old == null) {
            return noNode(change.node());
        }
        Instant now = clock.instant();
        boolean cordoned = old.cordoned();
        boolean drain = old.drain();
        List<CordonedGpu> cordonedGpus = old.cordonedGpus();
        switch (change.action()) {
            case CORDON -> cordoned = true;
            case UNCORDON -> {
                if (drain) {
                    return Outcomes.problem(Problem.of(409, "conflict", "Conflict", "node " + old.name()
                            + " is draining: resume it instead of uncordoning it", null));
                }
                cordoned = false;
            }
            case DRAIN -> {
                drain = true;
                cordoned = true;
            }
            case RESUME -> {
                drain = false;
                cordoned = false;
                cordonedGpus = List.of();
            }
        }
        boolean reporting = old.state() != NodeState.UNKNOWN && reachable(old.execution());
        NodeState state = derive(reporting, drain, cordoned, old.inventory() != null, busy(old.allocations(),
                old.execution()));
        // An operator's word replaces a cordon the execution backend imposed: it is theirs now.
        ExecutionNode execution = old.execution() == null ? null : old.execution().imposing(false);
        long version = old.version() + (cordoned != old.cordoned() || drain != old.drain()
                || !cordonedGpus.equals(old.cordonedGpus()) ? 1 : 0);
        NodeRecord next = old.with().state(state).reason(change.reason()).actor(change.caller().actor())
                .cordoned(cordoned).cordonedGpus(cordonedGpus).drain(drain).version(version).execution(execution)
                .build();
        next = transition(old, next, now);
        store.put(next);
        nodes.changed(old, next);
        String result = "node " + old.name() + ": " + wire(old.state()) + " -> " + wire(next.state());
        audit(change.caller(), change.reason(), 200, result);
        LOG.atInfo().addKeyValue("node", old.name()).addKeyValue("action", wire(change.action()))
                .addKeyValue("actor", change.caller().actor()).addKeyValue("reason", change.reason())
                .addKeyValue("state", wire(next.state())).log("node_changed");
        return Outcomes.value(next);
    }

    /**
     * Cordons or uncordons one GPU: the operator's word replaces the health reflex's (after a
     * repair, the GPU's cordon is lifted here; the reflex cordons it again only on a new failure).
     * Doing what is already so changes nothing and is answered all the same.
     */
    public Outcome gpuChange(Mutation.GpuChange change) {
        loop.requireLoop();
        NodeRecord old = store.node(change.node()).orElse(null);
        if (old == null) {
            return noNode(change.node());
        }
        if (old.inventory() == null) {
            return Outcomes.problem(Problem.of(409, "conflict", "Conflict", "node " + old.name()
                    + " has sent no inventory yet: its GPUs are known with its agent's next report", null));
        }
        Optional<GpuDevice> device = old.inventory().gpus().stream().filter(g -> g.index() == change.gpu())
                .findFirst();
        if (device.isEmpty()) {
            return Outcomes.problem(Problem.of(404, "not-found", "Not found", "node " + old.name() + " has no GPU "
                    + change.gpu() + " (its GPUs are 0 to " + (old.inventory().gpus().size() - 1) + ")", null));
        }
        String uuid = device.get().uuid();
        Instant now = clock.instant();
        List<CordonedGpu> cordonedGpus = new ArrayList<>(old.cordonedGpus());
        boolean was = cordonedGpus.removeIf(c -> c.uuid().equals(uuid));
        if (change.action() == NodeAction.CORDON) {
            cordonedGpus.add(new CordonedGpu(change.gpu(), uuid, change.reason(), change.caller().actor(), now));
            cordonedGpus.sort(Comparator.comparingInt(CordonedGpu::gpu));
        }
        boolean is = change.action() == NodeAction.CORDON;
        NodeRecord next = old;
        if (!cordonedGpus.equals(old.cordonedGpus())) {
            next = old.with().cordonedGpus(cordonedGpus).version(old.version() + (was != is ? 1 : 0)).build();
            store.put(next);
            nodes.changed(old, next);
        }
        String result = "gpu " + change.gpu() + " of " + old.name() + ": " + (was ? "cordoned" : "not cordoned")
                + " -> " + (is ? "cordoned" : "not cordoned");
        if (was != is) {
            store.append(new ClusterEvent(0, now, old.name(), change.gpu(), is ? "cordon" : "uncordon",
                    is ? Severity.WARNING : Severity.INFO, RepairAction.NONE, (is ? "cordoned gpu " : "uncordoned gpu ")
                    + change.gpu() + " of " + old.name() + ": " + change.reason(), change.caller().actor()));
        }
        audit(change.caller(), change.reason(), 200, result);
        LOG.atInfo().addKeyValue("node", old.name()).addKeyValue("gpu", change.gpu())
                .addKeyValue("action", wire(change.action())).addKeyValue("actor", change.caller().actor())
                .addKeyValue("reason", change.reason()).addKeyValue("cordoned", is).log("gpu_changed");
        return Outcomes.value(next);
    }

    /**
     * Asks the node's agent for a repair, in the desired state every reply carries; asking again
     * for an id already asked changes nothing (the agent carries out each id once).
     *
     * @return the node as stored afterwards; empty for a node the controller does not know
     */
    public Optional<NodeRecord> requestAction(String node, AgentAction action) {
        loop.requireLoop();
        NodeRecord old = store.node(node).orElse(null);
        if (old == null || old.actions().stream().anyMatch(a -> a.id().equals(action.id()))) {
            return Optional.ofNullable(old);
        }
        List<AgentAction> actions = new ArrayList<>(old.actions());
        actions.add(action);
        NodeRecord next = old.with().actions(actions).build();
        store.put(next);
        LOG.atInfo().addKeyValue("node", node).addKeyValue("action", action.id())
                .addKeyValue("kind", wire(action.kind())).addKeyValue("gpu", action.gpu()).log("agent_action_requested");
        return Optional.of(next);
    }

    /** Takes a repair out of the node's desired state: its result is in, or whoever asked gave up on it. */
    public void withdrawAction(String node, String id) {
        loop.requireLoop();
        NodeRecord old = store.node(node).orElse(null);
        if (old == null || old.actions().stream().noneMatch(a -> a.id().equals(id))) {
            return;
        }
        store.put(old.with().actions(old.actions().stream().filter(a -> !a.id().equals(id)).toList()).build());
    }

    /**
     * Replaces a node's MIG records (the MIG control's write). When the layouts its agent is told to
     * hold change, the desired-state version goes up by one: records newly sent carry
     * {@code version() + 1} of the node they were read from.
     *
     * @return the node as stored afterwards; empty for a node the controller does not know
     */
    public Optional<NodeRecord> changeMig(String node, List<GpuMig> mig) {
        loop.requireLoop();
        NodeRecord old = store.node(node).orElse(null);
        if (old == null) {
            return Optional.empty();
        }
        if (mig.equals(old.mig())) {
            return Optional.of(old);
        }
        boolean resent = !NodeFacts.desired(old).mig().equals(NodeFacts.desired(old.with().mig(mig).build()).mig());
        NodeRecord next = old.with().mig(mig).version(old.version() + (resent ? 1 : 0)).build();
        store.put(next);
        nodes.changed(old, next);
        return Optional.of(next);
    }

    /**
     * Changes the allocations a node's desired state carries (the execution backend's write). A
     * change bumps the version; allocations it adds carry that version, so the agent's applied
     * version says whether it has them. A draining node whose last allocation leaves is drained.
     */
    @Override
    public Optional<NodeRecord> change(String node, UnaryOperator<List<Allocation>> change) {
        loop.requireLoop();
        NodeRecord old = store.node(node).orElse(null);
        if (old == null) {
            return Optional.empty();
        }
        List<Allocation> wanted = change.apply(old.allocations());
        if (wanted.equals(old.allocations())) {
            return Optional.of(old);
        }
        long version = old.version() + 1;
        List<Allocation> allocations = wanted.stream()
                .map(a -> old.allocations().contains(a) ? a : a.carriedBy(version)).toList();
        NodeState state = derive(old.state() != NodeState.UNKNOWN, old.drain(), old.cordoned(),
                old.inventory() != null, busy(allocations, old.execution()));
        boolean drained = state == NodeState.DRAINED && old.state() != NodeState.DRAINED;
        NodeRecord next = old.with().state(state).reason(drained ? "drained: no job runs there any more"
                : old.reason()).actor(drained ? "scheduler" : old.actor()).version(version).allocations(allocations)
                .build();
        next = transition(old, next, clock.instant());
        store.put(next);
        nodes.changed(old, next);
        return Optional.of(next);
    }

    /** A backend's step on a node (a drain's evictions), as a cluster event. */
    @Override
    public void told(String node, String kind, Severity severity, String message, String actor, Instant at) {
        loop.requireLoop();
        store.append(new ClusterEvent(0, at, node, null, kind, severity, RepairAction.NONE, message, actor));
    }

    /**
     * Takes an execution backend's view of a node (what the Slurm poll saw). When the backend
     * stopped taking work there and Vigil did not ask it to (drained or down in Slurm by someone
     * else), the node is cordoned with their reason, who and when, the backend as actor; when the
     * backend takes work there again, a cordon that came from it is lifted. An operator's later
     * word stands: a view asked for before the node's last change moves no cordon. Work Vigil did
     * not launch keeps a draining node from being drained.
     *
     * @param asked when the backend was asked
     */
    @Override
    public void observed(String name, ExecutionNode view, Instant asked) {
        loop.requireLoop();
        NodeRecord old = store.node(name).orElse(null);
        if (old == null) {
            return;
        }
        Instant now = clock.instant();
        boolean fresh = old.since() == null || !asked.isBefore(old.since());
        boolean imposed = old.cordoned() && old.execution() != null && old.execution().imposedCordon();
        boolean cordoned = old.cordoned();
        String reason = old.reason();
        String actor = old.actor();
        boolean moved = false;
        if (fresh && !view.available() && !view.byVigil() && !view.unreachable() && !cordoned) {
            cordoned = true;
            imposed = true;
            moved = true;
            reason = view.describe();
        } else if (fresh && imposed && (view.available() || view.byVigil())) {
            cordoned = false;
            imposed = false;
            moved = true;
            reason = view.backend() + " takes work there again (" + view.state() + ")";
        }
        ExecutionNode execution = view.imposing(imposed);
        if (!moved && execution.equals(old.execution())) {
            return;
        }
        // A node the backend lost is unknown, as one whose agent went silent; found again, it is back.
        boolean reporting = reachable(view) && (old.state() != NodeState.UNKNOWN || !reachable(old.execution()));
        NodeState state = derive(reporting, old.drain(), cordoned, old.inventory() != null,
                busy(old.allocations(), execution));
        if (moved) {
            actor = view.backend();
        } else if (state == NodeState.UNKNOWN && old.state() != NodeState.UNKNOWN) {
            reason = view.describe();
            actor = view.backend();
        } else if (old.state() == NodeState.UNKNOWN && state != NodeState.UNKNOWN) {
            reason = view.backend() + " reaches the node again (" + view.state() + ")";
            actor = view.backend();
        } else if (state == NodeState.DRAINED && old.state() != NodeState.DRAINED) {
            reason = "drained: no job runs there any more";
            actor = view.backend();
        }
        NodeRecord next = old.with().state(state).reason(reason).actor(actor).cordoned(cordoned)
                .version(old.version() + (cordoned != old.cordoned() ? 1 : 0)).execution(execution).build();
        next = transition(old, next, now);
        store.put(next);
        nodes.changed(old, next);
        if (moved) {
            String result = "node " + name + ": " + wire(old.state()) + " -> " + wire(next.state());
            store.audit(new AuditEntry(0, now, view.backend(), null, null, (cordoned ? "cordon " : "uncordon ")
                    + name + " from " + view.backend(), reason, 200, result));
            LOG.atInfo().addKeyValue("node", name).addKeyValue("action", cordoned ? "cordon" : "uncordon")
                    .addKeyValue("actor", view.backend()).addKeyValue("reason", reason)
                    .addKeyValue("state", wire(next.state())).log("node_changed");
        }
    }

    @Override
    public Optional<NodeRecord> node(String node) {
        return store.node(node);
    }

    @Override
    public List<NodeRecord> allocated() {
        return store.nodes().stream().filter(n -> !n.allocations().isEmpty()).toList();
    }

    /** Drops log entries past their retention, and the oldest finished jobs. */
    void trimLogs() {
        loop.requireLoop();
        store.trimLogs();
        store.trimJobs();
    }

    /**
     * Marks nodes that stopped reporting unknown: their facts say they report, and neither their
     * vital signs (written by whichever member took their reports) nor their record is younger
     * than the timeout. A node not seen since this member became leader gets a full timeout from then.
     */
    void expireSilentNodes() {
        loop.requireLoop();
        Instant now = clock.instant();
        Map<String, NodeVitals> vitals = store.vitals();
        for (Map.Entry<String, NodeFacts> facts : store.facts().entrySet()) {
            NodeVitals latest = vitals.get(facts.getKey());
            if (facts.getValue().state() == NodeState.UNKNOWN
                    || !silent(latest == null ? null : latest.lastReport(), now)) {
                continue;
            }
            // The record may hold a later report than the vital signs (the one the leader applied).
            NodeRecord old = store.node(facts.getKey()).orElse(null);
            if (old == null || !silent(old.lastReport(), now)) {
                continue;
            }
            Instant seen = old.lastReport() == null || old.lastReport().isBefore(leadingSince) ? leadingSince
                    : old.lastReport();
            String why = "no report for " + Duration.between(seen, now).toSeconds() + " s (timeout "
                    + nodeTimeout.toSeconds() + " s)";
            NodeRecord next = transition(old, old.with().state(NodeState.UNKNOWN).reason(why).actor(REFLEX).build(),
                    now);
            store.put(next);
            nodes.changed(old, next);
            reflex(old.name(), null, RepairAction.NONE, "node " + old.name() + " stopped reporting (" + why
                    + "): no new work lands on it until it reports again", now);
        }
    }

    /** Whether a node last seen then (null: never) is past its timeout, counting from when this member began leading at the earliest. */
    private boolean silent(Instant seen, Instant now) {
        Instant from = seen == null || seen.isBefore(leadingSince) ? leadingSince : seen;
        return Duration.between(from, now).compareTo(nodeTimeout) > 0;
    }

    private NodeRecord transition(NodeRecord old, NodeRecord next, Instant now) {
        NodeState from = old == null ? null : old.state();
        if (from == next.state() && old != null) {
            return next;
        }
        List<Transition> history = new ArrayList<>(next.history());
        history.add(new Transition(from, next.state(), next.reason(), next.actor(), now));
        if (history.size() > HISTORY) {
            history = history.subList(history.size() - HISTORY, history.size());
        }
        store.append(new ClusterEvent(0, now, next.name(), null, "state",
                next.state() == NodeState.READY ? Severity.INFO : Severity.WARNING, RepairAction.NONE,
                "node " + next.name() + " " + (from == null ? "new" : wire(from)) + " -> " + wire(next.state()) + ": "
                        + next.reason(), next.actor()));
        return next.with().since(now).history(history).build();
    }

    private void reflex(String node, Integer gpu, RepairAction action, String message, Instant now) {
        store.append(new ClusterEvent(0, now, node, gpu, "reflex", Severity.CRITICAL, action, message, REFLEX));
        store.audit(new AuditEntry(0, now, REFLEX, null, null, "reflex " + node, message, 200, "applied"));
        LOG.atWarn().addKeyValue("node", node).addKeyValue("gpu", gpu).addKeyValue("action", wire(action))
                .addKeyValue("what", message).log("health_reflex");
    }

    private static Outcome noNode(String node) {
        return Outcomes.problem(Problem.of(404, "not-found", "Not found", "no node " + node
                + " (nodes appear when their agent first reports)", null));
    }

    private void audit(Caller caller, String detail, int status, String result) {
        store.audit(caller.audited(clock.instant(), detail, status, result));
    }

    /**
     * Drained once nothing runs on the node: the scheduler moves its jobs off, and each leaves an
     * allocation; work Vigil did not launch (another user's Slurm job) ends when it ends.
     */
    private static NodeState derive(boolean reporting, boolean drain, boolean cordoned, boolean hasInventory,
                                    boolean busy) {
        if (!reporting) {
            return NodeState.UNKNOWN;
        }
        if (drain) {
            return busy ? NodeState.DRAINING : NodeState.DRAINED;
        }
        if (cordoned) {
            return NodeState.CORDONED;
        }
        return hasInventory ? NodeState.READY : NodeState.REGISTERED;
    }

    /** Whether the node's execution backend reaches it (true when none reports on it). */
    private static boolean reachable(ExecutionNode execution) {
        return execution == null || !execution.unreachable();
    }

    private static boolean busy(List<Allocation> allocations, ExecutionNode execution) {
        return !allocations.isEmpty() || execution != null && !execution.foreignJobs().isEmpty();
    }

    private static boolean wasFailed(NodeRecord old, GpuHealth now) {
        return old != null && old.health().stream().anyMatch(h -> h.gpu() == now.gpu()
                && h.state() == HealthState.FAILED && h.action() == now.action());
    }

    /** Repairs that take the whole node down: new work on any of its GPUs would be lost. */
    private static boolean nodeWide(RepairAction action) {
        return action == RepairAction.POWER_CYCLE || action == RepairAction.REBOOT_NODE;
    }

    private static String firstReason(GpuHealth health) {
        return health.reasons().stream().map(HealthReason::message).findFirst().orElse("failed");
    }

    static String wire(Enum<?> value) {
        return value.name().toLowerCase().replace('_', '-');
    }
}
