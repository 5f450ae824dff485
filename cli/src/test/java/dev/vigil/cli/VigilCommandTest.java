package dev.vigil.cli;

import dev.vigil.agent.config.AgentConfig;
import dev.vigil.agent.config.BackendKind;
import dev.vigil.api.binding.Documents;
import dev.vigil.api.placement.PlacementAction;
import dev.vigil.api.placement.PlacementPolicy;
import dev.vigil.controller.config.ControllerConfig;
import dev.vigil.gpu.simulated.NodeProfile;
import dev.vigil.gpu.simulated.SimulatedNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VigilCommandTest {
    private static final Path SHIPPED_CONFIG = Path.of("src/dist/conf/agent.yaml");

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void helpTeachesTheCommands() {
        CliRun help = run("--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("vigil up", "vigil agent -c agent.yaml", "up ", "agent ");
        assertThat(run("help", "agent").out()).contains("--check", "/metrics", "Examples:");
        assertThat(run("help", "up").out()).contains("--h100", "--ephemeral", "--base-port");
    }

    @Test
    void everyCommandListedInAHelpHasAWholeSentenceThatFitsItsLine() {
        List<String> cut = new ArrayList<>();
        collectCutSummaries(Vigil.commandLine(), cut);
        assertThat(cut).as("first description lines that are not one whole sentence of up to 90 characters").isEmpty();
    }

    private static void collectCutSummaries(CommandLine command, List<String> cut) {
        for (CommandLine sub : command.getSubcommands().values()) {
            String[] description = sub.getCommandSpec().usageMessage().description();
            String first = description.length == 0 ? "" : description[0];
            if (!first.endsWith(".") || first.length() > 90) {
                cut.add(sub.getCommandSpec().qualifiedName() + ": " + first);
            }
            collectCutSummaries(sub, cut);
        }
    }

    @Test
    void completionScriptsKnowEveryCommandAndOption() {
        CliRun bash = run("completion", "bash");
        assertThat(bash.exit()).isZero();
        assertThat(bash.out()).contains("complete -F _complete_vigil", "cordon", "--gpu", "--reason", "silence");
        CliRun zsh = run("completion", "zsh");
        assertThat(zsh.out()).startsWith("autoload -U +X compinit").contains("bashcompinit", "--gpu");
        assertThat(run("completion", "fish").exit()).isEqualTo(2);
    }

    @Test
    void manPagesAreWrittenForEveryCommand(@TempDir Path dir) throws IOException {
        List<Path> written = new ArrayList<>();
        ManPages.write(Vigil.commandLine(), dir, written);
        assertThat(dir.resolve("vigil.1")).exists();
        assertThat(Files.readString(dir.resolve("vigil-cordon.1"))).startsWith(".TH VIGIL\\-CORDON 1")
                .contains(".SH SYNOPSIS", ".SH OPTIONS", "\\fB\\-\\-gpu\\fR=\\fIN\\fR", ".SH EXAMPLES");
        assertThat(dir.resolve("vigil-silence-add.1")).exists();
        List<String> commands = new ArrayList<>();
        collectCommands(Vigil.commandLine(), commands);
        assertThat(written).hasSize(commands.size());
    }

    private static void collectCommands(CommandLine command, List<String> names) {
        if (!command.getCommandName().equals("help")) {
            names.add(command.getCommandSpec().qualifiedName());
            command.getSubcommands().values().forEach(sub -> collectCommands(sub, names));
        }
    }

    @Test
    void versionTellsThisVigilsAndSaysWhenTheControllerDoesNotAnswer() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        CliRun version = run("version", "--url", "http://127.0.0.1:" + closed);
        assertThat(version.exit()).isZero();
        assertThat(version.out()).startsWith("client      vigil ").contains("controller  - (http://127.0.0.1:" + closed
                + " did not answer)");
        assertThat(version.err()).startsWith("vigil version: no controller version: cannot reach the controller");
    }

    @Test
    void theShippedConfigIsTheDefaults() {
        AgentConfig shipped = AgentConfig.load(SHIPPED_CONFIG);
        AgentConfig defaults = Documents.readYaml("", AgentConfig.class, "empty");
        assertThat(shipped).isEqualTo(defaults);
    }

    @Test
    void theShippedSimulatedExampleIsValid() throws IOException {
        List<String> lines = new ArrayList<>();
        boolean inExample = false;
        boolean realBackendSection = false;
        for (String line : Files.readAllLines(SHIPPED_CONFIG)) {
            if (line.matches("[a-z].*")) {
                // dcgm and nvml settings belong to the real backends; the example is simulated.
                realBackendSection = line.startsWith("dcgm:") || line.startsWith("nvml:");
            }
            if (line.equals("# simulated:")) {
                inExample = true;
            }
            if (realBackendSection || inExample && line.startsWith("#   #")) {
                continue;
            }
            if (inExample && line.startsWith("# ")) {
                line = line.substring(2);
            }
            lines.add(line.startsWith("backend:") ? "backend: simulated" : line);
        }
        AgentConfig config = Documents.readYaml(String.join("\n", lines), AgentConfig.class, "example");
        assertThat(config.backend()).isEqualTo(BackendKind.SIMULATED);
        assertThat(config.simulated().workloads()).hasSize(2);
        assertThat(config.simulated().faults()).singleElement().satisfies(f ->
                assertThat(f.at()).isEqualTo(Duration.ofMinutes(10)));
        assertThat(new SimulatedNode("x", config.simulated(), Clock.systemUTC()).inventory().gpus().get(6).mig()
                .instances()).hasSize(7);
    }

    @Test
    void theShippedControllerConfigIsTheDefaults() {
        ControllerConfig shipped = ControllerConfig.load(Path.of("src/dist/conf/controller.yaml"));
        assertThat(shipped).isEqualTo(Documents.readYaml("", ControllerConfig.class, "empty"));
    }

    @Test
    void theShippedControllerConfigsSlurmExampleBindsWhenUncommented() throws IOException {
        String shipped = Files.readString(Path.of("src/dist/conf/controller.yaml"));
        String example = shipped.substring(shipped.indexOf("\n# slurm:") + 1).lines()
                .filter(line -> !line.matches("#\\s*#.*"))   // the comments within it
                .map(line -> line.replaceFirst("^# ?", "")).collect(Collectors.joining("\n"));
        ControllerConfig config = Documents.readYaml("scheduler: {backend: slurm}\n" + example, ControllerConfig.class,
                "the slurm: example");
        assertThat(config.slurm().connection().url().toString()).isEqualTo("http://slurmctl-1:6820");
        assertThat(config.slurm().partitionOf("research")).isEqualTo("gpu-hi");
        assertThat(config.slurm().output()).isEqualTo("/shared/vigil-jobs/{job}-%j.out");
    }

    @Test
    void theShippedControllerConfigsMigExampleBindsWhenUncommented() throws IOException {
        String shipped = Files.readString(Path.of("src/dist/conf/controller.yaml"));
        String section = shipped.substring(shipped.indexOf("\n# mig:") + 1);
        String example = section.substring(0, section.indexOf("\n\n")).lines()
                .filter(line -> !line.matches("#\\s*#.*"))
                .map(line -> line.replaceFirst("^# ?", "")).collect(Collectors.joining("\n"));
        ControllerConfig config = Documents.readYaml(example, ControllerConfig.class, "the mig: example");
        assertThat(config.mig().configs()).isEqualTo(Path.of("mig.yaml"));
        assertThat(config.mig().drainTimeout()).isEqualTo(Duration.ofMinutes(30));
        assertThat(config.mig().auto().maxGpusChangingAtOnce()).isEqualTo(2);
    }

    @Test
    void theShippedControllerConfigsPlacementExampleBindsWhenUncommented() throws IOException {
        String shipped = Files.readString(Path.of("src/dist/conf/controller.yaml"));
        String section = shipped.substring(shipped.indexOf("\n# placement:") + 1);
        String example = section.substring(0, section.indexOf("\n\n")).lines()
                .map(line -> line.replaceFirst("^# ?", "")).collect(Collectors.joining("\n"));
        ControllerConfig config = Documents.readYaml("scheduler: {pools: {inference: [gpu-1], shared: [gpu-2]}}\n"
                + example, ControllerConfig.class, "the placement: example");
        assertThat(config.placement().policy("inference"))
                .isEqualTo(new PlacementPolicy(PlacementAction.KILL, Duration.ofSeconds(30)));
        assertThat(config.placement().policy("shared").action()).isEqualTo(PlacementAction.CORDON_GPU);
        assertThat(config.placement().policy(null)).isEqualTo(PlacementPolicy.REPORT);
    }

    @Test
    void checkPrintsTheConfigAsTheAgentReadsIt() {
        CliRun check = run("agent", "-c", SHIPPED_CONFIG.toString(), "--check", "--node", "gpu-017");
        assertThat(check.exit()).isZero();
        assertThat(check.out()).contains("node: \"gpu-017\"", "backend: \"auto\"", "interval: \"1s\"");
    }

    @Test
    void checkPrintsPathsAsAPersonWritesThem() {
        CliRun check = run("controller", "-c", "src/dist/conf/controller.yaml", "--check");
        assertThat(check.exit()).as(check.err()).isZero();
        assertThat(check.out()).contains("dataDir: \"/var/lib/vigil\"").doesNotContain("file:");
    }

    @Test
    void aBadConfigStopsWithExitStatus2AndNamesTheKey(@TempDir Path dir) throws IOException {
        Path bad = dir.resolve("agent.yaml");
        Files.writeString(bad, "sampling:\n  intervall: 1s\n");
        CliRun run = run("agent", "-c", bad.toString());
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("vigil agent: config error: " + bad
                + ": unknown key \"sampling.intervall\" (allowed keys under sampling: fields, interval)\n");
        CliRun missing = run("agent", "-c", dir.resolve("nope.yaml").toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("nope.yaml: file not found");
        CliRun flag = run("agent", "--backend", "cuda", "--check");
        assertThat(flag.exit()).isEqualTo(2);
        assertThat(flag.err()).contains("with --backend: backend: \"cuda\" is not allowed (allowed: one of auto, dcgm, "
                + "nvml, simulated)");
    }

    @Test
    void upRefusesAFleetThatCannotBeBuilt() {
        CliRun empty = run("up", "--h100", "0", "--a100", "0");
        assertThat(empty.exit()).isEqualTo(2);
        assertThat(empty.err()).contains("(they add up to 0)");
        CliRun interval = run("up", "--interval", "5");
        assertThat(interval.exit()).isEqualTo(2);
        assertThat(interval.err()).contains("--interval: \"5\" is not allowed");
        assertThat(run("up", "--base-port", "65535", "--h100", "2", "--a100", "0").exit()).isEqualTo(2);
        assertThat(run("up", "--base-port", "-1").err()).contains("allowed: 0 for any free ports, or 1 to 65532");
    }

    @Test
    void aBadOptionValueIsOneLineNamingTheOptionTheValueAndWhatIsAllowedNotTheHelp() {
        CliRun number = run("up", "--h100", "nine");
        assertThat(number.exit()).isEqualTo(2);
        assertThat(number.out()).isEmpty();
        assertThat(number.err()).isEqualTo("vigil up: --h100: \"nine\" is not allowed (allowed: a whole number)\n"
                + "  see 'vigil up --help'\n");
        CliRun choice = run("nodes", "-o", "yaml");
        assertThat(choice.exit()).isEqualTo(2);
        assertThat(choice.err()).startsWith("vigil nodes: --output: \"yaml\" is not allowed (allowed: table, json)\n");
        CliRun unknown = run("nodes", "--outptu", "json");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err().lines()).as(unknown.err()).hasSizeLessThanOrEqualTo(3)
                .anyMatch(l -> l.contains("--outptu")).anyMatch(l -> l.equals("  see 'vigil nodes --help'"));
    }

    @Test
    void aPortInUseStopsUpAtOnceInOneLineNamingTheOptionAndLeavesNoTemporaryDirectory(@TempDir Path tmp)
            throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            CommandLine cli = Vigil.commandLine();
            StringWriter err = new StringWriter();
            cli.setErr(new PrintWriter(err, true));
            UpCommand up = cli.getSubcommands().get("up").getCommand();
            up.temporaryParent = tmp;
            int exit = cli.execute("up", "--ephemeral", "--controller-port", String.valueOf(taken.getLocalPort()),
                    "--base-port", "0");
            assertThat(exit).isEqualTo(ExitCodes.CANNOT_START);
            assertThat(err.toString()).isEqualTo("vigil up: cannot listen on 127.0.0.1:" + taken.getLocalPort()
                    + ": address already in use (another vigil or another program listens there: stop it, or choose "
                    + "another port with --controller-port (0: any free port))\n");
        }
        CliRun host = run("up", "--bind", "no-such-host.invalid", "--controller-port", "0", "--base-port", "0");
        assertThat(host.exit()).isEqualTo(2);
        assertThat(host.err()).startsWith("vigil up: --bind: \"no-such-host.invalid\" is not an address of this machine")
                .hasLineCount(1);
        try (Stream<Path> left = Files.list(tmp)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void theAgentAndTheControllerStopInOneLineOnAPortInUseBeforeStartingAnything(@TempDir Path dir)
            throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            String address = "127.0.0.1:" + taken.getLocalPort();
            CliRun agent = run("agent", "--backend", "simulated", "--listen", address);
            assertThat(agent.exit()).isEqualTo(ExitCodes.CANNOT_START);
            assertThat(agent.err()).isEqualTo("vigil agent: cannot listen on " + address + ": address already in use "
                    + "(another vigil or another program listens there: stop it, or choose another port with "
                    + "--listen)\n");
            CliRun controller = run("controller", "--listen", address, "--data-dir", dir.toString());
            assertThat(controller.exit()).isEqualTo(ExitCodes.CANNOT_START);
            assertThat(controller.err()).hasLineCount(1).startsWith("vigil controller: cannot listen on " + address);
            try (Stream<Path> left = Files.list(dir)) {
                assertThat(left).as("no cluster state started").isEmpty();
            }
        }
    }

    @Test
    void anEphemeralUpThatFailsHalfwayRemovesItsTemporaryDirectory(@TempDir Path tmp) throws Exception {
        UpCommand up = new UpCommand();
        new CommandLine(up).parseArgs("--ephemeral", "--controller-port", "0", "--base-port", "0", "--h100", "1",
                "--a100", "0");
        up.temporaryParent = tmp;
        List<AutoCloseable> resources = new ArrayList<>();
        StringWriter banner = new StringWriter();
        // Everything has started (the controller wrote admin.token) when the banner fails.
        assertThatThrownBy(() -> up.start(new AgentConfig.Sampling(Duration.ofSeconds(1), null),
                new PrintWriter(banner, true) {
                    @Override
                    public PrintWriter printf(String format, Object... args) {
                        throw new IllegalStateException("the terminal went away");
                    }
                }, resources)).hasMessageContaining("the terminal went away");
        assertThat(resources).as("all closed").isEmpty();
        try (Stream<Path> left = Files.list(tmp)) {
            assertThat(left).as("nothing left behind, admin.token included").isEmpty();
        }
    }

    @Test
    void upStartsIdleNodesWithMigSlicesOnTheSecondA100() {
        for (NodeProfile profile : NodeProfile.values()) {
            for (int ordinal = 1; ordinal <= 3; ordinal++) {
                SimulatedNode node = new SimulatedNode("n", UpCommand.simulatedSpec(profile, ordinal, 1),
                        Clock.systemUTC());
                long migGpus = node.inventory().gpus().stream().filter(g -> g.mig().enabled()).count();
                assertThat(migGpus).as("%s #%d", profile, ordinal).isEqualTo(UpCommand.migNode(profile, ordinal) ? 2 : 0);
                assertThat(node.processes(0)).as("idle until a job runs").isEmpty();
            }
        }
        SimulatedNode mig = new SimulatedNode("n", UpCommand.simulatedSpec(NodeProfile.DGX_A100_8, 2, 1),
                Clock.systemUTC());
        assertThat(mig.inventory().gpus().get(7).mig().instances()).hasSize(7)
                .allSatisfy(i -> assertThat(i.profile()).isEqualTo("1g.10gb"));
    }
}
