package dev.vigil.provisioning.ssh;

import dev.vigil.provisioning.testhosts.TestHosts;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The SSH layer against the real OpenSSH servers of the test hosts. */
class SshIT {
    @TempDir
    Path dir;

    @BeforeEach
    void hosts() {
        TestHosts.require();
    }

    @Test
    void runsCommandsAndWritesFilesOnEveryTestHost() throws Exception {
        Ssh ssh = new Ssh(TestHosts.settings(dir));
        for (SshTarget target : TestHosts.targets()) {
            try (SshConnection connection = ssh.connect(target)) {
                connection.write("agent.yaml", "token: s3cret\n".getBytes(StandardCharsets.UTF_8), 0600);
                CommandResult result = connection.run("stat -c %a agent.yaml && nvidia-smi --query-gpu=index --format=csv,noheader | wc -l");

                assertThat(result).isEqualTo(new CommandResult(0, "600\n8\n", ""));
            }
        }
    }

    @Test
    void aChangedHostKeyFailsClosed() throws Exception {
        List<SshTarget> targets = TestHosts.targets();
        Path knownHosts = TestHosts.knownHostsCopy(dir);
        // the first host's line now holds the second host's key: as if someone answered in its place
        List<String> lines = Files.readAllLines(knownHosts);
        String first = lines.get(0);
        String second = lines.get(1);
        String spoiled = first.substring(0, first.indexOf(' ')) + second.substring(second.indexOf(' '));
        Files.write(knownHosts, List.of(spoiled));
        Ssh ssh = new Ssh(new SshSettings(TestHosts.key(), new KnownHosts(knownHosts), FirstContact.ACCEPT_ANY));

        assertThatThrownBy(() -> ssh.connect(targets.get(0)))
                .isInstanceOfSatisfying(SshFailure.class, e -> assertThat(e.reason()).isEqualTo(SshFailure.Reason.HOST_KEY_CHANGED))
                .hasMessageStartingWith(targets.get(0).name() + ": HOST KEY CHANGED")
                .hasMessageContaining(HostKey.fingerprint(Base64.getDecoder().decode(second.split(" ")[2])));
    }
}
