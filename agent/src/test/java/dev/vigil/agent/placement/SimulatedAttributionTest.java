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
import dev.vigil.gpu.simulated.Workload;
import dev.vigil.gpu.simulated.WorkloadKind;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SimulatedAttributionTest {
    private final SimulatedNode node = new SimulatedNode("n1", SimulatedSpec.of(NodeProfile.HGX_H100_8, 1, List.of()),
            new MutableClock(Instant.parse("2026-12-06T12:00:00Z")));
    private final SimulatedJobRunner jobs = new SimulatedJobRunner(node);
    private final Attribution attribution = new SimulatedAttribution(node, jobs);

    private void run(String job, List<Integer> gpus) {
        jobs.apply(List.of(new Allocation(job, null, JobKind.TRAINING, gpus, List.of(), List.of(), List.of("train"),
                null, Map.of(), 1, null)));
    }

    @Test
    void aJobsProcessIsOwnedByItsVigilJob() {
        run("train-a", List.of(1));
        long pid = node.processes(1).get(0).pid();

        assertThat(attribution.identify(pid)).contains(
                new ProcessIdentity(pid, 1000, "training", Owner.vigilJob("train-a"), null));
    }

    @Test
    void anOverreachingProcessIsOwnedByTheJobOfTheGpuItCameFrom() {
        run("train-a", List.of(1));
        node.inject(FaultSpec.now(6, FaultKind.OVERREACH_PROCESS, null));

        long pid = node.processes(6).get(0).pid();

        assertThat(attribution.identify(pid).orElseThrow().owner()).isEqualTo(Owner.vigilJob("train-a"));
    }

    @Test
    void aConfiguredWorkloadNoJobRunsIsTheSimulatorsBackgroundUnit() {
        SimulatedNode loaded = new SimulatedNode("n2", SimulatedSpec.of(NodeProfile.HGX_H100_8, 1,
                List.of(Workload.of(WorkloadKind.TRAINING, List.of(3)))),
                new MutableClock(Instant.parse("2026-12-06T12:00:00Z")));
        Attribution background = new SimulatedAttribution(loaded, new SimulatedJobRunner(loaded));
        long pid = loaded.processes(3).get(0).pid();

        ProcessIdentity identity = background.identify(pid).orElseThrow();

        assertThat(identity.owner()).isEqualTo(Owner.unit("simulated-workload.service"));
        assertThat(new PlacementRules(List.of(SimulatedAttribution.BACKGROUND), 1, java.time.Duration.ZERO)
                .isSystem(identity)).isTrue();
    }

    @Test
    void aRogueProcessHasNoOwnerAndAnEndedOneIsGone() {
        node.inject(FaultSpec.now(2, FaultKind.ROGUE_PROCESS, null));
        long pid = node.processes(2).get(0).pid();

        assertThat(attribution.identify(pid).orElseThrow().owner()).isEqualTo(Owner.UNKNOWN);
        node.clearFaults(2);
        assertThat(attribution.identify(pid)).isEmpty();
    }
}
