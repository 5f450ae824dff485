package dev.vigil.alerts.rules;

import dev.vigil.alerts.fixtures.Fleets;
import dev.vigil.alerts.fleet.Fleet;
import dev.vigil.alerts.fleet.FleetGpu;
import dev.vigil.alerts.fleet.FleetNode;
import dev.vigil.alerts.fleet.PendingJob;
import dev.vigil.alerts.fleet.TenantUsage;
import dev.vigil.alerts.fleet.XidSeen;
import dev.vigil.api.cluster.NodeState;
import dev.vigil.api.gpu.HealthReason;
import dev.vigil.api.gpu.HealthState;
import dev.vigil.api.gpu.RepairAction;
import dev.vigil.api.gpu.Severity;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static dev.vigil.alerts.fixtures.Fleets.allocated;
import static dev.vigil.alerts.fixtures.Fleets.fleet;
import static dev.vigil.alerts.fixtures.Fleets.gpu;
import static dev.vigil.alerts.fixtures.Fleets.node;
import static dev.vigil.alerts.fixtures.Fleets.readings;
import static dev.vigil.alerts.fixtures.Fleets.xid;
import static org.assertj.core.api.Assertions.assertThat;

class ConditionTest {
    private static final Instant NOW = Instant.parse("2026-11-22T03:00:00Z");

    @Test
    void xidPicksByCatalogClassAndCodeAndLabelsTheGpuAndTheXid() {
        FleetNode n1 = gpu(node("n1", 8), 3, g -> xid(g, 79, RepairAction.POWER_CYCLE, NOW));
        n1 = gpu(n1, 5, g -> xid(g, 74, RepairAction.CHECK_NVLINK, NOW));
        Fleet fleet = fleet(n1, node("n2", 8));
        List<Candidate> fatal = new Condition.Xid(null, List.of(RepairAction.POWER_CYCLE, RepairAction.RESET_GPU), null)
                .evaluate(fleet, NOW);
        assertThat(fatal).singleElement().satisfies(c -> {
            assertThat(c.labels()).isEqualTo(Map.of("node", "n1", "gpu", "3", "uuid", "GPU-n1-3", "xid", "79"));
            assertThat(c.annotations()).containsEntry("action", "power-cycle").containsEntry("message", "XID 79 seen");
            assertThat(c.value()).isEqualTo(79);
        });
        assertThat(new Condition.Xid(List.of(74), null, null).evaluate(fleet, NOW))
                .extracting(c -> c.labels().get("gpu")).containsExactly("5");
        assertThat(new Condition.Xid(null, null, null).evaluate(fleet, NOW)).hasSize(2);
    }

    @Test
    void aTimeAmongTheFactsIsToTheSecondNotTheNanosecond() {
        Instant precise = Instant.parse("2026-11-22T02:59:58.123456789Z");
        Fleet fleet = fleet(gpu(node("n1", 8), 3, g -> xid(g, 79, RepairAction.POWER_CYCLE, precise)));
        assertThat(new Condition.Xid(List.of(79), null, null).evaluate(fleet, NOW)).singleElement()
                .satisfies(c -> assertThat(c.annotations()).containsEntry("since", "2026-11-22T02:59:58Z"));
    }

    @Test
    void anXidThatLeavesTheGpuHealthyCountsWithinItsWindowOnly() {
        FleetNode n1 = gpu(node("n1", 8), 2, g -> new FleetGpu(g.index(), g.uuid(), g.model(),
                g.health(), g.reasons(), List.of(new XidSeen(13, RepairAction.RESTART_APP, Severity.WARNING,
                "graphics engine exception", NOW.minus(Duration.ofMinutes(4)))), g.temperature(), g.power(),
                g.utilization(), false, null));
        Condition.Xid app = new Condition.Xid(null, List.of(RepairAction.RESTART_APP), Duration.ofMinutes(5));
        assertThat(app.evaluate(fleet(n1), NOW)).hasSize(1);
        assertThat(app.evaluate(fleet(n1), NOW.plus(Duration.ofMinutes(2)))).isEmpty();
    }

    @Test
    void gpuHealthMatchesReasonCodesAndStates() {
        FleetNode n1 = gpu(node("n1", 8), 1, g -> Fleets.reason(g, new HealthReason("ecc-dbe", HealthState.FAILED,
                "2 uncorrectable (double-bit) ECC error(s)", RepairAction.RESET_GPU, null, NOW)));
        n1 = gpu(n1, 2, g -> Fleets.reason(g, new HealthReason("nvlink-down", HealthState.DEGRADED,
                "2 of 18 NVLink links down", RepairAction.CHECK_NVLINK, null, NOW)));
        assertThat(new Condition.GpuHealth(List.of("ecc-dbe", "row-remap-failure"), null).evaluate(fleet(n1), NOW))
                .singleElement().satisfies(c -> {
                    assertThat(c.labels()).containsEntry("reason", "ecc-dbe").containsEntry("gpu", "1");
                    assertThat(c.annotations()).containsEntry("state", "failed").containsEntry("action", "reset-gpu");
                });
        assertThat(new Condition.GpuHealth(null, List.of(HealthState.DEGRADED)).evaluate(fleet(n1), NOW))
                .extracting(c -> c.labels().get("reason")).containsExactly("nvlink-down");
    }

    @Test
    void thresholdsLookAtReadingsAndSkipUnreachableNodesAndMissingReadings() {
        FleetNode n1 = gpu(node("n1", 8), 0, g -> readings(g, 91.5, 720.0, null));
        n1 = gpu(n1, 1, g -> readings(g, null, null, null));
        FleetNode down = Fleets.state(gpu(node("n2", 8), 0, g -> readings(g, 99.0, 800.0, 0.0)), NodeState.UNKNOWN);
        List<Candidate> hot = new Condition.GpuTemperature(85.0).evaluate(fleet(n1, down), NOW);
        assertThat(hot).singleElement().satisfies(c -> {
            assertThat(c.labels()).containsEntry("node", "n1").containsEntry("gpu", "0");
            assertThat(c.value()).isEqualTo(91.5);
            assertThat(c.annotations()).containsEntry("threshold", "85");
        });
        assertThat(new Condition.GpuPower(700.0).evaluate(fleet(n1, down), NOW)).hasSize(1);
    }

    @Test
    void idleOnlyCountsAllocatedGpusAndLabelsTheJob() {
        FleetNode n1 = gpu(node("n1", 8), 4, g -> allocated(readings(g, 40.0, 90.0, 1.0), "job-7", "vision"));
        n1 = gpu(n1, 5, g -> allocated(readings(g, 70.0, 600.0, 97.0), "job-7", "vision"));
        assertThat(new Condition.GpuIdle(5.0).evaluate(fleet(n1), NOW)).singleElement().satisfies(c ->
                assertThat(c.labels()).containsEntry("job", "job-7").containsEntry("tenant", "vision")
                        .containsEntry("gpu", "4"));
    }

    @Test
    void nodeUnreachableJobPendingTenantQuotaAndFleetCapacity() {
        FleetNode down = Fleets.state(node("n2", 8), NodeState.UNKNOWN);
        FleetNode busy = node("n1", 8);
        for (int i = 0; i < 8; i++) {
            busy = gpu(busy, i, g -> allocated(g, "big", "nlp"));
        }
        Fleet fleet = Fleets.fleet(List.of(busy, down, node("n3", 8)),
                List.of(new PendingJob("j1", "train", "nlp", "default", NOW.minus(Duration.ofHours(3)), "no room"),
                        new PendingJob("j2", "eval", "nlp", "default", NOW.minus(Duration.ofMinutes(5)), "no room")),
                List.of(new TenantUsage("nlp", 8, 4), new TenantUsage("vision", 0, 8), new TenantUsage("free", 2, null)));
        assertThat(new Condition.NodeUnreachable().evaluate(fleet, NOW)).extracting(c -> c.labels().get("node"))
                .containsExactly("n2");
        assertThat(new Condition.JobPending(Duration.ofHours(2)).evaluate(fleet, NOW)).singleElement()
                .satisfies(c -> {
                    assertThat(c.labels()).isEqualTo(Map.of("job", "j1", "tenant", "nlp", "queue", "default"));
                    assertThat(c.annotations()).containsEntry("waiting", "3h");
                });
        assertThat(new Condition.TenantQuota(null).evaluate(fleet, NOW)).singleElement().satisfies(c -> {
            assertThat(c.labels()).isEqualTo(Map.of("tenant", "nlp"));
            assertThat(c.value()).isEqualTo(200.0);
        });
        // 8 of 24 GPUs are free (n3): 33 %.
        assertThat(new Condition.FleetCapacity(40.0).evaluate(fleet, NOW)).singleElement()
                .satisfies(c -> assertThat(c.annotations()).containsEntry("free", "8").containsEntry("total", "24"));
        assertThat(new Condition.FleetCapacity(30.0).evaluate(fleet, NOW)).isEmpty();
    }
}
