package dev.vigil.gpu.simulated;

import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.gpu.GpuEvent;
import dev.vigil.api.gpu.GpuProcess;
import dev.vigil.api.gpu.MigInstance;
import dev.vigil.api.gpu.MigStatus;
import dev.vigil.gpu.backend.EntitySample;
import dev.vigil.gpu.backend.FieldStatus;
import dev.vigil.gpu.backend.GpuBackendException;
import dev.vigil.gpu.backend.NodeSample;
import dev.vigil.gpu.fields.Field;
import dev.vigil.gpu.fields.FieldCatalog;
import dev.vigil.gpu.fields.FieldSet;
import dev.vigil.gpu.mig.MigPlacement;
import dev.vigil.testsupport.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SimulatedNodeTest {
    private static final FieldSet ALL = new FieldSet(FieldCatalog.ALL);
    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

    private final MutableClock clock = new MutableClock(T0);

    private SimulatedNode node(NodeProfile profile, long seed, List<Workload> workloads) {
        return new SimulatedNode("n1", SimulatedSpec.of(profile, seed, workloads), clock);
    }

    private static double value(NodeSample sample, int gpu, Field field) {
        EntitySample entity = sample.gpu(gpu);
        assertThat(entity.status(ALL.slot(field))).as(field.name()).isEqualTo(FieldStatus.OK);
        return entity.value(ALL.slot(field));
    }

    private NodeSample sampleAfter(SimulatedNode node, Duration duration) {
        clock.advance(duration);
        return node.sample(ALL);
    }

    @Test
    void inventoryDescribesTheHgxH100() {
        SimulatedNode node = node(NodeProfile.HGX_H100_8, 1, List.of());
        var inventory = node.inventory();
        assertThat(inventory.gpus()).hasSize(8);
        var gpu0 = inventory.gpus().get(0);
        assertThat(gpu0.model()).isEqualTo("NVIDIA H100 80GB HBM3");
        assertThat(gpu0.pciBusId()).isEqualTo("00000000:18:00.0");
        assertThat(gpu0.uuid()).matches("GPU-[0-9a-f-]{36}");
        assertThat(gpu0.nvlinkPeers()).hasSize(7).allSatisfy(p -> assertThat(p.links()).isEqualTo(18));
        assertThat(gpu0.numaNode()).isZero();
        assertThat(inventory.gpus().get(7).numaNode()).isEqualTo(1);
        assertThat(gpu0.mig().capable()).isTrue();
        assertThat(inventory.topology().nvlink()).isEqualTo("nvswitch");
        assertThat(inventory.topology().pcieSwitches()).containsExactly(List.of(0, 1), List.of(2, 3), List.of(4, 5),
                List.of(6, 7));
        assertThat(inventory.topology().numaNodes()).hasSize(2);
        assertThat(inventory.gpus()).extracting(g -> g.uuid()).doesNotHaveDuplicates();
    }

    @Test
    void theSameSeedGivesTheSameTelemetryAndAnotherSeedDoesNot() {
        List<Workload> load = List.of(Workload.of(WorkloadKind.INFERENCE, null));
        SimulatedNode a = node(NodeProfile.HGX_H100_8, 7, load);
        SimulatedNode b = node(NodeProfile.HGX_H100_8, 7, load);
        SimulatedNode c = node(NodeProfile.HGX_H100_8, 8, load);
        for (int i = 0; i < 30; i++) {
            clock.advance(Duration.ofSeconds(1));
            NodeSample sa = a.sample(ALL);
            NodeSample sb = b.sample(ALL);
            for (int gpu = 0; gpu < 8; gpu++) {
                for (int slot = 0; slot < ALL.size(); slot++) {
                    assertThat(sa.gpu(gpu).value(slot)).isEqualTo(sb.gpu(gpu).value(slot));
                }
            }
        }
        NodeSample sa = a.sample(ALL);
        NodeSample sc = c.sample(ALL);
        assertThat(value(sa, 0, FieldCatalog.POWER_USAGE)).isNotEqualTo(value(sc, 0, FieldCatalog.POWER_USAGE));
    }

    @Test
    void loadDrivesUtilizationPowerTemperatureAndMemory() {
        SimulatedNode node = node(NodeProfile.HGX_H100_8, 1, List.of(Workload.of(WorkloadKind.TRAINING, List.of(0))));
        NodeSample sample = sampleAfter(node, Duration.ofMinutes(3));
        assertThat(value(sample, 0, FieldCatalog.GPU_UTIL)).isGreaterThan(85);
        assertThat(value(sample, 1, FieldCatalog.GPU_UTIL)).isZero();
        assertThat(value(sample, 0, FieldCatalog.POWER_USAGE)).isBetween(550.0, 700.0);
        assertThat(value(sample, 1, FieldCatalog.POWER_USAGE)).isBetween(60.0, 90.0);
        assertThat(value(sample, 0, FieldCatalog.GPU_TEMP)).isGreaterThan(value(sample, 1, FieldCatalog.GPU_TEMP) + 20);
        assertThat(value(sample, 0, FieldCatalog.FB_USED)).isGreaterThan(60_000);
        assertThat(value(sample, 1, FieldCatalog.FB_USED)).isZero();
        assertThat(value(sample, 0, FieldCatalog.SM_CLOCK)).isGreaterThan(1700);
        assertThat((int) value(sample, 1, FieldCatalog.CLOCKS_EVENT_REASONS) & 0x1).as("idle").isEqualTo(1);
        assertThat(value(sample, 0, FieldCatalog.PROF_PIPE_TENSOR_ACTIVE)).isBetween(0.4, 0.7);
        assertThat(value(sample, 0, FieldCatalog.PROF_NVLINK_TX_BYTES)).isGreaterThan(1e10);
    }

    @Test
    void countersOnlyGrow() {
        SimulatedNode node = node(NodeProfile.DGX_A100_8, 3, List.of(Workload.of(WorkloadKind.BURN, null)));
        double energy = value(sampleAfter(node, Duration.ofSeconds(1)), 2, FieldCatalog.TOTAL_ENERGY);
        double later = value(sampleAfter(node, Duration.ofSeconds(10)), 2, FieldCatalog.TOTAL_ENERGY);
        // 10 s at about 400 W is about 4,000 J = 4,000,000 mJ.
        assertThat(later - energy).isBetween(3.0e6, 4.1e6);
    }

    @Test
    void fieldsAGpuLacksAreNotSupportedRatherThanValues() {
        NodeSample h100 = node(NodeProfile.HGX_H100_8, 1, List.of()).sample(ALL);
        assertThat(h100.gpu(0).status(ALL.slot(FieldCatalog.RETIRED_SBE))).isEqualTo(FieldStatus.NOT_SUPPORTED);
        assertThat(h100.gpu(0).status(ALL.slot(FieldCatalog.VGPU_LICENSE_STATUS))).isEqualTo(FieldStatus.NOT_SUPPORTED);
        assertThat(h100.gpu(0).status(ALL.slot(FieldCatalog.ROW_REMAP_FAILURE))).isEqualTo(FieldStatus.OK);
        NodeSample l40s = new SimulatedNode("l", SimulatedSpec.of(NodeProfile.PCIE_L40S_4, 1, List.of()), clock)
                .sample(ALL);
        assertThat(l40s.entities()).hasSize(4);
        assertThat(l40s.gpu(0).status(ALL.slot(FieldCatalog.NVLINK_BANDWIDTH_TOTAL))).isEqualTo(FieldStatus.NOT_SUPPORTED);
        assertThat(l40s.gpu(0).status(ALL.slot(FieldCatalog.MEMORY_TEMP))).isEqualTo(FieldStatus.NOT_SUPPORTED);
        assertThat(l40s.gpu(0).status(ALL.slot(FieldCatalog.ROW_REMAP_FAILURE))).isEqualTo(FieldStatus.NOT_SUPPORTED);
        assertThat(l40s.gpu(0).status(ALL.slot(FieldCatalog.RETIRED_SBE))).isEqualTo(FieldStatus.OK);
    }

    @Test
    void fallenOffTheBusRaisesXid79AndTheGpuAnswersNothing() {
        SimulatedNode node = node(NodeProfile.HGX_H100_8, 1, List.of());
        int[] wakeUps = {0};
        node.onEvent(() -> wakeUps[0]++);
        node.inject(FaultSpec.now(3, FaultKind.XID, 79));
        assertThat(wakeUps[0]).as("the agent is woken at once").isEqualTo(1);
        List<GpuEvent> events = node.drainEvents();
        assertThat(events).extracting(GpuEvent::kind).containsExactly(GpuEvent.Kind.FAULT, GpuEvent.Kind.XID);
        assertThat(events.get(1).xid()).isEqualTo(79);
        assertThat(events.get(1).gpu()).isEqualTo(3);
        NodeSample sample = node.sample(ALL);
        assertThat(sample.gpu(3).lost()).isTrue();
        assertThat(sample.gpu(2).lost()).isFalse();
        assertThat(node.drainEvents()).as("events are handed out once").isEmpty();

        node.clearFaults(3);
        assertThat(node.sample(ALL).gpu(3).lost()).isFalse();
    }

    @Test
    void eccDoubleBitErrorCountsAndAsksForAReset() {
        SimulatedNode node = node(NodeProfile.HGX_H100_8, 1, List.of());
        node.inject(FaultSpec.now(2, FaultKind.ECC_DBE, null));
        NodeSample sample = node.sample(ALL);
        assertThat(value(sample, 2, FieldCatalog.ECC_DBE_VOL_TOTAL)).isEqualTo(1);
        assertThat(value(sample, 2, FieldCatalog.UNCORRECTABLE_REMAPPED_ROWS)).isEqualTo(1);
        assertThat(value(sample, 2, FieldCatalog.ROW_REMAP_PENDING)).isEqualTo(1);
        assertThat(value(sample, 2, FieldCatalog.GPU_RECOVERY_ACTION)).isEqualTo(1);
        assertThat(value(sample, 2, FieldCatalog.XID_ERRORS)).isEqualTo(48);
        assertThat(node.drainEvents()).extracting(GpuEvent::xid).contains(48);
        node.clearFaults(2);
        NodeSample reset = node.sample(ALL);
        assertThat(value(reset, 2, FieldCatalog.ECC_DBE_VOL_TOTAL)).as("volatile counter cleared by reset").isZero();
        assertThat(value(reset, 2, FieldCatalog.ECC_DBE_AGG_TOTAL)).as("aggregate counter kept").isEqualTo(1);
    }

    @Test
    void rowRemapFailureStaysAfterAReset() {
        SimulatedNode node = node(NodeProfile.DGX_A100_8, 1, List.of());
        node.inject(FaultSpec.now(1, FaultKind.ROW_REMAP_FAILURE, null));
        assertThat(value(node.sample(ALL), 1, FieldCatalog.ROW_REMAP_FAILURE)).isEqualTo(1);
        assertThat(node.drainEvents()).extracting(GpuEvent::xid).contains(64);
        assertThat(node.clearFaults(1)).as("the reset says what it could not clear").singleElement()
                .asString().contains("gpu 1", "row remapping failed", "RMA");
        assertThat(value(node.sample(ALL), 1, FieldCatalog.ROW_REMAP_FAILURE)).isEqualTo(1);

        node.replace(1);
        NodeSample replaced = node.sample(ALL);
        assertThat(value(replaced, 1, FieldCatalog.ROW_REMAP_FAILURE)).as("a new GPU").isZero();
        assertThat(value(replaced, 1, FieldCatalog.ECC_DBE_AGG_TOTAL)).isZero();
        assertThat(node.clearFaults(1)).isEmpty();
    }

    @Test
    void thermalRunawayHeatsUpAndThrottles() {
        SimulatedNode node = node(NodeProfile.HGX_H100_8, 1, List.of(Workload.of(WorkloadKind.TRAINING, null)));
        double before = value(sampleAfter(node, Duration.ofSeconds(1)), 4, FieldCatalog.GPU_TEMP);
        node.inject(FaultSpec.now(4, FaultKind.THERMAL_RUNAWAY, null));
        NodeSample hot = sampleAfter(node, Duration.ofSeconds(30));
        assertThat(value(hot, 4, FieldCatalog.GPU_TEMP)).isGreaterThan(before + 25);
        assertThat((int) value(hot, 4, FieldCatalog.CLOCKS_EVENT_REASONS) & 0x20).isEqualTo(0x20);
        assertThat(value(hot, 4, FieldCatalog.THERMAL_VIOLATION)).isGreaterThan(0);
        assertThat(value(hot, 4, FieldCatalog.SM_CLOCK)).isLessThan(value(hot, 5, FieldCatalog.SM_CLOCK));
    }

    @Test
    void nvlinkDownDropsLinksAndCountsErrors() {
        SimulatedNode node = node(NodeProfile.HGX_H100_8, 1, List.of(Workload.of(WorkloadKind.TRAINING, null)));
        node.inject(new FaultSpec(null, 5, FaultKind.NVLINK_DOWN, null, null, 4));
        assertThat(node.inventory().gpus().get(5).nvlinkLinks()).isEqualTo(14);
        NodeSample sample = sampleAfter(node, Duration.ofSeconds(5));
        assertThat(value(sample, 5, FieldCatalog.NVLINK_CRC_FLIT_ERRORS)).isGreaterThan(0);
        assertThat(value(sample, 5, FieldCatalog.NVLINK_RECOVERY_ERRORS)).isEqualTo(4);
        assertThat(node.drainEvents()).extracting(GpuEvent::xid).contains(74);
        assertThatThrownBy(() -> new SimulatedNode("l", SimulatedSpec.of(NodeProfile.PCIE_L40S_4, 1, List.of()), clock)
                .inject(FaultSpec.now(0, FaultKind.NVLINK_DOWN, null)))
                .isInstanceOf(InvalidValueException.class).hasMessageContaining("has no NVLink");
    }

    @Test
    void powerBrakeCollapsesClocks() {
        SimulatedNode node = node(NodeProfile.HGX_H100_8, 1, List.of(Workload.of(WorkloadKind.TRAINING, null)));
        node.inject(FaultSpec.now(6, FaultKind.POWER_BRAKE, null));
        NodeSample sample = sampleAfter(node, Duration.ofSeconds(2));
        assertThat((int) value(sample, 6, FieldCatalog.CLOCKS_EVENT_REASONS) & 0x80).isEqualTo(0x80);
        assertThat(value(sample, 6, FieldCatalog.SM_CLOCK)).isLessThan(700);
        assertThat(value(sample, 6, FieldCatalog.POWER_USAGE)).isLessThan(150);
    }

    @Test
    void faultsFromTheSpecFireAtTheirTime() {
        SimulatedNode node = new SimulatedNode("n1", new SimulatedSpec(NodeProfile.HGX_H100_8, 1L, List.of(),
                List.of(new FaultSpec(Duration.ofMinutes(2), 1, FaultKind.FALLEN_OFF_BUS, null, null, null)),
                List.of()), clock);
        assertThat(sampleAfter(node, Duration.ofSeconds(119)).gpu(1).lost()).isFalse();
        assertThat(sampleAfter(node, Duration.ofSeconds(1)).gpu(1).lost()).isTrue();
        List<GpuEvent> events = node.drainEvents();
        assertThat(events).filteredOn(e -> e.kind() == GpuEvent.Kind.XID).singleElement()
                .satisfies(e -> assertThat(e.time()).isEqualTo(T0.plus(Duration.ofMinutes(2))));
    }

    @Test
    void migInstancesAreSampledOnTheirOwnWithTheirProfile() {
        SimulatedNode node = new SimulatedNode("n1", new SimulatedSpec(NodeProfile.HGX_H100_8, 1L,
                List.of(new Workload(List.of(7), 2, WorkloadKind.INFERENCE, 0.5, 0.5)), List.of(),
                List.of(new MigSpec(List.of(7), Map.of("3g.40gb", 1, "1g.10gb", 4)))), clock);
        List<MigInstance> instances = node.inventory().gpus().get(7).mig().instances();
        assertThat(node.inventory().gpus().get(7).mig().enabled()).isTrue();
        assertThat(instances).extracting(MigInstance::profile).containsExactly("3g.40gb", "1g.10gb", "1g.10gb",
                "1g.10gb", "1g.10gb");
        NodeSample sample = sampleAfter(node, Duration.ofSeconds(2));
        assertThat(sample.entities()).hasSize(8 + 5);
        assertThat(sample.gpu(7).status(ALL.slot(FieldCatalog.GPU_UTIL)))
                .as("no utilization for a GPU in MIG mode").isEqualTo(FieldStatus.NOT_SUPPORTED);
        EntitySample busy = sample.entities().stream().filter(e -> Integer.valueOf(2).equals(e.gpuInstanceId()))
                .findFirst().orElseThrow();
        assertThat(busy.value(ALL.slot(FieldCatalog.PROF_GR_ENGINE_ACTIVE))).isGreaterThan(0);
        assertThat(busy.value(ALL.slot(FieldCatalog.FB_TOTAL))).isEqualTo(instances.get(1).memoryMiB());
        assertThat(busy.status(ALL.slot(FieldCatalog.GPU_TEMP))).isEqualTo(FieldStatus.NOT_SUPPORTED);
    }

    @Test
    void migChangesAreRefusedWhileProcessesRunAndCheckedForLegality() throws GpuBackendException {
        SimulatedNode node = node(NodeProfile.HGX_H100_8, 1, List.of(Workload.of(WorkloadKind.TRAINING, List.of(0))));
        List<GpuProcess> processes = node.processes(0);
        assertThat(processes).singleElement().satisfies(p -> assertThat(p.usedMemoryMiB()).isGreaterThan(0));
        assertThatThrownBy(() -> node.applyMig(0, true, List.of(new MigPlacement("7g.80gb", 0))))
                .isInstanceOf(GpuBackendException.class).hasMessageContaining("has 1 process")
                .extracting(e -> ((GpuBackendException) e).reason()).isEqualTo(GpuBackendException.Reason.REFUSED);
        assertThatThrownBy(() -> node.applyMig(1, true, List.of(new MigPlacement("3g.40gb", 2))))
                .isInstanceOf(GpuBackendException.class).hasMessageContaining("start must be one of 0, 4");
        node.applyMig(1, true, List.of(new MigPlacement("4g.40gb", 0), new MigPlacement("3g.40gb", 4)));
        assertThat(node.inventory().gpus().get(1).mig().instances()).hasSize(2);
        node.applyMig(1, false, List.of());
        assertThat(node.inventory().gpus().get(1).mig().enabled()).isFalse();
        SimulatedNode l40s = new SimulatedNode("l", SimulatedSpec.of(NodeProfile.PCIE_L40S_4, 1, List.of()), clock);
        assertThatThrownBy(() -> l40s.applyMig(0, true, List.of()))
                .extracting(e -> ((GpuBackendException) e).reason()).isEqualTo(GpuBackendException.Reason.NOT_SUPPORTED);
    }

    @Test
    void anA100sMigModeSwitchWaitsForAGpuResetWithItsInstancesGone() throws GpuBackendException {
        SimulatedNode node = new SimulatedNode("a", new SimulatedSpec(NodeProfile.DGX_A100_8, 1L, List.of(),
                List.of(), List.of(new MigSpec(List.of(6), Map.of("1g.10gb", 7)))), clock);
        assertThatThrownBy(() -> node.applyMig(6, false, List.of()))
                .isInstanceOf(GpuBackendException.class)
                .hasMessage("GPU 6: MIG off is pending: a GPU reset is needed to apply it (nvidia-smi -r -i 6, "
                        + "or reboot the node)")
                .extracting(e -> ((GpuBackendException) e).reason())
                .isEqualTo(GpuBackendException.Reason.RESET_REQUIRED);
        MigStatus pending = node.inventory().gpus().get(6).mig();
        assertThat(pending.enabled()).as("the mode waits for the reset").isTrue();
        assertThat(pending.instances()).as("the instances went before the mode switch").isEmpty();

        node.clearFaults(6);
        assertThat(node.inventory().gpus().get(6).mig()).isEqualTo(new MigStatus(true, false, List.of()));

        assertThatThrownBy(() -> node.applyMig(6, true, List.of(new MigPlacement("7g.80gb", 0))))
                .extracting(e -> ((GpuBackendException) e).reason())
                .isEqualTo(GpuBackendException.Reason.RESET_REQUIRED);
        node.applyMig(6, false, List.of());
        node.clearFaults(6);
        assertThat(node.inventory().gpus().get(6).mig().enabled())
                .as("asking for the current mode cancels the pending switch").isFalse();

        assertThatThrownBy(() -> node.applyMig(6, true, List.of(new MigPlacement("7g.80gb", 0))))
                .isInstanceOf(GpuBackendException.class);
        node.reboot();
        assertThat(node.inventory().gpus().get(6).mig().enabled()).as("a reboot resets the GPU too").isTrue();
        node.applyMig(6, true, List.of(new MigPlacement("7g.80gb", 0)));
        assertThat(node.inventory().gpus().get(6).mig().instances()).extracting(MigInstance::profile)
                .containsExactly("7g.80gb");
    }

    @Test
    void anH100SwitchesItsMigModeAtOnce() throws GpuBackendException {
        SimulatedNode node = node(NodeProfile.HGX_H100_8, 1, List.of());
        node.applyMig(2, true, List.of(new MigPlacement("7g.80gb", 0)));
        assertThat(node.inventory().gpus().get(2).mig().instances()).hasSize(1);
        node.applyMig(2, false, List.of());
        assertThat(node.inventory().gpus().get(2).mig()).isEqualTo(new MigStatus(true, false, List.of()));
    }

    @Test
    void aRebootLosesTheMigInstancesButKeepsTheMode() {
        SimulatedNode node = new SimulatedNode("h", new SimulatedSpec(NodeProfile.HGX_H100_8, 1L, List.of(),
                List.of(), List.of(new MigSpec(List.of(7), Map.of("3g.40gb", 2)))), clock);
        node.clearFaults(7);
        assertThat(node.inventory().gpus().get(7).mig().instances()).as("a reset keeps them").hasSize(2);
        node.reboot();
        assertThat(node.inventory().gpus().get(7).mig()).isEqualTo(new MigStatus(true, true, List.of()));
    }

    @Test
    void specRefusesGpusTheProfileDoesNotHave() {
        assertThatThrownBy(() -> SimulatedSpec.of(NodeProfile.PCIE_L40S_4, 1,
                List.of(Workload.of(WorkloadKind.TRAINING, List.of(0, 5)))))
                .isInstanceOf(InvalidValueException.class)
                .hasMessage("workloads[0].gpus[1]: \"5\" is not allowed (allowed: a GPU index from 0 to 3 "
                        + "(pcie-l40s-4 has 4 GPUs))");
    }

    @Test
    void anXidThatTakesTheGpuOutOfServiceEndsTheWorkloadOnThatGpuOnly() {
        SimulatedNode node = node(NodeProfile.HGX_H100_8, 1, List.of(Workload.of(WorkloadKind.TRAINING, List.of(2, 3))));
        List<SimulatedNode.Crash> crashes = new java.util.ArrayList<>();
        node.onCrash(crashes::add);
        node.inject(FaultSpec.now(3, FaultKind.XID, 48));
        assertThat(crashes).containsExactly(new SimulatedNode.Crash(3, null, 48));
        assertThat(node.processes(3)).as("the job on the failed GPU is gone").isEmpty();
        assertThat(node.processes(2)).as("the other GPU runs on").hasSize(1);

        node.inject(FaultSpec.now(2, FaultKind.FALLEN_OFF_BUS, null));
        assertThat(crashes).last().isEqualTo(new SimulatedNode.Crash(2, null, 79));
    }

    @Test
    void anApplicationXidEndsTheWorkloadItNamesAndANvlinkXidEndsNothing() {
        SimulatedNode node = new SimulatedNode("n1", new SimulatedSpec(NodeProfile.HGX_H100_8, 1L,
                List.of(new Workload(List.of(7), 1, WorkloadKind.INFERENCE, null, null),
                        new Workload(List.of(7), 2, WorkloadKind.INFERENCE, null, null),
                        Workload.of(WorkloadKind.TRAINING, List.of(0))), List.of(),
                List.of(new MigSpec(List.of(7), Map.of("3g.40gb", 2)))), clock);
        List<SimulatedNode.Crash> crashes = new java.util.ArrayList<>();
        node.onCrash(crashes::add);
        node.inject(new FaultSpec(null, 7, FaultKind.XID, 13, 2, null));
        assertThat(crashes).containsExactly(new SimulatedNode.Crash(7, 2, 13));
        assertThat(node.processes(7)).extracting(GpuProcess::gpuInstanceId).containsExactly(1);

        node.inject(FaultSpec.now(0, FaultKind.NVLINK_DOWN, null));
        node.inject(FaultSpec.now(0, FaultKind.THERMAL_RUNAWAY, null));
        assertThat(crashes).as("a degraded GPU still runs its job").hasSize(1);
        assertThat(node.processes(0)).hasSize(1);
    }

    @Test
    void aScheduledFaultEndsTheWorkloadWhenItFires() {
        SimulatedNode node = new SimulatedNode("n1", new SimulatedSpec(NodeProfile.HGX_H100_8, 1L,
                List.of(Workload.of(WorkloadKind.TRAINING, List.of(4))),
                List.of(new FaultSpec(Duration.ofSeconds(10), 4, FaultKind.XID, 79, null, null)), List.of()), clock);
        List<SimulatedNode.Crash> crashes = new java.util.ArrayList<>();
        node.onCrash(crashes::add);
        sampleAfter(node, Duration.ofSeconds(5));
        assertThat(crashes).isEmpty();
        sampleAfter(node, Duration.ofSeconds(6));
        assertThat(crashes).containsExactly(new SimulatedNode.Crash(4, null, 79));
    }

    @Test
    void aRebootEndsEveryWorkloadAndResetsEveryGpuButNotAFailedRowRemap() {
        SimulatedNode node = node(NodeProfile.DGX_A100_8, 1, List.of(Workload.of(WorkloadKind.TRAINING, null)));
        node.inject(FaultSpec.now(3, FaultKind.FALLEN_OFF_BUS, null));
        node.inject(FaultSpec.now(1, FaultKind.ROW_REMAP_FAILURE, null));
        node.inject(new FaultSpec(null, 5, FaultKind.NVLINK_DOWN, null, null, 4));
        assertThat(node.faults(3)).containsExactly("fallen off the bus", "XID 79 not repaired yet");
        assertThat(node.faults(5)).containsExactly("4 NVLink link(s) down");
        assertThat(node.faults(0)).isEmpty();

        assertThat(node.reboot()).singleElement().asString().contains("gpu 1", "row remapping failed");
        for (int gpu = 0; gpu < 8; gpu++) {
            assertThat(node.processes(gpu)).as("gpu %d runs nothing after the reboot", gpu).isEmpty();
        }
        assertThat(node.faults(3)).isEmpty();
        assertThat(node.faults(5)).isEmpty();
        assertThat(node.faults(1)).containsExactly("row remapping failed");
        assertThat(node.sample(ALL).gpu(3).lost()).isFalse();
        assertThat(node.inventory().gpus().get(5).nvlinkLinks()).isEqualTo(12);
    }

    @Test
    void repairDelaysDefaultShortAndAreBounded() {
        SimulatedSpec defaults = SimulatedSpec.of(NodeProfile.HGX_H100_8, 1, List.of());
        assertThat(defaults.resetDelay()).isEqualTo(Duration.ofSeconds(2));
        assertThat(defaults.rebootDelay()).isEqualTo(Duration.ofSeconds(5));
        assertThat(defaults.diagDuration()).isEqualTo(Duration.ofSeconds(1));
        assertThatThrownBy(() -> new SimulatedSpec(null, null, null, null, null, null, Duration.ofMinutes(11), null))
                .isInstanceOf(InvalidValueException.class).hasMessageContaining("rebootDelay")
                .hasMessageContaining("from 0s to 10m");
    }

    @Test
    void aRogueProcessIsNobodysAndAResetOfItsGpuEndsIt() {
        SimulatedNode node = node(NodeProfile.HGX_H100_8, 1, List.of(Workload.of(WorkloadKind.TRAINING, List.of(0))));

        node.inject(FaultSpec.now(3, FaultKind.ROGUE_PROCESS, null));
        node.inject(FaultSpec.now(4, FaultKind.ROGUE_PROCESS, null));

        GpuProcess rogue = node.processes(3).get(0);
        assertThat(node.processes(3)).containsExactly(new GpuProcess(rogue.pid(), 3, null, null, 1024));
        assertThat(node.origin(rogue.pid())).contains(new SimulatedNode.ProcessOrigin("rogue", 1001, null, null));
        assertThat(node.drainEvents()).extracting(GpuEvent::message).contains("injected fault: rogue-process on gpu 3");
        assertThat(node.clearFaults(3)).isEmpty();
        assertThat(node.processes(3)).isEmpty();
        assertThat(node.origin(rogue.pid())).isEmpty();
        assertThat(node.processes(4)).as("a reset of GPU 3 leaves GPU 4's process").hasSize(1);
    }

    @Test
    void anOverreachingProcessBelongsToTheWorkloadOfAnotherGpu() {
        SimulatedNode node = node(NodeProfile.HGX_H100_8, 1, List.of(Workload.of(WorkloadKind.TRAINING, List.of(2))));
        long workloadPid = node.processes(2).get(0).pid();

        node.inject(FaultSpec.now(5, FaultKind.OVERREACH_PROCESS, null));

        GpuProcess overreach = node.processes(5).get(0);
        assertThat(overreach.pid()).isNotEqualTo(workloadPid);
        assertThat(node.origin(overreach.pid())).contains(new SimulatedNode.ProcessOrigin("training", 1000, 2, null));
        assertThat(node.origin(workloadPid)).contains(new SimulatedNode.ProcessOrigin("training", 1000, 2, null));
        assertThat(node.origin(12345)).isEmpty();
    }

    @Test
    void anOverreachingProcessNeedsAWorkloadOnAnotherGpu() {
        SimulatedNode node = node(NodeProfile.HGX_H100_8, 1, List.of(Workload.of(WorkloadKind.TRAINING, List.of(5))));

        assertThatThrownBy(() -> node.inject(FaultSpec.now(5, FaultKind.OVERREACH_PROCESS, null)))
                .isInstanceOf(InvalidValueException.class).hasMessageContaining("no other GPU of this node runs one");
        assertThat(node.processes(5)).hasSize(1);
    }

    @Test
    void aRebootEndsStrayProcesses() {
        SimulatedNode node = node(NodeProfile.HGX_H100_8, 1, List.of());
        node.inject(FaultSpec.now(1, FaultKind.ROGUE_PROCESS, null));

        node.reboot();

        assertThat(node.processes(1)).isEmpty();
    }
}
