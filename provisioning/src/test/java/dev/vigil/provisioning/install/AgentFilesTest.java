package dev.vigil.provisioning.install;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The files install writes, and what it accepts. */
class AgentFilesTest {
    private static InstallSettings settings(InstallSettings.Service service) {
        return new InstallSettings(Path.of("cli/target/vigil-1.4.0.tar.gz"), "/opt/vigil",
                List.of("http://ctl-1:8080", "http://ctl-2:8080"), "s3cr\"et", "auto", 9400, service, false,
                Duration.ofMinutes(2));
    }

    @Test
    void agentYamlNamesTheNodeTheControllersAndTheToken() {
        assertThat(AgentFiles.agentYaml("gpu-017", settings(InstallSettings.Service.SYSTEMD), "/opt/vigil")).isEqualTo("""
                # Written by 'vigil provision install'; a later install replaces it.
                node: "gpu-017"
                listen: ":9400"
                backend: auto
                controller:
                  urls: ["http://ctl-1:8080", "http://ctl-2:8080"]
                  token: "s3cr\\"et"
                """);
    }

    @Test
    void aBackgroundAgentKeepsItsStateUnderThePrefix() {
        assertThat(AgentFiles.agentYaml("gpu-017", settings(InstallSettings.Service.BACKGROUND), "/home/ops/vigil"))
                .endsWith("actions:\n  stateDir: \"/home/ops/vigil/state\"\n");
    }

    @Test
    void theUnitRunsTheCurrentReleaseWithAgentYamlAsACredential() {
        String shipped = "[Service]\nType=notify\nExecStart=/opt/vigil/bin/vigil agent --config /etc/vigil/agent.yaml\n"
                + "DynamicUser=yes\n";

        assertThat(AgentFiles.systemdUnit(shipped, "/srv/vigil")).isEqualTo("[Service]\nType=notify\n"
                + "LoadCredential=agent.yaml:/srv/vigil/etc/agent.yaml\n"
                + "ExecStart=/srv/vigil/current/bin/vigil agent --config %d/agent.yaml\nDynamicUser=yes\n");
    }

    @Test
    void theVersionComesFromTheDistributionsName() {
        assertThat(settings(InstallSettings.Service.SYSTEMD).version()).isEqualTo("1.4.0");
        assertThatThrownBy(() -> new InstallSettings(Path.of("vigil.zip"), "/opt/vigil", List.of("http://c:8080"), "t",
                "auto", 9400, InstallSettings.Service.SYSTEMD, false, Duration.ofMinutes(1)))
                .hasMessageContaining("allowed vigil-VERSION.tar.gz");
    }

    @Test
    void shellWordsAreQuotedButAHomePrefixStillExpands() {
        assertThat(Installer.sh("/opt/vi gil")).isEqualTo("'/opt/vi gil'");
        assertThat(Installer.sh("it's")).isEqualTo("'it'\\''s'");
        assertThat(Installer.sh("~/vigil")).isEqualTo("~/'vigil'");
    }
}
