package dev.vigil.controller.config;

import dev.vigil.alerts.AlertsConfig;
import dev.vigil.api.binding.Documents;
import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.cluster.Hostlist;
import dev.vigil.http.ConnectionLimits;
import dev.vigil.scheduler.policy.SchedulerPolicy;
import dev.vigil.scheduler.topology.Fabric;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The controller's configuration ({@code conf/controller.yaml}, every key documented there).
 * Unknown keys and bad values stop the controller at start, naming the key, the value and what
 * is allowed.
 *
 * @param member      this member's name; must be one of {@code cluster.members}
 * @param listen      where the REST API listens
 * @param dataDir     where cluster state (Ignite's persistence) and bootstrap tokens live
 * @param cluster     the members and how they find each other
 * @param nodeTimeout a node whose agent has not reported for this long is unknown and cordoned
 * @param tls         HTTPS: certificate and key in PEM; absent for plain HTTP
 * @param tokens      where the first admin and agent tokens are read from or written to
 * @param scheduler   how the leader schedules jobs: how often, on which backend, with which policy
 * @param fabric      the network above the nodes (spines, leaves, nodes), for topology-aware placement
 * @param slurm       the slurm execution backend: where Slurm is and how jobs map to it; absent for none
 * @param kubernetes  the kubernetes execution backend: which cluster, which namespace; absent for none
 * @param alerts      where the alert rules, receivers and routing are
 * @param connections how many connections the REST API holds, and how long an idle one stays open
 * @param runbooks    which runbooks the leader runs, and within which guards
 * @param mig         the named MIG configs, the phases' timeouts, and layouts that follow demand
 * @param placement   what node agents do about processes on GPUs their jobs were not given, per node pool
 */
public record ControllerConfig(String member, String listen, Path dataDir, Cluster cluster, Duration nodeTimeout,
                               Tls tls, BootstrapTokens tokens, Scheduling scheduler, Fabric fabric,
                               SlurmSettings slurm, KubernetesSettings kubernetes, Alerts alerts,
                               ConnectionLimits connections, RunbookSettings runbooks, MigSettings mig,
                               PlacementSettings placement) {

    public ControllerConfig {
        member = member == null || member.isBlank() ? localHostName() : member;
        InvalidValueException.require(member.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}"), "member", member,
                "a name: letters, digits, '.', '_' and '-', up to 63 characters");
        listen = listen == null ? ":8080" : listen;
        InvalidValueException.require(listen.matches("(\\[[0-9a-fA-F:.]+]|[^\\s:]*):\\d{1,5}"), "listen", listen,
                "host:port or :port, e.g. :8080 or 127.0.0.1:8080");
        dataDir = dataDir == null ? Path.of("/var/lib/vigil") : dataDir;
        cluster = cluster == null ? new Cluster(null, null, null, null) : cluster;
        if (cluster.members().isEmpty()) {
            cluster = cluster.withMembers(List.of(new MemberAddress(member, "127.0.0.1:47500")));
        }
        String self = member;
        InvalidValueException.require(cluster.members().stream().anyMatch(m -> m.name().equals(self)), "member",
                member, "one of cluster.members: " + cluster.members().stream().map(MemberAddress::name).toList());
        nodeTimeout = nodeTimeout == null ? Duration.ofSeconds(10) : nodeTimeout;
        InvalidValueException.require(nodeTimeout.compareTo(Duration.ofSeconds(1)) >= 0
                && nodeTimeout.compareTo(Duration.ofHours(1)) <= 0, "nodeTimeout", nodeTimeout, "from 1s to 1h");
        tokens = tokens == null ? new BootstrapTokens(null, null) : tokens;
        scheduler = scheduler == null ? new Scheduling(null, null, null, null) : scheduler;
        fabric = fabric == null ? Fabric.none() : fabric;
        InvalidValueException.require(!BackendName.SLURM.equals(scheduler.backend()) || slurm != null,
                "scheduler.backend", scheduler.backend(), BackendName.SIMULATED + ", or " + BackendName.SLURM
                        + " together with a slurm: section saying where slurmrestd is");
        InvalidValueException.require(!BackendName.KUBERNETES.equals(scheduler.backend()) || kubernetes != null,
                "scheduler.backend", scheduler.backend(), BackendName.KUBERNETES
                        + " together with a kubernetes: section saying which cluster (kubeconfig or inCluster)");
        alerts = alerts == null ? new Alerts(null) : alerts;
        connections = connections == null ? ConnectionLimits.defaults() : connections;
        runbooks = runbooks == null ? RunbookSettings.defaults() : runbooks;
        mig = mig == null ? MigSettings.defaults() : mig;
        placement = placement == null ? PlacementSettings.defaults() : placement;
        placement.checkPools(scheduler.pools().keySet());
    }

    public static ControllerConfig load(Path file) {
        return Documents.readYaml(file, ControllerConfig.class);
    }

    /**
     * This config as read from {@code file}: a relative {@code alerts.file}, {@code runbooks.dir} or
     * {@code mig.configs} is beside it, and
     * without one, an {@code alerts.yaml} beside it is the alerts file when there is one.
     */
    public ControllerConfig besideFile(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        Path rules = alerts.file() != null ? dir.resolve(alerts.file())
                : Files.isRegularFile(dir.resolve(Alerts.BESIDE)) ? dir.resolve(Alerts.BESIDE) : null;
        RunbookSettings besideRunbooks = runbooks.dir() == null || runbooks.dir().isAbsolute() ? runbooks
                : new RunbookSettings(dir.resolve(runbooks.dir()), runbooks.mode(), runbooks.guards(),
                runbooks.interval(), runbooks.bmc(), runbooks.ssh(), runbooks.reports(), runbooks.reportWebhook());
        return new ControllerConfig(member, listen, dataDir, cluster, nodeTimeout, tls, tokens, scheduler, fabric,
                slurm, kubernetes, new Alerts(rules), connections, besideRunbooks, mig.beside(dir), placement);
    }

    /** This member's entry in {@code cluster.members}. */
    public MemberAddress self() {
        return cluster.members().stream().filter(m -> m.name().equals(member)).findFirst().orElseThrow();
    }

    /**
     * The controller members and how they find each other.
     *
     * @param members                 every member: a name and its discovery host:port; a majority must be up
     *                                for the controller to accept writes
     * @param communicationPort       the port members exchange data on
     * @param failureDetectionTimeout how long a silent member counts as alive; on loopback a killed
     *                                member is seen at once, this matters for hangs and partitions
     * @param persistence             keep cluster state on disk (off only for tests and {@code --ephemeral})
     */
    public record Cluster(List<MemberAddress> members, Integer communicationPort, Duration failureDetectionTimeout,
                          Boolean persistence) {
        public Cluster {
            members = members == null ? List.of() : List.copyOf(members);
            Set<String> names = new HashSet<>();
            Set<String> addresses = new HashSet<>();
            for (int i = 0; i < members.size(); i++) {
                InvalidValueException.require(names.add(members.get(i).name()), "members[" + i + "].name",
                        members.get(i).name(), "a name no other member has");
                InvalidValueException.require(addresses.add(members.get(i).address()), "members[" + i + "].address",
                        members.get(i).address(), "an address no other member has");
            }
            communicationPort = communicationPort == null ? 47100 : communicationPort;
            InvalidValueException.require(communicationPort > 0 && communicationPort < 65536, "communicationPort",
                    communicationPort, "a port from 1 to 65535");
            failureDetectionTimeout = failureDetectionTimeout == null ? Duration.ofSeconds(10) : failureDetectionTimeout;
            InvalidValueException.require(failureDetectionTimeout.compareTo(Duration.ofMillis(500)) >= 0
                            && failureDetectionTimeout.compareTo(Duration.ofMinutes(5)) <= 0, "failureDetectionTimeout",
                    failureDetectionTimeout, "from 500ms to 5m");
            persistence = persistence == null || persistence;
        }

        Cluster withMembers(List<MemberAddress> replacement) {
            return new Cluster(replacement, communicationPort, failureDetectionTimeout, persistence);
        }

        /** How many members must be up: a majority of those configured. */
        public int quorum() {
            return members.size() / 2 + 1;
        }
    }

    /**
     * How the leader schedules jobs.
     *
     * @param interval how often a scheduling cycle runs (also at once when a job arrives or ends, or a node changes)
     * @param backend  the execution backend of jobs that name none, or null: then every job must name one
     * @param policy   queue order, quotas, fair share, backfill and preemption
     * @param pools    node pools jobs may ask for: a pool's name and its nodes as host lists
     */
    public record Scheduling(Duration interval, String backend, SchedulerPolicy policy, Map<String, List<String>> pools) {
        public Scheduling {
            interval = interval == null ? Duration.ofSeconds(1) : interval;
            InvalidValueException.require(interval.compareTo(Duration.ofMillis(100)) >= 0
                    && interval.compareTo(Duration.ofMinutes(1)) <= 0, "interval", interval, "from 100ms to 1m");
            // No default: one that plays jobs on simulated GPUs must be chosen, never fallen into.
            InvalidValueException.require(backend == null || BackendName.ALL.contains(backend), "backend",
                    backend, "one of " + String.join(", ", BackendName.ALL));
            policy = policy == null ? SchedulerPolicy.defaults() : policy;
            pools = pools == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(pools));
            poolOfNode(pools);
        }

        /** Each pooled node's pool. */
        public Map<String, String> poolOf() {
            return poolOfNode(pools);
        }

        private static Map<String, String> poolOfNode(Map<String, List<String>> pools) {
            Map<String, String> poolOf = new HashMap<>();
            pools.forEach((pool, hostlists) -> {
                InvalidValueException.require(pool.matches("[a-z0-9][a-z0-9-]{0,62}"), "pools." + pool, pool,
                        "a pool name: lower-case letters, digits and dashes, up to 63");
                InvalidValueException.require(hostlists != null, "pools." + pool, null,
                        "a list of host lists, e.g. [\"gpu-[001-016]\"]");
                for (int i = 0; i < hostlists.size(); i++) {
                    String field = "pools." + pool + "[" + i + "]";
                    for (String node : Hostlist.expandNonEmpty(hostlists.get(i), field)) {
                        String earlier = poolOf.put(node, pool);
                        InvalidValueException.require(earlier == null || earlier.equals(pool), field, node,
                                "each node in one pool (it is in " + earlier + " too)");
                    }
                }
            });
            return poolOf;
        }
    }

    /**
     * The alert rules the leader evaluates, where their notifications go, and what mutes what.
     *
     * @param file the rules file ({@code conf/alerts.yaml} documents every key); absent: the
     *             rules Vigil ships, notifying by log lines only
     */
    public record Alerts(Path file) {
        /** The file looked for beside the controller's config when none is named. */
        static final String BESIDE = "alerts.yaml";

        /** Reads the rules: an error names the file, the key, the value and what is allowed. */
        public AlertsConfig load() {
            return file == null ? AlertsConfig.defaults() : AlertsConfig.load(file);
        }
    }

    /** A member's name and discovery address ({@code host:port}). */
    public record MemberAddress(String name, String address) {
        public MemberAddress {
            InvalidValueException.required(name, "name", "the member's name");
            InvalidValueException.required(address, "address", "host:port of its discovery, e.g. 10.0.0.1:47500");
            InvalidValueException.require(address.matches("[^\\s:/]+:\\d{1,5}"), "address", address,
                    "host:port, e.g. 10.0.0.1:47500");
        }

        public String host() {
            return address.substring(0, address.lastIndexOf(':'));
        }

        public int port() {
            return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
        }
    }

    /** A certificate chain and its private key, both PEM files. */
    public record Tls(Path certificate, Path key) {
        public Tls {
            InvalidValueException.required(certificate, "certificate", "a PEM certificate chain file");
            InvalidValueException.required(key, "key", "a PEM PKCS#8 private key file");
        }
    }

    /**
     * Where the first tokens come from. When the cluster has no token yet, the leader reads each
     * file if it exists (so configuration management can hand out the secrets) or writes a new
     * token there (mode 0600) and logs where.
     *
     * @param adminFile the admin token (default {@code <dataDir>/admin.token})
     * @param agentFile the agents' shared token (default {@code <dataDir>/agent.token})
     */
    public record BootstrapTokens(Path adminFile, Path agentFile) {
    }

    private static String localHostName() {
        try {
            String name = InetAddress.getLocalHost().getHostName();
            int dot = name.indexOf('.');
            return dot > 0 ? name.substring(0, dot) : name;
        } catch (UnknownHostException e) {
            return "controller";
        }
    }
}
