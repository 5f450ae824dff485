package dev.vigil.cli;

import dev.vigil.agent.Agent;
import dev.vigil.agent.config.AgentConfig;
import dev.vigil.agent.config.BackendKind;
import dev.vigil.agent.systemd.SystemdNotifier;
import dev.vigil.alerts.AlertsConfig;
import dev.vigil.alerts.notify.Receiver;
import dev.vigil.alerts.routing.Route;
import dev.vigil.api.binding.Documents;
import dev.vigil.api.binding.HumanDurations;
import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.controller.Controller;
import dev.vigil.controller.config.ControllerConfig;
import dev.vigil.gpu.simulated.MigSpec;
import dev.vigil.gpu.simulated.NodeProfile;
import dev.vigil.gpu.simulated.SimulatedNode;
import dev.vigil.gpu.simulated.SimulatedSpec;
import dev.vigil.http.HttpServer;
import io.netty.channel.EventLoopGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

/** {@code vigil up}: the whole system on this machine, on simulated GPUs. */
@Command(name = "up",
        mixinStandardHelpOptions = true,
        description = {
                "Run all of Vigil on this machine, on simulated GPUs.",
                "",
                "It starts an embedded controller (REST API on :8080) with its scheduler and simulated GPU",
                "nodes, each a real agent on its own port reporting to it, and runs until Ctrl-C or SIGTERM.",
                "Nothing needs a GPU, a cluster or root.",
                "",
                "The default fleet: two HGX H100 nodes under one leaf switch and two DGX A100 nodes under",
                "another, on ports 9400-9403; the second A100 node has GPUs 6 and 7 cut into seven 1g.10gb MIG",
                "slices each. Jobs run on the simulated execution backend: a job's GPUs carry training or",
                "inference load for its --duration, and the agents' /metrics show it. Inject faults with",
                "POST /v1/faults and watch the controller's nodes, events and health reflex react, and its",
                "alerts fire ('vigil alerts'): the shipped rules, notified as log lines, and as Alertmanager's",
                "webhook body to --alert-webhook when given.",
                ""},
        footer = {"", "Examples:",
                "  vigil up",
                "  vigil up --h100 4 --a100 0 --l40s 2 --base-port 9500",
                "  vigil up --alert-webhook http://127.0.0.1:9000/hooks/vigil   # also POST alerts there",
                "  vigil up --ephemeral --base-port 0 --controller-port 0   # keep nothing on disk, any free ports"})
final class UpCommand implements Callable<Integer> {
    /** How long after a job starts or ends on a GPU its processes are not judged, on the demo's simulated agents. */
    static final Duration DEMO_PLACEMENT_GRACE = Duration.ofSeconds(3);

    @Spec
    CommandSpec spec;

    @Option(names = "--h100", paramLabel = "N", defaultValue = "2", description = "HGX H100 8-GPU nodes (default: ${DEFAULT-VALUE}).")
    int h100;

    @Option(names = "--a100", paramLabel = "N", defaultValue = "2", description = "DGX A100 8-GPU nodes (default: ${DEFAULT-VALUE}).")
    int a100;

    @Option(names = "--l40s", paramLabel = "N", defaultValue = "0", description = "PCIe 4 x L40S nodes (default: ${DEFAULT-VALUE}).")
    int l40s;

    @Option(names = "--base-port", paramLabel = "PORT", defaultValue = "9400",
            description = "Port of the first agent; the others follow; 0: any free ports (default: ${DEFAULT-VALUE}).")
    int basePort;

    @Option(names = "--bind", paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "Address the agents listen on (default: ${DEFAULT-VALUE}; the fault API is open, keep it local).")
    String bind;

    @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "1s",
            description = "Sampling interval, e.g. 500ms, 2s (default: ${DEFAULT-VALUE}).")
    String interval;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
            description = "Seed of the simulated telemetry; the same seed gives the same fleet (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--controller-port", paramLabel = "PORT", defaultValue = "8080",
            description = "Port of the controller's REST API; 0: any free port (default: ${DEFAULT-VALUE}).")
    int controllerPort;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "var/vigil",
            description = "Where state is kept (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--ephemeral", description = "Keep nothing on disk: state goes to a temporary directory removed at exit.")
    boolean ephemeral;

    @Option(names = "--alert-webhook", paramLabel = "URL",
            description = "Also send alerts here, as Alertmanager's webhook body (default: log lines only).")
    String alertWebhook;

    /** Where --ephemeral makes its directory; tests point it elsewhere. */
    Path temporaryParent = Path.of(System.getProperty("java.io.tmpdir"));

    /** What {@code vigil up} started; closing it stops everything, in reverse order, once. */
    static final class Running implements AutoCloseable {
        private final List<AutoCloseable> resources;

        private Running(List<AutoCloseable> resources) {
            this.resources = resources;
        }

        @Override
        public void close() throws Exception {
            List<AutoCloseable> started;
            synchronized (resources) {
                started = new ArrayList<>(resources);
                resources.clear();
            }
            for (int i = started.size() - 1; i >= 0; i--) {
                started.get(i).close();
            }
        }
    }

    @Override
    public Integer call() throws Exception {
        int nodes = h100 + a100 + l40s;
        if (h100 < 0 || a100 < 0 || l40s < 0 || nodes == 0 || nodes > 64) {
            spec.commandLine().getErr().println("vigil up: --h100, --a100 and --l40s must be 0 or more and add up to 1 to 64 nodes"
                    + " (they add up to " + nodes + ")");
            return ExitCodes.CONFIG;
        }
        if (basePort < 0 || basePort + nodes - 1 > 65535) {
            spec.commandLine().getErr().println("vigil up: --base-port " + basePort + " leaves no room for " + nodes
                    + " ports (allowed: 0 for any free ports, or 1 to " + (65536 - nodes) + ")");
            return ExitCodes.CONFIG;
        }
        AgentConfig.Sampling sampling;
        try {
            sampling = new AgentConfig.Sampling(HumanDurations.parse(interval, "--interval"), null);
            alerts();
        } catch (InvalidValueException e) {
            spec.commandLine().getErr().println("vigil up: " + e.getMessage());
            return ExitCodes.CONFIG;
        }
        checkAddresses(nodes);
        // Closed on Ctrl-C or SIGTERM from the start on, so that an interrupted start leaves nothing behind.
        List<AutoCloseable> resources = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch closed = Shutdown.onSignal(resources);
        start(sampling, spec.commandLine().getOut(), resources);
        SystemdNotifier.fromEnvironment().ready(nodes + " simulated nodes up");
        closed.await();
        return ExitCodes.OK;
    }

    /** The ports and the address, before anything starts (exit status 2 or 4, in one line). */
    private void checkAddresses(int nodes) {
        ListenAddress.check(bind, controllerPort, "--bind", "--controller-port (0: any free port)");
        for (int i = 0; basePort != 0 && i < nodes; i++) {
            ListenAddress.check(bind, basePort + i, "--bind", "--base-port (0: any free ports)");
        }
    }

    /** Starts the controller and the agents and prints the banner; the caller closes what it returns. */
    Running start(AgentConfig.Sampling sampling, PrintWriter out) throws Exception {
        return start(sampling, out, Collections.synchronizedList(new ArrayList<>()));
    }

    /**
     * As {@link #start(AgentConfig.Sampling, PrintWriter)}, adding what it starts to
     * {@code resources} as it goes; when it fails, it closes them all (the temporary directory
     * of --ephemeral included) before it throws.
     */
    Running start(AgentConfig.Sampling sampling, PrintWriter out, List<AutoCloseable> resources) throws Exception {
        PrintWriter progress = spec.commandLine().getErr();
        Running running = new Running(resources);
        Path state;
        if (ephemeral) {
            state = Files.createTempDirectory(temporaryParent, "vigil-up-");
            resources.add(() -> deleteTree(state));
        } else {
            state = dataDir;
            Files.createDirectories(state);
        }
        EventLoopGroup loop = HttpServer.newEventLoop(1);
        resources.add(loop::shutdownGracefully);
        List<Agent> agents = new ArrayList<>();
        try {
            long begin = System.nanoTime();
            progress.println("vigil up: starting the controller (cluster state in " + state + ")...");
            progress.flush();
            Controller controller = startController(state);
            resources.add(controller);
            progress.printf("vigil up: controller ready after %.1f s; starting %d simulated nodes...%n",
                    (System.nanoTime() - begin) / 1e9, h100 + a100 + l40s);
            progress.flush();
            String controllerUrl = "http://" + bind + ":" + controller.port();
            AgentConfig.Controller reporting = new AgentConfig.Controller(List.of(controllerUrl),
                    Files.readString(state.resolve("controller/agent.token")).trim(), null, null, null);
            int index = 0;
            for (Map.Entry<NodeProfile, Integer> group : fleet().entrySet()) {
                for (int i = 1; i <= group.getValue(); i++) {
                    String name = nodeName(group.getKey(), i);
                    SimulatedSpec spec = simulatedSpec(group.getKey(), i, seed);
                    // Simulated jobs start their processes at once: a short placement grace lets a demo's rogue
                    // process be judged seconds after its gang started, not half a minute.
                    AgentConfig config = new AgentConfig(name, bind + ":" + (basePort == 0 ? 0 : basePort + index),
                            BackendKind.SIMULATED, sampling, null, null, null, null, spec, reporting, null, null, null,
                            null, new AgentConfig.Placement(null, DEMO_PLACEMENT_GRACE, null));
                    SimulatedNode backend = new SimulatedNode(name, spec, Clock.systemUTC());
                    Agent agent = Agent.start(config, backend, Clock.systemUTC(), loop, SystemdNotifier.disabled());
                    agents.add(agent);
                    resources.add(agent);
                    index++;
                }
            }
            writeFleet(state.resolve("fleet.yaml"), agents);
            awaitFirstReports(agents, Duration.ofSeconds(30));
            banner(out, agents, state, controllerUrl, Files.readString(state.resolve("controller/admin.token")).trim());
            return running;
        } catch (Exception | Error e) {
            running.close();
            throw e;
        }
    }

    /**
     * The banner's commands count on the controller knowing every node (a job for a model it has
     * not seen yet is refused): wait for each agent's first answered report.
     */
    private static void awaitFirstReports(List<Agent> agents, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (agents.stream().anyMatch(a -> a.view().controller() == null || a.view().controller().lastReport() == null)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not every simulated node reported to the embedded controller within "
                        + limit.toSeconds() + " s");
            }
            Thread.sleep(50);
        }
    }

    /** One controller member, alone, its state under the data dir (in memory with --ephemeral). */
    private Controller startController(Path state) throws Exception {
        int discovery = freePort();
        String yaml = """
                member: vigil-up
                listen: "%s:%d"
                dataDir: %s
                cluster:
                  members: [{name: vigil-up, address: "127.0.0.1:%d"}]
                  persistence: %s
                scheduler: {interval: 500ms, backend: simulated}
                runbooks: {mode: active, interval: 500ms}
                fabric:
                  spines:
                    - name: spine-1
                      leaves:
                %s""".formatted(bind, controllerPort, state.resolve("controller").toAbsolutePath(), discovery,
                !ephemeral, leaves());
        Controller controller = Controller.start(Documents.readYaml(yaml, ControllerConfig.class, "vigil up"),
                alerts(), Clock.systemUTC());
        if (!controller.awaitReady(Duration.ofSeconds(120))) {
            controller.close();
            throw new StartFailure("the embedded controller did not become ready within 120 s (VIGIL_LOG_LEVEL=debug "
                    + "says what it waits for)", ExitCodes.CANNOT_START);
        }
        return controller;
    }

    /**
     * The shipped rules, notified as log lines and, with {@code --alert-webhook}, also to that URL
     * at once (no group wait: a demo's fault shows there as it happens).
     */
    AlertsConfig alerts() {
        AlertsConfig shipped = AlertsConfig.defaults();
        if (alertWebhook == null) {
            return shipped;
        }
        Receiver.WebhookConfig hook;
        try {
            hook = new Receiver.WebhookConfig(URI.create(alertWebhook), true, null);
        } catch (IllegalArgumentException e) {
            throw new InvalidValueException("--alert-webhook", alertWebhook,
                    "an http:// or https:// URL, e.g. http://127.0.0.1:9000/hooks/vigil");
        }
        Receiver webhook = new Receiver("webhook", null, hook, null);
        Route root = shipped.route();
        Route toWebhook = new Route("webhook", List.of("alertname", "node", "gpu"), Duration.ZERO, Duration.ofSeconds(10),
                null, null, true, null);
        List<Route> children = new ArrayList<>();
        children.add(toWebhook);
        children.addAll(root.routes());
        // After a matching child, the root takes nothing: the last child logs what the others leave.
        children.add(new Route(root.receiver(), null, null, null, null, null, false, null));
        Route routed = new Route(root.receiver(), root.groupBy(), root.groupWait(), root.groupInterval(),
                root.repeatInterval(), root.matchers(), root.continueMatching(), children);
        return new AlertsConfig(shipped.externalUrl(), List.of(shipped.receivers().get(0), webhook), routed,
                shipped.inhibitRules(), shipped.alertmanagers(), shipped.rules());
    }

    /** One leaf switch per kind of node, as racks of one kind usually are. */
    private String leaves() {
        StringBuilder leaves = new StringBuilder();
        for (Map.Entry<NodeProfile, Integer> group : fleet().entrySet()) {
            String kind = shortName(group.getKey());
            leaves.append("        - {name: leaf-").append(kind).append(", nodes: [\"sim-").append(kind).append("-[1-")
                    .append(group.getValue()).append("]\"]}\n");
        }
        return leaves.toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private Map<NodeProfile, Integer> fleet() {
        Map<NodeProfile, Integer> fleet = new LinkedHashMap<>();
        fleet.put(NodeProfile.HGX_H100_8, h100);
        fleet.put(NodeProfile.DGX_A100_8, a100);
        fleet.put(NodeProfile.PCIE_L40S_4, l40s);
        fleet.values().removeIf(n -> n == 0);
        return fleet;
    }

    static String nodeName(NodeProfile profile, int ordinal) {
        return "sim-" + shortName(profile) + "-" + ordinal;
    }

    /** The node with MIG slices: the second DGX A100, whose GPUs 6 and 7 are cut into seven 1g.10gb each. */
    static boolean migNode(NodeProfile profile, int ordinal) {
        return profile == NodeProfile.DGX_A100_8 && ordinal == 2;
    }

    /** A node as {@code vigil up} starts it: idle (jobs bring the load), with MIG slices on {@link #migNode}. */
    static SimulatedSpec simulatedSpec(NodeProfile profile, int ordinal, long seed) {
        long nodeSeed = seed * 1_000 + profile.ordinal() * 100 + ordinal;
        // 1g.10gb is the smallest slice of the A100-80GB.
        List<MigSpec> mig = migNode(profile, ordinal) ? List.of(new MigSpec(List.of(6, 7), Map.of("1g.10gb", 7)))
                : List.of();
        return new SimulatedSpec(profile, nodeSeed, List.of(), List.of(), mig);
    }

    private static String shortName(NodeProfile profile) {
        return switch (profile) {
            case HGX_H100_8 -> "h100";
            case DGX_A100_8 -> "a100";
            case PCIE_L40S_4 -> "l40s";
        };
    }

    private static void writeFleet(Path file, List<Agent> agents) throws IOException {
        List<Map<String, Object>> nodes = new ArrayList<>();
        for (Agent agent : agents) {
            SimulatedNode node = (SimulatedNode) agent.backend();
            nodes.add(Map.of("node", agent.node(), "profile", node.profile(), "port", agent.port()));
        }
        Files.writeString(file, Documents.yaml().writeValueAsString(Map.of("nodes", nodes)));
    }

    private void banner(PrintWriter out, List<Agent> agents, Path state, String controllerUrl, String adminToken) {
        int gpus = agents.stream().mapToInt(a -> a.backend().inventory().gpus().size()).sum();
        out.printf("%nVigil %s is up: a controller and %d simulated GPU nodes (%d GPUs), sampling every %s.%n%n",
                Agent.version(), agents.size(), gpus, interval);
        out.printf("  controller   %s   (REST API; /openapi.json describes it)%n%n", controllerUrl);
        out.printf("  %-12s %-12s %-5s %-10s %s%n", "NODE", "PROFILE", "GPUS", "LEAF", "AGENT");
        for (Agent agent : agents) {
            SimulatedNode node = (SimulatedNode) agent.backend();
            out.printf("  %-12s %-12s %-5s %-10s http://%s:%d/metrics%n", agent.node(),
                    node.profile().name().toLowerCase().replace('_', '-'), node.inventory().gpus().size()
                            + (node.inventory().gpus().stream().anyMatch(g -> g.mig().enabled()) ? "*" : ""), "leaf-" + shortName(node.profile()), bind,
                    agent.port());
        }
        if (agents.stream().anyMatch(a -> a.backend().inventory().gpus().stream().anyMatch(g -> g.mig().enabled()))) {
            out.printf("  (* GPUs 6-7 are in MIG mode: seven 1g.10gb slices each)%n");
        }
        String first = bind + ":" + agents.get(0).port();
        out.printf("%nThe admin token (also in %s):%n", state.resolve("controller/admin.token"));
        out.printf("  export VIGIL_URL=%s VIGIL_TOKEN=%s%n", controllerUrl, adminToken);
        out.printf("%nRun jobs, in another terminal after the export (the simulated backend runs them on the agents):%n");
        List<String> examples = jobExamples();
        for (String example : examples) {
            out.printf("  %s%n", example);
        }
        if (examples.isEmpty()) {
            out.printf("  (a 2-node gang needs two nodes of one kind, and a MIG service --a100 2 or more)%n");
        }
        out.printf("  ./vigil jobs                                  # placed, running once the agents start them, succeeded%n");
        out.printf("  ./vigil job ID    ./vigil why ID              # where it runs, GPU by GPU; why it waits%n");
        out.printf("  curl -s %s/metrics | grep '^DCGM_FI_DEV_GPU_UTIL'   # the load on %s's GPUs%n", first,
                agents.get(0).node());
        out.printf("%nFaults and the health reflex:%n");
        out.printf("  ./vigil nodes                                 # the fleet as the controller sees it%n");
        out.printf("  curl -s -X POST %s/v1/faults -H 'content-type: application/json' \\%n", first);
        out.printf("       -d '{\"gpu\": 3, \"kind\": \"xid\", \"xid\": 79}'     # GPU 3 of %s falls off the bus%n",
                agents.get(0).node());
        out.printf("  ./vigil node %-30s   # cordoned at once by the health reflex%n", agents.get(0).node());
        out.printf("  ./vigil events                                # the XID, the health change, the reflex, the jobs%n");
        out.printf("  ./vigil jobs                                  # a job on that GPU is requeued and runs elsewhere%n");
        out.printf("%nThe runbooks repair it (active here; shipped dry-run for production):%n");
        out.printf("  ./vigil runs                                  # gpu-fallen-off-bus started from the alert%n");
        out.printf("  ./vigil run run-1 --follow                    # drain, reboot, wait, health check, return%n");
        out.printf("  ./vigil runbooks                              # every runbook, and the circuit breaker%n");
        out.printf("  ./vigil runbook run gpu-reset-needed --node %s --gpu 1 --dry-run   # what it would do%n",
                agents.get(0).node());
        agents.stream().filter(a -> a.node().equals(nodeName(NodeProfile.DGX_A100_8, 2))).findFirst().ifPresent(a -> {
                    out.printf("%nMIG layouts (the scheduler drains changing GPUs, the agent applies the layout):%n");
                    out.printf("  ./vigil mig set %s all-disabled --gpus 6,7 --wait   # slices to whole GPUs%n", a.node());
                    out.printf("  ./vigil mig set %s all-1g.10gb --gpus 6,7 --wait    # and back%n", a.node());
                    out.printf("  ./vigil mig show %s    ./vigil mig plan              # layouts; what demand proposes%n",
                            a.node());
                });
        Agent stray = agents.get(Math.min(1, agents.size() - 1));
        out.printf("%nPlacement (every process on a GPU judged against the job that holds it):%n");
        out.printf("  curl -s -X POST %s:%d/v1/faults -H 'content-type: application/json' \\%n", bind, stray.port());
        out.printf("       -d '{\"gpu\": 2, \"kind\": \"rogue-process\"}'   # a process of no job on GPU 2 of %s%n",
                stray.node());
        out.printf("  ./vigil violations                            # who it is; GpuPlacementViolation fires%n");
        out.printf("  ./vigil gpus --node %s --processes   # each process with its job and verdict%n", stray.node());
        out.printf("%nAlerts (the shipped rules, told as log lines%s):%n", alertWebhook == null ? ""
                : " and as Alertmanager's webhook body to " + alertWebhook);
        out.printf("  ./vigil alerts                                # GpuXidFatal fires for the XID 79 above%n");
        out.printf("  ./vigil silence add --matcher 'node=%s' --duration 1h --comment 'demo'%n", agents.get(0).node());
        out.printf("%nFault kinds: xid, ecc-dbe, row-remap-failure, thermal-runaway, nvlink-down, fallen-off-bus,"
                + " power-brake, rogue-process, overreach-process.%nState: %s%s. Ctrl-C stops everything.%n%n", state,
                ephemeral ? " (removed at exit)" : "");
        out.flush();
    }

    /**
     * The banner's job commands: a 2-node training gang under one leaf, and an inference service
     * on MIG slices, each short enough to watch it finish.
     */
    List<String> jobExamples() {
        List<String> examples = new ArrayList<>();
        for (Map.Entry<NodeProfile, Integer> group : fleet().entrySet()) {
            if (group.getValue() < 2) {
                continue;
            }
            NodeProfile profile = group.getKey();
            // The MIG node keeps only six whole GPUs.
            int perNode = profile == NodeProfile.DGX_A100_8 ? 4 : profile.gpuCount();
            examples.add("./vigil submit --name demo-train --nodes 2 --gpus-per-node " + perNode + " --model "
                    + shortName(profile).toUpperCase() + " --topology same-leaf --duration 20s -- python train.py");
            break;
        }
        if (a100 >= 2) {
            examples.add("./vigil submit --name demo-serve --replicas 4 --mig-profile 1g.10gb --duration 2m"
                    + " -- python serve.py");
        }
        return examples;
    }

    /** Deletes a directory and what is in it; files that went away meanwhile are not an error. */
    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (NoSuchFileException e) {
            // Walked while something still cleaned up: what is left was deleted or will be, below.
        }
        if (Files.exists(root)) {
            deleteTree(root);
        }
    }
}
