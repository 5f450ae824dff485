package dev.vigil.controller.leader;

import dev.vigil.api.Problem;
import dev.vigil.api.cluster.AgentReport;
import dev.vigil.api.cluster.AuditEntry;
import dev.vigil.api.cluster.ClusterEvent;
import dev.vigil.api.cluster.CordonedGpu;
import dev.vigil.api.cluster.DesiredState;
import dev.vigil.api.cluster.ExecutionNode;
import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.cluster.NodeState;
import dev.vigil.api.cluster.Role;
import dev.vigil.api.cluster.TokenInfo;
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
import dev.vigil.controller.execution.DesiredAllocations;
import dev.vigil.controller.execution.NodeObservations;
import dev.vigil.controller.state.Store;
import dev.vigil.controller.state.TokenRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;

/**
 * Applies mutations to the cluster state, one at a time, on the leader. This is where node
 * lifecycle, the health reflex and the audit log live: what is applied is audited here, with it;
 * what is refused (a conflict, a missing node) is audited by the member that answers the request.
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
public final class Applier implements DesiredAllocations, NodeObservations {
    static final String REFLEX = "health-reflex";
    private static final Logger LOG = LoggerFactory.getLogger(Applier.class);
    private static final int HISTORY = 50;
    private static final Duration LAST_REPORT_REFRESH = Duration.ofSeconds(5);

    private final Store store;
    private final Clock clock;
    private final Duration nodeTimeout;
    private final Tokens tokens;
    private final NodeListener nodes;
    private final Map<String, Instant> lastSeen = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock(true);
    private volatile Instant leadingSince;

    public Applier(Store store, Clock clock, Duration nodeTimeout, Tokens tokens, NodeListener nodes) {
        this.store = store;
        this.clock = clock;
        this.nodeTimeout = nodeTimeout;
        this.tokens = tokens;
        this.nodes = nodes;
    }

    /** This member just became leader: every node gets a full timeout to report before it is unknown. */
    public void startLeading() {
        lastSeen.clear();
        leadingSince = clock.instant();
    }

    public Outcome apply(Mutation mutation) {
        lock.lock();
        try {
            if (mutation instanceof Mutation.Report report) {
                return Outcomes.value(report(report));
            }
            if (mutation instanceof Mutation.NodeChange change) {
                return nodeChange(change);
            }
            if (mutation instanceof Mutation.GpuChange change) {
                return gpuChange(change);
            }
            if (mutation instanceof Mutation.IssueToken issue) {
                return issue(issue);
            }
            if (mutation instanceof Mutation.RevokeToken revoke) {
                return revoke(revoke);
            }
            Mutation.Refused refused = (Mutation.Refused) mutation;
            audit(refused.caller(), refused.detail(), refused.status(), refused.result());
            return Outcomes.value(null);
        } finally {
            lock.unlock();
        }
    }

    private DesiredState report(Mutation.Report mutation) {
        Instant now = clock.instant();
        String name = mutation.node();
        AgentReport report = mutation.report();
        lastSeen.put(name, now);
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

        List<Allocation> allocations = old == null ? List.of() : old.allocations();
        ExecutionNode execution = old == null ? null : old.execution();
        NodeState state = derive(true, old != null && old.drain(), cordoned, inventory != null, busy(allocations,
                execution));
        if (old != null && state != old.state() && !reflexCordoned) {
            reason = old.state() == NodeState.UNKNOWN ? "reporting again" : "inventory received";
            actor = "agent";
        }
        long version = old == null ? 1 : old.version();
        if (old != null && (cordoned != old.cordoned() || !cordonedGpus.equals(old.cordonedGpus()))) {
            version++;
        }
        Instant lastReport = old != null && old.lastReport() != null
                && Duration.between(old.lastReport(), now).compareTo(LAST_REPORT_REFRESH) < 0 ? old.lastReport() : now;
        NodeRecord next = new NodeRecord(name, state, reason, actor, old == null ? now : old.since(), lastReport,
                report.agentId(), report.agentVersion(), inventoryHash, inventory, report.health(), report.gpus(),
                cordoned, cordonedGpus, old != null && old.drain(), version, report.appliedVersion(),
                report.applyError(), lastEventSeq, old == null ? List.of() : old.history(), allocations, execution);
        next = transition(old, next, now);
        if (!next.equals(old)) {
            store.put(next);
            nodes.changed(old, next);
        }
        return desired(next, inventory == null);
    }

    private Outcome nodeChange(Mutation.NodeChange change) {
        Optional<NodeRecord> found = store.node(change.node());
        if (found.isEmpty()) {
            return Outcomes.problem(Problem.of(404, "not-found", "Not found", "no node " + change.node()
                    + " (nodes appear when their agent first reports)", null));
        }
        NodeRecord old = found.get();
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
        boolean reporting = old.state() != NodeState.UNKNOWN;
        NodeState state = derive(reporting, drain, cordoned, old.inventory() != null, busy(old.allocations(),
                old.execution()));
        // An operator's word replaces a cordon the execution backend imposed: it is theirs now.
        ExecutionNode execution = old.execution() == null ? null : old.execution().imposing(false);
        long version = old.version() + (cordoned != old.cordoned() || drain != old.drain()
                || !cordonedGpus.equals(old.cordonedGpus()) ? 1 : 0);
        NodeRecord next = new NodeRecord(old.name(), state, change.reason(), change.caller().actor(), old.since(),
                old.lastReport(), old.agentId(), old.agentVersion(), old.inventoryHash(), old.inventory(),
                old.health(), old.gpus(), cordoned, cordonedGpus, drain, version, old.appliedVersion(),
                old.applyError(), old.lastEventSeq(), old.history(), old.allocations(), execution);
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
    private Outcome gpuChange(Mutation.GpuChange change) {
        Optional<NodeRecord> found = store.node(change.node());
        if (found.isEmpty()) {
            return Outcomes.problem(Problem.of(404, "not-found", "Not found", "no node " + change.node()
                    + " (nodes appear when their agent first reports)", null));
        }
        NodeRecord old = found.get();
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
            next = new NodeRecord(old.name(), old.state(), old.reason(), old.actor(), old.since(), old.lastReport(),
                    old.agentId(), old.agentVersion(), old.inventoryHash(), old.inventory(), old.health(), old.gpus(),
                    old.cordoned(), cordonedGpus, old.drain(), old.version() + (was != is ? 1 : 0),
                    old.appliedVersion(), old.applyError(), old.lastEventSeq(), old.history(), old.allocations(),
                    old.execution());
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

    private Outcome issue(Mutation.IssueToken issue) {
        Tokens.Issued issued = tokens.issue(issue.name(), issue.role(), clock.instant());
        store.put(issued.record());
        audit(issue.caller(), "token " + issued.record().id() + " for " + issue.name() + " as "
                + wire(issue.role()), 201, "token issued");
        return Outcomes.value(new TokenInfo(issued.record().id(), issue.name(), issue.role(),
                issued.record().created(), issued.secret()));
    }

    private Outcome revoke(Mutation.RevokeToken revoke) {
        Optional<TokenRecord> token = store.token(revoke.id());
        if (token.isEmpty()) {
            return Outcomes.problem(Problem.of(404, "not-found", "Not found", "no token " + revoke.id(), null));
        }
        boolean lastAdmin = token.get().role() == Role.ADMIN
                && store.tokens().stream().filter(t -> t.role() == Role.ADMIN).count() == 1;
        if (lastAdmin) {
            return Outcomes.problem(Problem.of(409, "conflict", "Conflict", "token " + revoke.id()
                    + " is the last admin token: issue another admin token before revoking it", null));
        }
        store.removeToken(revoke.id());
        audit(revoke.caller(), "token " + revoke.id() + " of " + token.get().name(), 200, "token revoked");
        return Outcomes.value(token.get().info());
    }

    /**
     * Changes the allocations a node's desired state carries (the execution backend's write). A
     * change bumps the version; allocations it adds carry that version, so the agent's applied
     * version says whether it has them. A draining node whose last allocation leaves is drained.
     */
    @Override
    public Optional<NodeRecord> change(String node, UnaryOperator<List<Allocation>> change) {
        lock.lock();
        try {
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
            NodeRecord next = new NodeRecord(old.name(), state, drained ? "drained: no job runs there any more"
                    : old.reason(), drained ? "scheduler" : old.actor(), old.since(), old.lastReport(), old.agentId(),
                    old.agentVersion(), old.inventoryHash(), old.inventory(), old.health(), old.gpus(), old.cordoned(),
                    old.cordonedGpus(), old.drain(), version, old.appliedVersion(), old.applyError(),
                    old.lastEventSeq(), old.history(), allocations, old.execution());
            next = transition(old, next, clock.instant());
            store.put(next);
            nodes.changed(old, next);
            return Optional.of(next);
        } finally {
            lock.unlock();
        }
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
        lock.lock();
        try {
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
            if (fresh && !view.available() && !view.byVigil() && !cordoned) {
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
            NodeState state = derive(old.state() != NodeState.UNKNOWN, old.drain(), cordoned, old.inventory() != null,
                    busy(old.allocations(), execution));
            if (moved) {
                actor = view.backend();
            } else if (state == NodeState.DRAINED && old.state() != NodeState.DRAINED) {
                reason = "drained: no job runs there any more";
                actor = view.backend();
            }
            NodeRecord next = new NodeRecord(old.name(), state, reason, actor, old.since(), old.lastReport(),
                    old.agentId(), old.agentVersion(), old.inventoryHash(), old.inventory(), old.health(), old.gpus(),
                    cordoned, old.cordonedGpus(), old.drain(), old.version() + (cordoned != old.cordoned() ? 1 : 0),
                    old.appliedVersion(), old.applyError(), old.lastEventSeq(), old.history(), old.allocations(),
                    execution);
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
        } finally {
            lock.unlock();
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
    public void trimLogs() {
        store.trimLogs();
        store.trimJobs();
    }

    /**
     * Marks nodes that stopped reporting unknown. Run by the leader's loop; a node not seen since
     * this member became leader gets a full timeout from then.
     */
    public void expireSilentNodes() {
        lock.lock();
        try {
            Instant now = clock.instant();
            for (NodeRecord old : store.nodes()) {
                if (old.state() == NodeState.UNKNOWN) {
                    continue;
                }
                Instant seen = lastSeen.getOrDefault(old.name(), leadingSince == null ? now : leadingSince);
                Duration silent = Duration.between(seen, now);
                if (silent.compareTo(nodeTimeout) <= 0) {
                    continue;
                }
                String why = "no report for " + silent.toSeconds() + " s (timeout " + nodeTimeout.toSeconds() + " s)";
                NodeRecord next = new NodeRecord(old.name(), NodeState.UNKNOWN, why, REFLEX, old.since(),
                        old.lastReport(), old.agentId(), old.agentVersion(), old.inventoryHash(), old.inventory(),
                        old.health(), old.gpus(), old.cordoned(), old.cordonedGpus(), old.drain(), old.version(),
                        old.appliedVersion(), old.applyError(), old.lastEventSeq(), old.history(), old.allocations(),
                        old.execution());
                next = transition(old, next, now);
                store.put(next);
                nodes.changed(old, next);
                reflex(old.name(), null, RepairAction.NONE, "node " + old.name() + " stopped reporting (" + why
                        + "): no new work lands on it until it reports again", now);
            }
        } finally {
            lock.unlock();
        }
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
        return new NodeRecord(next.name(), next.state(), next.reason(), next.actor(), now, next.lastReport(),
                next.agentId(), next.agentVersion(), next.inventoryHash(), next.inventory(), next.health(), next.gpus(),
                next.cordoned(), next.cordonedGpus(), next.drain(), next.version(), next.appliedVersion(),
                next.applyError(), next.lastEventSeq(), history, next.allocations(), next.execution());
    }

    private void reflex(String node, Integer gpu, RepairAction action, String message, Instant now) {
        store.append(new ClusterEvent(0, now, node, gpu, "reflex", Severity.CRITICAL, action, message, REFLEX));
        store.audit(new AuditEntry(0, now, REFLEX, null, null, "reflex " + node, message, 200, "applied"));
        LOG.atWarn().addKeyValue("node", node).addKeyValue("gpu", gpu).addKeyValue("action", wire(action))
                .addKeyValue("what", message).log("health_reflex");
    }

    private void audit(Caller caller, String detail, int status, String result) {
        store.audit(new AuditEntry(0, clock.instant(), caller.actor(), caller.role() == null ? null
                : wire(caller.role()), caller.remote(), caller.action(), detail, status, result));
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

    private static boolean busy(List<Allocation> allocations, ExecutionNode execution) {
        return !allocations.isEmpty() || execution != null && !execution.foreignJobs().isEmpty();
    }

    private static DesiredState desired(NodeRecord node, boolean needInventory) {
        return new DesiredState(node.version(), node.cordoned(), node.drain(),
                node.cordonedGpus().stream().map(CordonedGpu::uuid).toList(), needInventory, node.lastEventSeq(),
                node.allocations());
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
