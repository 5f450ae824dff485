package dev.vigil.gpu.health;

import dev.vigil.api.gpu.GpuEvent;
import dev.vigil.api.gpu.GpuHealth;
import dev.vigil.api.gpu.HealthReason;
import dev.vigil.api.gpu.HealthState;
import dev.vigil.api.gpu.RepairAction;
import dev.vigil.gpu.backend.EntitySample;
import dev.vigil.gpu.backend.NodeSample;
import dev.vigil.gpu.fields.FieldCatalog;
import dev.vigil.gpu.fields.FieldSet;
import dev.vigil.gpu.simulated.FaultKind;
import dev.vigil.testsupport.MutableClock;
import dev.vigil.gpu.simulated.FaultSpec;
import dev.vigil.gpu.simulated.NodeProfile;
import dev.vigil.gpu.simulated.SimulatedNode;
import dev.vigil.gpu.simulated.SimulatedSpec;
import dev.vigil.gpu.simulated.Workload;
import dev.vigil.gpu.simulated.WorkloadKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HealthEvaluatorTest {
    private static final FieldSet FIELDS = new FieldSet(FieldCatalog.DEFAULTS);
    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));
    private final SimulatedNode node = new SimulatedNode("n1",
            SimulatedSpec.of(NodeProfile.HGX_H100_8, 1, List.of(Workload.of(WorkloadKind.TRAINING, null))), clock);
    private final HealthEvaluator evaluator = new HealthEvaluator(HealthThresholds.defaults(), FIELDS);

    private List<GpuHealth> evaluate() {
        clock.advance(Duration.ofSeconds(1));
        NodeSample sample = node.sample(FIELDS);
        return evaluator.evaluate(node.inventory(), sample, node.drainEvents());
    }

    private static List<String> codes(GpuHealth health) {
        return health.reasons().stream().map(HealthReason::code).toList();
    }

    @Test
    void aBusyHealthyNodeIsHealthy() {
        List<GpuHealth> health = evaluate();
        assertThat(health).hasSize(8).allSatisfy(h -> {
            assertThat(h.state()).isEqualTo(HealthState.HEALTHY);
            assertThat(h.action()).isEqualTo(RepairAction.NONE);
            assertThat(h.reasons()).isEmpty();
        });
    }

    @Test
    void xid79FailsTheGpuAndAsksForAPowerCycleUntilRepaired() {
        evaluate();
        node.inject(FaultSpec.now(3, FaultKind.XID, 79));
        GpuHealth gpu3 = evaluate().get(3);
        assertThat(gpu3.state()).isEqualTo(HealthState.FAILED);
        assertThat(gpu3.action()).isEqualTo(RepairAction.POWER_CYCLE);
        assertThat(codes(gpu3)).containsExactly("xid", "gpu-lost");
        assertThat(gpu3.reasons().get(0).xid()).isEqualTo(79);
        Instant since = gpu3.reasons().get(1).since();
        assertThat(evaluate().get(3).reasons().get(1).since()).as("first seen is kept").isEqualTo(since);

        node.clearFaults(3);
        assertThat(evaluate().get(3).state()).as("the XID holds until the agent is told of the repair")
                .isEqualTo(HealthState.FAILED);
        evaluator.forget(3);
        assertThat(evaluate().get(3).state()).isEqualTo(HealthState.HEALTHY);
    }

    @Test
    void anApplicationXidLeavesTheGpuHealthy() {
        node.inject(FaultSpec.now(1, FaultKind.XID, 13));
        assertThat(evaluate().get(1).state()).isEqualTo(HealthState.HEALTHY);
    }

    @Test
    void eccDoubleBitErrorFailsTheGpuWithAReset() {
        node.inject(FaultSpec.now(2, FaultKind.ECC_DBE, null));
        GpuHealth gpu2 = evaluate().get(2);
        assertThat(gpu2.state()).isEqualTo(HealthState.FAILED);
        assertThat(gpu2.action()).isEqualTo(RepairAction.RESET_GPU);
        assertThat(codes(gpu2)).contains("xid", "ecc-dbe", "row-remap-pending", "recovery-action");
        assertThat(gpu2.reasons()).filteredOn(r -> r.code().equals("ecc-dbe")).singleElement()
                .satisfies(r -> assertThat(r.message()).startsWith("1 uncorrectable"));
    }

    @Test
    void rowRemapFailureMeansRma() {
        node.inject(FaultSpec.now(4, FaultKind.ROW_REMAP_FAILURE, null));
        GpuHealth gpu4 = evaluate().get(4);
        assertThat(gpu4.state()).isEqualTo(HealthState.FAILED);
        assertThat(gpu4.action()).isEqualTo(RepairAction.RMA);
    }

    @Test
    void nvlinkDownDegradesAndPointsAtNvlink() {
        evaluate();
        node.inject(new FaultSpec(null, 5, FaultKind.NVLINK_DOWN, null, null, 2));
        GpuHealth gpu5 = evaluate().get(5);
        assertThat(gpu5.state()).isEqualTo(HealthState.DEGRADED);
        assertThat(gpu5.action()).isEqualTo(RepairAction.CHECK_NVLINK);
        assertThat(gpu5.reasons()).extracting(HealthReason::message).contains("2 of 18 NVLink links down");
    }

    @Test
    void thermalRunawayDegradesThenFails() {
        node.inject(FaultSpec.now(6, FaultKind.THERMAL_RUNAWAY, null));
        List<HealthState> seen = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            HealthState state = evaluate().get(6).state();
            if (seen.isEmpty() || seen.get(seen.size() - 1) != state) {
                seen.add(state);
            }
        }
        assertThat(seen).containsExactly(HealthState.HEALTHY, HealthState.DEGRADED, HealthState.FAILED);
    }

    @Test
    void powerBrakeDegrades() {
        node.inject(FaultSpec.now(0, FaultKind.POWER_BRAKE, null));
        GpuHealth gpu0 = evaluate().get(0);
        assertThat(gpu0.state()).isEqualTo(HealthState.DEGRADED);
        assertThat(codes(gpu0)).as("the brake explains the slowdown: no word of temperature")
                .containsExactly("power-brake");
        assertThat(gpu0.reasons().get(0).message()).contains("power").doesNotContain("temperature");
    }

    @ParameterizedTest(name = "recovery action {0} -> {1}, {2}")
    @CsvSource({"0, HEALTHY, NONE", "1, FAILED, RESET_GPU", "2, FAILED, REBOOT_NODE", "3, DEGRADED, RESET_GPU",
            "4, FAILED, RESET_GPU"})
    void theDriversRecoveryActionIsFollowed(int value, HealthState state, RepairAction action) {
        GpuHealth health = evaluateOne(FieldCatalog.GPU_RECOVERY_ACTION.id(), value);
        assertThat(health.state()).isEqualTo(state);
        assertThat(health.action()).isEqualTo(action);
    }

    @ParameterizedTest(name = "{0} C -> {1}")
    @CsvSource({"86, HEALTHY", "87, DEGRADED", "94, DEGRADED", "95, FAILED"})
    void temperatureThresholds(int temperature, HealthState state) {
        assertThat(evaluateOne(FieldCatalog.GPU_TEMP.id(), temperature).state()).isEqualTo(state);
    }

    @ParameterizedTest(name = "{0} page(s) pending retirement -> {1}")
    @CsvSource({"0, HEALTHY, NONE", "1, DEGRADED, RESET_GPU", "3, DEGRADED, RESET_GPU"})
    void pagesWaitingForRetirementAskForAReset(int pages, HealthState state, RepairAction action) {
        GpuHealth health = evaluateOne(FieldCatalog.RETIRED_PENDING.id(), pages);
        assertThat(health.state()).isEqualTo(state);
        assertThat(health.action()).isEqualTo(action);
        if (pages > 0) {
            assertThat(health.reasons()).extracting(HealthReason::code, HealthReason::message).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("retired-pages-pending",
                            pages + " page(s) wait to be retired at the next GPU reset"));
        }
    }

    @ParameterizedTest(name = "clock event reasons {0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "1   | ''",                                // GPU idle: nothing wrong
            "8   | thermal-slowdown",                  // HW slowdown without the brake: heat
            "32  | thermal-slowdown",                  // SW thermal slowdown
            "64  | thermal-slowdown",                  // HW thermal slowdown
            "136 | power-brake",                       // HW slowdown with the brake: the brake explains it
            "160 | thermal-slowdown power-brake"})     // the brake and a thermal reason: both
    void clockSlowdownsNameTheirCause(int reasons, String codes) {
        GpuHealth health = evaluateOne(FieldCatalog.CLOCKS_EVENT_REASONS.id(), reasons);
        assertThat(String.join(" ", codes(health))).isEqualTo(codes);
        assertThat(health.state()).isEqualTo(codes.isEmpty() ? HealthState.HEALTHY : HealthState.DEGRADED);
    }

    @Test
    void aConditionIsDatedFromTheSampleThatFirstShowedIt() {
        NodeSample first = node.sample(FIELDS);
        GpuHealth hot = evaluator.evaluate(node.inventory(), onlyGpu0(first.time(), FieldCatalog.GPU_TEMP.id(), 90),
                List.of()).get(0);
        assertThat(hot.reasons()).singleElement().satisfies(r -> assertThat(r.since()).isEqualTo(first.time()));
        Instant later = first.time().plusSeconds(5);
        GpuHealth stillHot = evaluator.evaluate(node.inventory(), onlyGpu0(later, FieldCatalog.GPU_TEMP.id(), 91),
                List.of()).get(0);
        assertThat(stillHot.reasons()).singleElement().satisfies(r -> assertThat(r.since()).isEqualTo(first.time()));
    }

    /** One GPU whose only value is {@code fieldId = value}. */
    private GpuHealth evaluateOne(int fieldId, double value) {
        NodeSample real = node.sample(FIELDS);
        return evaluator.evaluate(node.inventory(), onlyGpu0(real.time(), fieldId, value), List.<GpuEvent>of()).get(0);
    }

    private static NodeSample onlyGpu0(Instant time, int fieldId, double value) {
        List<EntitySample> entities = new ArrayList<>();
        for (int gpu = 0; gpu < 8; gpu++) {
            EntitySample entity = new EntitySample(gpu, null, FIELDS.size());
            if (gpu == 0) {
                entity.set(FIELDS.slot(FieldCatalog.byId(fieldId).orElseThrow()), value);
            }
            entities.add(entity);
        }
        return new NodeSample(time, entities);
    }
}
