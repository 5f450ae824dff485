package dev.vigil.controller.cluster;

import dev.vigil.api.cluster.Member;
import dev.vigil.controller.config.ControllerConfig;
import dev.vigil.controller.state.Counters;
import dev.vigil.controller.state.Store;
import org.apache.ignite.Ignite;
import org.apache.ignite.Ignition;
import org.apache.ignite.cluster.BaselineNode;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.cluster.ClusterState;
import org.apache.ignite.configuration.DataRegionConfiguration;
import org.apache.ignite.configuration.DataStorageConfiguration;
import org.apache.ignite.configuration.IgniteConfiguration;
import org.apache.ignite.configuration.WALMode;
import org.apache.ignite.events.EventType;
import org.apache.ignite.spi.communication.tcp.TcpCommunicationSpi;
import org.apache.ignite.spi.discovery.tcp.TcpDiscoverySpi;
import org.apache.ignite.spi.discovery.tcp.ipfinder.vm.TcpDiscoveryVmIpFinder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * This controller's Ignite server node: static discovery of the configured members, native
 * persistence in the data dir, and the two rules Ignite does not have on its own:
 * <ul>
 *   <li>Activation: the cluster activates itself once the configured members are present (all
 *       of them the first time, so the first baseline holds every member; a majority later), and
 *       the baseline grows to take in configured members as they join.</li>
 *   <li>Quorum: a member acts (leads, accepts writes) only while it sees a majority of the
 *       configured members. Ignite OSS has no split-brain protection: a member paused past the
 *       failure timeout comes back believing the others failed.</li>
 * </ul>
 */
public final class ClusterMember implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterMember.class);

    private final ControllerConfig config;
    private final Ignite ignite;
    private final List<Runnable> topologyListeners = new CopyOnWriteArrayList<>();
    /** Topology work runs here: Ignite forbids blocking cluster calls on its discovery thread. */
    private final ExecutorService topologyThread = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "vigil-topology");
        thread.setDaemon(true);
        return thread;
    });

    /** Notices pauses of this process; see {@link PauseDetector}. Its ticker and its view checks run here. */
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "vigil-pause-detector");
        thread.setDaemon(true);
        return thread;
    });
    private final ExecutorService viewChecks = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "vigil-view-check");
        thread.setDaemon(true);
        return thread;
    });
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private final PauseDetector pauses;
    private volatile Counters counters;

    private ClusterMember(ControllerConfig config, Ignite ignite, UnaryOperator<BooleanSupplier> viewCheck) {
        this.config = config;
        this.ignite = ignite;
        long failureDetection = config.cluster().failureDetectionTimeout().toNanos();
        this.pauses = new PauseDetector(config.member(), System::nanoTime,
                // a gap this long between ticks means the process was not running
                Math.max(TimeUnit.MILLISECONDS.toNanos(500), failureDetection / 4),
                // alone, no other member can have taken over while it was paused: nothing to wait for
                config.cluster().members().size() == 1 ? 0 : 2 * failureDetection,
                viewCheck.apply(this::stillCountedIn), viewChecks);
        ticker.scheduleAtFixedRate(pauses::tick, TICK_NANOS, TICK_NANOS, TimeUnit.NANOSECONDS);
    }

    /**
     * Whether the other members still count this one in: a write that every member's copy of a
     * replicated cache acknowledges, while this member sees a majority. Members that dropped this
     * one while it was paused do not answer it, so it times out; and a resumed member may drop the
     * others first, when the write succeeds on its own copy alone: the majority it sees before and
     * after is what tells. Before the cluster is active there is no state to be out of date.
     */
    private boolean stillCountedIn() {
        if (!active()) {
            return true;
        }
        try {
            if (counters == null) {
                counters = new Counters(ignite);
            }
            if (!quorumPresent()) {
                return false;
            }
            counters.incrementAsync(Counters.VIEW_CHECKS).get(config.cluster().failureDetectionTimeout().toMillis());
            return quorumPresent();
        } catch (RuntimeException e) {
            LOG.atWarn().addKeyValue("member", name()).addKeyValue("error", e.toString())
                    .log("member_view_check_failed");
            return false;
        }
    }

    /** Starts the Ignite node and joins whichever configured members are up. */
    public static ClusterMember start(ControllerConfig config) {
        return start(config, UnaryOperator.identity());
    }

    /**
     * As {@link #start(ControllerConfig)}, with the check that confirms this member's view after a
     * pause wrapped in {@code viewCheck}: tests hold it back to see what a member answers meanwhile.
     */
    public static ClusterMember start(ControllerConfig config, UnaryOperator<BooleanSupplier> viewCheck) {
        // Ignite checks a web service for updates and prints ASCII art unless told not to.
        System.setProperty("IGNITE_UPDATE_NOTIFIER", "false");
        System.setProperty("IGNITE_NO_ASCII", "true");
        System.setProperty("IGNITE_PERFORMANCE_SUGGESTIONS_DISABLED", "true");
        ClusterMember member = new ClusterMember(config, Ignition.start(igniteConfiguration(config)), viewCheck);
        member.ignite.events().localListen(event -> {
            member.topologyThread.execute(member::onTopologyChange);
            return true;
        }, EventType.EVT_NODE_JOINED, EventType.EVT_NODE_LEFT, EventType.EVT_NODE_FAILED);
        member.topologyThread.execute(member::onTopologyChange);
        return member;
    }

    static IgniteConfiguration igniteConfiguration(ControllerConfig config) {
        ControllerConfig.Cluster cluster = config.cluster();
        ControllerConfig.MemberAddress self = config.self();
        TcpDiscoverySpi discovery = new TcpDiscoverySpi()
                .setIpFinder(new TcpDiscoveryVmIpFinder().setAddresses(cluster.members().stream()
                        .map(ControllerConfig.MemberAddress::address).toList()))
                .setLocalAddress(self.host())
                .setLocalPort(self.port())
                .setLocalPortRange(0);
        TcpCommunicationSpi communication = new TcpCommunicationSpi()
                .setLocalAddress(self.host())
                .setLocalPort(cluster.communicationPort())
                // Members sharing a host (a lab, the tests) take the next free port.
                .setLocalPortRange(32)
                // A bound on messages queued for a slow peer (Ignite warns of unbounded queues at every
                // start): past it, senders wait rather than fill the heap.
                .setMessageQueueLimit(4096);
        // Off-heap, grown as needed: a fleet of 12,500 nodes keeps about 300 MB of records.
        DataRegionConfiguration region = new DataRegionConfiguration()
                .setName("vigil")
                .setInitialSize(32L << 20)
                .setMaxSize(1L << 30)
                .setPersistenceEnabled(cluster.persistence());
        // What is worth nothing after a restart (the nodes' latest vital signs) is never written to disk.
        DataRegionConfiguration volatileRegion = new DataRegionConfiguration()
                .setName(Store.VOLATILE_REGION)
                .setInitialSize(16L << 20)
                .setMaxSize(256L << 20)
                .setPersistenceEnabled(false);
        DataStorageConfiguration storage = new DataStorageConfiguration()
                .setDefaultDataRegionConfiguration(region)
                .setDataRegionConfigurations(volatileRegion)
                .setWalMode(WALMode.LOG_ONLY)
                // Ignite preallocates its WAL segments: 4 of 16 MB instead of 10 of 64 MB.
                .setWalSegmentSize(16 << 20)
                .setWalSegments(4);
        Path work = config.dataDir().resolve("ignite").toAbsolutePath();
        long failureDetection = cluster.failureDetectionTimeout().toMillis();
        return new IgniteConfiguration()
                .setIgniteInstanceName(config.member())
                .setConsistentId(config.member())
                .setLocalHost(self.host())
                .setDiscoverySpi(discovery)
                .setCommunicationSpi(communication)
                .setFailureDetectionTimeout(failureDetection)
                .setClientFailureDetectionTimeout(failureDetection)
                .setDataStorageConfiguration(storage)
                .setWorkDirectory(work.toString())
                .setIncludeEventTypes(EventType.EVT_NODE_JOINED, EventType.EVT_NODE_LEFT, EventType.EVT_NODE_FAILED)
                .setMetricsLogFrequency(0)
                // Members talk over discovery and communication only: no thin-client or REST port.
                .setClientConnectorConfiguration(null)
                .setConnectorConfiguration(null)
                .setPeerClassLoadingEnabled(false)
                .setGridLogger(new IgniteSlf4jLogger());
    }

    public Ignite ignite() {
        return ignite;
    }

    public String name() {
        return config.member();
    }

    /**
     * Runs {@code listener} now and after every change of the members that are up, on the
     * topology thread: now, because the change that activated the cluster may be long past.
     */
    public void onTopologyChange(Runnable listener) {
        topologyListeners.add(listener);
        topologyThread.execute(() -> runLogged(listener));
    }

    public boolean active() {
        return ignite.cluster().state() == ClusterState.ACTIVE;
    }

    /** Configured members this member sees up. */
    public Set<String> membersUp() {
        Set<String> configured = configured();
        return ignite.cluster().forServers().nodes().stream()
                .map(node -> String.valueOf(node.consistentId()))
                .filter(configured::contains)
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }

    public boolean quorumPresent() {
        return membersUp().size() >= config.cluster().quorum();
    }

    public int quorum() {
        return config.cluster().quorum();
    }

    /** Every configured member, whether it is up, and whether it is {@code leader}. */
    public List<Member> members(String leader) {
        Set<String> up = membersUp();
        List<Member> members = new ArrayList<>();
        for (ControllerConfig.MemberAddress member : config.cluster().members()) {
            members.add(new Member(member.name(), member.address(), up.contains(member.name()),
                    member.name().equals(leader)));
        }
        return members;
    }

    /**
     * Why what this member holds may be out of date, or null: it was paused, and has not yet
     * confirmed its view of the cluster with the other members.
     */
    public String staleViewReason() {
        return pauses.staleReason();
    }

    /**
     * Simulates a pause of {@code gap} that ended now, as the pause detector would notice it: the
     * view is stale until the next check with the other members.
     */
    public void pauseNoticed(Duration gap) {
        pauses.paused(gap.toNanos());
    }

    /** Why writes are refused right now, or null when they are not. */
    public String notActingReason() {
        String paused = pauses.notActingReason();
        if (paused != null) {
            return paused;
        }
        if (!active()) {
            return "the controller cluster is not active yet: " + membersUp().size() + " of "
                    + config.cluster().members().size() + " members present (it activates once "
                    + (ignite.cluster().currentBaselineTopology() == null ? "all configured members are"
                    : "a majority is") + " up)";
        }
        if (!quorumPresent()) {
            return "this member sees " + membersUp().size() + " of " + config.cluster().members().size()
                    + " members, fewer than the quorum of " + quorum() + ": it refuses writes until it sees a majority";
        }
        return null;
    }

    private Set<String> configured() {
        return config.cluster().members().stream().map(ControllerConfig.MemberAddress::name)
                .collect(Collectors.toSet());
    }

    private void onTopologyChange() {
        try {
            Set<String> up = membersUp();
            Collection<BaselineNode> baseline = ignite.cluster().currentBaselineTopology();
            int needed = baseline == null ? config.cluster().members().size() : config.cluster().quorum();
            if (!active() && up.size() >= needed) {
                LOG.atInfo().addKeyValue("member", name()).addKeyValue("members_up", up)
                        .log("cluster_activating");
                ignite.cluster().state(ClusterState.ACTIVE);
            }
            if (active()) {
                growBaseline(up, baseline);
            }
        } catch (RuntimeException e) {
            // Another member may be activating at the same moment; the next change retries.
            LOG.atWarn().addKeyValue("member", name()).addKeyValue("error", e.toString()).log("topology_handling_failed");
        }
        LOG.atInfo().addKeyValue("member", name()).addKeyValue("members_up", membersUp())
                .addKeyValue("quorum", quorumPresent()).addKeyValue("active", active()).log("cluster_topology");
        for (Runnable listener : topologyListeners) {
            runLogged(listener);
        }
    }

    private void runLogged(Runnable listener) {
        try {
            listener.run();
        } catch (RuntimeException e) {
            LOG.atWarn().addKeyValue("member", name()).addKeyValue("error", e.toString()).setCause(e)
                    .log("topology_listener_failed");
        }
    }

    /** Adds configured members that are up to the baseline; never drops one that is down. */
    private void growBaseline(Set<String> up, Collection<BaselineNode> baseline) {
        Set<String> inBaseline = baseline == null ? Set.of() : baseline.stream()
                .map(node -> String.valueOf(node.consistentId())).collect(Collectors.toSet());
        if (inBaseline.containsAll(up)) {
            return;
        }
        List<BaselineNode> grown = new ArrayList<>(baseline == null ? List.of() : baseline);
        for (ClusterNode node : ignite.cluster().forServers().nodes()) {
            if (up.contains(String.valueOf(node.consistentId()))
                    && !inBaseline.contains(String.valueOf(node.consistentId()))) {
                grown.add(node);
            }
        }
        ignite.cluster().setBaselineTopology(grown);
        LOG.atInfo().addKeyValue("member", name()).addKeyValue("baseline", grown.stream()
                .map(BaselineNode::consistentId).toList()).log("baseline_changed");
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        viewChecks.shutdownNow();
        topologyThread.shutdownNow();
        Ignition.stop(ignite.name(), true);
    }
}
