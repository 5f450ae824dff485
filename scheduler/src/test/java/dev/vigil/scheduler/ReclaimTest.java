package dev.vigil.scheduler;

import dev.vigil.api.jobs.JobState;
import dev.vigil.api.jobs.WaitReason;
import dev.vigil.scheduler.policy.SchedulerPolicy;
import dev.vigil.scheduler.policy.Tenant;
import dev.vigil.scheduler.topology.Fabric;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static dev.vigil.scheduler.Clusters.H100;
import static dev.vigil.scheduler.Clusters.hgx;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kueue's reclaim within a cohort, worked out by hand: research and vision each have 8 H100 of nominal quota in
 * cohort lab, on two 8-GPU nodes. Vision borrows research's 8 while research is idle; when research asks for its
 * own 8, vision's borrowed job is evicted and requeued, research's starts.
 */
class ReclaimTest {
    private static final Instant T0 = Instant.parse("2026-12-07T08:00:00Z");

    private static Scheduler lab(boolean preemption) {
        Tenant research = new Tenant("research", null, "lab", Map.of("H100", 8), null);
        Tenant vision = new Tenant("vision", null, "lab", Map.of("H100", 8), null);
        Scheduler scheduler = new Scheduler(new SchedulerPolicy(null, null, preemption, null, null, null,
                List.of(research, vision)), Fabric.none());
        scheduler.upsertNode(hgx("n0", H100));
        scheduler.upsertNode(hgx("n1", H100));
        return scheduler;
    }

    /** Vision runs "own" within its quota, then "borrowed" on research's quota. */
    private static Scheduler visionBorrows(boolean preemption) {
        Scheduler scheduler = lab(preemption);
        scheduler.submit("own", Jobs.training(8).tenant("vision").spec(), T0);
        scheduler.schedule(T0);
        scheduler.submit("borrowed", Jobs.training(8).tenant("vision").spec(), T0.plusSeconds(10));
        scheduler.schedule(T0.plusSeconds(10));
        assertThat(scheduler.job("borrowed").orElseThrow().state()).isEqualTo(JobState.PLACED);
        return scheduler;
    }

    @Test
    void aLenderAskingForItsOwnQuotaGetsItBackFromTheBorrowersLatestJob() {
        Scheduler scheduler = visionBorrows(true);
        scheduler.submit("mine", Jobs.training(8).tenant("research").spec(), T0.plusSeconds(20));
        Cycle cycle = scheduler.schedule(T0.plusSeconds(20));

        assertThat(cycle.decisions()).filteredOn(d -> d instanceof Decision.Stop).singleElement()
                .satisfies(d -> {
                    Decision.Stop stop = (Decision.Stop) d;
                    assertThat(stop.job()).isEqualTo("borrowed");
                    assertThat(stop.reason()).isEqualTo("reclaimed: tenant research needs its own H100 quota back "
                            + "for job mine (tenant vision borrowed it in cohort lab)");
                });
        assertThat(cycle.decisions()).filteredOn(d -> d instanceof Decision.Start)
                .extracting(d -> ((Decision.Start) d).job()).containsExactly("mine");
        assertThat(scheduler.job("mine").orElseThrow().state()).isEqualTo(JobState.PLACED);
        assertThat(scheduler.job("own").orElseThrow().state()).as("within its own quota").isEqualTo(JobState.PLACED);
        assertThat(scheduler.job("borrowed").orElseThrow().state()).as("requeued").isEqualTo(JobState.PENDING);
        assertThat(scheduler.schedule(T0.plusSeconds(21)).decisions()).as("research keeps its own").isEmpty();
        assertThat(scheduler.job("borrowed").orElseThrow().waiting()).isEqualTo(WaitReason.QUOTA);
    }

    @Test
    void aJobBeyondItsTenantsNominalQuotaReclaimsNothing() {
        Scheduler scheduler = visionBorrows(true);
        scheduler.submit("greedy", Jobs.gang(2, 8).tenant("research").spec(), T0.plusSeconds(20));
        Cycle cycle = scheduler.schedule(T0.plusSeconds(20));

        assertThat(cycle.decisions()).isEmpty();
        assertThat(scheduler.job("greedy").orElseThrow().waiting()).isEqualTo(WaitReason.QUOTA);
    }

    @Test
    void aTenantWithinItsOwnQuotaIsNotEvictedAndPreemptionOffReclaimsNothing() {
        Tenant research = new Tenant("research", null, "lab", Map.of("H100", 16), null);
        Tenant vision = new Tenant("vision", null, "lab", Map.of("H100", 8), null);
        Scheduler scheduler = new Scheduler(new SchedulerPolicy(null, null, true, null, null, null,
                List.of(research, vision)), Fabric.none());
        scheduler.upsertNode(hgx("n0", H100));
        scheduler.upsertNode(hgx("n1", H100));
        scheduler.submit("own", Jobs.training(8).tenant("vision").spec(), T0);
        scheduler.submit("research-a", Jobs.training(8).tenant("research").spec(), T0);
        scheduler.schedule(T0);
        scheduler.submit("research-b", Jobs.training(8).tenant("research").spec(), T0.plusSeconds(5));
        assertThat(scheduler.schedule(T0.plusSeconds(5)).decisions()).as("vision borrows nothing").isEmpty();
        assertThat(scheduler.job("own").orElseThrow().state()).isEqualTo(JobState.PLACED);

        Scheduler off = visionBorrows(false);
        off.submit("mine", Jobs.training(8).tenant("research").spec(), T0.plusSeconds(20));
        assertThat(off.schedule(T0.plusSeconds(20)).decisions()).isEmpty();
        assertThat(off.job("borrowed").orElseThrow().state()).isEqualTo(JobState.PLACED);
    }

    /** research, vision and idle in cohort lab; free in none (unlimited); one 8-GPU node each. */
    private static Scheduler withOutsider(int researchQuota, int visionQuota, int idleQuota, int nodes) {
        return withOutsider(researchQuota, visionQuota, idleQuota, nodes, true);
    }

    private static Scheduler withOutsider(int researchQuota, int visionQuota, int idleQuota, int nodes,
                                          boolean backfill) {
        Tenant research = new Tenant("research", null, "lab", Map.of("H100", researchQuota), null);
        Tenant vision = new Tenant("vision", null, "lab", Map.of("H100", visionQuota), null);
        Tenant idle = new Tenant("idle", null, "lab", Map.of("H100", idleQuota), null);
        Tenant free = new Tenant("free", null, null, Map.of("H100", 64), null);
        Scheduler scheduler = new Scheduler(new SchedulerPolicy(null, backfill, true, null, null, null,
                List.of(research, vision, idle, free)), Fabric.none());
        for (int i = 0; i < nodes; i++) {
            scheduler.upsertNode(hgx("n" + i, H100));
        }
        return scheduler;
    }

    @Test
    void onlyWhatTheJobNeedsIsReclaimedTheLatestBorrowedJobFirst() {
        Scheduler scheduler = withOutsider(12, 4, 0, 2);
        scheduler.submit("b1", Jobs.training(8).tenant("vision").spec(), T0);
        scheduler.schedule(T0);
        scheduler.submit("b2", Jobs.training(8).tenant("vision").spec(), T0.plusSeconds(10));
        scheduler.schedule(T0.plusSeconds(10));
        scheduler.submit("mine", Jobs.training(8).tenant("research").spec(), T0.plusSeconds(20));

        assertThat(scheduler.schedule(T0.plusSeconds(20)).decisions()).filteredOn(d -> d instanceof Decision.Stop)
                .extracting(d -> ((Decision.Stop) d).job()).containsExactly("b2");
        assertThat(scheduler.job("b1").orElseThrow().state()).as("still borrowing, but not needed")
                .isEqualTo(JobState.PLACED);
        assertThat(scheduler.job("mine").orElseThrow().reason()).doesNotContain("reserved");
    }

    @Test
    void whenEvictingTheBorrowersCannotMakeRoomNothingIsEvictedAndTheyKeepTheirGpus() {
        // Without backfill: a reservation for the gang would hold vision's node whatever the attempt left behind.
        Scheduler scheduler = withOutsider(16, 4, 0, 2, false);
        scheduler.submit("outsider", Jobs.training(8).tenant("free").spec(), T0);
        scheduler.submit("borrowed", Jobs.training(8).tenant("vision").spec(), T0);
        scheduler.schedule(T0);
        scheduler.submit("gang", Jobs.gang(2, 8).tenant("research").spec(), T0.plusSeconds(10));

        assertThat(scheduler.schedule(T0.plusSeconds(10)).decisions()).as("vision's node alone is not enough")
                .isEmpty();
        assertThat(scheduler.job("borrowed").orElseThrow().state()).isEqualTo(JobState.PLACED);
        scheduler.submit("late", Jobs.training(8).tenant("free").spec(), T0.plusSeconds(15));
        assertThat(scheduler.schedule(T0.plusSeconds(15)).decisions()).as("no GPU was left free by the attempt")
                .isEmpty();
    }

    @Test
    void aJobBeyondItsOwnQuotaThatTheCohortCouldLendEvictsNobodyAndWaitsForRoom() {
        Scheduler scheduler = withOutsider(4, 4, 8, 2);
        scheduler.submit("outsider", Jobs.training(8).tenant("free").spec(), T0);
        scheduler.submit("borrowed", Jobs.training(8).tenant("vision").spec(), T0);
        scheduler.schedule(T0);
        scheduler.submit("more", Jobs.training(8).tenant("research").spec(), T0.plusSeconds(10));

        assertThat(scheduler.schedule(T0.plusSeconds(10)).decisions()).as("research would borrow, not reclaim")
                .isEmpty();
        assertThat(scheduler.job("more").orElseThrow().waiting()).isEqualTo(WaitReason.ROOM);
        assertThat(scheduler.job("borrowed").orElseThrow().state()).isEqualTo(JobState.PLACED);
    }

    @Test
    void aGangIsWithinItsQuotaOnlyWhenAllItsGpusAre() {
        Scheduler scheduler = withOutsider(8, 4, 16, 3);
        scheduler.submit("outsider", Jobs.training(8).tenant("free").spec(), T0);
        scheduler.submit("borrowed", Jobs.training(8).tenant("vision").spec(), T0);
        scheduler.schedule(T0);
        scheduler.submit("gang", Jobs.gang(2, 8).tenant("research").spec(), T0.plusSeconds(10));

        assertThat(scheduler.schedule(T0.plusSeconds(10)).decisions()).as("16 GPUs are beyond research's own 8")
                .isEmpty();
        assertThat(scheduler.job("borrowed").orElseThrow().state()).isEqualTo(JobState.PLACED);
    }
}
