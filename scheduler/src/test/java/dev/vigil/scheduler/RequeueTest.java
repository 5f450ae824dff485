package dev.vigil.scheduler;

import dev.vigil.api.jobs.JobRecord;
import dev.vigil.api.jobs.JobState;
import dev.vigil.api.jobs.JobTransition;
import dev.vigil.api.jobs.Placement;
import dev.vigil.api.jobs.WaitReason;
import dev.vigil.scheduler.policy.SchedulerPolicy;
import dev.vigil.scheduler.topology.Fabric;
import dev.vigil.scheduler.topology.NodeCapacity;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static dev.vigil.scheduler.Clusters.H100;
import static dev.vigil.scheduler.Clusters.hgx;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** Evictions, lost nodes and lost replicas: who is stopped, what is requeued, what each says and reports. */
class RequeueTest {
    private static final Instant T0 = Instant.parse("2026-11-22T08:00:00Z");

    private static Scheduler nodes(int count) {
        Scheduler scheduler = new Scheduler(SchedulerPolicy.defaults(), Fabric.none());
        for (int i = 0; i < count; i++) {
            scheduler.upsertNode(hgx("n" + i, H100));
        }
        return scheduler;
    }

    private static List<Decision.Start> starts(Cycle cycle) {
        return cycle.decisions().stream().filter(d -> d instanceof Decision.Start).map(d -> (Decision.Start) d).toList();
    }

    private static List<String> stopped(Cycle cycle) {
        return cycle.decisions().stream().filter(d -> d instanceof Decision.Stop).map(Decision::job).toList();
    }

    private static List<Integer> gpus(Scheduler scheduler, String job) {
        return scheduler.job(job).orElseThrow().placements().get(0).gpus();
    }

    @Test
    void anEvictedJobIsReportedQueuedOnceAndLeavesTheQueueWhenItStartsAgain() {
        Scheduler scheduler = nodes(1);
        scheduler.submit("victim", Jobs.training(8).priority("low").preemptible().spec(), T0);
        scheduler.schedule(T0);
        scheduler.takeChanged();
        scheduler.submit("urgent", Jobs.training(8).priority("high").spec(), T0.plusSeconds(1));

        Cycle cycle = scheduler.schedule(T0.plusSeconds(1));

        assertThat(stopped(cycle)).containsExactly("victim");
        assertThat(cycle.decisions().get(0)).isInstanceOf(Decision.Stop.class);
        assertThat(cycle.placed()).isEqualTo(1);
        assertThat(scheduler.takeChanged()).extracting(JobRecord::id, JobRecord::state)
                .contains(tuple("victim", JobState.PENDING));
        assertThat(scheduler.queued()).isEqualTo(1);
        assertThat(scheduler.job("victim").orElseThrow().waiting()).isEqualTo(WaitReason.NONE);
        assertThat(scheduler.job("urgent").orElseThrow().reason()).isEqualTo("placed on 1 node under default");

        scheduler.finished("urgent", true, "exit 0", T0.plusSeconds(2));
        assertThat(starts(scheduler.schedule(T0.plusSeconds(2)))).singleElement()
                .satisfies(s -> assertThat(s.attempt()).isEqualTo(2));
        assertThat(scheduler.queued()).isZero();
        assertThat(scheduler.schedule(T0.plusSeconds(3)).queued()).isZero();
        assertThat(scheduler.queued()).isZero();
    }

    @Test
    void onlyTheVictimsWhoseGpusThePreemptorTakesAreEvicted() {
        // Backfill off: planning a reservation re-allocates every job it releases, hiding GPUs lost from the books.
        Scheduler scheduler = new Scheduler(new SchedulerPolicy(null, false, null, null, null, null, null),
                Fabric.none());
        scheduler.upsertNode(hgx("n0", H100));
        // Arrange: "normal" on GPUs 0-3, "low" on 6-7, 4-5 free.
        scheduler.submit("f", Jobs.training(4).spec(), T0);
        scheduler.submit("y", Jobs.training(2).spec(), T0);
        scheduler.submit("low", Jobs.training(2).priority("low").preemptible().spec(), T0);
        scheduler.schedule(T0);
        scheduler.finished("f", true, "done", T0);
        scheduler.finished("y", true, "done", T0);
        scheduler.submit("normal", Jobs.training(4).preemptible().spec(), T0);
        scheduler.schedule(T0);
        assertThat(gpus(scheduler, "low")).containsExactly(6, 7);
        assertThat(gpus(scheduler, "normal")).containsExactly(0, 1, 2, 3);

        // Six GPUs: evicting "low" (lowest priority) frees too few, so "normal" goes too; the six are 0-5.
        scheduler.submit("urgent", Jobs.training(6).priority("high").spec(), T0.plusSeconds(1));
        Cycle cycle = scheduler.schedule(T0.plusSeconds(1));

        assertThat(stopped(cycle)).containsExactly("normal");
        assertThat(gpus(scheduler, "urgent")).containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(scheduler.job("low").orElseThrow().state()).isEqualTo(JobState.PLACED);
        // "low" still holds 6-7: nothing else fits.
        scheduler.submit("two", Jobs.training(2).priority("low").spec(), T0.plusSeconds(2));
        assertThat(starts(scheduler.schedule(T0.plusSeconds(2)))).isEmpty();
    }

    @Test
    void aGangEvictsOnExactlyAsManyNodesAsItNeedsAndUsesAFreeNodeAsIs() {
        Scheduler scheduler = nodes(3);
        scheduler.submit("a", Jobs.training(8).priority("low").preemptible().spec(), T0);
        scheduler.submit("b", Jobs.training(8).priority("low").preemptible().spec(), T0);
        scheduler.schedule(T0);

        // One node is free, two run low jobs: a gang of two evicts one, a gang of three both.
        scheduler.submit("pair", Jobs.gang(2, 8).priority("high").spec(), T0.plusSeconds(1));
        Cycle pair = scheduler.schedule(T0.plusSeconds(1));
        assertThat(stopped(pair)).hasSize(1);
        assertThat(starts(pair)).extracting(Decision.Start::job).containsExactly("pair");
        scheduler.cancel("pair", "done", T0.plusSeconds(2));
        scheduler.schedule(T0.plusSeconds(2));

        scheduler.submit("trio", Jobs.gang(3, 8).priority("high").spec(), T0.plusSeconds(3));
        Cycle trio = scheduler.schedule(T0.plusSeconds(3));
        assertThat(stopped(trio)).containsExactlyInAnyOrder("a", "b");
        assertThat(starts(trio)).extracting(Decision.Start::job).containsExactly("trio");
    }

    @Test
    void aServiceEvictsOnlyWhenAllTheReplicasItIsAdmittedForFit() {
        Scheduler scheduler = nodes(1);
        scheduler.submit("low", Jobs.training(4).priority("low").preemptible().spec(), T0);
        scheduler.submit("firm", Jobs.training(4).priority("low").spec(), T0);
        scheduler.schedule(T0);

        // Three replicas of four GPUs: evicting "low" makes room for one only.
        scheduler.submit("svc", Jobs.inference(3, 4).priority("high").spec(), T0.plusSeconds(1));
        Cycle cycle = scheduler.schedule(T0.plusSeconds(1));

        assertThat(cycle.decisions()).isEmpty();
        assertThat(scheduler.job("low").orElseThrow().state()).isEqualTo(JobState.PLACED);
        assertThat(scheduler.job("svc").orElseThrow().waiting()).isEqualTo(WaitReason.ROOM);
    }

    @Test
    void whenNothingIsFreeTheCycleStopsAtTheFirstJobThatMayNotEvictAndStillTellsEveryNewJobWhy() {
        Scheduler scheduler = nodes(1);
        scheduler.submit("peer", Jobs.training(8).preemptible().spec(), T0);
        scheduler.schedule(T0);
        scheduler.submit("a", Jobs.training(8).spec(), T0.plusSeconds(1));
        scheduler.submit("b", Jobs.training(4).spec(), T0.plusSeconds(2));

        Cycle cycle = scheduler.schedule(T0.plusSeconds(3));

        // "peer" is preemptible but of equal priority: nobody queued may evict it.
        assertThat(cycle.examined()).isZero();
        assertThat(scheduler.job("a").orElseThrow().reason()).startsWith("waiting for 8 GPUs on one node");
        assertThat(scheduler.job("b").orElseThrow().reason()).startsWith("waiting for 4 GPUs on one node");
        assertThat(scheduler.job("b").orElseThrow().waiting()).isEqualTo(WaitReason.ROOM);
    }

    @Test
    void aPreemptibleJobThatEndedNoLongerCountsAsOneToEvict() {
        Scheduler scheduler = nodes(1);
        scheduler.submit("low", Jobs.training(8).priority("low").preemptible().spec(), T0);
        scheduler.schedule(T0);
        scheduler.finished("low", true, "done", T0.plusSeconds(1));
        scheduler.submit("firm", Jobs.training(8).priority("low").spec(), T0.plusSeconds(1));
        scheduler.schedule(T0.plusSeconds(1));

        scheduler.submit("urgent", Jobs.training(8).priority("high").spec(), T0.plusSeconds(2));
        Cycle cycle = scheduler.schedule(T0.plusSeconds(2));

        assertThat(cycle.examined()).isZero();
        assertThat(scheduler.job("urgent").orElseThrow().waiting()).isEqualTo(WaitReason.ROOM);
    }

    @Test
    void oneOfTwoPreemptibleJobsEndingLeavesTheOtherToEvict() {
        Scheduler scheduler = nodes(2);
        scheduler.submit("low-1", Jobs.training(8).priority("low").preemptible().spec(), T0);
        scheduler.submit("low-2", Jobs.training(8).priority("low").preemptible().spec(), T0);
        scheduler.schedule(T0);
        scheduler.finished("low-1", true, "done", T0.plusSeconds(1));
        scheduler.submit("firm", Jobs.training(8).priority("low").spec(), T0.plusSeconds(1));
        scheduler.schedule(T0.plusSeconds(1));

        scheduler.submit("urgent", Jobs.training(8).priority("high").spec(), T0.plusSeconds(2));
        Cycle cycle = scheduler.schedule(T0.plusSeconds(2));

        assertThat(stopped(cycle)).containsExactly("low-2");
    }

    @Test
    void aSliceJobWithNoPreemptibleSliceJobBelowItStopsAFullCycle() {
        Scheduler scheduler = new Scheduler(SchedulerPolicy.defaults(), Fabric.none());
        scheduler.upsertNode(Clusters.migHgx("mig", 1));
        scheduler.submit("whole", Jobs.training(7).priority("low").preemptible().spec(), T0);
        scheduler.submit("slices", Jobs.slices(7, "1g.10gb").spec(), T0);
        scheduler.schedule(T0);
        assertThat(scheduler.job("slices").orElseThrow().placements()).hasSize(7);

        scheduler.submit("slice-urgent", Jobs.slices(1, "1g.10gb").priority("high").spec(), T0.plusSeconds(1));
        // Only slice jobs make room for slices, and "slices" may not be preempted: slice-urgent could evict nothing.
        // Whole-normal could evict "whole", but the cycle stops before it and only tells it why it waits.
        scheduler.submit("whole-normal", Jobs.training(7).spec(), T0.plusSeconds(1));
        Cycle cycle = scheduler.schedule(T0.plusSeconds(1));

        assertThat(cycle.examined()).isZero();
        assertThat(cycle.decisions()).isEmpty();
        assertThat(scheduler.job("whole-normal").orElseThrow().reason()).isEqualTo("waiting for 7 GPUs on one node");
    }

    @Test
    void aServiceWhoseReplicasAreLostIsToldHowManyAndRequeuedWhenItHoldsNothing() {
        Scheduler scheduler = nodes(3);
        scheduler.submit("svc", Jobs.inference(3, 8).spec(), T0);
        scheduler.schedule(T0);
        scheduler.running("svc", T0);
        scheduler.takeChanged();

        List<Decision> two = scheduler.lost("svc", Set.of("n0", "n1"), "NODE_FAIL", T0.plusSeconds(1));
        assertThat(two).singleElement().isInstanceOfSatisfying(Decision.Stop.class,
                s -> assertThat(s.placements()).extracting(Placement::node).containsExactlyInAnyOrder("n0", "n1"));
        JobRecord partial = scheduler.job("svc").orElseThrow();
        assertThat(partial.state()).isEqualTo(JobState.RUNNING);
        assertThat(partial.reason()).isEqualTo("replacing 2 replicas lost: NODE_FAIL");
        assertThat(scheduler.takeChanged()).extracting(JobRecord::id).containsExactly("svc");
        assertThat(scheduler.queued()).isEqualTo(1);

        scheduler.nodeFailed("n2", "agent lost", T0.plusSeconds(2));
        JobRecord requeued = scheduler.job("svc").orElseThrow();
        assertThat(requeued.state()).isEqualTo(JobState.PENDING);
        assertThat(requeued.reason()).isEqualTo("requeued: node n2 failed: agent lost");
        assertThat(requeued.history()).extracting(JobTransition::to).endsWith(JobState.PREEMPTED, JobState.PENDING);
        assertThat(scheduler.queued()).isEqualTo(1);
    }

    @Test
    void aServiceThatLostOneReplicaSaysSoInTheSingular() {
        Scheduler scheduler = nodes(2);
        scheduler.submit("svc", Jobs.inference(2, 8).spec(), T0);
        scheduler.schedule(T0);

        scheduler.nodeFailed("n1", "agent lost", T0.plusSeconds(1));

        assertThat(scheduler.job("svc").orElseThrow().reason())
                .isEqualTo("replacing 1 replica lost: node n1 failed: agent lost");
        assertThat(scheduler.holding()).isEqualTo(1);
    }

    @Test
    void aJobOnAnotherNodeIsNotTouchedWhenANodeFails() {
        Scheduler scheduler = nodes(2);
        scheduler.submit("a", Jobs.training(8).spec(), T0);
        scheduler.submit("b", Jobs.training(8).spec(), T0);
        scheduler.schedule(T0);
        scheduler.takeChanged();

        List<Decision> stops = scheduler.nodeFailed("n0", "agent lost", T0.plusSeconds(1));

        assertThat(stops).extracting(Decision::job).containsExactly("a");
        assertThat(scheduler.job("b").orElseThrow().state()).isEqualTo(JobState.PLACED);
        assertThat(scheduler.takeChanged()).extracting(JobRecord::id).containsExactly("a");
        // n0 no longer takes work: "a" waits for n1 although n0's GPUs were given back.
        assertThat(starts(scheduler.schedule(T0.plusSeconds(2)))).isEmpty();
        assertThat(scheduler.job("a").orElseThrow().reason()).isEqualTo("waiting for 8 GPUs on one node");
    }

    @Test
    void aReservationEndsWithItsCycleSoWorkMayUseTheNodesOnceTheGangIsGone() {
        Scheduler scheduler = nodes(2);
        scheduler.submit("running", Jobs.training(8).limit(Duration.ofHours(2)).spec(), T0);
        scheduler.schedule(T0);
        scheduler.submit("head", Jobs.gang(2, 8).spec(), T0.plusSeconds(1));
        scheduler.submit("long", Jobs.training(8).limit(Duration.ofHours(5)).spec(), T0.plusSeconds(2));
        scheduler.schedule(T0.plusSeconds(3));
        assertThat(scheduler.job("long").orElseThrow().waiting()).isEqualTo(WaitReason.RESERVATION);

        scheduler.cancel("head", "never mind", T0.plusSeconds(4));

        assertThat(starts(scheduler.schedule(T0.plusSeconds(5)))).extracting(Decision.Start::job)
                .containsExactly("long");
    }

    @Test
    void aJobThatFitsNowhereEvenIgnoringTheReservationWaitsForRoomNotForTheReservation() {
        Scheduler scheduler = nodes(2);
        scheduler.submit("running", Jobs.gang(2, 4).limit(Duration.ofHours(2)).spec(), T0);
        scheduler.schedule(T0);
        scheduler.submit("head", Jobs.gang(2, 8).spec(), T0.plusSeconds(1));
        scheduler.submit("five", Jobs.training(5).limit(Duration.ofHours(5)).spec(), T0.plusSeconds(2));
        scheduler.submit("four", Jobs.training(4).limit(Duration.ofHours(5)).spec(), T0.plusSeconds(3));

        scheduler.schedule(T0.plusSeconds(3));

        // Four GPUs are free on each node, both reserved for "head": "four" would fit there, "five" nowhere.
        assertThat(scheduler.job("four").orElseThrow().waiting()).isEqualTo(WaitReason.RESERVATION);
        assertThat(scheduler.job("five").orElseThrow().waiting()).isEqualTo(WaitReason.ROOM);
        assertThat(scheduler.job("five").orElseThrow().reason()).isEqualTo("waiting for 5 GPUs on one node");
    }

    @Test
    void aReservationBehindAJobPastItsLimitStartsNow() {
        Scheduler scheduler = nodes(1);
        scheduler.submit("overdue", Jobs.training(4).limit(Duration.ofHours(1)).spec(), T0);
        scheduler.schedule(T0);
        Instant later = T0.plusSeconds(7200);
        scheduler.submit("head", Jobs.training(8).spec(), later);

        scheduler.schedule(later);

        assertThat(scheduler.job("head").orElseThrow().reason())
                .isEqualTo("waiting for 8 GPUs on one node; reserved 1 node from " + later);
    }

    @Test
    void aReservationOnMoreThanEightNodesNamesTheFirstEight() {
        Scheduler scheduler = nodes(9);
        // n8 stays free: a cycle that finds nothing free plans no reservation.
        scheduler.submit("running", Jobs.gang(8, 8).limit(Duration.ofHours(1)).spec(), T0);
        scheduler.schedule(T0);
        scheduler.submit("nine", Jobs.gang(9, 8).spec(), T0.plusSeconds(1));
        scheduler.submit("later", Jobs.training(8).spec(), T0.plusSeconds(2));
        scheduler.schedule(T0.plusSeconds(2));

        assertThat(scheduler.why("later").orElseThrow().details()).contains("reservation: job nine's reservation on 9 "
                + "nodes (n0, n1, n2, n3, n4, n5, n6, n7, …) from 2026-11-22T09:00:00Z");
        assertThat(scheduler.why("nine").orElseThrow().details()).noneMatch(d -> d.startsWith("reservation:"));
    }

    @Test
    void aReservationOnEightNodesNamesThemAll() {
        Scheduler scheduler = nodes(8);
        scheduler.submit("running", Jobs.gang(7, 8).limit(Duration.ofHours(1)).spec(), T0);
        scheduler.schedule(T0);
        scheduler.submit("eight", Jobs.gang(8, 8).spec(), T0.plusSeconds(1));
        scheduler.submit("later", Jobs.training(8).spec(), T0.plusSeconds(2));
        scheduler.schedule(T0.plusSeconds(2));

        assertThat(scheduler.why("later").orElseThrow().details()).contains("reservation: job eight's reservation on 8 "
                + "nodes (n0, n1, n2, n3, n4, n5, n6, n7) from 2026-11-22T09:00:00Z");
    }

    @Test
    void aReservationOnOneNodeSaysNode() {
        Scheduler scheduler = nodes(1);
        scheduler.submit("running", Jobs.training(4).limit(Duration.ofHours(1)).spec(), T0);
        scheduler.schedule(T0);
        scheduler.submit("head", Jobs.training(8).spec(), T0.plusSeconds(1));
        scheduler.submit("later", Jobs.training(8).spec(), T0.plusSeconds(2));
        scheduler.schedule(T0.plusSeconds(2));

        assertThat(scheduler.why("later").orElseThrow().details()).contains(
                "reservation: job head's reservation on 1 node (n0) from 2026-11-22T09:00:00Z");
    }

    @Test
    void aPreemptionThatFreesRoomLetsAJobThatDidNotFitEarlierStartInTheSameCycle() {
        Scheduler scheduler = nodes(1);
        scheduler.submit("victim", Jobs.training(8).priority("low").preemptible().spec(), T0);
        scheduler.submit("small", Jobs.training(4).priority("low").spec(), T0.plusSeconds(1));
        scheduler.schedule(T0);
        assertThat(scheduler.job("small").orElseThrow().state()).isEqualTo(JobState.ADMITTED);

        // "urgent" evicts "victim" and takes half its GPUs; "small" fits in the other half.
        scheduler.submit("urgent", Jobs.training(4).priority("high").spec(), T0.plusSeconds(2));
        Cycle cycle = scheduler.schedule(T0.plusSeconds(2));

        assertThat(stopped(cycle)).containsExactly("victim");
        assertThat(starts(cycle)).extracting(Decision.Start::job).containsExactly("urgent", "small");
    }

    @Test
    void aJobOnANodeWhoseGpusAreRecountedKeepsRunning() {
        Scheduler scheduler = nodes(1);
        scheduler.submit("a", Jobs.training(4).spec(), T0);
        scheduler.schedule(T0);

        scheduler.upsertNode(new NodeCapacity("n0", H100, null, true, true, hgx("n0", H100).gpus()));

        assertThat(scheduler.job("a").orElseThrow().state()).isEqualTo(JobState.PLACED);
        scheduler.submit("b", Jobs.training(5).spec(), T0.plusSeconds(1));
        assertThat(starts(scheduler.schedule(T0.plusSeconds(1)))).isEmpty();
    }

    @Test
    void onANodeTheLowestPriorityVictimGoesFirst() {
        Scheduler scheduler = nodes(1);
        scheduler.submit("normal", Jobs.training(4).preemptible().spec(), T0);
        scheduler.submit("low", Jobs.training(4).priority("low").preemptible().spec(), T0);
        scheduler.schedule(T0);
        assertThat(gpus(scheduler, "normal")).containsExactly(0, 1, 2, 3);

        scheduler.submit("urgent", Jobs.training(4).priority("high").spec(), T0.plusSeconds(1));

        assertThat(stopped(scheduler.schedule(T0.plusSeconds(1)))).containsExactly("low");
    }

    @Test
    void victimsEqualInPriorityAndStartAreTakenInSubmitOrder() {
        Scheduler scheduler = nodes(1);
        // "first" ends up on GPUs 4-7, "second" on 0-3, both placed at T0.
        scheduler.submit("filler", Jobs.training(4).spec(), T0);
        scheduler.submit("first", Jobs.training(4).priority("low").preemptible().spec(), T0);
        scheduler.schedule(T0);
        scheduler.finished("filler", true, "done", T0);
        scheduler.submit("second", Jobs.training(4).priority("low").preemptible().spec(), T0);
        scheduler.schedule(T0);
        assertThat(gpus(scheduler, "second")).containsExactly(0, 1, 2, 3);

        scheduler.submit("urgent", Jobs.training(4).priority("high").spec(), T0.plusSeconds(1));

        assertThat(stopped(scheduler.schedule(T0.plusSeconds(1)))).containsExactly("first");
    }

    @Test
    void aHighPriorityServiceEvictsForAllTheReplicasItIsAdmittedFor() {
        Scheduler scheduler = nodes(2);
        scheduler.submit("a", Jobs.training(8).priority("low").preemptible().spec(), T0);
        scheduler.submit("b", Jobs.training(8).priority("low").preemptible().spec(), T0);
        scheduler.schedule(T0);

        scheduler.submit("svc", Jobs.inference(2, 8).priority("high").spec(), T0.plusSeconds(1));
        Cycle cycle = scheduler.schedule(T0.plusSeconds(1));

        assertThat(stopped(cycle)).containsExactlyInAnyOrder("a", "b");
        assertThat(starts(cycle)).singleElement().satisfies(s -> assertThat(s.placements()).hasSize(2));
        assertThat(scheduler.job("svc").orElseThrow().reason()).isEqualTo("2 of 2 replicas placed");
    }

    @Test
    void nodesReservedInAnEarlierCycleAreFreeForWorkOnceThatReservationIsGone() {
        Scheduler scheduler = new Scheduler(SchedulerPolicy.defaults(), Fabric.none());
        scheduler.upsertNode(hgx("h", H100));
        scheduler.upsertNode(hgx("a", Clusters.A100));
        scheduler.submit("on-h", Jobs.training(4).models("H100").limit(Duration.ofHours(2)).spec(), T0);
        scheduler.submit("on-a", Jobs.training(4).models("A100").limit(Duration.ofHours(3)).spec(), T0);
        scheduler.schedule(T0);
        scheduler.submit("head-h", Jobs.training(8).models("H100").spec(), T0.plusSeconds(1));
        scheduler.schedule(T0.plusSeconds(1));
        assertThat(scheduler.job("head-h").orElseThrow().reason()).contains("reserved 1 node");

        // The H100 head goes; an A100 head reserves node a; long H100 work may use node h again.
        scheduler.cancel("head-h", "never mind", T0.plusSeconds(2));
        scheduler.submit("head-a", Jobs.training(8).models("A100").spec(), T0.plusSeconds(2));
        scheduler.submit("long-h", Jobs.training(4).models("H100").limit(Duration.ofHours(5)).spec(),
                T0.plusSeconds(3));
        Cycle cycle = scheduler.schedule(T0.plusSeconds(3));

        assertThat(scheduler.job("head-a").orElseThrow().reason()).contains("reserved 1 node");
        assertThat(starts(cycle)).extracting(Decision.Start::job).containsExactly("long-h");
    }

    @Test
    void aJobOfEqualPriorityIsNeverEvictedEvenWhereThatWouldBeCheaper() {
        Scheduler scheduler = nodes(2);
        scheduler.submit("peer", Jobs.training(8).preemptible().spec(), T0);
        scheduler.submit("low-1", Jobs.training(4).priority("low").preemptible().spec(), T0);
        scheduler.submit("low-2", Jobs.training(4).priority("low").preemptible().spec(), T0);
        scheduler.schedule(T0);

        scheduler.submit("normal", Jobs.training(8).spec(), T0.plusSeconds(1));

        assertThat(stopped(scheduler.schedule(T0.plusSeconds(1)))).containsExactlyInAnyOrder("low-1", "low-2");
        assertThat(scheduler.job("peer").orElseThrow().state()).isEqualTo(JobState.PLACED);
    }

    @Test
    void twoPreemptibleJobsThatEndedLeaveNothingToEvict() {
        Scheduler scheduler = nodes(2);
        scheduler.submit("low-1", Jobs.training(8).priority("low").preemptible().spec(), T0);
        scheduler.submit("low-2", Jobs.training(8).priority("low").preemptible().spec(), T0);
        scheduler.schedule(T0);
        scheduler.finished("low-1", true, "done", T0.plusSeconds(1));
        scheduler.finished("low-2", true, "done", T0.plusSeconds(1));
        scheduler.submit("firm-1", Jobs.training(8).priority("low").spec(), T0.plusSeconds(1));
        scheduler.submit("firm-2", Jobs.training(8).priority("low").spec(), T0.plusSeconds(1));
        scheduler.schedule(T0.plusSeconds(1));

        scheduler.submit("urgent", Jobs.training(8).priority("high").spec(), T0.plusSeconds(2));

        assertThat(scheduler.schedule(T0.plusSeconds(2)).examined()).isZero();
    }
}
