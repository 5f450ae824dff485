package dev.vigil.controller;

import dev.vigil.alerts.AlertsConfig;
import dev.vigil.alerts.rules.Rule;
import dev.vigil.api.cluster.Members;
import dev.vigil.controller.cluster.ClusterMember;
import dev.vigil.controller.config.ControllerConfig;
import dev.vigil.controller.leader.EventLoop;
import dev.vigil.controller.leader.LeaderClient;
import dev.vigil.controller.leader.ReportIntake;
import dev.vigil.controller.metrics.ControllerMetrics;
import dev.vigil.controller.metrics.SchedulerMetrics;
import dev.vigil.controller.rest.ControllerApi;
import dev.vigil.controller.mig.MigConfigs;
import dev.vigil.controller.runbooks.RunbookControl;
import dev.vigil.controller.state.NodeFacts;
import dev.vigil.controller.state.Store;
import dev.vigil.http.HttpServer;
import dev.vigil.runbooks.RunbookFile;
import dev.vigil.scheduler.topology.Fabric;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * A controller member: the composition root of the control plane. It joins the Ignite cluster,
 * opens the cluster state once the cluster is active, takes part in leader election (the leader
 * schedules jobs and runs the alert engine), and serves the REST API (HTTPS when a certificate is
 * configured).
 */
public final class Controller implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Controller.class);
    private static final int MAX_BODY_BYTES = 1 << 20;
    private static final int HANDLER_THREADS = 8;
    private static final int QUEUED_REQUESTS = 2_000;

    private final ControllerConfig config;
    private final ClusterMember member;
    private final MemberState state;
    private final LeaderClient leader;
    private final ThreadPoolExecutor handlers;
    private final HttpServer server;

    private Controller(ControllerConfig config, ClusterMember member, MemberState state, LeaderClient leader,
                       ThreadPoolExecutor handlers, HttpServer server) {
        this.config = config;
        this.member = member;
        this.state = state;
        this.leader = leader;
        this.handlers = handlers;
        this.server = server;
    }

    public static String version() {
        String version = Controller.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }

    /**
     * Starts a member with the alert rules its config names.
     *
     * @throws dev.vigil.api.binding.InvalidDocumentException when the alerts file is not valid (before anything starts)
     */
    public static Controller start(ControllerConfig config, Clock clock) {
        return start(config, config.alerts().load(), clock);
    }

    /** Starts a member with these alert rules ({@code vigil up} builds its own). */
    public static Controller start(ControllerConfig config, AlertsConfig alerts, Clock clock) {
        return start(config, alerts, clock, UnaryOperator.identity(), EventLoop.Listener.NONE);
    }

    /**
     * As above, with the member's view check after a pause wrapped (see {@link ClusterMember#start}),
     * and {@code events} told of each event its loop applies: tests stop a leader between an event
     * and its answer.
     */
    static Controller start(ControllerConfig config, AlertsConfig alerts, Clock clock,
                            UnaryOperator<BooleanSupplier> viewCheck, EventLoop.Listener events) {
        // A bad runbook file stops the controller before anything starts, like a bad config or alerts file.
        List<RunbookFile> runbooks = RunbookControl.read(config.runbooks(), config.dataDir(),
                alerts.rules().stream().map(Rule::alert).collect(Collectors.toSet()));
        MigConfigs migConfigs = MigConfigs.load(config.mig());
        ClusterMember member = ClusterMember.start(config, viewCheck);
        SchedulerMetrics scheduling = new SchedulerMetrics();
        MemberState state = new MemberState(member, config, alerts, runbooks, migConfigs, clock, scheduling,
                events);
        LeaderClient leader = new LeaderClient(member);
        ReportIntake reports = new ReportIntake(state::store, leader, clock);
        ControllerMetrics metrics = new ControllerMetrics(
                () -> state.ready() ? state.store().facts().values() : List.<NodeFacts>of(),
                () -> state.leadership().leading() && member.notActingReason() == null, member::quorumPresent,
                () -> member.membersUp().size(), () -> state.leadership().changes(), state::leaderEpoch, scheduling,
                state::alertStats, state::eventsApplied, reports::counts, state::runbookStats);
        ControllerApi api = new ControllerApi(new ControllerApi.Member() {
            @Override
            public String name() {
                return member.name();
            }

            @Override
            public Store store() {
                return state.store();
            }

            @Override
            public LeaderClient leader() {
                return leader;
            }

            @Override
            public ReportIntake reports() {
                return reports;
            }

            @Override
            public Members members() {
                // A member whose view is stale names no leader: it may be the one it remembers.
                String stale = member.staleViewReason();
                String current = stale == null ? leader.leader() : null;
                return new Members(member.name(), member.members(current), member.quorum(), member.quorumPresent(),
                        current, state.leaderEpoch().orElse(0), stale);
            }

            @Override
            public String staleReason() {
                return member.staleViewReason();
            }

            @Override
            public String notReadyReason() {
                String why = member.notActingReason();
                if (why == null && !state.ready()) {
                    why = "the cluster state is being opened";
                }
                if (why == null && leader.leader() == null) {
                    why = "no leader yet";
                }
                return why;
            }

            @Override
            public byte[] metrics() {
                return metrics.render();
            }

            @Override
            public String version() {
                return Controller.version();
            }
        }, metrics::reported, migConfigs, config.mig().auto().limits(), config.scheduler().poolOf(),
                leafOf(config.fabric()));
        AtomicInteger threads = new AtomicInteger();
        ThreadPoolExecutor handlers = new ThreadPoolExecutor(HANDLER_THREADS, HANDLER_THREADS, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUED_REQUESTS), r -> {
                    Thread thread = new Thread(r, "vigil-api-" + threads.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        HttpServer server;
        try {
            server = HttpServer.serving(api.router()).maxBodyBytes(MAX_BODY_BYTES).limits(config.connections())
                    .handlers(handlers).tls(tls(config.tls())).refusals(api::refused)
                    .start(listenAddress(config.listen()));
        } catch (RuntimeException e) {
            handlers.shutdownNow();
            state.close();
            member.close();
            throw e;
        }
        LOG.atInfo().addKeyValue("member", config.member()).addKeyValue("listen", config.listen())
                .addKeyValue("tls", config.tls() != null).addKeyValue("members", config.cluster().members().size())
                .addKeyValue("data_dir", config.dataDir())
                .addKeyValue("alerts_file", config.alerts().file()).addKeyValue("alert_rules", alerts.rules().size())
                .addKeyValue("alert_receivers", alerts.receivers().size())
                .addKeyValue("max_connections", config.connections().max())
                .log("controller_started");
        return new Controller(config, member, state, leader, handlers, server);
    }

    /** Waits until this member answers writes (active, quorum, a leader); false on timeout. */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (member.notActingReason() == null && state.ready() && leader.leader() != null) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    public int port() {
        return server.port();
    }

    public String name() {
        return config.member();
    }

    public boolean leading() {
        return state.leadership().leading();
    }

    /** The pause detector's hook: as if this member had been frozen for {@code gap} until now. */
    void pauseNoticed(Duration gap) {
        member.pauseNoticed(gap);
    }

    private static InetSocketAddress listenAddress(String listen) {
        int colon = listen.lastIndexOf(':');
        String host = listen.substring(0, colon).replace("[", "").replace("]", "");
        int port = Integer.parseInt(listen.substring(colon + 1));
        return host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
    }

    private static SslContext tls(ControllerConfig.Tls tls) {
        if (tls == null) {
            return null;
        }
        try {
            return SslContextBuilder.forServer(tls.certificate().toFile(), tls.key().toFile()).build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("tls: cannot use certificate " + tls.certificate() + " and key "
                    + tls.key() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        server.close();
        handlers.shutdownNow();
        state.close();
        member.close();
        LOG.atInfo().addKeyValue("member", config.member()).log("controller_stopped");
    }

    /** Each node the fabric lists, with its leaf switch. */
    private static Map<String, String> leafOf(Fabric fabric) {
        Map<String, String> leafOf = new HashMap<>();
        fabric.positions().forEach((node, position) -> leafOf.put(node, position.leaf()));
        return leafOf;
    }
}
