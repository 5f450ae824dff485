package dev.vigil.agent.repair;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * Runs a host command for a repair ({@code nvidia-smi}, {@code dcgmi}, {@code systemctl}). A port,
 * so that tests run fake executables and never the real ones.
 */
@FunctionalInterface
public interface CommandRunner {
    /**
     * Runs {@code command} and waits for it, at most {@code timeout}.
     *
     * @throws IOException when the program cannot be started (not installed, not executable)
     */
    CommandResult run(List<String> command, Duration timeout) throws IOException, InterruptedException;

    /**
     * What a command came to.
     *
     * @param exitCode its exit status; -1 when it was killed for running past its timeout
     * @param output   what it printed, stdout and stderr together, bounded
     * @param took     how long it ran
     */
    record CommandResult(int exitCode, String output, Duration took) {
        public boolean timedOut() {
            return exitCode == -1;
        }
    }
}
