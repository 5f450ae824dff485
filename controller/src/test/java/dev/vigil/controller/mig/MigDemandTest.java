package dev.vigil.controller.mig;

import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.cluster.NodeState;
import dev.vigil.api.gpu.GpuDevice;
import dev.vigil.api.gpu.MigStatus;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.api.jobs.JobKind;
import dev.vigil.api.jobs.JobRecord;
import dev.vigil.api.jobs.JobSpec;
import dev.vigil.api.jobs.JobState;
import dev.vigil.api.mig.GpuMig;
import dev.vigil.api.mig.MigPhase;
import dev.vigil.api.mig.MigProposal;
import dev.vigil.controller.config.MigSettings;
import dev.vigil.scheduler.mig.LayoutAdvisor;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Proposals from the stored nodes and jobs: per pool, idle changeable GPUs only, and none with nothing waiting. */
class MigDemandTest {
    private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");
    private static final MigConfigs CONFIGS = MigConfigs.load(MigSettings.defaults());
    private static final LayoutAdvisor.Settings LIMITS = new LayoutAdvisor.Settings(8, 0);

    private static NodeRecord node(String name, List<GpuMig> mig) {
        List<GpuDevice> gpus = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            gpus.add(new GpuDevice(i, name + "-GPU-" + i, "NVIDIA H100 80GB HBM3", "00000000:1" + i + ":00.0",
                    "0x233010DE", 81_920, 0, "0-55", 18, List.of(), new MigStatus(true, false, List.of())));
        }
        return NodeRecord.named(name).state(NodeState.READY).inventory(new NodeInventory(name, "simulated", "550",
                gpus, null)).mig(mig).build();
    }

    private static JobRecord slices(String id, int replicas, String pool) {
        JobSpec spec = new JobSpec("chat", JobKind.INFERENCE, null, null, null, null, null, null, null, null, "1g.10gb",
                replicas, null, null, null, null, pool, null, null, null, null);
        return new JobRecord(id, spec, 0, JobState.PENDING, null, "waiting", NOW.minus(Duration.ofMinutes(14)), null,
                null, List.of(), 0, List.of(), "alice");
    }

    @Test
    void aPooledJobIsServedOnlyByItsPoolsNodes() {
        List<MigProposal> proposals = MigDemand.plan(List.of(node("a-1", List.of()), node("b-1", List.of())),
                List.of(slices("j-1", 7, "b")), Map.of("a-1", "a", "b-1", "b"), CONFIGS, LIMITS, NOW);

        assertThat(proposals).singleElement().satisfies(p -> {
            assertThat(p.node()).isEqualTo("b-1");
            assertThat(p.to()).isEqualTo("all-1g.10gb");
            assertThat(p.from()).isEqualTo("current");
            assertThat(p.gpus()).hasSize(1);
            assertThat(p.serves()).isEqualTo(7);
            assertThat(p.why()).contains("7×1g.10gb", "14m");
        });
    }

    @Test
    void aGpuAlreadyChangingIsNotProposedAndCountsAgainstTheLimit() {
        List<GpuMig> changing = new ArrayList<>();
        for (int gpu = 0; gpu < 7; gpu++) {
            changing.add(new GpuMig(gpu, "all-3g.40gb", true, List.of(), MigPhase.DRAINING, "waiting", NOW,
                    NOW.plusSeconds(60), false, "ops", 0));
        }
        NodeRecord node = node("a-1", changing);

        List<MigProposal> proposals = MigDemand.plan(List.of(node), List.of(slices("j-1", 7, null)), Map.of(),
                CONFIGS, LIMITS, NOW);

        assertThat(proposals).singleElement().satisfies(p -> assertThat(p.gpus()).containsExactly(7));
        assertThat(MigDemand.plan(List.of(node), List.of(slices("j-1", 7, null)), Map.of(), CONFIGS,
                new LayoutAdvisor.Settings(7, 0), NOW)).as("seven changing already: the limit").isEmpty();
    }

    @Test
    void nothingWaitingOrOnlyFinishedJobsProposeNothing() {
        JobRecord done = slices("j-2", 7, null);
        done = new JobRecord(done.id(), done.spec(), 0, JobState.SUCCEEDED, null, "done", done.submitted(), null, NOW,
                List.of(), 1, List.of(), "alice");

        assertThat(MigDemand.plan(List.of(node("a-1", List.of())), List.of(), Map.of(), CONFIGS, LIMITS, NOW)).isEmpty();
        assertThat(MigDemand.plan(List.of(node("a-1", List.of())), List.of(done), Map.of(), CONFIGS, LIMITS, NOW))
                .isEmpty();
    }
}
