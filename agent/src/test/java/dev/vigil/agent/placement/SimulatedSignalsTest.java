package dev.vigil.agent.placement;

import dev.vigil.agent.execution.SimulatedJobRunner;
import dev.vigil.api.jobs.Allocation;
import dev.vigil.api.jobs.JobKind;
import dev.vigil.gpu.simulated.FaultKind;
import dev.vigil.gpu.simulated.FaultSpec;
import dev.vigil.testsupport.MutableClock;
import dev.vigil.gpu.simulated.NodeProfile;
import dev.vigil.gpu.simulated.SimulatedNode;
import dev.vigil.gpu.simulated.SimulatedSpec;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Signals on simulated GPUs end the simulator's stray processes and never reach a host process. */
class SimulatedSignalsTest {
    private final SimulatedNode node = new SimulatedNode("n1", SimulatedSpec.of(NodeProfile.HGX_H100_8, 1, List.of()),
            new MutableClock(Instant.parse("2026-12-06T12:00:00Z")));
    private final Signals signals = new SimulatedSignals(node);

    @Test
    void aStrayProcessEndsOnSigterm() throws Exception {
        node.inject(FaultSpec.now(2, FaultKind.ROGUE_PROCESS, null));
        long pid = node.processes(2).get(0).pid();

        assertThat(signals.terminate(pid)).isTrue();

        assertThat(node.processes(2)).isEmpty();
        assertThat(node.origin(pid)).isEmpty();
        assertThat(signals.kill(pid)).as("gone by now").isFalse();
    }

    @Test
    void aStrayProcessEndsOnSigkillAndIsThenNoLongerTheSameProcess() throws Exception {
        node.inject(FaultSpec.now(4, FaultKind.ROGUE_PROCESS, null));
        long pid = node.processes(4).get(0).pid();
        Attribution attribution = new SimulatedAttribution(node, new SimulatedJobRunner(node));
        ProcessIdentity identity = attribution.identify(pid).orElseThrow();
        assertThat(attribution.sameProcess(identity)).isTrue();

        assertThat(signals.kill(pid)).isTrue();

        assertThat(node.processes(4)).isEmpty();
        assertThat(attribution.sameProcess(identity)).isFalse();
    }

    @Test
    void aWorkloadsProcessBelongsToItsJobAndIsNotSignalled() {
        new SimulatedJobRunner(node).apply(List.of(new Allocation("train-a", null, JobKind.TRAINING, List.of(1),
                List.of(), List.of(), List.of("train"), null, Map.of(), 1, null)));
        long pid = node.processes(1).get(0).pid();

        assertThatThrownBy(() -> signals.kill(pid)).isInstanceOf(Signals.SignalFailedException.class)
                .hasMessageContaining("its job stops it");
        assertThat(node.processes(1)).extracting(p -> p.pid()).containsExactly(pid);
    }

    @Test
    void aPidTheSimulatorDoesNotKnowIsGone() throws Exception {
        assertThat(signals.terminate(ProcessHandle.current().pid())).isFalse();
    }
}
