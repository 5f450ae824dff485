package dev.vigil.controller.runbooks;

import dev.vigil.api.cluster.AgentActionResult;
import dev.vigil.controller.config.RunbookSettings;
import dev.vigil.provisioning.ssh.SshTarget;
import dev.vigil.provisioning.testhosts.TestHosts;
import dev.vigil.runbooks.ExecResult;
import dev.vigil.testsupport.Await;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runbooks' exec steps on a real sshd: the first test host (scripts/testhosts/start.sh), reached
 * by the node's name through {@code runbooks.ssh.hosts}, with its host key pinned. Skips without
 * the test hosts unless {@code VIGIL_REQUIRE_TESTHOSTS=1}.
 */
class NodeShellIT {
    @TempDir
    Path dir;
    private SshTarget host;

    @BeforeEach
    void hosts() {
        TestHosts.require();
        host = TestHosts.targets().get(0);
    }

    private NodeShell shell(Path knownHosts) {
        return new NodeShell(new RunbookSettings.Ssh(null, TestHosts.key(), knownHosts,
                Map.of("gpu-7", host.login()), Duration.ofSeconds(5), Duration.ofSeconds(5)));
    }

    private static ExecResult ended(NodeShell shell, String id) throws Exception {
        Await.await(Duration.ofSeconds(30), () -> shell.result(id).orElseThrow().state().ended());
        return shell.result(id).orElseThrow();
    }

    @Test
    void aCommandRunsOnTheNodeOnceAndItsExitStatusDecides() throws Exception {
        try (NodeShell shell = shell(TestHosts.knownHostsCopy(dir))) {
            shell.exec("run-1/1/1", "gpu-7", "nvidia-smi --query-gpu=name --format=csv,noheader | wc -l; "
                    + "echo ran >> exec-count");
            shell.exec("run-1/1/1", "gpu-7", "echo ran >> exec-count");
            shell.exec("run-1/2/1", "gpu-7", "echo 'no such device' >&2; exit 3");

            assertThat(ended(shell, "run-1/1/1")).isEqualTo(new ExecResult("run-1/1/1",
                    AgentActionResult.State.SUCCEEDED, "exit 0: 8"));
            assertThat(ended(shell, "run-1/2/1")).isEqualTo(new ExecResult("run-1/2/1",
                    AgentActionResult.State.FAILED, "exit 3: no such device"));
            shell.exec("run-1/3/1", "gpu-7", "wc -l < exec-count; rm exec-count");
            assertThat(ended(shell, "run-1/3/1").message()).as("the id asked twice ran once").isEqualTo("exit 0: 1");
        }
    }

    @Test
    void aNodeWhoseHostKeyIsNotPinnedIsRefusedAndNotLearnt() throws Exception {
        Path empty = Files.writeString(dir.resolve("known_hosts"), "");
        try (NodeShell shell = shell(empty)) {
            shell.exec("run-1/1/1", "gpu-7", "touch should-not-exist");

            ExecResult result = ended(shell, "run-1/1/1");
            assertThat(result.state()).isEqualTo(AgentActionResult.State.FAILED);
            assertThat(result.message()).contains("no host key pinned").contains("SHA256:")
                    .contains("add the host's key to runbooks.ssh.knownHosts").doesNotContain("--host-key-fingerprint");
        }
        assertThat(Files.readString(empty)).isEmpty();
    }

    /** Killed at its timeout: OpenSSH would otherwise hold the session until it ended by itself. */
    @Test
    void aCommandThatDoesNotEndInTimeIsKilledAndFails() throws Exception {
        try (NodeShell shell = shell(TestHosts.knownHostsCopy(dir))) {
            shell.exec("run-1/1/1", "gpu-7", "sleep 120");

            ExecResult result = ended(shell, "run-1/1/1");
            assertThat(result.state()).isEqualTo(AgentActionResult.State.FAILED);
            assertThat(result.message()).contains("'sleep 120' did not end within 5 s");
        }
    }
}
