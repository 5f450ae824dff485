package dev.vigil.provisioning.ansible;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PlaybookRunTest {
    @Test
    void theCommandCarriesInventoryLimitCheckExtraVarsAndVigilsPinnedKeys() {
        PlaybookRun run = new PlaybookRun("ansible-playbook", Path.of("/tmp/inv.ini"), "site.yml", "gpu-01", true,
                List.of("a=1", "{\"b\": 2}"), new PlaybookRun.SshArgs(Path.of("/k/id"), Path.of("/k/known_hosts")));

        assertThat(run.command()).containsExactly("ansible-playbook", "-i", "/tmp/inv.ini", "--limit", "gpu-01",
                "--check", "-e", "a=1", "-e", "{\"b\": 2}", "--private-key", "/k/id", "--ssh-common-args",
                "-o UserKnownHostsFile=/k/known_hosts -o StrictHostKeyChecking=yes", "site.yml");
    }

    @Test
    void withoutOptionsOnlyTheInventoryAndThePlaybook() {
        PlaybookRun run = new PlaybookRun("/usr/bin/ansible-playbook", Path.of("inv"), "p.yml", null, false, List.of(),
                null);

        assertThat(run.command()).containsExactly("/usr/bin/ansible-playbook", "-i", "inv", "p.yml");
    }

    @Test
    void streamsEveryLineReadsTheRecapAndPassesTheExitStatusOn(@TempDir Path dir) throws Exception {
        Path fake = dir.resolve("ansible-playbook");
        Files.writeString(fake, """
                #!/bin/sh
                echo "PLAY RECAP ***"
                echo "gpu-01 : ok=2 changed=1 unreachable=0 failed=0 skipped=0"
                echo "colour=$ANSIBLE_NOCOLOR" >&2
                exit 4
                """);
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));
        List<String> lines = new ArrayList<>();

        PlaybookRun.Outcome outcome = new PlaybookRun(fake.toString(), dir.resolve("inv"), "p.yml", null, false,
                List.of(), null).run(lines::add);

        assertThat(outcome.exitCode()).isEqualTo(4);
        assertThat(outcome.recap().total()).isEqualTo(new PlayRecap.Counts(2, 1, 0, 0));
        assertThat(lines).containsExactly("PLAY RECAP ***", "gpu-01 : ok=2 changed=1 unreachable=0 failed=0 skipped=0",
                "colour=1");
    }

    /** Ansible's shared connections are this run's own: a fresh directory, private, gone afterwards. */
    @Test
    void withVigilsKeysSharedConnectionsLiveInADirectoryOfTheRunsOwn(@TempDir Path dir) throws Exception {
        Path fake = dir.resolve("ansible-playbook");
        Files.writeString(fake, """
                #!/bin/sh
                echo "$ANSIBLE_SSH_CONTROL_PATH_DIR"
                stat -c %a "$ANSIBLE_SSH_CONTROL_PATH_DIR"
                touch "$ANSIBLE_SSH_CONTROL_PATH_DIR/abc123"
                """);
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));
        List<String> lines = new ArrayList<>();
        PlaybookRun.SshArgs ssh = new PlaybookRun.SshArgs(dir.resolve("id"), dir.resolve("known_hosts"));

        new PlaybookRun(fake.toString(), dir.resolve("inv"), "p.yml", null, false, List.of(), ssh).run(lines::add);
        new PlaybookRun(fake.toString(), dir.resolve("inv"), "p.yml", null, false, List.of(), ssh).run(lines::add);

        assertThat(lines.get(1)).isEqualTo("700");
        assertThat(lines.get(0)).isNotEqualTo(lines.get(2)).contains("vigil-ansible-ssh");
        assertThat(Path.of(lines.get(0))).doesNotExist();
        assertThat(Path.of(lines.get(2))).doesNotExist();
    }

    @Test
    void withoutVigilsKeysAnsiblesOwnSharedConnectionsAreLeftAlone(@TempDir Path dir) throws Exception {
        Path fake = dir.resolve("ansible-playbook");
        Files.writeString(fake, "#!/bin/sh\necho \"[${ANSIBLE_SSH_CONTROL_PATH_DIR-unset}]\"\n");
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));
        List<String> lines = new ArrayList<>();

        new PlaybookRun(fake.toString(), dir.resolve("inv"), "p.yml", null, false, List.of(), null).run(lines::add);

        assertThat(lines).containsExactly("[unset]");
    }
}
