package dev.vigil.controller;

import dev.vigil.alerts.AlertStats;
import dev.vigil.alerts.AlertsConfig;
import dev.vigil.controller.alerting.AlertLoop;
import dev.vigil.controller.alerting.RunbookFacts;
import dev.vigil.controller.cluster.ClusterMember;
import dev.vigil.controller.config.ControllerConfig;
import dev.vigil.controller.execution.ExecutionBackend;
import dev.vigil.controller.execution.SimulatedBackend;
import dev.vigil.controller.leader.Bootstrap;
import dev.vigil.controller.leader.Controls;
import dev.vigil.controller.leader.EventLoop;
import dev.vigil.controller.leader.LeaderService;
import dev.vigil.controller.leader.Leadership;
import dev.vigil.controller.leader.LocalMembers;
import dev.vigil.controller.leader.NodeControl;
import dev.vigil.controller.leader.NodeListener;
import dev.vigil.controller.leader.Tokens;
import dev.vigil.controller.mig.MigConfigs;
import dev.vigil.controller.mig.MigControl;
import dev.vigil.controller.runbooks.CapacityReporter;
import dev.vigil.controller.runbooks.LeaderFleet;
import dev.vigil.controller.runbooks.RunbookControl;
import dev.vigil.controller.scheduling.JobsView;
import dev.vigil.controller.scheduling.NodeChanges;
import dev.vigil.controller.scheduling.SchedulerLoop;
import dev.vigil.controller.kubernetes.KubernetesBackend;
import dev.vigil.controller.kubernetes.KubernetesNodeSync;
import dev.vigil.controller.slurm.SlurmBackend;
import dev.vigil.controller.slurm.SlurmNodeSync;
import dev.vigil.controller.state.IgniteAlertStore;
import dev.vigil.controller.state.Store;
import dev.vigil.http.ProblemException;
import dev.vigil.runbooks.RunbookFile;
import dev.vigil.scheduler.topology.Fabric;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * The parts of a member that need an active cluster: the store, the event loop and the control
 * classes come to life when the cluster first activates, and the leader service is (re)deployed whenever it may be missing.
 */
final class MemberState {
    private static final Logger LOG = LoggerFactory.getLogger(MemberState.class);

    private final ClusterMember member;
    private final ControllerConfig config;
    private final AlertsConfig alerts;
    private final Clock clock;
    private final SchedulerLoop.Observer scheduling;
    private final Leadership leadership = new Leadership();
    /** Opening the state can fail while Ignite is still settling (a baseline change): retried from here. */
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "vigil-state-open");
        thread.setDaemon(true);
        return thread;
    });
    private volatile Store store;
    private volatile SchedulerLoop scheduler;
    /** The Slurm backend's threads, when it has one. */
    private final List<AutoCloseable> closing = new ArrayList<>();
    private volatile AlertLoop alerting;
    private volatile RunbookControl remediation;
    private volatile EventLoop eventLoop;
    private final List<RunbookFile> runbooks;
    private final MigConfigs migConfigs;

    private final EventLoop.Listener events;

    /**
     * @param runbooks   the runbooks as read at start ({@link RunbookControl#read})
     * @param migConfigs the named MIG configs as read at start
     */
    MemberState(ClusterMember member, ControllerConfig config, AlertsConfig alerts, List<RunbookFile> runbooks,
                MigConfigs migConfigs, Clock clock, SchedulerLoop.Observer scheduling, EventLoop.Listener events) {
        this.events = events;
        this.runbooks = runbooks;
        this.migConfigs = migConfigs;
        this.member = member;
        this.config = config;
        this.alerts = alerts;
        this.clock = clock;
        this.scheduling = scheduling;
        member.onTopologyChange(this::onTopologyChange);
    }

    Leadership leadership() {
        return leadership;
    }

    /** The store, or 503 while the cluster is not active yet. */
    Store store() {
        Store current = store;
        if (current == null) {
            String why = member.notActingReason();
            throw ProblemException.unavailable(why != null ? why : "the cluster state is being opened; retry shortly");
        }
        return current;
    }

    boolean ready() {
        return store != null;
    }

    /** The leader epoch in this member's copy of the state; empty while that is not open or the cluster not active. */
    OptionalLong leaderEpoch() {
        Store current = store;
        return current == null || !member.active() ? OptionalLong.empty() : OptionalLong.of(current.leaderEpoch());
    }

    /** The scheduler's jobs; empty unless this member leads. */
    JobsView jobs() {
        SchedulerLoop loop = scheduler;
        return loop == null ? JobsView.EMPTY : loop.jobs();
    }

    /** The events this member's loop applied, by kind; none while the state is not open. */
    Map<String, Long> eventsApplied() {
        EventLoop loop = eventLoop;
        return loop == null ? Map.of() : loop.applied();
    }

    /** The runbooks' counts, or null while the state is not open. */
    RunbookControl.Stats runbookStats() {
        RunbookControl control = remediation;
        return control == null ? null : control.stats();
    }

    /** The alert engine's counts, or null unless this member leads. */
    AlertStats alertStats() {
        AlertLoop loop = alerting;
        return loop == null ? null : loop.stats();
    }

    private synchronized void onTopologyChange() {
        try {
            open();
        } catch (RuntimeException e) {
            LOG.atWarn().addKeyValue("member", member.name()).addKeyValue("error", e.toString())
                    .log("cluster_state_open_failed");
            retries.schedule(this::onTopologyChange, 1, TimeUnit.SECONDS);
        }
    }

    private void open() {
        if (!member.active()) {
            return;
        }
        if (store == null) {
            Store opened = new Store(member.ignite());
            Tokens tokens = new Tokens();
            Path dataDir = config.dataDir();
            Path adminFile = config.tokens().adminFile() != null ? config.tokens().adminFile()
                    : dataDir.resolve("admin.token");
            Path agentFile = config.tokens().agentFile() != null ? config.tokens().agentFile()
                    : dataDir.resolve("agent.token");
            EventLoop events = new EventLoop(member.name(), this.events);
            opened.writtenOnlyAfter(events::requireLoop);
            BooleanSupplier acting = () -> member.notActingReason() == null;
            NodeChanges nodeChanges = new NodeChanges();
            SlurmNodeSync slurmSync = config.slurm() == null ? null
                    : new SlurmNodeSync(config.slurm(), opened, clock, record -> events.post("slurm-node-sync", record));
            // The runbooks' control needs the node control and the alerts, which tell it of nodes and watch its runs:
            // it is made after them, and reached through this.
            AtomicReference<RunbookControl> runbookControl = new AtomicReference<>();
            AlertLoop alertLoop = new AlertLoop(member.name(), events, alerts, new IgniteAlertStore(member.ignite()),
                    opened, clock, this::jobs, () -> runbookControl.get() == null ? RunbookFacts.NONE
                    : runbookControl.get().facts(), acting);
            NodeListener toRunbooks = (old, next) -> runbookControl.get().changed(old, next);
            AtomicReference<MigControl> migControl = new AtomicReference<>();
            NodeListener toMig = (old, next) -> migControl.get().changed(old, next);
            KubernetesNodeSync kubernetesSync = config.kubernetes() == null ? null
                    : new KubernetesNodeSync(config.kubernetes());
            List<NodeListener> listeners = new ArrayList<>(List.of(nodeChanges, alertLoop, toRunbooks, toMig));
            if (slurmSync != null) {
                listeners.add(slurmSync::changed);
            }
            if (kubernetesSync != null) {
                listeners.add(kubernetesSync);
            }
            NodeListener listener = NodeListener.all(listeners.toArray(NodeListener[]::new));
            Map<String, String> poolOfNode = config.scheduler().poolOf();
            NodeControl nodes = new NodeControl(opened, clock, config.nodeTimeout(), listener, events,
                    node -> config.placement().policy(poolOfNode.get(node)));
            List<ExecutionBackend> backends = new ArrayList<>(List.of(new SimulatedBackend(nodes)));
            if (slurmSync != null) {
                SlurmBackend slurm = new SlurmBackend(config.slurm(), opened.clusterId(), nodes, nodes, slurmSync,
                        clock);
                backends.add(slurm);
                closing.add(slurm);
                closing.add(slurmSync);
            }
            if (kubernetesSync != null) {
                KubernetesBackend kubernetes = new KubernetesBackend(config.kubernetes(), nodes, nodes, kubernetesSync,
                        clock);
                backends.add(kubernetes);
                closing.add(kubernetes);
                closing.add(kubernetesSync);
            }
            SchedulerLoop loop = new SchedulerLoop(events, opened, clock, config.scheduler(), config.fabric(),
                    backends, nodeChanges, acting, scheduling);
            Map<String, String> poolOf = config.scheduler().poolOf();
            Map<String, Fabric.Position> positions = config.fabric().positions();
            RunbookControl.Places places = new RunbookControl.Places() {
                @Override
                public String poolOf(String node) {
                    return poolOf.get(node);
                }

                @Override
                public String leafOf(String node) {
                    Fabric.Position position = positions.get(node);
                    return position == null ? null : position.leaf();
                }
            };
            CapacityReporter capacity = new CapacityReporter(opened, config.runbooks(), dataDir);
            RunbookControl runbookLoop = new RunbookControl(events, opened, clock, config.runbooks(), runbooks, dataDir,
                    member.name(), alertLoop::ruleNames, alertLoop::firing, places, nodes, loop::vacate, capacity,
                    new LeaderFleet.Telling() {
                        @Override
                        public void raise(Map<String, String> labels, Map<String, String> annotations) {
                            alertLoop.raise(labels, annotations);
                        }

                        @Override
                        public void clear(Map<String, String> matching) {
                            alertLoop.clear(matching);
                        }
                    }, acting);
            runbookControl.set(runbookLoop);
            closing.add(runbookLoop);
            closing.add(capacity);
            MigControl migLoop = new MigControl(events, opened, clock, config.mig(), migConfigs, nodes, loop::reclaim,
                    poolOf, member.name(), acting);
            migControl.set(migLoop);
            Controls controls = new Controls(events, opened, clock, nodes, tokens, loop, alertLoop, runbookLoop, migLoop,
                    new Bootstrap(opened, tokens, adminFile, agentFile, clock), acting);
            LocalMembers.register(member.ignite().name(), new LocalMembers.Parts(member, controls, leadership));
            eventLoop = events;
            scheduler = loop;
            alerting = alertLoop;
            remediation = runbookLoop;
            store = opened;
            LOG.atInfo().addKeyValue("member", member.name()).log("cluster_state_open");
        }
        // Idempotent: the cluster keeps one instance, and redeploys it when its member leaves.
        member.ignite().services().deployClusterSingletonAsync(LeaderService.NAME, new LeaderService());
    }

    void close() {
        retries.shutdownNow();
        if (alerting != null) {
            alerting.close();
        }
        if (eventLoop != null) {
            eventLoop.close();
        }
        for (AutoCloseable resource : closing) {
            try {
                resource.close();
            } catch (Exception e) {
                LOG.atWarn().addKeyValue("error", e.toString()).log("close_failed");
            }
        }
        LocalMembers.unregister(member.ignite().name());
    }
}
