package dev.vigil.controller.runbooks;

import dev.vigil.api.cluster.AgentActionResult;
import dev.vigil.controller.config.RunbookSettings;
import dev.vigil.provisioning.ssh.SshTarget;
import dev.vigil.runbooks.ExecResult;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What exec steps come to before any SSH connection: the node's address, and where nothing can run. */
class NodeShellTest {
    private static RunbookSettings.Ssh settings(String user, Map<String, String> hosts) {
        return new RunbookSettings.Ssh(user, Path.of("/k/id"), Path.of("/k/known_hosts"), hosts, null, null);
    }

    @Test
    void withoutSshConfiguredAnExecFailsSayingWhereToConfigureIt() {
        try (NodeShell shell = new NodeShell(null)) {
            shell.exec("run-1/1/1", "gpu-7", "nvidia-smi -r");

            assertThat(shell.result("run-1/1/1")).contains(new ExecResult("run-1/1/1", AgentActionResult.State.FAILED,
                    "no SSH is configured (runbooks.ssh in the controller's config): run it on gpu-7 by hand"));
        }
    }

    @Test
    void aNodeIsReachedAtItsConfiguredAddressElseAtItsNameWithTheConfiguredUser() {
        try (NodeShell shell = new NodeShell(settings("vigil", Map.of("gpu-7", "10.0.0.7:2222",
                "gpu-8", "ops@10.0.0.8")))) {
            assertThat(shell.target("gpu-7")).isEqualTo(new SshTarget("gpu-7", "vigil", "10.0.0.7", 2222));
            assertThat(shell.target("gpu-8")).isEqualTo(new SshTarget("gpu-8", "ops", "10.0.0.8", 22));
            assertThat(shell.target("gpu-9")).isEqualTo(new SshTarget("gpu-9", "vigil", "gpu-9", 22));
        }
        try (NodeShell shell = new NodeShell(settings(null, Map.of()))) {
            assertThat(shell.target("gpu-9").user()).isNull();
        }
    }

    @Test
    void aBadAddressFailsNamingTheSetting() {
        try (NodeShell shell = new NodeShell(settings(null, Map.of("gpu-7", "ops@10.0.0.7:99999")))) {
            shell.exec("run-1/1/1", "gpu-7", "true");

            ExecResult result = shell.result("run-1/1/1").orElseThrow();
            assertThat(result.state()).isEqualTo(AgentActionResult.State.FAILED);
            assertThat(result.message()).startsWith("runbooks.ssh.hosts.gpu-7: ").contains("allowed 1 to 65535");
        }
    }

    @Test
    void defaultsAreTenSecondsToConnectAndFiveMinutesForTheCommand() {
        RunbookSettings.Ssh ssh = settings(null, null);

        assertThat(ssh.connectTimeout()).hasSeconds(10);
        assertThat(ssh.commandTimeout()).hasMinutes(5);
        assertThat(ssh.hosts()).isEmpty();
    }
}
