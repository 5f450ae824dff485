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
}
