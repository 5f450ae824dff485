package dev.vigil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.api.binding.Documents;
import dev.vigil.gpu.mig.MigPartedConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Runs the packaged distribution the way an operator does. */
class DistributionIT {
    private static final Path DIST = Path.of(System.getProperty("vigil.dist"));
    private static final Path TARBALL = Path.of(System.getProperty("vigil.tarball"));
    private static final Path VIGIL = DIST.resolve("bin/vigil");

    private record Result(int exit, String output) {
    }

    private static Result run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), output);
    }

    private static Result vigil(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(VIGIL.toString()));
        command.addAll(Arrays.asList(args));
        return run(command);
    }

    @Test
    void theTarballHoldsBinLibConfAndSystemd() throws Exception {
        Result listing = run(List.of("tar", "-tzvf", TARBALL.toString()));
        assertThat(listing.exit()).isZero();
        String version = DIST.getFileName().toString();
        assertThat(listing.output()).contains(version + "/bin/vigil", version + "/conf/agent.yaml",
                version + "/conf/logback.xml", version + "/conf/alerts.yaml", version + "/conf/mig.yaml",
                version + "/systemd/vigil-agent.service",
                version + "/lib/vigil-agent-", version + "/lib/netty-codec-http-");
        assertThat(listing.output().lines().filter(l -> l.endsWith("/bin/vigil")).findFirst().orElseThrow())
                .startsWith("-rwxr-xr-x");
    }

    @Test
    void theShippedMigConfigsAreTheOnesVigilReadsFromItsClasspath() throws Exception {
        try (var shipped = DistributionIT.class.getClassLoader().getResourceAsStream(MigPartedConfig.SHIPPED)) {
            assertThat(Files.readString(DIST.resolve("conf/mig.yaml")))
                    .isEqualTo(new String(shipped.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void versionAndConfigCheckRunThroughTheLauncher() throws Exception {
        Result version = vigil("--version");
        assertThat(version.exit()).isZero();
        assertThat(version.output()).startsWith("vigil " + DIST.getFileName().toString().substring("vigil-".length()));
        Result check = vigil("agent", "-c", DIST.resolve("conf/agent.yaml").toString(), "--check");
        assertThat(check.exit()).as(check.output()).isZero();
    }

    @Test
    void theLauncherRaisesTheSoftOpenFileLimitToTheHardOneForTheServers() throws Exception {
        long hard = Long.parseLong(run(List.of("bash", "-c", "ulimit -Hn")).output().trim());
        assumeTrue(hard > 1024, "the hard open-file limit here (" + hard + ") is too low to tell a raise");
        // With the JVM's own raise off, the agent's default connection cap (a quarter of the soft
        // limit) shows the soft limit the launcher left it.
        ProcessBuilder agent = new ProcessBuilder("bash", "-c", "ulimit -Sn 512 && exec \"$0\" agent --backend "
                + "simulated --check", VIGIL.toString()).redirectErrorStream(true);
        agent.environment().put("VIGIL_JAVA_OPTS", "-XX:-MaxFDLimit");
        Process process = agent.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(output).contains("max: " + Math.min(16_384, hard / 4)).doesNotContain("max: 128");
    }

    @Test
    void theAgentServesMetricsAndStopsCleanlyOnSigterm(@TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Process agent = new ProcessBuilder(VIGIL.toString(), "agent", "--backend", "simulated", "--listen",
                "127.0.0.1:" + port, "--node", "dist-test").redirectErrorStream(true)
                .redirectOutput(dir.resolve("agent.log").toFile()).start();
        try {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpResponse<String> metrics = null;
            for (int attempt = 0; attempt < 150 && metrics == null; attempt++) {
                try {
                    metrics = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                            .build(), HttpResponse.BodyHandlers.ofString());
                } catch (IOException notYet) {
                    Thread.sleep(100);
                }
            }
            assertThat(metrics).as("the agent answered").isNotNull();
            assertThat(metrics.body()).contains("Hostname=\"dist-test\"", "vigil_agent_info{backend=\"simulated\",version=\""
                    + DIST.getFileName().toString().substring("vigil-".length()) + "\"}");
        } finally {
            agent.destroy();
        }
        assertThat(agent.waitFor(15, TimeUnit.SECONDS)).isTrue();
        String log = Files.readString(dir.resolve("agent.log"));
        assertThat(agent.exitValue()).as("SIGTERM: the unit counts 143 as success\n" + log).isEqualTo(143);
        assertThat(log).contains("event=agent_started node=\"dist-test\"", "event=agent_stopped");
    }

    @Test
    void theUnitFilesPassSystemdAnalyzeVerifyWithoutWarnings(@TempDir Path dir) throws Exception {
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        assumeTrue(Files.isExecutable(analyze),
                "systemd-analyze is not installed (Debian package 'systemd'); .ci/run installs it");
        for (String name : List.of("vigil-agent.service", "vigil-controller.service")) {
            // The units run /opt/vigil/bin/vigil; verify them against the launcher just built.
            String unit = Files.readString(DIST.resolve("systemd/" + name))
                    .replace("/opt/vigil/bin/vigil", VIGIL.toString());
            Path copy = dir.resolve(name);
            Files.writeString(copy, unit);
            Result verify = run(List.of(analyze.toString(), "verify", copy.toString()));
            assertThat(verify.exit()).as(name + ": " + verify.output()).isZero();
            assertThat(verify.output()).as(name + ": systemd-analyze warnings").isEmpty();
        }
    }

    @Test
    void simReplaysThroughTheLauncher(@TempDir Path dir) throws Exception {
        Path cluster = dir.resolve("cluster.yaml");
        Files.writeString(cluster, "groups: [{name: h, model: NVIDIA H100 80GB HBM3, leaves: 2, nodesPerLeaf: 4, "
                + "gpusPerNode: 8}]\n");

        Result sim = vigil("sim", "-q", "--cluster", cluster.toString(), "--generate", "gangs", "--jobs", "20",
                "-o", "json");

        assertThat(sim.exit()).as(sim.output()).isZero();
        JsonNode runs = Documents.json().readTree(sim.output()).get("runs");
        assertThat(runs).hasSize(2);
        assertThat(runs).allSatisfy(run -> assertThat(run.get("completed").asInt()).isEqualTo(20));
    }

    @Test
    void theShippedControllerConfigIsValid() throws Exception {
        Result check = vigil("controller", "-c", DIST.resolve("conf/controller.yaml").toString(), "--check");
        assertThat(check.exit()).as(check.output()).isZero();
        assertThat(check.output()).contains("listen: \":8080\"", "nodeTimeout: \"10s\"")
                .as("the shipped alert rules, found beside it").contains(DIST.resolve("conf/alerts.yaml").toString());
    }

    @Test
    void aBadAlertRuleStopsTheControllerAtStartNamingTheFileAndTheKey(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("controller.yaml"), "dataDir: " + dir.resolve("data") + "\n");
        Files.writeString(dir.resolve("alerts.yaml"), Files.readString(DIST.resolve("conf/alerts.yaml"))
                .replace("gpuTemperature: {above: 85}", "gpuTemperature: {above: hot}"));
        Result start = vigil("controller", "-c", dir.resolve("controller.yaml").toString());
        assertThat(start.exit()).as(start.output()).isEqualTo(2);
        assertThat(start.output()).contains("vigil controller: config error: " + dir.resolve("alerts.yaml")
                + ": rules[7].when.gpuTemperature.above: \"hot\"");
    }

    /** A stand-in nvidia-smi answering --query-gpu like the real one, for the fake NVML's GPUs. */
    private static Path fakeNvidiaSmi(Path dir, int temperatureOfGpu5) throws IOException {
        StringBuilder rows = new StringBuilder();
        for (int gpu = 0; gpu < 8; gpu++) {
            rows.append(String.format("GPU-5f6e%04x-0000-4000-8000-00000000%04x, %d, 4, %.2f%n", gpu, gpu,
                    gpu == 5 ? temperatureOfGpu5 : 34 + gpu, 112.25 + gpu + 1.5));
        }
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path smi = bin.resolve("nvidia-smi");
        Files.writeString(smi, "#!/bin/sh\ncat <<'EOF'\n" + rows + "EOF\n");
        smi.toFile().setExecutable(true);
        return bin;
    }

    private static Result gpuCheck(Path dir, Path smiDir) throws Exception {
        Path config = dir.resolve("agent.yaml");
        Files.writeString(config, "nvml: {library: \"" + Path.of(System.getProperty("vigil.fakelibs"))
                .resolve("libnvidia-ml.so.1") + "\"}\n");
        ProcessBuilder check = new ProcessBuilder(DIST.resolve("bin/gpu-check.sh").toString(), "-c", config.toString())
                .redirectErrorStream(true);
        check.environment().put("VIGIL", VIGIL.toString());
        check.environment().put("PATH", smiDir + ":" + System.getenv("PATH"));
        Process process = check.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), output);
    }

    @Test
    void gpuCheckComparesVigilsNvmlReadingsWithNvidiaSmi(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isRegularFile(Path.of(System.getProperty("vigil.fakelibs")).resolve("libnvidia-ml.so.1")),
                "the fake libnvidia-ml.so.1 was not built: gcc is not installed; .ci/run installs it");
        Result agree = gpuCheck(dir, fakeNvidiaSmi(dir, 39));
        assertThat(agree.exit()).as(agree.output()).isZero();
        assertThat(agree.output()).contains("== vigil probe --backend nvml", "GPU 0  NVIDIA H100 80GB HBM3");
        assertThat(agree.output().lines().filter(l -> l.startsWith("nvml") && l.contains(" OK ("))).hasSize(24);

        Result differ = gpuCheck(dir, fakeNvidiaSmi(dir, 60));
        assertThat(differ.exit()).as(differ.output()).isEqualTo(1);
        assertThat(differ.output()).contains("gpu5         temperature C  vigil=39 nvidia-smi=60  MISMATCH");
    }
}
