package dev.vigil.alerts.rules;

import dev.vigil.alerts.fixtures.Fleets;
import dev.vigil.alerts.fleet.Fleet;
import dev.vigil.alerts.fleet.FleetGpu;
import dev.vigil.alerts.fleet.FleetNode;
import dev.vigil.alerts.fleet.PendingJob;
import dev.vigil.alerts.fleet.TenantUsage;
import dev.vigil.alerts.fleet.XidSeen;
import dev.vigil.api.binding.InvalidValueException;
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

    @Test
    void eachKindsLimitsAreItsOwnAndTheValueAtEachLimitIsTaken() {
        assertThat(refusal(() -> new Condition.GpuIdle(0.0)).field()).isEqualTo("below");
        assertThat(refusal(() -> new Condition.GpuIdle(100.1)).field()).isEqualTo("below");
        assertThat(new Condition.GpuIdle(100.0).below()).isEqualTo(100.0);
        assertThat(refusal(() -> new Condition.FleetCapacity(0.0)).field()).isEqualTo("freeBelowPercent");
        assertThat(refusal(() -> new Condition.FleetCapacity(100.1)).field()).isEqualTo("freeBelowPercent");
        assertThat(new Condition.FleetCapacity(100.0).freeBelowPercent()).isEqualTo(100.0);
        assertThat(refusal(() -> new Condition.TenantQuota(-0.1)).field()).isEqualTo("abovePercent");
        assertThat(refusal(() -> new Condition.TenantQuota(10_000.1)).field()).isEqualTo("abovePercent");
        assertThat(new Condition.TenantQuota(0.0).abovePercent()).isZero();
        assertThat(new Condition.TenantQuota(10_000.0).abovePercent()).isEqualTo(10_000.0);
        assertThat(refusal(() -> new Condition.JobPending(Duration.ofMillis(999))).field()).isEqualTo("longerThan");
        assertThat(new Condition.JobPending(Duration.ofSeconds(1)).longerThan()).isEqualTo(Duration.ofSeconds(1));
        assertThat(refusal(() -> new Condition.GpuHealth(null, null)).field()).isEqualTo("reasons");
    }

    private static InvalidValueException refusal(Runnable make) {
        try {
            make.run();
        } catch (InvalidValueException e) {
            return e;
        }
        throw new AssertionError("expected a refusal");
    }

    @Test
    void aReadingAtTheThresholdIsNotAboveItAndTheFactsNameTheGpusModelAndJob() {
        FleetNode n1 = gpu(node("n1", 8), 0, g -> readings(g, 85.0, 100.0, 0.0));
        n1 = gpu(n1, 1, g -> allocated(readings(g, 85.5, 100.0, 50.0), "job-7", "vision"));
        assertThat(new Condition.GpuTemperature(85.0).evaluate(fleet(n1), NOW)).singleElement().satisfies(c -> {
            assertThat(c.labels()).containsEntry("gpu", "1");
            assertThat(c.annotations()).containsEntry("model", "NVIDIA H100 80GB HBM3").containsEntry("job", "job-7")
                    .containsEntry("tenant", "vision");
        });
    }

    @Test
    void aHealthReasonsFactsAndValueTellItsMessageSinceAndState() {
        FleetNode n1 = gpu(node("n1", 8), 1, g -> Fleets.reason(g, new HealthReason("ecc-dbe", HealthState.FAILED,
                "2 uncorrectable (double-bit) ECC error(s)", RepairAction.RESET_GPU, null, NOW.plusMillis(300))));
        assertThat(new Condition.GpuHealth(List.of("ecc-dbe"), null).evaluate(fleet(n1), NOW)).singleElement()
                .satisfies(c -> {
                    assertThat(c.annotations()).containsEntry("message", "2 uncorrectable (double-bit) ECC error(s)")
                            .containsEntry("since", "2026-11-22T03:00:00Z")
                            .containsEntry("model", "NVIDIA H100 80GB HBM3");
                    assertThat(c.value()).isEqualTo(HealthState.FAILED.ordinal());
                });
    }

    @Test
    void idleIsBelowTheThresholdNotAtItAndNamesTheThresholdAndModel() {
        FleetNode n1 = gpu(node("n1", 8), 0, g -> allocated(readings(g, 40.0, 90.0, 5.0), "job-1", "nlp"));
        n1 = gpu(n1, 1, g -> allocated(readings(g, 40.0, 90.0, 4.5), "job-1", "nlp"));
        Condition.GpuIdle idle = new Condition.GpuIdle(5.0);
        assertThat(idle.facts()).contains("threshold", "model");
        assertThat(idle.evaluate(fleet(n1), NOW)).singleElement().satisfies(c -> {
            assertThat(c.labels()).containsEntry("gpu", "1");
            assertThat(c.annotations()).containsEntry("threshold", "5").containsEntry("model", "NVIDIA H100 80GB HBM3");
            assertThat(c.value()).isEqualTo(4.5);
        });
    }

    @Test
    void aJobWaitingExactlyTheLimitCountsAndItsFactsSayWhatWhySinceWhen() {
        Fleet fleet = Fleets.fleet(List.of(), List.of(new PendingJob("j1", "train", "nlp", "default",
                NOW.minus(Duration.ofMinutes(90)), "no room")), List.of());
        assertThat(new Condition.JobPending(Duration.ofMinutes(90)).evaluate(fleet, NOW)).singleElement().satisfies(c -> {
            assertThat(c.annotations()).containsEntry("name", "train").containsEntry("since", "2026-11-22T01:30:00Z")
                    .containsEntry("reason", "no room");
            assertThat(c.value()).isEqualTo(5400.0);
        });
    }

    @Test
    void aTenantAtItsQuotaIsNotOverItAndOneWithNoQuotaIsOverItOnlyWhenItHoldsGpus() {
        Fleet fleet = Fleets.fleet(List.of(), List.of(), List.of(new TenantUsage("at", 4, 4),
                new TenantUsage("borrowing", 2, 0), new TenantUsage("idle", 0, 0), new TenantUsage("unknown", 3, -1)));
        assertThat(new Condition.TenantQuota(100.0).evaluate(fleet, NOW)).singleElement().satisfies(c -> {
            assertThat(c.labels()).containsEntry("tenant", "borrowing");
            assertThat(c.value()).isEqualTo(Double.POSITIVE_INFINITY);
        });
    }

    @Test
    void aFreeGpuIsOnAReadyNodeHealthyUncordonedAndUnheldAndCapacityAtTheThresholdIsEnough() {
        FleetNode n1 = gpu(node("n1", 4), 0, g -> xid(g, 79, RepairAction.POWER_CYCLE, NOW));
        n1 = gpu(n1, 1, g -> new FleetGpu(g.index(), g.uuid(), g.model(), g.health(), g.reasons(), g.recentXids(),
                g.temperature(), g.power(), g.utilization(), true, g.allocation()));
        n1 = gpu(n1, 2, g -> allocated(g, "job-1", "nlp"));
        Fleet fleet = fleet(n1, Fleets.state(node("n2", 4), NodeState.UNKNOWN));
        assertThat(new Condition.FleetCapacity(12.5).evaluate(fleet, NOW)).as("1 of 8 free is 12.5 %").isEmpty();
        assertThat(new Condition.FleetCapacity(13.0).evaluate(fleet, NOW)).singleElement().satisfies(c -> {
            assertThat(c.annotations()).containsEntry("free", "1").containsEntry("total", "8");
            assertThat(c.value()).isEqualTo(12.5);
        });
    }

    @Test
    void whenOfAConditionHoldsExactlyThatCondition() {
        List<Condition> kinds = List.of(new Condition.Xid(null, null, null), new Condition.GpuHealth(List.of("x"), null),
                new Condition.GpuTemperature(85.0), new Condition.GpuPower(700.0), new Condition.NodeUnreachable(),
                new Condition.GpuIdle(5.0), new Condition.JobPending(Duration.ofHours(1)),
                new Condition.TenantQuota(null), new Condition.FleetCapacity(10.0));
        for (Condition condition : kinds) {
            assertThat(When.of(condition).condition()).isSameAs(condition);
        }
    }

    @Test
    void powerIsInWattsBelow10000AndAnUnreachableNodeSaysHowLongItHasBeenSilent() {
        assertThat(refusal(() -> new Condition.GpuPower(0.0)).field()).isEqualTo("above");
        assertThat(refusal(() -> new Condition.GpuPower(10_000.0)).field()).isEqualTo("above");
        assertThat(new Condition.GpuPower(9_999.0).above()).isEqualTo(9_999.0);
        FleetNode silent = new FleetNode("n1", NodeState.UNKNOWN, NOW.minusSeconds(90), node("n1", 2).gpus());
        FleetNode never = new FleetNode("n2", NodeState.UNKNOWN, null, node("n2", 2).gpus());
        assertThat(new Condition.NodeUnreachable().evaluate(fleet(silent, never), NOW)).satisfiesExactly(
                c -> {
                    assertThat(c.value()).isEqualTo(90.0);
                    assertThat(c.annotations()).containsEntry("last_report", "2026-11-22T02:58:30Z")
                            .containsEntry("gpus", "2");
                },
                c -> {
                    assertThat(c.value()).isZero();
                    assertThat(c.annotations()).doesNotContainKey("last_report");
                });
    }

    @Test
    void aRulesOwnLabelsAreAmongItsFindingsLabels() {
        Rule rule = new Rule("Hot", When.of(new Condition.GpuPower(500.0)), null, null, null, Map.of("team", "ml"),
                Map.of("summary", "${team} ${node}"), null);
        FleetNode n1 = gpu(node("n1", 1), 0, g -> readings(g, 40.0, 600.0, 0.0));
        assertThat(new RuleSet(List.of(rule)).evaluate(fleet(n1), NOW).get("Hot")).singleElement().satisfies(f -> {
            assertThat(f.labels()).containsEntry("team", "ml").containsEntry("alertname", "Hot");
            assertThat(f.annotations()).containsEntry("summary", "ml n1");
        });
    }

    @Test
    void anXidOnAHeldGpuNamesItsModelJobAndTenant() {
        FleetNode n1 = gpu(node("n1", 8), 3, g -> allocated(xid(g, 79, RepairAction.POWER_CYCLE, NOW), "job-9", "nlp"));
        assertThat(new Condition.Xid(List.of(79), null, null).evaluate(fleet(n1), NOW)).singleElement()
                .satisfies(c -> assertThat(c.annotations()).containsEntry("model", "NVIDIA H100 80GB HBM3")
                        .containsEntry("job", "job-9").containsEntry("tenant", "nlp"));
    }

    @Test
    void temperatureIsInDegreesAbove0AndBelow150() {
        assertThat(refusal(() -> new Condition.GpuTemperature(0.0)).field()).isEqualTo("above");
        assertThat(refusal(() -> new Condition.GpuTemperature(150.0)).field()).isEqualTo("above");
        assertThat(new Condition.GpuTemperature(0.5).above()).isEqualTo(0.5);
        assertThat(new Condition.GpuTemperature(149.0).above()).isEqualTo(149.0);
    }

    @Test
    void heldGpusAreNotFreeCapacity() {
        FleetNode n1 = node("n1", 4);
        for (int i = 0; i < 3; i++) {
            n1 = gpu(n1, i, g -> allocated(g, "job-1", "nlp"));
        }
        assertThat(new Condition.FleetCapacity(30.0).evaluate(fleet(n1), NOW)).as("1 of 4 free, 3 held")
                .singleElement().satisfies(c -> assertThat(c.annotations()).containsEntry("free", "1"));
    }
}
