package dev.vigil.agent;

import dev.vigil.agent.config.AgentConfig;
import dev.vigil.agent.execution.JobRunner;
import dev.vigil.agent.execution.SimulatedJobRunner;
import dev.vigil.agent.metrics.AgentMetrics;
import dev.vigil.agent.metrics.MetricsExporter;
import dev.vigil.agent.mig.GpuReset;
import dev.vigil.agent.mig.MigReconciler;
import dev.vigil.agent.repair.ActionExecutor;
import dev.vigil.agent.repair.HostRepairs;
import dev.vigil.agent.repair.NodeRepairs;
import dev.vigil.agent.repair.ProcessCommandRunner;
import dev.vigil.agent.repair.ReportingPause;
import dev.vigil.agent.repair.SimulatedRepairs;
import dev.vigil.agent.repair.SnapshotSource;
import dev.vigil.agent.report.ControllerReporter;
import dev.vigil.agent.placement.Attribution;
import dev.vigil.agent.placement.PlacementEnforcer;
import dev.vigil.agent.placement.PlacementRules;
import dev.vigil.agent.placement.ProcessHandleSignals;
import dev.vigil.agent.placement.ProcAttribution;
import dev.vigil.agent.placement.Signals;
import dev.vigil.agent.placement.SimulatedAttribution;
import dev.vigil.agent.placement.SimulatedSignals;
import dev.vigil.agent.report.ControllerStatus;
import dev.vigil.agent.sampling.EventLog;
import dev.vigil.agent.sampling.Sampler;
import dev.vigil.agent.sampling.SamplingObserver;
import dev.vigil.agent.sampling.Snapshot;
import dev.vigil.agent.systemd.SystemdNotifier;
import dev.vigil.api.cluster.AgentActionResult;
import dev.vigil.api.gpu.GpuHealth;
import dev.vigil.api.gpu.HealthState;
import dev.vigil.api.placement.PlacementPolicy;
import dev.vigil.gpu.backend.GpuBackend;
import dev.vigil.gpu.backend.GpuBackendException;
import dev.vigil.gpu.fields.Field;
import dev.vigil.gpu.fields.FieldSet;
import dev.vigil.gpu.health.HealthEvaluator;
import dev.vigil.gpu.simulated.SimulatedNode;
import dev.vigil.http.HttpServer;
import io.netty.channel.EventLoopGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A running node agent: the sampling loop over a GPU backend, the HTTP surface, and systemd
 * notification. {@link #start} returns once the first sample is taken and the port is bound, so
 * a scrape right after start already has data.
 */
public final class Agent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);
    private static final int MAX_BODY_BYTES = 64 * 1024;
    private static final int EVENTS_KEPT = 10_000;

    private final AgentConfig config;
    private final GpuBackend backend;
    private final Sampler sampler;
    private final AgentApi api;
    private final HttpServer server;
    private final SystemdNotifier notifier;
    private final ScheduledExecutorService watchdog;
    private final ControllerReporter reporter;
    private final ActionExecutor actions;
    private final MigReconciler mig;
    private final PlacementEnforcer placement;

    private Agent(AgentConfig config, GpuBackend backend, Sampler sampler, AgentApi api, HttpServer server,
                  SystemdNotifier notifier, ScheduledExecutorService watchdog, ControllerReporter reporter,
                  ActionExecutor actions, MigReconciler mig, PlacementEnforcer placement) {
        this.config = config;
        this.backend = backend;
        this.sampler = sampler;
        this.api = api;
        this.server = server;
        this.notifier = notifier;
        this.watchdog = watchdog;
        this.reporter = reporter;
        this.actions = actions;
        this.mig = mig;
        this.placement = placement;
    }

    /** The version in the jar's manifest, or {@code dev} when run from classes. */
    public static String version() {
        String version = Agent.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }

    /**
     * Starts an agent on {@code backend}.
     *
     * @param group    the event loop to serve HTTP on (shared by the agents of {@code vigil up}), or null
     * @param notifier systemd notification; {@link SystemdNotifier#fromEnvironment()} in production
     */
    public static Agent start(AgentConfig config, GpuBackend backend, Clock clock, EventLoopGroup group,
                              SystemdNotifier notifier) {
        List<Field> exported = config.sampling().resolve();
        Set<Field> toSample = new LinkedHashSet<>(exported);
        toSample.addAll(HealthEvaluator.REQUIRED_FIELDS);
        AgentConfig.Controller controller = config.controller();
        if (controller.enabled()) {
            toSample.addAll(ControllerReporter.summaryFields());
        }
        FieldSet sampled = new FieldSet(new ArrayList<>(toSample));
        HealthEvaluator evaluator = new HealthEvaluator(config.health(), sampled);
        EventLog events = new EventLog(EVENTS_KEPT);
        AgentMetrics metrics = new AgentMetrics(version(), backend.name());
        MetricsExporter exporter = new MetricsExporter(config.node(), sampled, exported, metrics);
        ControllerReporter reporter = null;
        ActionExecutor actions = null;
        MigReconciler mig = null;
        PlacementEnforcer placement = null;
        SimulatedNode simulated = backend instanceof SimulatedNode node ? node : null;
        // What the repairs read; the sampler publishes into it.
        AtomicReference<Snapshot> latest = new AtomicReference<>();
        if (controller.enabled()) {
            metrics.reportingEnabled();
            SimulatedJobRunner simulatedJobs = simulated != null ? new SimulatedJobRunner(simulated) : null;
            JobRunner jobs = simulatedJobs != null ? simulatedJobs : JobRunner.RECORD_ONLY;
            ReportingPause pause = new ReportingPause();
            SnapshotSource snapshots = new SnapshotSource(latest::get, config.sampling().interval());
            List<AgentActionResult> restored = List.of();
            NodeRepairs repairs;
            if (simulated != null) {
                repairs = new SimulatedRepairs(simulated, evaluator, simulatedJobs, pause, snapshots, sampled, clock);
            } else {
                HostRepairs host = new HostRepairs(config.node(), backend, evaluator, new ProcessCommandRunner(),
                        config.actions(), HostRepairs.BOOT_ID, snapshots, sampled, clock);
                restored = host.restored();
                repairs = host;
            }
            actions = new ActionExecutor(config.node(), repairs, clock, restored);
            mig = MigReconciler.create(config.node(), backend, GpuReset.through(repairs, clock),
                    migStateDir(config, simulated != null), config.mig().allowReset(), config.mig().applyTimeout(),
                    events, clock);
            exporter.migPhases(mig::statuses);
            try {
                reporter = new ControllerReporter(config.node(), version(), controller, sampled, events,
                        (result, nanos) -> metrics.reported(result.wire(), nanos), jobs, actions, mig, pause, clock);
                placement = placementEnforcer(config, backend, simulated, simulatedJobs, reporter, events, clock);
                exporter.placementCounts(placement::counts);
                reporter.placement(placement::processes);
            } catch (RuntimeException e) {
                // The token file went away since the config was read.
                mig.close();
                actions.close();
                backend.close();
                throw e;
            }
        }
        ControllerReporter reporting = reporter;
        MigReconciler reconciling = mig;
        PlacementEnforcer enforcing = placement;
        Sampler sampler = new Sampler(config.node(), backend, sampled, evaluator, events,
                config.sampling().interval(), config.xidWindow(), new SamplingObserver() {
                    @Override
                    public void sampled(long nanos) {
                        metrics.sampled(nanos);
                    }

                    @Override
                    public void failed(GpuBackendException.Reason reason) {
                        metrics.failed(reason);
                    }

                    @Override
                    public void published(Snapshot snapshot) {
                        latest.set(snapshot);
                        exporter.prepare(snapshot);
                        if (reporting != null) {
                            reporting.published(snapshot);
                            reconciling.sampled();
                            enforcing.sampled();
                        }
                    }
                });
        sampler.sampleOnce();
        if (mig != null) {
            mig.onApplied(sampler::wakeUp);
        }
        AgentApi api = new AgentApi(config.node(), backend, sampler, events, exporter, sampled, exported,
                evaluator, simulated, reporter, actions, mig, placement == null ? List::of : placement::gpus, clock,
                config.faultApi().readToken());
        HttpServer server;
        try {
            server = HttpServer.serving(api.router()).maxBodyBytes(MAX_BODY_BYTES).limits(config.connections())
                    .eventLoop(group).start(config.listenAddress());
        } catch (RuntimeException e) {
            if (actions != null) {
                placement.close();
                mig.close();
                actions.close();
            }
            backend.close();
            throw e;
        }
        if (reporter != null) {
            // Also when the first sample failed: the first report then says what the agent has.
            reporter.published(sampler.latest());
        }
        sampler.start();
        if (reporter != null) {
            // The journaled MIG targets are taken up before the controller answers.
            mig.start();
            reporter.start();
        }
        ScheduledExecutorService watchdog = startWatchdog(notifier, sampler, config.node());
        Agent agent = new Agent(config, backend, sampler, api, server, notifier, watchdog, reporter, actions, mig,
                placement);
        notifier.ready(agent.statusLine());
        LOG.atInfo().addKeyValue("node", config.node()).addKeyValue("backend", backend.name())
                .addKeyValue("gpus", backend.inventory().gpus().size()).addKeyValue("listen", server.address().getHostString() + ":" + server.port())
                .addKeyValue("interval", config.sampling().interval().toMillis() + "ms")
                .addKeyValue("fields", exported.size())
                .addKeyValue("controller", controller.enabled() ? String.join(",", controller.urls()) : "none")
                .addKeyValue("max_connections", config.connections().max())
                .log("agent_started");
        return agent;
    }

    /**
     * Placement enforcement: /proc and real signals on real GPUs, the simulator's word and its stray processes on
     * simulated ones; the allocations and the policy from the controller's desired state ({@code report} before
     * the first one).
     */
    private static PlacementEnforcer placementEnforcer(AgentConfig config, GpuBackend backend, SimulatedNode simulated,
                                                       SimulatedJobRunner simulatedJobs, ControllerReporter reporter,
                                                       EventLog events, Clock clock) {
        AgentConfig.Placement settings = config.placement();
        Attribution attribution = simulated != null ? new SimulatedAttribution(simulated, simulatedJobs)
                : new ProcAttribution(settings.procRoot());
        Signals signals = simulated != null ? new SimulatedSignals(simulated) : new ProcessHandleSignals();
        List<String> system = new ArrayList<>(settings.system());
        if (simulated != null) {
            system.add(SimulatedAttribution.BACKGROUND);
        }
        PlacementRules rules = new PlacementRules(system, ProcessHandle.current().pid(), settings.grace());
        return new PlacementEnforcer(config.node(), backend, attribution, () -> {
            ControllerStatus.Desired desired = reporter.status().desired();
            return desired == null ? List.of() : desired.allocations();
        }, () -> {
            ControllerStatus.Desired desired = reporter.status().desired();
            return desired == null ? PlacementPolicy.REPORT : desired.placement();
        }, signals, rules, events, clock);
    }

    /**
     * Where the MIG reconciler journals: {@code mig.stateDir}, else {@code actions.stateDir} on real GPUs;
     * simulated GPUs do not outlive the agent, so they keep no journal unless one is configured.
     */
    private static Path migStateDir(AgentConfig config, boolean simulated) {
        if (config.mig().stateDir() != null) {
            return config.mig().stateDir();
        }
        return simulated ? null : config.actions().stateDir();
    }

    /**
     * Pets the systemd watchdog at half its interval, but only while the sampling loop turns:
     * a stuck loop (a hung driver call) gets the agent restarted rather than serving old data.
     */
    private static ScheduledExecutorService startWatchdog(SystemdNotifier notifier, Sampler sampler, String node) {
        Duration interval = notifier.watchdogInterval();
        if (!notifier.enabled() || interval == null) {
            return null;
        }
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "vigil-watchdog-" + node);
            thread.setDaemon(true);
            return thread;
        });
        long period = Math.max(1, interval.toMillis() / 2);
        long stuckAfter = Math.max(interval.toNanos(), sampler.interval().toNanos() * 3);
        executor.scheduleAtFixedRate(() -> {
            if (System.nanoTime() - sampler.lastCycleNanos() < stuckAfter) {
                notifier.watchdog();
            }
        }, period, period, TimeUnit.MILLISECONDS);
        return executor;
    }

    public int port() {
        return server.port();
    }

    public String node() {
        return config.node();
    }

    public GpuBackend backend() {
        return backend;
    }

    public Snapshot snapshot() {
        return sampler.latest();
    }

    public NodeView view() {
        return api.view(sampler.latest());
    }

    /** One line for systemd's STATUS and the banner: GPUs by health and the sampling interval. */
    public String statusLine() {
        List<GpuHealth> health = sampler.latest().health();
        long failed = health.stream().filter(h -> h.state() == HealthState.FAILED).count();
        long degraded = health.stream().filter(h -> h.state() == HealthState.DEGRADED).count();
        return backend.inventory().gpus().size() + " GPUs (" + failed + " failed, " + degraded + " degraded), "
                + backend.name() + " backend, sampling every " + config.sampling().interval().toMillis() + " ms";
    }

    @Override
    public void close() {
        notifier.stopping();
        if (watchdog != null) {
            watchdog.shutdownNow();
        }
        if (reporter != null) {
            reporter.close();
        }
        if (placement != null) {
            placement.close();
        }
        if (mig != null) {
            mig.close();
        }
        if (actions != null) {
            actions.close();
        }
        server.close();
        sampler.close();
        backend.close();
        LOG.atInfo().addKeyValue("node", config.node()).log("agent_stopped");
    }
}
