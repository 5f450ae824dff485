package dev.vigil.controller.scheduling;

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
import dev.vigil.api.gpu.NodeTopology;
import dev.vigil.api.gpu.RepairAction;
import dev.vigil.api.mig.GpuMig;
import dev.vigil.api.mig.MigPhase;
import dev.vigil.scheduler.topology.NodeCapacity;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class NodeCapacitiesTest {
    private static final String H100 = "NVIDIA H100 80GB HBM3";

    @Test
    void noCapacityBeforeTheInventoryArrives() {
        assertThat(NodeCapacities.of(NodeRecord.named("n").state(NodeState.READY).build(), null)).isNull();
        assertThat(NodeCapacities.of(node(List.of(), null).build(), null)).isNull();
    }

    @Test
    void aReadyNodeOfHealthyGpusTakesWorkOnEach() {
        NodeCapacity capacity = NodeCapacities.of(node(List.of(gpu(0, 1), gpu(1, null)), null)
                .state(NodeState.READY).build(), "batch");

        assertThat(capacity.name()).isEqualTo("n");
        assertThat(capacity.model()).isEqualTo(H100);
        assertThat(capacity.pool()).isEqualTo("batch");
        assertThat(capacity.schedulable()).isTrue();
        assertThat(capacity.simulated()).isFalse();
        assertThat(capacity.gpus()).extracting(NodeCapacity.Gpu::index, NodeCapacity.Gpu::uuid,
                        NodeCapacity.Gpu::usable, NodeCapacity.Gpu::numa)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(0, "GPU-0", true, 1),
                        org.assertj.core.groups.Tuple.tuple(1, "GPU-1", true, 0));
    }

    @Test
    void aNodeThatIsNotReadyTakesNoWork() {
        NodeCapacity capacity = NodeCapacities.of(node(List.of(gpu(0, 0)), null).state(NodeState.CORDONED).build(), null);

        assertThat(capacity.schedulable()).isFalse();
    }

    @Test
    void simulatedGpusAreMarkedSo() {
        NodeRecord node = NodeRecord.named("n").state(NodeState.READY)
                .inventory(new NodeInventory("n", "simulated", "550", List.of(gpu(0, 0)), null)).build();

        assertThat(NodeCapacities.of(node, null).simulated()).isTrue();
    }

    @Test
    void degradedFailedCordonedAndForeignGpusAreNotUsable() {
        NodeRecord node = node(List.of(gpu(0, 0), gpu(1, 0), gpu(2, 0), gpu(3, 0), gpu(4, 0)), null)
                .state(NodeState.READY)
                .health(List.of(health(0, HealthState.HEALTHY), health(1, HealthState.DEGRADED),
                        health(2, HealthState.FAILED), health(0, HealthState.HEALTHY)))
                .cordonedGpus(List.of(new CordonedGpu(3, "GPU-3", "bad fan", "ops", Instant.EPOCH)))
                .execution(new ExecutionNode("slurm", "idle", true, true, null, null, null,
                        List.of(new ExecutionNode.ForeignJob("77", "other", "bob", List.of(4))), false))
                .build();

        assertThat(NodeCapacities.of(node, null).gpus()).extracting(NodeCapacity.Gpu::usable)
                .containsExactly(true, false, false, false, false);
    }

    @Test
    void theWorstOfTwoHealthReportsForOneGpuCounts() {
        NodeRecord node = node(List.of(gpu(0, 0)), null).state(NodeState.READY)
                .health(List.of(health(0, HealthState.FAILED), health(0, HealthState.HEALTHY))).build();

        assertThat(NodeCapacities.of(node, null).gpus().get(0).usable()).isFalse();
    }

    @Test
    void gpusShareTheirNvlinkDomainAndLoneGpusGetOneEach() {
        NodeTopology topology = new NodeTopology("nvswitch", List.of(List.of(0, 1), List.of(2)), List.of(), List.of());
        NodeRecord node = node(List.of(gpu(0, 0), gpu(1, 0), gpu(2, 0), gpu(3, 0), gpu(4, 0)), topology).build();

        assertThat(NodeCapacities.of(node, null).gpus()).extracting(NodeCapacity.Gpu::nvlinkDomain)
                .containsExactly(0, 0, 1, 1003, 1004);
    }

    @Test
    void withoutTopologyEveryGpuIsItsOwnDomain() {
        NodeRecord node = node(List.of(gpu(0, 0), gpu(1, 0)), null).build();

        assertThat(NodeCapacities.of(node, null).gpus()).extracting(NodeCapacity.Gpu::nvlinkDomain)
                .containsExactly(1000, 1001);
    }

    @Test
    void migSlicesOfAnEnabledGpuAreListedAndThoseOfADisabledOneAreNot() {
        List<MigInstance> instances = List.of(new MigInstance(7, "1g.10gb", 0, 1, "MIG-a", 9_728),
                new MigInstance(8, "2g.20gb", 2, 2, "MIG-b", 19_968));
        NodeRecord node = node(List.of(gpu(0, 0, new MigStatus(true, true, instances)),
                gpu(1, 0, new MigStatus(true, false, instances))), null).build();

        List<NodeCapacity.Gpu> gpus = NodeCapacities.of(node, null).gpus();
        assertThat(gpus.get(0).mig()).containsExactly(new NodeCapacity.MigSlice(7, "1g.10gb"),
                new NodeCapacity.MigSlice(8, "2g.20gb"));
        assertThat(gpus.get(1).mig()).isEmpty();
    }

    @Test
    void migSlicesAnotherSchedulersPodHoldsAreLeftOutAndAGpuWithNoOtherSliceTakesNoWork() {
        List<MigInstance> instances = List.of(new MigInstance(7, "1g.10gb", 0, 1, "MIG-a", 9_728),
                new MigInstance(8, "1g.10gb", 1, 1, "MIG-b", 9_728));
        NodeRecord node = node(List.of(gpu(0, 0, new MigStatus(true, true, instances)),
                gpu(1, 0, new MigStatus(true, true, instances.subList(0, 1)))), null).state(NodeState.READY)
                .execution(new ExecutionNode("kubernetes", "ready", true, false, null, null, null, List.of(
                        new ExecutionNode.ForeignJob("lab/a", "a", "lab", List.of(),
                                List.of(new ExecutionNode.ForeignJob.Slice(0, 8))),
                        new ExecutionNode.ForeignJob("lab/b", "b", "lab", List.of(),
                                List.of(new ExecutionNode.ForeignJob.Slice(1, 7)))), false)).build();

        List<NodeCapacity.Gpu> gpus = NodeCapacities.of(node, null).gpus();
        assertThat(gpus.get(0).mig()).containsExactly(new NodeCapacity.MigSlice(7, "1g.10gb"));
        assertThat(gpus.get(0).usable()).isTrue();
        assertThat(gpus.get(1).mig()).isEmpty();
        assertThat(gpus.get(1).usable()).as("its only slice is another's: not a whole GPU either").isFalse();
        assertThat(NodeCapacities.matters(node, node.with().execution(null).build())).isTrue();
        assertThat(NodeCapacities.matters(node, node.with().execution(node.execution().imposing(true)).build()))
                .as("the same slices").isFalse();
    }

    @Test
    void aGpuWhoseMigLayoutChangesAndOneInMigModeWithoutInstancesTakeNoWork() {
        NodeRecord node = node(List.of(gpu(0, 0), gpu(1, 0), gpu(2, 0), gpu(3, 0, new MigStatus(true, true, List.of()))),
                null).state(NodeState.READY).mig(List.of(mig(0, MigPhase.DRAINING), mig(1, MigPhase.SUCCESS),
                mig(2, MigPhase.FAILED))).build();

        assertThat(NodeCapacities.of(node, null).gpus()).extracting(NodeCapacity.Gpu::usable)
                .containsExactly(false, true, true, false);
        for (MigPhase phase : List.of(MigPhase.PENDING, MigPhase.APPLYING, MigPhase.RESET_REQUIRED)) {
            NodeRecord changing = node.with().mig(List.of(mig(1, phase))).build();
            assertThat(NodeCapacities.of(changing, null).gpus().get(1).usable()).as(phase.wire()).isFalse();
        }
    }

    @Test
    void aNewNodeMatters() {
        assertThat(NodeCapacities.matters(null, NodeRecord.named("n").build())).isTrue();
    }

    @Test
    void anUnchangedNodeDoesNotMatter() {
        NodeRecord node = full().build();

        assertThat(NodeCapacities.matters(node, full().lastReport(Instant.EPOCH.plusSeconds(9)).version(9).build()))
                .isFalse();
    }

    @Test
    void eachChangeTheSchedulerActsOnMatters() {
        NodeRecord old = full().build();

        assertThat(NodeCapacities.matters(old, full().state(NodeState.CORDONED).build())).isTrue();
        assertThat(NodeCapacities.matters(old, full().drain(true).build())).isTrue();
        assertThat(NodeCapacities.matters(old, full().appliedVersion(4).build())).isTrue();
        assertThat(NodeCapacities.matters(old, full().cordonedGpus(List.of()).build())).isTrue();
        assertThat(NodeCapacities.matters(old, full().inventoryHash("h2").build())).isTrue();
        assertThat(NodeCapacities.matters(old, full().execution(null).build())).isTrue();
        assertThat(NodeCapacities.matters(old, full().health(List.of(health(0, HealthState.FAILED))).build()))
                .isTrue();
        assertThat(NodeCapacities.matters(old, full().mig(List.of(mig(0, MigPhase.DRAINING))).build())).isTrue();
        assertThat(NodeCapacities.matters(full().mig(List.of(mig(0, MigPhase.DRAINING))).build(),
                full().mig(List.of(mig(0, MigPhase.APPLYING))).build())).isTrue();
    }

    private static GpuMig mig(int gpu, MigPhase phase) {
        return new GpuMig(gpu, "all-1g.10gb", true, List.of(), phase, null, Instant.EPOCH, null, false, "ops", 0);
    }

    @Test
    void aHealthReportThatKeepsEveryStateDoesNotMatter() {
        NodeRecord old = full().build();
        GpuHealth sameStateOtherReason = new GpuHealth(0, "GPU-0", HealthState.HEALTHY, RepairAction.RESTART_APP,
                List.of());

        assertThat(NodeCapacities.matters(old, full().health(List.of(sameStateOtherReason)).build())).isFalse();
    }

    private static NodeRecord.Builder full() {
        return node(List.of(gpu(0, 0)), null).state(NodeState.READY).appliedVersion(3).inventoryHash("h1")
                .health(List.of(health(0, HealthState.HEALTHY)))
                .cordonedGpus(List.of(new CordonedGpu(1, "GPU-1", "bad fan", "ops", Instant.EPOCH)))
                .execution(new ExecutionNode("slurm", "idle", true, true, null, null, null,
                        List.of(new ExecutionNode.ForeignJob("77", "other", "bob", List.of(2))), false));
    }

    private static NodeRecord.Builder node(List<GpuDevice> gpus, NodeTopology topology) {
        return NodeRecord.named("n").inventory(new NodeInventory("n", "nvml", "550", gpus, topology));
    }

    private static GpuDevice gpu(int index, Integer numa) {
        return gpu(index, numa, MigStatus.notCapable());
    }

    private static GpuDevice gpu(int index, Integer numa, MigStatus mig) {
        return new GpuDevice(index, "GPU-" + index, H100, "00000000:1" + index + ":00.0", "0x233010DE", 81_920,
                numa, "0-55", 18, List.of(), mig);
    }

    private static GpuHealth health(int gpu, HealthState state) {
        return new GpuHealth(gpu, "GPU-" + gpu, state, RepairAction.NONE, List.of());
    }
}
