package dev.vigil.scheduler;

import dev.vigil.api.jobs.JobState;
import dev.vigil.api.jobs.WaitReason;
import dev.vigil.api.jobs.WhyPending;
import dev.vigil.scheduler.policy.SchedulerPolicy;
import dev.vigil.scheduler.policy.Tenant;
import dev.vigil.scheduler.topology.Fabric;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static dev.vigil.scheduler.Clusters.H100;
import static dev.vigil.scheduler.Clusters.hgx;
import static org.assertj.core.api.Assertions.assertThat;

/** What {@code vigil why} says of a job: its priority and tenant, what it holds or waits for, and its place in line. */
class WhyTest {
    private static final Instant T0 = Instant.parse("2026-11-22T08:00:00Z");

    private static Scheduler oneNode(SchedulerPolicy policy) {
        Scheduler scheduler = new Scheduler(policy, Fabric.none());
        scheduler.upsertNode(hgx("n0", H100));
        return scheduler;
    }

    @Test
    void aJobThatHoldsGpusSaysWhichAndHasNoQueuePosition() {
        Scheduler scheduler = oneNode(SchedulerPolicy.defaults());
        scheduler.submit("a", Jobs.training(8).priority("high").spec(), T0);
        scheduler.submit("waits", Jobs.training(8).spec(), T0);
        scheduler.schedule(T0);

        WhyPending why = scheduler.why("a").orElseThrow();

        assertThat(why.state()).isEqualTo(JobState.PLACED);
        assertThat(why.reason()).isEqualTo(WaitReason.NONE);
        assertThat(why.summary()).isEqualTo("placed on 1 node under default");
        assertThat(why.position()).isNull();
        assertThat(why.queued()).isEqualTo(1);
        assertThat(why.details()).containsExactly(
                "priority 1000 (class high); tenant default: fair-share factor 1.000, 0.0 GPU-hours of recent use, "
                        + "1.0 share",
                "holds n0 GPUs [0, 1, 2, 3, 4, 5, 6, 7]");
    }

    @Test
    void aServiceOfMigSlicesSaysWhichInstanceEachReplicaHolds() {
        Scheduler scheduler = new Scheduler(SchedulerPolicy.defaults(), Fabric.none());
        scheduler.upsertNode(Clusters.migHgx("mig", 1));
        scheduler.submit("svc", Jobs.slices(2, "1g.10gb").spec(), T0);
        scheduler.schedule(T0);

        assertThat(scheduler.why("svc").orElseThrow().details()).containsSubsequence(
                "holds mig GPUs [0] MIG instance [7]", "holds mig GPUs [0] MIG instance [8]");
        assertThat(scheduler.job("svc").orElseThrow().reason()).isEqualTo("2 of 2 replicas placed");
    }

    @Test
    void aJobNamingNoClassShowsItsPriorityAloneAndATenantsSharesCountInGoodGrammar() {
        Tenant heavy = new Tenant("heavy", 2.0, null, null, null);
        Tenant light = new Tenant("light", null, null, null, null);
        Scheduler scheduler = oneNode(new SchedulerPolicy(null, null, null, null, null, null, List.of(heavy, light)));
        scheduler.submit("h", Jobs.training(8).tenant("heavy").spec(), T0);
        scheduler.submit("l", Jobs.training(8).tenant("light").spec(), T0);

        assertThat(scheduler.why("h").orElseThrow().details().get(0)).isEqualTo(
                "priority 500 (class normal); tenant heavy: fair-share factor 1.000, 0.0 GPU-hours of recent use, 2.0 shares");
        assertThat(scheduler.why("l").orElseThrow().details().get(0)).endsWith(", 1.0 share");
    }

    @Test
    void aJobOverQuotaSaysWhichQuotaAndOnlyThen() {
        Tenant capped = new Tenant("capped", null, null, Map.of("H100", 4), null);
        Scheduler scheduler = oneNode(new SchedulerPolicy(null, null, null, null, null, null, List.of(capped)));
        scheduler.submit("big", Jobs.training(8).tenant("capped").spec(), T0);
        scheduler.submit("small", Jobs.training(4).tenant("capped").spec(), T0);
        scheduler.schedule(T0);

        WhyPending big = scheduler.why("big").orElseThrow();
        assertThat(big.reason()).isEqualTo(WaitReason.QUOTA);
        assertThat(big.details()).contains("quota: tenant capped holds 4 of its 4 H100 GPUs and the job needs 8 "
                + "(no cohort to borrow from)");
        scheduler.submit("gang", Jobs.gang(2, 4).tenant("capped").spec(), T0);
        assertThat(scheduler.why("gang").orElseThrow().details()).contains("quota: tenant capped holds 4 of its 4 "
                + "H100 GPUs and the job needs 8 (no cohort to borrow from)");

        scheduler.submit("fits-quota", Jobs.training(4).tenant("capped").spec(), T0);
        scheduler.finished("small", true, "done", T0);
        assertThat(scheduler.why("fits-quota").orElseThrow().details()).noneMatch(d -> d.startsWith("quota:"));
    }

    @Test
    void aJobThatCanNeverFitSaysWhyAmongItsDetails() {
        Scheduler scheduler = oneNode(SchedulerPolicy.defaults());
        scheduler.submit("gang", Jobs.gang(2, 8).spec(), T0);
        scheduler.submit("fits", Jobs.training(8).spec(), T0);

        assertThat(scheduler.why("gang").orElseThrow().details()).contains(
                "needs 2 nodes × 8 GPUs of " + H100 + "; the largest leaf switch has 1 such node");
        assertThat(scheduler.why("fits").orElseThrow().details()).noneMatch(d -> d.startsWith("needs "));
    }

    @Test
    void aJobThatFitsButWaitsForRoomSaysWhyEachNodeDoesNotTakeItNow() {
        Scheduler scheduler = oneNode(SchedulerPolicy.defaults());
        scheduler.submit("blocker", Jobs.training(8).spec(), T0);
        scheduler.schedule(T0);
        scheduler.submit("waits", Jobs.training(4).spec(), T0);
        scheduler.submit("never", Jobs.gang(2, 8).spec(), T0);

        assertThat(scheduler.why("waits").orElseThrow().details())
                .contains("not now: 1 of 1 node: n0: 0 of 8 GPUs free, needs 4");
        assertThat(scheduler.why("never").orElseThrow().details()).as("no node could ever take it, busy or not")
                .noneMatch(d -> d.startsWith("not now: "));
    }

    @Test
    void aJobKeptOffAReservationHearsWhoseItIsAndTheGangHoldingItOrAJobEndingBeforeItDoesNot() {
        Scheduler scheduler = new Scheduler(SchedulerPolicy.defaults(), Fabric.uniform(1, 3, "n"));
        for (int i = 0; i < 3; i++) {
            scheduler.upsertNode(hgx("n" + i, H100));
        }
        scheduler.submit("running", Jobs.gang(2, 8).limit(Duration.ofHours(2)).spec(), T0);
        scheduler.schedule(T0);
        scheduler.submit("head", Jobs.gang(3, 8).spec(), T0.plusSeconds(1));
        scheduler.submit("long", Jobs.training(8).limit(Duration.ofHours(5)).spec(), T0.plusSeconds(2));
        // Ends before the reservation starts, so it may use the reserved node; it waits for a second one.
        scheduler.submit("short", Jobs.gang(2, 8).limit(Duration.ofHours(1)).spec(), T0.plusSeconds(3));
        scheduler.schedule(T0.plusSeconds(10));

        assertThat(scheduler.why("long").orElseThrow().details()).contains("not now: 3 of 3 nodes: "
                + "n2: reserved for job head; n0: 0 of 8 GPUs free, needs 8; n1: 0 of 8 GPUs free, needs 8");
        assertThat(List.of("head", "short")).allSatisfy(id -> assertThat(scheduler.why(id).orElseThrow().details())
                .contains("not now: 2 of 3 nodes: n0: 0 of 8 GPUs free, needs 8; n1: 0 of 8 GPUs free, needs 8"));
    }

    @Test
    void theQueuePositionCountsTheJobsAheadOfItByPriority() {
        Scheduler scheduler = oneNode(SchedulerPolicy.defaults());
        scheduler.submit("blocker", Jobs.training(8).spec(), T0);
        scheduler.schedule(T0);
        scheduler.submit("normal-early", Jobs.training(8).spec(), T0.plusSeconds(1));
        scheduler.submit("high-1", Jobs.training(8).priority("high").spec(), T0.plusSeconds(2));
        scheduler.submit("high-2", Jobs.training(8).priority("high").spec(), T0.plusSeconds(3));
        scheduler.submit("me", Jobs.training(8).spec(), T0.plusSeconds(4));
        scheduler.submit("low", Jobs.training(8).priority("low").spec(), T0.plusSeconds(5));

        WhyPending why = scheduler.why("me").orElseThrow();

        assertThat(why.position()).isEqualTo(4);
        assertThat(why.queued()).isEqualTo(5);
        assertThat(why.details()).last().isEqualTo("4 of 5 in the queue; 2 ahead of it by priority");
        assertThat(scheduler.why("high-1").orElseThrow().details()).last()
                .isEqualTo("1 of 5 in the queue; 0 ahead of it by priority");
        assertThat(scheduler.why("low").orElseThrow().details()).last()
                .isEqualTo("5 of 5 in the queue; 4 ahead of it by priority");
    }

    @Test
    void aJobAtTheLastPositionACycleExaminesGivesItsOwnReason() {
        Scheduler scheduler = oneNode(new SchedulerPolicy(2, null, null, null, null, null, null));
        scheduler.submit("first", Jobs.gang(2, 8).spec(), T0);
        scheduler.submit("second", Jobs.gang(3, 8).spec(), T0.plusSeconds(1));
        scheduler.submit("third", Jobs.gang(4, 8).spec(), T0.plusSeconds(2));
        scheduler.schedule(T0);

        WhyPending second = scheduler.why("second").orElseThrow();
        assertThat(second.reason()).isEqualTo(WaitReason.TOPOLOGY);
        assertThat(second.position()).isEqualTo(2);
        WhyPending third = scheduler.why("third").orElseThrow();
        assertThat(third.reason()).isEqualTo(WaitReason.QUEUE_DEPTH);
        assertThat(third.summary()).isEqualTo("position 3 in the queue; a cycle examines the first 2");
        assertThat(third.queued()).isEqualTo(3);
    }
}
