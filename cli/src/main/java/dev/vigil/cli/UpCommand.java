package dev.vigil.cli;

import dev.vigil.agent.Agent;
import dev.vigil.agent.AgentConfig;
import dev.vigil.agent.BackendKind;
import dev.vigil.agent.systemd.SystemdNotifier;
import dev.vigil.api.binding.Documents;
import dev.vigil.controller.Controller;
import dev.vigil.controller.ControllerConfig;
import dev.vigil.api.binding.HumanDurations;
import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.gpu.simulated.MigSpec;
import dev.vigil.gpu.simulated.NodeProfile;
import dev.vigil.gpu.simulated.SimulatedNode;
import dev.vigil.gpu.simulated.SimulatedSpec;
import dev.vigil.gpu.simulated.Workload;
import dev.vigil.gpu.simulated.WorkloadKind;
import dev.vigil.http.HttpServer;
import io.netty.channel.EventLoopGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/** {@code vigil up}: the whole system on this machine, on simulated GPUs. */
@Command(name = "up",
        mixinStandardHelpOptions = true,
        description = {
                "Run Vigil on this machine: an embedded controller (REST API on :8080) and simulated GPU nodes,",
                "each a real agent on its own port reporting to it, until Ctrl-C or SIGTERM. Nothing needs a GPU,",
                "a cluster or root.",
                "",
                "The default fleet: two HGX H100 nodes and two DGX A100 nodes on ports 9400-9403, with training",
                "and inference load and one GPU pair in MIG mode. Inject faults with POST /v1/faults and watch",
                "the agent's /metrics and /readyz and the controller's nodes, events and health reflex react.",
                ""},
        footer = {"", "Examples:",
                "  vigil up",
                "  vigil up --h100 4 --a100 0 --l40s 2 --base-port 9500",
                "  vigil up --ephemeral            # keep nothing on disk"})
final class UpCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--h100", paramLabel = "N", defaultValue = "2", description = "HGX H100 8-GPU nodes (default: ${DEFAULT-VALUE}).")
    int h100;

    @Option(names = "--a100", paramLabel = "N", defaultValue = "2", description = "DGX A100 8-GPU nodes (default: ${DEFAULT-VALUE}).")
    int a100;

    @Option(names = "--l40s", paramLabel = "N", defaultValue = "0", description = "PCIe 4 x L40S nodes (default: ${DEFAULT-VALUE}).")
    int l40s;

    @Option(names = "--base-port", paramLabel = "PORT", defaultValue = "9400",
            description = "Port of the first agent; the others follow (default: ${DEFAULT-VALUE}).")
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
            description = "Port of the controller's REST API (default: ${DEFAULT-VALUE}).")
    int controllerPort;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "var/vigil",
            description = "Where state is kept (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--ephemeral", description = "Keep nothing on disk: state goes to a temporary directory removed at exit.")
    boolean ephemeral;

    @Override
    public Integer call() throws Exception {
        int nodes = h100 + a100 + l40s;
        if (h100 < 0 || a100 < 0 || l40s < 0 || nodes == 0 || nodes > 64) {
            spec.commandLine().getErr().println("vigil up: --h100, --a100 and --l40s must be 0 or more and add up to 1 to 64 nodes"
                    + " (they add up to " + nodes + ")");
            return ExitCodes.CONFIG;
        }
        if (basePort < 1 || basePort + nodes - 1 > 65535) {
            spec.commandLine().getErr().println("vigil up: --base-port " + basePort + " leaves no room for " + nodes
                    + " ports (allowed: 1 to " + (65536 - nodes) + ")");
            return ExitCodes.CONFIG;
        }
        AgentConfig.Sampling sampling;
        try {
            sampling = new AgentConfig.Sampling(HumanDurations.parse(interval, "--interval"), null);
        } catch (InvalidValueException e) {
            spec.commandLine().getErr().println("vigil up: " + e.getMessage());
            return ExitCodes.CONFIG;
        }
        Path state = ephemeral ? Files.createTempDirectory("vigil-up-") : dataDir;
        Files.createDirectories(state);

        List<AutoCloseable> resources = new ArrayList<>();
        EventLoopGroup loop = HttpServer.newEventLoop(1);
        resources.add(loop::shutdownGracefully);
        if (ephemeral) {
            resources.add(() -> deleteTree(state));
        }
        Controller controller = startController(state);
        resources.add(controller);
        String controllerUrl = "http://" + bind + ":" + controller.port();
        AgentConfig.Controller reporting = new AgentConfig.Controller(List.of(controllerUrl),
                Files.readString(state.resolve("controller/agent.token")).trim(), null, null, null);
        List<Agent> agents = new ArrayList<>();
        try {
            int index = 0;
            for (Map.Entry<NodeProfile, Integer> group : fleet().entrySet()) {
                for (int i = 1; i <= group.getValue(); i++) {
                    String name = "sim-" + shortName(group.getKey()) + "-" + i;
                    SimulatedSpec spec = demoLoad(group.getKey(), i, seed);
                    AgentConfig config = new AgentConfig(name, bind + ":" + (basePort + index), BackendKind.SIMULATED,
                            sampling, null, null, null, null, spec, reporting);
                    SimulatedNode backend = new SimulatedNode(name, spec, Clock.systemUTC());
                    Agent agent = Agent.start(config, backend, Clock.systemUTC(), loop, SystemdNotifier.disabled());
                    agents.add(agent);
                    resources.add(agent);
                    index++;
                }
            }
        } catch (RuntimeException e) {
            for (Agent agent : agents) {
                agent.close();
            }
            controller.close();
            loop.shutdownGracefully();
            throw e;
        }
        writeFleet(state.resolve("fleet.yaml"), agents);
        banner(spec.commandLine().getOut(), agents, state, controllerUrl,
                Files.readString(state.resolve("controller/admin.token")).trim());
        SystemdNotifier.fromEnvironment().ready(agents.size() + " simulated nodes up");
        Shutdown.closeOnSignal(resources);
        return ExitCodes.OK;
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
                """.formatted(bind, controllerPort, state.resolve("controller").toAbsolutePath(), discovery, !ephemeral);
        Controller controller = Controller.start(Documents.readYaml(yaml, ControllerConfig.class, "vigil up"),
                Clock.systemUTC());
        if (!controller.awaitReady(Duration.ofSeconds(120))) {
            controller.close();
            throw new IllegalStateException("the embedded controller did not become ready within 120 s");
        }
        return controller;
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

    /**
     * Something to look at until the scheduler places real work: the first node of each kind
     * trains on every GPU, the second serves inference on half of them with its last two GPUs
     * cut into MIG slices, the rest idle.
     */
    static SimulatedSpec demoLoad(NodeProfile profile, int ordinal, long seed) {
        long nodeSeed = seed * 1_000 + profile.ordinal() * 100 + ordinal;
        if (ordinal == 1) {
            return SimulatedSpec.of(profile, nodeSeed, List.of(Workload.of(WorkloadKind.TRAINING, null)));
        }
        if (ordinal == 2) {
            int half = profile.gpuCount() / 2;
            List<Integer> serving = Stream.iterate(0, g -> g + 1).limit(half).toList();
            List<Workload> workloads = new ArrayList<>(List.of(Workload.of(WorkloadKind.INFERENCE, serving)));
            List<MigSpec> mig = List.of();
            if (profile != NodeProfile.PCIE_L40S_4) {
                int last = profile.gpuCount() - 1;
                // 1g.10gb is the smallest slice on both the H100-80GB and the A100-80GB.
                mig = List.of(new MigSpec(List.of(last - 1, last), Map.of("1g.10gb", 7)));
                for (int gi = 1; gi <= 3; gi++) {
                    workloads.add(new Workload(List.of(last), gi, WorkloadKind.INFERENCE, null, null));
                }
            }
            return new SimulatedSpec(profile, nodeSeed, workloads, List.of(), mig);
        }
        return SimulatedSpec.of(profile, nodeSeed, List.of());
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
        out.printf("  %-12s %-12s %-5s %s%n", "NODE", "PROFILE", "GPUS", "AGENT");
        for (Agent agent : agents) {
            SimulatedNode node = (SimulatedNode) agent.backend();
            out.printf("  %-12s %-12s %-5d http://%s:%d/metrics%n", agent.node(),
                    node.profile().name().toLowerCase().replace('_', '-'), node.inventory().gpus().size(), bind,
                    agent.port());
        }
        String first = bind + ":" + agents.get(0).port();
        out.printf("%nThe admin token (also in %s):%n", state.resolve("controller/admin.token"));
        out.printf("  export VIGIL_URL=%s VIGIL_TOKEN=%s%n", controllerUrl, adminToken);
        out.printf("%nTry, in another terminal after the export:%n");
        out.printf("  ./vigil nodes                                 # the fleet as the controller sees it%n");
        out.printf("  curl -s -X POST %s/v1/faults -H 'content-type: application/json' \\%n", first);
        out.printf("       -d '{\"gpu\": 3, \"kind\": \"xid\", \"xid\": 79}'     # GPU 3 of %s falls off the bus%n",
                agents.get(0).node());
        out.printf("  ./vigil node %-30s   # cordoned at once by the health reflex%n", agents.get(0).node());
        out.printf("  ./vigil events                                # the XID, the health change, the reflex%n");
        out.printf("  curl -s -X DELETE '%s/v1/faults?gpu=3'        # repair it on the agent%n", first);
        out.printf("  ./vigil uncordon %s --reason 'GPU 3 reseated'%n", agents.get(0).node());
        out.printf("%nFault kinds: xid, ecc-dbe, row-remap-failure, thermal-runaway, nvlink-down, fallen-off-bus,"
                + " power-brake.%nState: %s%s. Ctrl-C stops everything.%n%n", state,
                ephemeral ? " (removed at exit)" : "");
        out.flush();
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
