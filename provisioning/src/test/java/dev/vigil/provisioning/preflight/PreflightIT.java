package dev.vigil.provisioning.preflight;

import dev.vigil.provisioning.ssh.Ssh;
import dev.vigil.provisioning.ssh.SshTarget;
import dev.vigil.provisioning.testhosts.TestHosts;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Preflight on the test hosts: real sshd, real Debian, a stand-in nvidia-smi, no DCGM or fabric manager. */
class PreflightIT {
    @TempDir
    Path dir;

    @BeforeEach
    void hosts() {
        TestHosts.require();
    }

    @Test
    void checksEveryTestHostAndFindsWhatTheyLack() throws Exception {
        List<SshTarget> targets = TestHosts.targets();
        List<HostReport> reports = new Preflight(new Ssh(TestHosts.settings(dir)), Clock.systemUTC())
                .run(targets, 9400, 8, 4);

        assertThat(reports).extracting(HostReport::host).containsExactlyElementsOf(targets.stream().map(SshTarget::name).toList());
        for (HostReport report : reports) {
            Map<String, CheckResult> checks = report.checks().stream()
                    .collect(Collectors.toMap(CheckResult::check, c -> c));
            assertThat(checks.get("os").detail()).startsWith("Debian GNU/Linux 12");
            assertThat(checks.get("driver")).isEqualTo(CheckResult.pass("driver", "8 x NVIDIA H100 80GB HBM3, driver 550.127.05"));
            assertThat(checks.get("persistence").status()).isEqualTo(Status.PASS);
            assertThat(checks.get("dcgm").status()).isEqualTo(Status.WARN);
            // 8 HBM3 H100s without fabric manager: the test hosts fail what such a node would fail
            assertThat(checks.get("fabric-manager").status()).isEqualTo(Status.FAIL);
            assertThat(checks.get("agent-port")).isEqualTo(CheckResult.pass("agent-port", "9400 free"));
            assertThat(checks.get("disk").detail()).contains(" GiB free");
            assertThat(report.status()).isEqualTo(Status.FAIL);
        }
    }
}
