package dev.vigil.agent.placement;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Real signals to the test's own child processes. */
class ProcessHandleSignalsTest {
    private final Signals signals = new ProcessHandleSignals();

    @Test
    void aRunningProcessIsSignalledAndAnEndedOneIsGone() throws Exception {
        Process child = new ProcessBuilder("sleep", "600").start();
        try {
            assertThat(signals.terminate(child.pid())).isTrue();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();

            assertThat(signals.terminate(child.pid())).as("ended").isFalse();
            assertThat(signals.kill(child.pid())).as("ended").isFalse();
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void sigkillEndsAProcessThatIgnoresSigterm() throws Exception {
        Process child = new ProcessBuilder("sh", "-c", "trap '' TERM; echo ready; exec sleep 600").start();
        try {
            assertThat(child.inputReader().readLine()).isEqualTo("ready");
            assertThat(signals.kill(child.pid())).isTrue();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }
    }
}
