package dev.vigil.slurm;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * How the bridge runs a command, shown with the shell's own tools (env, cat, sh) in place of
 * sbatch and scontrol, so no Slurm is asked anything.
 */
class CommandsTest {
    private final Commands commands = new Commands(Map.of("SLURM_CONF", "/etc/vigil/slurm.conf"), Duration.ofSeconds(20));

    @Test
    void aCommandGetsTheHostsPathAndTheConfiguredVariablesOnly() throws SlurmException {
        String host = System.getenv("PATH");
        Set<String> seen = lines(commands.run(List.of("env"), null, null));

        Set<String> expected = host == null ? Set.of("SLURM_CONF=/etc/vigil/slurm.conf")
                : Set.of("PATH=" + host, "SLURM_CONF=/etc/vigil/slurm.conf");
        assertThat(seen).as("nothing else of this process's environment (a SLURM_JWT would switch auth)")
                .isEqualTo(expected);
    }

    @Test
    void aJobsEnvironmentReplacesTheHostsAndTheConfiguredVariablesStillApply() throws SlurmException {
        Set<String> seen = lines(commands.run(List.of("env"), null, Map.of("PATH", "/opt/bin", "FOO", "a b")));

        assertThat(seen).containsExactlyInAnyOrder("PATH=/opt/bin", "FOO=a b", "SLURM_CONF=/etc/vigil/slurm.conf");
    }

    @Test
    void theScriptGoesOnStdinAndStdoutComesBack() throws SlurmException {
        assertThat(commands.run(List.of("cat"), "#!/bin/bash\nnvidia-smi\n", null)).isEqualTo("#!/bin/bash\nnvidia-smi\n");
    }

    @Test
    void aFailedCommandCarriesItsStderrOnOneLineAndItsCommandLine() {
        assertThatThrownBy(() -> commands.run(List.of("sh", "-c", "echo 'Invalid node name' >&2; echo more >&2; exit 1"),
                "#!/bin/bash\n", null))
                .isInstanceOfSatisfying(SlurmException.class, e -> {
                    assertThat(e.slurmMessage()).isEqualTo("Invalid node name more");
                    assertThat(e.request()).isEqualTo("sh -c 'echo '\\''Invalid node name'\\'' >&2; echo more >&2; exit 1'"
                            + " <script on stdin>");
                    assertThat(e.retryable()).as("Slurm understood and said no").isFalse();
                });
    }

    @Test
    void aFailureWithoutStderrNamesTheExitStatus() {
        assertThatThrownBy(() -> commands.run(List.of("sh", "-c", "exit 3"), null, null))
                .isInstanceOfSatisfying(SlurmException.class, e -> {
                    assertThat(e.slurmMessage()).isEqualTo("sh exited with status 3");
                    assertThat(e.request()).isEqualTo("sh -c 'exit 3'");
                });
    }

    @Test
    void anUnreachableControllerIsWorthAskingAgain() {
        for (String words : List.of("Unable to contact slurm controller (connect failure)", "Socket timed out on send/recv")) {
            assertThatThrownBy(() -> commands.run(List.of("sh", "-c", "echo '" + words + "' >&2; exit 1"), null, null))
                    .isInstanceOfSatisfying(SlurmException.class, e -> {
                        assertThat(e.slurmMessage()).isEqualTo(words);
                        assertThat(e.retryable()).isTrue();
                    });
        }
    }

    @Test
    void aCommandThatIsNotInstalledSaysSo() {
        assertThatThrownBy(() -> commands.run(List.of("vigil-no-such-command"), null, null))
                .isInstanceOfSatisfying(SlurmException.class, e -> {
                    assertThat(e.slurmMessage()).startsWith("cannot run vigil-no-such-command: ")
                            .endsWith("(are the Slurm client commands installed on this host?)");
                    assertThat(e.retryable()).isFalse();
                });
    }

    @Test
    void aCommandThatOutlivesTheTimeoutIsKilledAndMayBeRetried() {
        Commands impatient = new Commands(Map.of(), Duration.ofMillis(200));
        assertThatThrownBy(() -> impatient.run(List.of("sleep", "60"), null, null))
                .isInstanceOfSatisfying(SlurmException.class, e -> {
                    assertThat(e.slurmMessage()).isEqualTo("sleep did not finish within 0 s");
                    assertThat(e.retryable()).isTrue();
                });
    }

    @Test
    void anInterruptedWaitKillsTheCommandAndKeepsTheInterrupt() {
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> commands.run(List.of("sleep", "60"), null, null))
                    .isInstanceOfSatisfying(SlurmException.class, e -> {
                        assertThat(e.slurmMessage()).isEqualTo("interrupted while sleep ran");
                        assertThat(e.retryable()).isTrue();
                    });
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void theCommandLineIsQuotedAsAPersonWouldTypeIt() {
        assertThat(Commands.commandLine(List.of("scontrol", "update", "nodename=gpu01", "reason=vigil: XID 79",
                "--comment=a b", "--n.x=a b", "1=a b", "it's", "/tmp/%j.out", "")))
                .isEqualTo("scontrol update nodename=gpu01 reason='vigil: XID 79' --comment='a b' --n.x='a b' "
                        + "'1=a b' 'it'\\''s' /tmp/%j.out ''");
        assertThat(Commands.commandLine(List.of("--comment=it's"))).isEqualTo("--comment='it'\\''s'");
    }

    private static Set<String> lines(String text) {
        return text.lines().collect(Collectors.toSet());
    }
}
