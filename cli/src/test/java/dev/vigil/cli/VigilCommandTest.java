package dev.vigil.cli;

import dev.vigil.agent.AgentConfig;
import dev.vigil.agent.BackendKind;
import dev.vigil.api.binding.Documents;
import dev.vigil.controller.ControllerConfig;
import dev.vigil.gpu.simulated.NodeProfile;
import dev.vigil.gpu.simulated.SimulatedNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class VigilCommandTest {
    private static final Path SHIPPED_CONFIG = Path.of("src/dist/conf/agent.yaml");

    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Vigil.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void helpTeachesTheCommands() {
        Run help = run("--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("vigil up", "vigil agent -c agent.yaml", "up ", "agent ");
        assertThat(run("help", "agent").out()).contains("--check", "/metrics", "Examples:");
        assertThat(run("help", "up").out()).contains("--h100", "--ephemeral", "--base-port");
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
    void checkPrintsTheConfigAsTheAgentReadsIt() {
        Run check = run("agent", "-c", SHIPPED_CONFIG.toString(), "--check", "--node", "gpu-017");
        assertThat(check.exit()).isZero();
        assertThat(check.out()).contains("node: \"gpu-017\"", "backend: \"auto\"", "interval: \"1s\"");
    }

    @Test
    void aBadConfigStopsWithExitStatus2AndNamesTheKey(@TempDir Path dir) throws IOException {
        Path bad = dir.resolve("agent.yaml");
        Files.writeString(bad, "sampling:\n  intervall: 1s\n");
        Run run = run("agent", "-c", bad.toString());
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("vigil agent: config error: " + bad
                + ": unknown key \"sampling.intervall\" (allowed keys under sampling: fields, interval)\n");
        Run missing = run("agent", "-c", dir.resolve("nope.yaml").toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("nope.yaml: file not found");
        Run flag = run("agent", "--backend", "cuda", "--check");
        assertThat(flag.exit()).isEqualTo(2);
        assertThat(flag.err()).contains("with --backend: backend: \"cuda\" is not allowed (allowed: one of auto, dcgm, "
                + "nvml, simulated)");
    }

    @Test
    void upRefusesAFleetThatCannotBeBuilt() {
        Run empty = run("up", "--h100", "0", "--a100", "0");
        assertThat(empty.exit()).isEqualTo(2);
        assertThat(empty.err()).contains("(they add up to 0)");
        Run interval = run("up", "--interval", "5");
        assertThat(interval.exit()).isEqualTo(2);
        assertThat(interval.err()).contains("--interval: \"5\" is not allowed");
        assertThat(run("up", "--base-port", "65535", "--h100", "2", "--a100", "0").exit()).isEqualTo(2);
        assertThat(run("up", "--base-port", "-1").err()).contains("allowed: 0 for any free ports, or 1 to 65532");
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
