package dev.vigil.controller.mig;

import dev.vigil.api.cluster.CordonedGpu;
import dev.vigil.api.cluster.ExecutionNode;
import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.cluster.NodeState;
import dev.vigil.api.gpu.GpuDevice;
import dev.vigil.api.gpu.GpuHealth;
import dev.vigil.api.gpu.HealthState;
import dev.vigil.api.gpu.MigInstance;
import dev.vigil.api.gpu.MigStatus;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.api.gpu.RepairAction;
import dev.vigil.api.jobs.Allocation;
import dev.vigil.api.jobs.JobKind;
import dev.vigil.api.jobs.JobRecord;
import dev.vigil.api.jobs.JobSpec;
import dev.vigil.api.jobs.JobState;
import dev.vigil.api.jobs.Placement;
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

    @Test
    void onlyHealthyUncordonedMigCapableGpusOfReadyNodesThatNoOneElseHoldsAreProposed() {
        NodeRecord node = node("a-1", List.of());
        List<GpuDevice> gpus = new ArrayList<>(node.inventory().gpus());
        GpuDevice noMig = gpus.get(1);
        gpus.set(1, new GpuDevice(1, noMig.uuid(), noMig.model(), noMig.pciBusId(), noMig.pciDeviceId(),
                noMig.memoryMiB(), 0, "0-55", 18, List.of(), MigStatus.notCapable()));
        List<GpuHealth> health = new ArrayList<>();
        for (int gpu = 0; gpu < 8; gpu++) {
            health.add(new GpuHealth(gpu, "a-1-GPU-" + gpu, gpu == 0 ? HealthState.DEGRADED : HealthState.HEALTHY,
                    RepairAction.NONE, List.of()));
        }
        NodeRecord fleet = node.with().inventory(new NodeInventory("a-1", "simulated", "550", gpus, null))
                .health(health)
                .cordonedGpus(List.of(new CordonedGpu(2, "a-1-GPU-2", "fan", "ops", NOW)))
                .execution(new ExecutionNode("slurm", "mixed", true, false, null, null, null,
                        List.of(new ExecutionNode.ForeignJob("77", "x", "bob", List.of(3)),
                                new ExecutionNode.ForeignJob("lab/infer", "infer", "lab", List.of(),
                                        List.of(new ExecutionNode.ForeignJob.Slice(7, 1)))), false))
                .mig(List.of(new GpuMig(4, "all-3g.40gb", true, List.of(), MigPhase.FAILED, "no", NOW, null, false,
                        "ops", 1)))
                .allocations(List.of(new Allocation("j-9", null, JobKind.TRAINING, List.of(5, 6), List.of(), List.of(),
                        List.of(), null, null, 1, null)))
                .build();

        List<MigProposal> proposals = MigDemand.plan(List.of(fleet), List.of(slices("j-1", 14, null)), Map.of(),
                CONFIGS, LIMITS, NOW);

        assertThat(proposals).flatExtracting(MigProposal::gpus).as("0 degraded, 1 no MIG, 2 cordoned, 3 foreign, "
                + "5-6 held, 7 a slice another scheduler's pod holds").containsExactlyInAnyOrder(4);
        assertThat(MigDemand.plan(List.of(fleet.with().state(NodeState.CORDONED).build()),
                List.of(slices("j-1", 14, null)), Map.of(), CONFIGS, LIMITS, NOW)).as("a cordoned node").isEmpty();
    }

    @Test
    void aServiceShortOfReplicasWaitsForTheRestAndFreeSlicesOfAPartlyUsedGpuCount() {
        NodeRecord node = node("a-1", List.of());
        List<GpuDevice> gpus = new ArrayList<>(node.inventory().gpus());
        List<MigInstance> seven = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            seven.add(new MigInstance(i + 1, "1g.10gb", i, 1, "MIG-" + i, 9_728));
        }
        GpuDevice zero = gpus.get(0);
        gpus.set(0, new GpuDevice(0, zero.uuid(), zero.model(), zero.pciBusId(), zero.pciDeviceId(), zero.memoryMiB(),
                0, "0-55", 18, List.of(), new MigStatus(true, true, seven)));
        NodeRecord sliced = node.with().inventory(new NodeInventory("a-1", "simulated", "550", gpus, null))
                .mig(List.of(new GpuMig(0, "all-1g.10gb", true, List.of(), MigPhase.SUCCESS, "applied", NOW, null,
                        false, "ops", 3)))
                .allocations(List.of(new Allocation("j-1", 0, JobKind.INFERENCE, List.of(0), List.of(), List.of(1),
                        List.of(), null, null, 1, null)))
                .build();
        JobRecord running = slices("j-1", 7, null);
        running = new JobRecord("j-1", running.spec(), 0, JobState.RUNNING, null, "running", null, NOW, null,
                List.of(new Placement("a-1", List.of(0), List.of(), List.of(1), 0)), 1, List.of(), "alice");

        assertThat(MigDemand.plan(List.of(sliced), List.of(running), Map.of(), CONFIGS, LIMITS, NOW))
                .as("6 replicas missing, 6 free slices on GPU 0").isEmpty();
        JobRecord wider = new JobRecord("j-1", slices("j-1", 13, null).spec(), 0, JobState.RUNNING, null, "running",
                null, NOW, null, running.placements(), 1, List.of(), "alice");
        List<MigProposal> more = MigDemand.plan(List.of(sliced), List.of(wider), Map.of(), CONFIGS, LIMITS, NOW);
        assertThat(more).singleElement().satisfies(p -> {
            assertThat(p.serves()).isEqualTo(6);
            assertThat(p.gpus()).doesNotContain(0);
        });
        JobRecord training = new JobRecord("j-2", new JobSpec("t", JobKind.TRAINING, null, null, null, null, 8, null,
                null, null, null, null, null, null, null, null, null, null, null, null, null), 0, JobState.RUNNING,
                null, "running", NOW, NOW, null, List.of(), 1, List.of(), "alice");
        assertThat(MigDemand.plan(List.of(sliced), List.of(training), Map.of(), CONFIGS, LIMITS, NOW))
                .as("a running gang waits for nothing").isEmpty();
        JobRecord full = new JobRecord("j-1", slices("j-1", 1, null).spec(), 0, JobState.RUNNING, null, "running",
                null, NOW, null, running.placements(), 1, List.of(), "alice");
        assertThat(MigDemand.plan(List.of(sliced), List.of(full), Map.of(), CONFIGS, LIMITS, NOW))
                .as("a service with every replica placed waits for nothing").isEmpty();
    }

    @Test
    void aGpuInAConfigIsProposedFromItAndPoolsAfterTheFirstSeeItsGpusAsTaken() {
        NodeRecord node = node("a-1", List.of());
        List<GpuDevice> gpus = new ArrayList<>(node.inventory().gpus());
        for (int gpu = 0; gpu < 8; gpu++) {
            List<MigInstance> two = List.of(new MigInstance(1, "3g.40gb", 0, 4, "MIG-a" + gpu, 40_448),
                    new MigInstance(2, "3g.40gb", 4, 4, "MIG-b" + gpu, 40_448));
            GpuDevice g = gpus.get(gpu);
            gpus.set(gpu, new GpuDevice(gpu, g.uuid(), g.model(), g.pciBusId(), g.pciDeviceId(), g.memoryMiB(), 0,
                    "0-55", 18, List.of(), new MigStatus(true, true, two)));
        }
        List<GpuMig> configs = new ArrayList<>();
        for (int gpu = 0; gpu < 8; gpu++) {
            configs.add(new GpuMig(gpu, gpu < 4 ? "all-balanced" : "all-3g.40gb", true, List.of(),
                    gpu < 4 ? MigPhase.FAILED : MigPhase.SUCCESS, "applied", NOW, null, false, "ops", 2));
        }
        NodeRecord sliced = node.with().inventory(new NodeInventory("a-1", "simulated", "550", gpus, null))
                .mig(configs).build();
        JobRecord whole = new JobRecord("j-3", new JobSpec("t", JobKind.TRAINING, null, null, null, null, 1, null,
                null, null, null, null, null, null, null, null, "a", null, null, null, null), 0, JobState.PENDING,
                null, "waiting", NOW, null, null, List.of(), 0, List.of(), "alice");
        JobRecord anyPool = new JobRecord("j-4", new JobSpec("t", JobKind.TRAINING, null, null, null, null, 1, null,
                null, null, null, null, null, null, null, null, null, null, null, null, null), 0, JobState.PENDING,
                null, "waiting", NOW, null, null, List.of(), 0, List.of(), "alice");

        List<MigProposal> proposals = MigDemand.plan(List.of(sliced), List.of(whole, anyPool), Map.of("a-1", "a"),
                CONFIGS, new LayoutAdvisor.Settings(2, 0), NOW);

        assertThat(proposals).hasSize(2);
        assertThat(proposals).allSatisfy(p -> {
            assertThat(p.from()).as("a failed change is no config the GPU is in").isIn("all-3g.40gb", "current");
            assertThat(p.to()).isEqualTo("all-disabled");
        });
        assertThat(proposals).anySatisfy(p -> assertThat(p.from()).isEqualTo("current"));
        assertThat(proposals.get(0).gpus()).doesNotContainAnyElementsOf(proposals.get(1).gpus());
        assertThat(MigDemand.plan(List.of(sliced), List.of(whole, anyPool), Map.of("a-1", "a"), CONFIGS,
                new LayoutAdvisor.Settings(1, 0), NOW)).as("the second pool counts the first's change").hasSize(1);
    }
}
