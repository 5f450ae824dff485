package dev.vigil.cli.provision;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.api.binding.Documents;
import dev.vigil.controller.Controller;
import dev.vigil.controller.config.ControllerConfig;
import dev.vigil.provisioning.install.ControllerRest;
import dev.vigil.provisioning.ssh.CommandResult;
import dev.vigil.provisioning.ssh.Ssh;
import dev.vigil.provisioning.ssh.SshConnection;
import dev.vigil.provisioning.ssh.SshTarget;
import dev.vigil.provisioning.testhosts.TestHosts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code vigil provision install} on the test hosts: the distribution the build made goes up over
 * SFTP, a simulated-GPU agent starts in the background on each host (they have no systemd) and
 * reports to a controller in this JVM, reached over the hosts' bridge; done is the controller's
 * word that each node is ready.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProvisionInstallIT {
    @TempDir
    static Path dir;
    private static Controller controller;
    private static String url;

    @BeforeAll
    static void startController() throws Exception {
        if (!Files.isReadable(TestHosts.DIR.resolve("env")) || System.getProperty("vigil.tarball") == null) {
            return; // each test skips (or fails in CI) with the reason
        }
        Path data = dir.resolve("data");
        String yaml = "member: c1\n"
                + "listen: \"" + TestHosts.gateway() + ":" + freePort() + "\"\n"
                + "dataDir: \"" + data + "\"\n"
                + "cluster:\n"
                + "  members: [{name: c1, address: \"127.0.0.1:" + freePort() + "\"}]\n"
                + "  communicationPort: " + freePort() + "\n"
                + "  persistence: false\n";
        controller = Controller.start(Documents.readYaml(yaml, ControllerConfig.class, "test"), Clock.systemUTC());
        assertThat(controller.awaitReady(Duration.ofSeconds(60))).as("controller ready").isTrue();
        url = "http://" + TestHosts.gateway() + ":" + controller.port();
    }

    @AfterAll
    static void stop() throws Exception {
        if (controller == null) {
            return;
        }
        Ssh ssh = new Ssh(TestHosts.settings(dir));
        for (SshTarget target : TestHosts.targets()) {
            try (SshConnection host = ssh.connect(target)) {
                host.run("[ -s vigil/agent.pid ] && kill \"$(cat vigil/agent.pid)\"; rm -rf vigil");
            }
        }
        controller.close();
    }

    @BeforeEach
    void hosts() {
        // -Dtest=... runs ITs under surefire too, which does not package the distribution
        assumeTrue(System.getProperty("vigil.tarball") != null, "needs the distribution: run it with failsafe (mvn verify)");
        TestHosts.require();
    }

    @Test
    @Order(1)
    void bringsASimulatedAgentUpOnEveryTestHostUntilTheControllerShowsItReady() throws Exception {
        Map<String, String> env = TestHosts.environment();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = provision(out, err, "install", env.get("VIGIL_TESTHOSTS_FILE"),
                "--distribution", System.getProperty("vigil.tarball"),
                "--controller", url, "--agent-token-file", dir.resolve("data/agent.token").toString(),
                "--token", Files.readString(dir.resolve("data/admin.token")).strip(),
                "--prefix", "vigil", "--backend", "simulated", "--no-systemd", "--ready-timeout", "90s",
                "-i", env.get("VIGIL_TESTHOSTS_KEY"), "--known-hosts", TestHosts.knownHostsCopy(dir.resolve("kh")).toString(),
                "-o", "json");

        assertThat(status).as(out + "\n" + err).isZero();
        JsonNode results = Documents.json().readTree(out.toString());
        assertThat(results).hasSize(TestHosts.targets().size());
        results.forEach(r -> assertThat(r.path("ok").asBoolean()).as(r.toString()).isTrue());
        // the controller's own answer, not the command's
        ControllerRest rest = new ControllerRest(url, Files.readString(dir.resolve("data/admin.token")).strip());
        for (SshTarget target : TestHosts.targets()) {
            assertThat(rest.node(target.name()).state()).isEqualTo("ready");
        }
        // the inventory Ansible gets from the same controller
        StringWriter inventory = new StringWriter();
        assertThat(provision(inventory, err, "ansible-inventory", "--url", url, "--token",
                Files.readString(dir.resolve("data/admin.token")).strip())).isZero();
        String names = String.join("\n", TestHosts.targets().stream().map(SshTarget::name).sorted().toList());
        assertThat(inventory.toString()).contains("[gpu_nodes]\n" + names + "\n")
                .contains("[gpu_backend_simulated]\n" + names + "\n").contains("[state_ready]\n" + names + "\n");
        // agent.yaml holds the token: only its owner may read it
        try (SshConnection host = new Ssh(TestHosts.settings(dir.resolve("kh2"))).connect(TestHosts.targets().get(0))) {
            assertThat(host.run("stat -c %a vigil/etc/agent.yaml").stdout().strip()).isEqualTo("600");
        }
    }

    /**
     * A release whose agent never comes up: the canary fails, the rollout halts, and the hosts
     * after it keep the agent they run.
     */
    @Test
    @Order(2)
    void aRollingUpgradeHaltsAtTheFirstFailingBatch() throws Exception {
        Map<String, String> env = TestHosts.environment();
        Path broken = dir.resolve("dist/vigil-9.9.9.tar.gz");
        Path bin = Files.createDirectories(dir.resolve("dist/vigil-9.9.9/bin"));
        Files.writeString(bin.resolve("vigil"), "#!/bin/sh\necho 'a release that never starts' >&2\nexit 1\n");
        bin.resolve("vigil").toFile().setExecutable(true);
        Process tar = new ProcessBuilder("tar", "-czf", broken.toString(), "-C", dir.resolve("dist").toString(), "vigil-9.9.9")
                .inheritIO().start();
        assertThat(tar.waitFor()).isZero();
        String admin = Files.readString(dir.resolve("data/admin.token")).strip();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        int status = provision(out, err, "upgrade", env.get("VIGIL_TESTHOSTS_FILE"), "--to", "9.9.9",
                "--distribution", broken.toString(), "--batches", "1,50%", "--max-fail", "0", "--url", url, "--token", admin,
                "--prefix", "vigil", "--no-systemd", "--ready-timeout", "5s", "--drain-timeout", "30s",
                "-i", env.get("VIGIL_TESTHOSTS_KEY"), "--known-hosts", TestHosts.knownHostsCopy(dir.resolve("kh3")).toString(),
                "-o", "json");

        assertThat(status).as(out + "\n" + err).isEqualTo(ProvisionExit.FAILED);
        JsonNode batches = Documents.json().readTree(out.toString());
        assertThat(batches.get(0).path("halted").asBoolean()).isTrue();
        assertThat(batches.get(0).at("/results/0/ok").asBoolean()).isFalse();
        assertThat(batches.get(1).path("results")).isEmpty();
        ControllerRest rest = new ControllerRest(url, admin);
        List<SshTarget> targets = TestHosts.targets();
        // the canary stays drained; the others were not touched and run the agent they had
        assertThat(rest.node(targets.get(0).name()).state()).isEqualTo("drained");
        for (SshTarget untouched : targets.subList(1, targets.size())) {
            assertThat(rest.node(untouched.name()).state()).isEqualTo("ready");
            assertThat(rest.node(untouched.name()).agentVersion()).isNotEqualTo("9.9.9");
        }
    }

    /**
     * The systemd path as far as a test host allows (no root, no systemd, and its file system is the
     * machine's, so nothing may be installed under /etc): the distribution's unit, read from the host,
     * is rendered for the prefix beside the release and accepted by systemd-analyze; installing it under
     * /etc/systemd/system is refused, and the host fails at the start step saying so.
     */
    @Test
    @Order(3)
    void underSystemdTheUnitIsRenderedForThePrefixAndAHostWithoutRootFailsAtStartSayingWhy() throws Exception {
        Map<String, String> env = TestHosts.environment();
        List<String> lines = Files.readAllLines(Path.of(env.get("VIGIL_TESTHOSTS_FILE")));
        Path oneHost = Files.writeString(dir.resolve("systemd-host"), lines.get(lines.size() - 1) + "\n");
        SshTarget target = TestHosts.targets().get(TestHosts.targets().size() - 1);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        int status = provision(out, err, "install", oneHost.toString(),
                "--distribution", System.getProperty("vigil.tarball"),
                "--controller", url, "--agent-token-file", dir.resolve("data/agent.token").toString(),
                "--token", Files.readString(dir.resolve("data/admin.token")).strip(),
                "--prefix", "vigil-systemd", "--backend", "simulated", "--ready-timeout", "5s",
                "-i", env.get("VIGIL_TESTHOSTS_KEY"), "--known-hosts", TestHosts.knownHostsCopy(dir.resolve("kh4")).toString(),
                "-o", "json");

        assertThat(status).as(out + "\n" + err).isEqualTo(ProvisionExit.FAILED);
        JsonNode result = Documents.json().readTree(out.toString()).get(0);
        assertThat(result.path("step").asText()).isEqualTo("start");
        assertThat(result.path("detail").asText()).contains("starting the unit failed")
                .contains("/etc/systemd/system/vigil-agent.service").contains("Permission denied");
        try (SshConnection host = new Ssh(TestHosts.settings(dir.resolve("kh5"))).connect(target)) {
            String prefix = host.run("cd vigil-systemd && pwd").stdout().strip();
            try {
                String unit = host.run("cat vigil-systemd/vigil-agent.service").stdout();
                assertThat(unit).contains("\nLoadCredential=agent.yaml:" + prefix + "/etc/agent.yaml\n")
                        .contains("\nExecStart=" + prefix + "/current/bin/vigil agent --config %d/agent.yaml\n")
                        .contains("\nDynamicUser=yes\n");
                assumeTrue(host.run("command -v systemd-analyze").succeeded(), "no systemd-analyze on the test host");
                CommandResult verified = host.run("systemd-analyze verify vigil-systemd/vigil-agent.service");
                assertThat(verified.exitStatus()).as(verified.stderr() + verified.stdout()).isZero();
            } finally {
                host.run("rm -rf vigil-systemd");
            }
        }
    }

    private static int provision(StringWriter out, StringWriter err, String... args) {
        CommandLine command = new CommandLine(new ProvisionCommand()).setCaseInsensitiveEnumValuesAllowed(true);
        command.setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        return command.execute(args);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
