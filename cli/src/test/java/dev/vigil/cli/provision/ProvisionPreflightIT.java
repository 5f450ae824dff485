package dev.vigil.cli.provision;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.api.binding.Documents;
import dev.vigil.provisioning.testhosts.TestHosts;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code vigil provision preflight} on the test hosts, from first contact on. */
class ProvisionPreflightIT {
    @TempDir
    Path dir;

    @BeforeEach
    void hosts() {
        TestHosts.require();
    }

    private record Run(int status, String out, String err) {
    }

    private Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = new CommandLine(new ProvisionCommand()).setCaseInsensitiveEnumValuesAllowed(true);
        command.setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        int status = command.execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    @Test
    void firstContactNeedsPermissionThenTheKeysArePinned() throws Exception {
        Map<String, String> env = TestHosts.environment();
        String hosts = env.get("VIGIL_TESTHOSTS_FILE");
        String knownHosts = dir.resolve("known_hosts").toString();
        String[] common = {"-i", env.get("VIGIL_TESTHOSTS_KEY"), "--known-hosts", knownHosts, "-o", "json"};

        Run refused = run(concat(new String[]{"preflight", hosts}, common));
        assertThat(refused.status()).isEqualTo(ProvisionExit.FAILED);
        assertThat(refused.out()).contains("no host key pinned").contains("--accept-new-host-keys");

        Run accepted = run(concat(new String[]{"preflight", hosts, "--accept-new-host-keys", "--gpus", "8"}, common));
        JsonNode reports = Documents.json().readTree(accepted.out());
        assertThat(reports).hasSize(TestHosts.targets().size());
        for (JsonNode report : reports) {
            assertThat(report.at("/checks/2/check").asText()).isEqualTo("driver");
            assertThat(report.at("/checks/2/status").asText()).isEqualTo("pass");
        }
        // the keys pinned are the ones the start script recorded
        assertThat(Files.readAllLines(Path.of(knownHosts)))
                .containsExactlyInAnyOrderElementsOf(Files.readAllLines(Path.of(env.get("VIGIL_TESTHOSTS_KNOWN_HOSTS"))));
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = new String[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
