package dev.vigil.scheduler;

import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.jobs.JobRecord;
import dev.vigil.api.jobs.JobState;
import dev.vigil.api.jobs.Placement;
import dev.vigil.api.jobs.WaitReason;
import dev.vigil.scheduler.policy.SchedulerPolicy;
import dev.vigil.scheduler.policy.Tenant;
import dev.vigil.scheduler.topology.Fabric;
import dev.vigil.scheduler.topology.NodeCapacity;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.vigil.scheduler.Clusters.H100;
import static dev.vigil.scheduler.Clusters.hgx;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A job's record through submit, start, running, end and a leader change, and what each step reports. */
class JobLifecycleTest {
    private static final Instant T0 = Instant.parse("2026-11-22T08:00:00Z");
    private static final Instant T1H = T0.plus(Duration.ofHours(1));

    private static Scheduler oneNode() {
        return nodes(1);
    }

    /** {@code count} HGX nodes n0, n1, ... under one leaf. */
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

    private static List<String> changedIds(Scheduler scheduler) {
        return scheduler.takeChanged().stream().map(JobRecord::id).toList();
    }

    @Test
    void submittingQueuesTheJobReportsItOnceAndRefusesAnIdInUse() {
        SchedulerPolicy policy = SchedulerPolicy.defaults();
        Scheduler scheduler = new Scheduler(policy, Fabric.none());
        assertThat(scheduler.policy()).isSameAs(policy);

        JobRecord record = scheduler.submit("a", Jobs.training(8).spec(), T0);

        assertThat(record.id()).isEqualTo("a");
        assertThat(record.state()).isEqualTo(JobState.PENDING);
        assertThat(record.history()).singleElement().satisfies(t -> assertThat(t.reason()).isEqualTo("submitted"));
        assertThat(scheduler.queued()).isEqualTo(1);
        assertThat(changedIds(scheduler)).containsExactly("a");
        assertThat(changedIds(scheduler)).isEmpty();
        assertThatThrownBy(() -> scheduler.submit("a", Jobs.training(1).spec(), T0))
                .isInstanceOf(InvalidValueException.class).hasMessageContaining("an id no unfinished job has");
        assertThat(scheduler.queued()).isEqualTo(1);
    }

    @Test
    void anIdIsFreeAgainOnceItsJobHasEnded() {
        Scheduler scheduler = oneNode();
        scheduler.submit("a", Jobs.training(8).spec(), T0);
        scheduler.cancel("a", "by alice", T0);

        assertThat(scheduler.submit("a", Jobs.training(8).spec(), T0).state()).isEqualTo(JobState.PENDING);
    }

    @Test
    void onlyAPlacedJobBecomesRunningSayingOnHowManyNodesOrReplicas() {
        Scheduler scheduler = nodes(3);
        scheduler.submit("one", Jobs.training(8).spec(), T0);
        scheduler.submit("two", Jobs.gang(2, 4).spec(), T0);
        scheduler.submit("svc", Jobs.inference(3, 1).spec(), T0);
        scheduler.submit("single", Jobs.inference(1, 1).spec(), T0);
        scheduler.submit("waits", Jobs.gang(3, 8).spec(), T0);
        scheduler.schedule(T0);
        scheduler.takeChanged();

        for (String id : List.of("one", "two", "svc", "single", "waits", "nobody")) {
            scheduler.running(id, T0.plusSeconds(5));
        }

        assertThat(scheduler.job("one").orElseThrow().reason()).isEqualTo("running on 1 node");
        assertThat(scheduler.job("two").orElseThrow().reason()).isEqualTo("running on 2 nodes");
        assertThat(scheduler.job("svc").orElseThrow().reason()).isEqualTo("running on 3 replicas");
        assertThat(scheduler.job("single").orElseThrow().reason()).isEqualTo("running on 1 replica");
        assertThat(scheduler.job("one").orElseThrow().started()).isEqualTo(T0.plusSeconds(5));
        assertThat(scheduler.job("waits").orElseThrow().state()).isEqualTo(JobState.ADMITTED);
        assertThat(scheduler.job("waits").orElseThrow().started()).isNull();
        assertThat(changedIds(scheduler)).containsExactlyInAnyOrder("one", "two", "svc", "single");

        // Told again: nothing changes, nothing is reported.
        scheduler.running("one", T0.plusSeconds(9));
        assertThat(scheduler.job("one").orElseThrow().started()).isEqualTo(T0.plusSeconds(5));
        assertThat(changedIds(scheduler)).isEmpty();
    }

    @Test
    void aPlacedJobSaysWhereAndIsReported() {
        Scheduler scheduler = oneNode();
        scheduler.submit("a", Jobs.training(8).spec(), T0);
        scheduler.takeChanged();

        Cycle cycle = scheduler.schedule(T0);

        assertThat(cycle.placed()).isEqualTo(1);
        assertThat(cycle.examined()).isEqualTo(1);
        assertThat(cycle.queued()).isZero();
        assertThat(scheduler.job("a").orElseThrow().reason()).isEqualTo("placed on 1 node under default");
        assertThat(changedIds(scheduler)).containsExactly("a");
        assertThat(List.of(scheduler.queued(), scheduler.holding())).containsExactly(0, 1);
    }

    @Test
    void anEndedJobIsReportedWithItsEndAndForgotten() {
        Scheduler scheduler = oneNode();
        scheduler.submit("a", Jobs.training(8).spec(), T0);
        scheduler.schedule(T0);
        scheduler.running("a", T0);
        scheduler.takeChanged();

        scheduler.finished("a", false, "exit 3", T1H);
        scheduler.finished("nobody", true, "exit 0", T1H);

        List<JobRecord> changed = scheduler.takeChanged();
        assertThat(changed).singleElement().satisfies(r -> {
            assertThat(r.state()).isEqualTo(JobState.FAILED);
            assertThat(r.reason()).isEqualTo("exit 3");
            assertThat(r.finished()).isEqualTo(T1H);
            assertThat(r.waiting()).isEqualTo(WaitReason.NONE);
        });
        assertThat(scheduler.job("a")).isEmpty();
        assertThat(scheduler.holding()).isZero();
        assertThat(scheduler.heldMilliByTenant()).isEmpty();
        assertThat(scheduler.cancel("a", "too late", T1H)).isEmpty();
        assertThat(scheduler.why("a")).isEmpty();
    }

    @Test
    void aWaitingJobIsReportedWhenItsReasonChangesAndOnlyThen() {
        Scheduler scheduler = oneNode();
        scheduler.submit("filler", Jobs.training(4).spec(), T0);
        scheduler.schedule(T0);
        scheduler.submit("eight", Jobs.training(8).spec(), T0);
        scheduler.takeChanged();

        scheduler.schedule(T0);
        assertThat(changedIds(scheduler)).containsExactly("eight");
        JobRecord waiting = scheduler.job("eight").orElseThrow();
        assertThat(waiting.state()).isEqualTo(JobState.ADMITTED);
        assertThat(waiting.waiting()).isEqualTo(WaitReason.ROOM);

        scheduler.schedule(T0.plusSeconds(1));
        assertThat(changedIds(scheduler)).isEmpty();

        // Now it could never fit: a new reason, reported.
        scheduler.upsertNode(Clusters.with(hgx("n0", H100), true, 7));
        scheduler.schedule(T0.plusSeconds(2));
        assertThat(changedIds(scheduler)).containsExactly("eight");
        assertThat(scheduler.job("eight").orElseThrow().waiting()).isEqualTo(WaitReason.UNSCHEDULABLE);
    }

    @Test
    void aJobOverQuotaWaitsPendingNotAdmitted() {
        Tenant capped = new Tenant("capped", null, null, Map.of("H100", 4), null);
        Scheduler scheduler = new Scheduler(new SchedulerPolicy(null, null, null, null, null, null, List.of(capped)),
                Fabric.none());
        scheduler.upsertNode(hgx("n0", H100));
        scheduler.submit("big", Jobs.training(8).tenant("capped").spec(), T0);
        scheduler.submit("small", Jobs.training(4).tenant("capped").spec(), T0.plusSeconds(1));
        scheduler.submit("after", Jobs.training(4).tenant("capped").spec(), T0.plusSeconds(2));

        scheduler.schedule(T0);

        assertThat(scheduler.job("big").orElseThrow().state()).isEqualTo(JobState.PENDING);
        assertThat(scheduler.job("big").orElseThrow().waiting()).isEqualTo(WaitReason.QUOTA);
        assertThat(scheduler.job("small").orElseThrow().state()).isEqualTo(JobState.PLACED);
        assertThat(scheduler.job("after").orElseThrow().state()).isEqualTo(JobState.PENDING);
        assertThat(scheduler.job("after").orElseThrow().reason())
                .isEqualTo("tenant capped holds 4 of its 4 H100 GPUs and the job needs 4 (no cohort to borrow from)");
    }

    @Test
    void aSchedulerWithoutABackendRuleUsesNodesWithRealGpus() {
        Scheduler scheduler = new Scheduler(SchedulerPolicy.defaults(), Fabric.none());
        scheduler.upsertNode(Clusters.real(hgx("real", H100)));
        scheduler.submit("a", Jobs.training(8).spec(), T0);

        assertThat(starts(scheduler.schedule(T0))).singleElement()
                .satisfies(s -> assertThat(s.placements().get(0).node()).isEqualTo("real"));
    }

    @Test
    void aNodeChangeRefreshesWhyAWaitingJobCanNeverFitThere() {
        Scheduler scheduler = new Scheduler(SchedulerPolicy.defaults(), Fabric.none());
        scheduler.upsertNode(hgx("n0", H100));
        scheduler.submit("gang", Jobs.gang(2, 8).spec(), T0);
        scheduler.schedule(T0);
        assertThat(scheduler.job("gang").orElseThrow().waiting()).isEqualTo(WaitReason.TOPOLOGY);

        // n0 fails and n1 joins: two nodes exist, one is down.
        scheduler.nodeFailed("n0", "agent lost", T0.plusSeconds(1));
        scheduler.upsertNode(hgx("n1", H100));
        scheduler.schedule(T0.plusSeconds(2));
        assertThat(scheduler.job("gang").orElseThrow().waiting()).isEqualTo(WaitReason.UNSCHEDULABLE);

        assertThat(scheduler.job("gang").orElseThrow().reason()).contains("1 of 2 nodes cordoned, draining or down");
        assertThat(scheduler.nodeFailed("n9", "unknown", T0.plusSeconds(6))).isEmpty();
    }

    @Test
    void gpuTimeHeldUntilACancelCountsInFairShare() {
        Scheduler scheduler = oneNode();
        scheduler.submit("a", Jobs.training(8).tenant("t").spec(), T0);
        scheduler.schedule(T0);
        scheduler.submit("b", Jobs.training(8).tenant("t").spec(), T0);

        scheduler.cancel("a", "by alice", T1H);

        assertThat(scheduler.why("b").orElseThrow().details().get(0)).contains("8.0 GPU-hours of recent use");
        assertThat(scheduler.fairShare().gpuHours("t")).isEqualTo(8.0);
    }

    @Test
    void gpuTimeHeldUntilANodeFailsCountsInFairShare() {
        Scheduler scheduler = oneNode();
        scheduler.submit("a", Jobs.training(8).tenant("t").spec(), T0);
        scheduler.schedule(T0);

        scheduler.nodeFailed("n0", "agent lost", T1H);

        assertThat(scheduler.why("a").orElseThrow().details().get(0)).contains("8.0 GPU-hours of recent use");
    }

    @Test
    void gpuTimeHeldUntilTheBackendLostTheJobCountsInFairShare() {
        Scheduler scheduler = oneNode();
        scheduler.submit("a", Jobs.training(8).tenant("t").spec(), T0);
        scheduler.schedule(T0);

        scheduler.lost("a", Set.of("n0"), "NODE_FAIL", T1H);

        assertThat(scheduler.why("a").orElseThrow().details().get(0)).contains("8.0 GPU-hours of recent use");
    }

    @Test
    void gpuTimeHeldUntilAJobFinishesCountsInFairShare() {
        Scheduler scheduler = oneNode();
        scheduler.submit("a", Jobs.training(8).tenant("t").spec(), T0);
        scheduler.schedule(T0);
        scheduler.submit("b", Jobs.training(8).tenant("t").spec(), T0);

        scheduler.finished("a", true, "exit 0", T1H);

        assertThat(scheduler.why("b").orElseThrow().details().get(0)).contains("8.0 GPU-hours of recent use");
    }

    @Test
    void aRestoredRecordOfAnEndedJobOrOfAJobStillKnownIsIgnored() {
        Scheduler first = oneNode();
        first.submit("done", Jobs.training(8).spec(), T0);
        first.schedule(T0);
        first.takeChanged();
        first.finished("done", true, "exit 0", T0.plusSeconds(1));
        JobRecord ended = first.takeChanged().get(0);

        Scheduler second = oneNode();
        second.restore(ended, T0.plusSeconds(2));
        assertThat(second.job("done")).isEmpty();
        assertThat(second.queued()).isZero();

        second.submit("dup", Jobs.training(8).spec(), T0);
        Scheduler third = oneNode();
        third.submit("dup", Jobs.training(4).spec(), T0);
        third.schedule(T0);
        second.restore(third.job("dup").orElseThrow(), T0);
        assertThat(second.job("dup").orElseThrow().state()).isEqualTo(JobState.PENDING);
        assertThat(second.job("dup").orElseThrow().spec().gpus()).isEqualTo(8);
    }

    @Test
    void aRestoredJobKeepsExactlyItsGpusAndRunsOn() {
        Scheduler first = oneNode();
        first.submit("filler", Jobs.training(3).spec(), T0);
        first.submit("a", Jobs.training(2).spec(), T0);
        first.schedule(T0);
        first.running("a", T0);
        JobRecord a = first.job("a").orElseThrow();
        assertThat(a.placements().get(0).gpus()).doesNotContain(0);

        Scheduler second = oneNode();
        second.restore(a, T0.plusSeconds(1));

        assertThat(second.job("a").orElseThrow().placements()).isEqualTo(a.placements());
        assertThat(second.job("a").orElseThrow().state()).isEqualTo(JobState.RUNNING);
        assertThat(List.of(second.queued(), second.holding())).containsExactly(0, 1);
        // The other six GPUs are free: a six-GPU job starts beside it.
        second.submit("six", Jobs.training(6).spec(), T0.plusSeconds(1));
        assertThat(starts(second.schedule(T0.plusSeconds(1)))).singleElement()
                .satisfies(s -> assertThat(s.placements().get(0).gpus()).doesNotContainAnyElementsOf(
                        a.placements().get(0).gpus()));
    }

    @Test
    void aRestoredGangWhoseGpusAreGoneOrTakenIsRequeuedAndReported() {
        Scheduler first = oneNode();
        first.submit("a", Jobs.training(8).spec(), T0);
        first.schedule(T0);
        first.running("a", T0);
        JobRecord a = first.job("a").orElseThrow();

        // The node came back with seven GPUs: GPU 7 is gone.
        Scheduler smaller = new Scheduler(SchedulerPolicy.defaults(), Fabric.none());
        smaller.upsertNode(new NodeCapacity("n0", H100, null, true, true,
                hgx("n0", H100).gpus().subList(0, 7)));
        smaller.restore(a, T0.plusSeconds(1));
        assertThat(smaller.job("a").orElseThrow().state()).isEqualTo(JobState.PENDING);
        assertThat(smaller.takeChanged()).extracting(JobRecord::id).containsExactly("a");
        assertThat(smaller.queued()).isEqualTo(1);

        // Another job already holds its GPUs.
        Scheduler taken = oneNode();
        taken.submit("b", Jobs.training(1).spec(), T0);
        taken.schedule(T0);
        taken.restore(a, T0.plusSeconds(1));
        assertThat(taken.job("a").orElseThrow().state()).isEqualTo(JobState.PENDING);
        assertThat(taken.job("b").orElseThrow().placements()).singleElement()
                .satisfies(p -> assertThat(p.gpus()).containsExactly(0));
    }

    @Test
    void aRestoredServiceKeepsTheReplicasItFoundAndQueuesTheRest() {
        Scheduler first = nodes(2);
        first.submit("svc", Jobs.inference(2, 8).spec(), T0);
        first.schedule(T0);
        first.running("svc", T0);
        JobRecord svc = first.job("svc").orElseThrow();
        assertThat(svc.placements()).extracting(Placement::node).containsExactlyInAnyOrder("n0", "n1");

        Scheduler second = oneNode();
        second.restore(svc, T0.plusSeconds(1));

        JobRecord restored = second.job("svc").orElseThrow();
        assertThat(restored.state()).isEqualTo(JobState.RUNNING);
        assertThat(restored.placements()).extracting(Placement::node).containsExactly("n0");
        assertThat(second.queued()).isEqualTo(1);
        second.upsertNode(hgx("n1", H100));
        assertThat(starts(second.schedule(T0.plusSeconds(2)))).singleElement()
                .satisfies(s -> assertThat(s.placements()).extracting(Placement::node).containsExactly("n1"));
    }

    @Test
    void aRestoredServiceOfMigSlicesHoldsItsSlices() {
        Scheduler first = new Scheduler(SchedulerPolicy.defaults(), Fabric.none());
        first.upsertNode(Clusters.migHgx("mig", 1));
        first.submit("svc", Jobs.slices(7, "1g.10gb").spec(), T0);
        first.schedule(T0);
        first.running("svc", T0);
        JobRecord svc = first.job("svc").orElseThrow();
        assertThat(svc.placements()).hasSize(7);

        Scheduler second = new Scheduler(SchedulerPolicy.defaults(), Fabric.none());
        second.upsertNode(Clusters.migHgx("mig", 1));
        second.restore(svc, T0.plusSeconds(1));
        second.submit("more", Jobs.slices(1, "1g.10gb").spec(), T0.plusSeconds(1));

        assertThat(second.job("svc").orElseThrow().placements()).isEqualTo(svc.placements());
        assertThat(starts(second.schedule(T0.plusSeconds(1)))).isEmpty();
        assertThat(second.heldMilliByTenant()).containsExactly(Map.entry("default", 7 * 143L));

        // Where another job already holds the slices, the service waits for all its replicas.
        Scheduler taken = new Scheduler(SchedulerPolicy.defaults(), Fabric.none());
        taken.upsertNode(Clusters.migHgx("mig", 1));
        taken.submit("other", Jobs.slices(7, "1g.10gb").spec(), T0);
        taken.schedule(T0);
        taken.restore(svc, T0.plusSeconds(1));
        assertThat(taken.job("svc").orElseThrow().state()).isEqualTo(JobState.PENDING);

        // On a node whose MIG GPU is gone, no slice is found: the service waits for all its replicas.
        Scheduler third = new Scheduler(SchedulerPolicy.defaults(), Fabric.none());
        third.upsertNode(new NodeCapacity("mig", H100, null, true, true, List.of()));
        third.restore(svc, T0.plusSeconds(1));
        assertThat(third.job("svc").orElseThrow().state()).isEqualTo(JobState.PENDING);
    }

    @Test
    void restoredJobsSubmittedAtOneInstantKeepTheOrderTheyWereRestoredIn() {
        Scheduler first = oneNode();
        first.submit("x", Jobs.training(8).spec(), T0);
        first.submit("y", Jobs.training(8).spec(), T0);
        first.submit("z", Jobs.training(8).spec(), T0);
        JobRecord x = first.job("x").orElseThrow();
        JobRecord y = first.job("y").orElseThrow();
        JobRecord z = first.job("z").orElseThrow();

        Scheduler second = oneNode();
        second.restore(y, T0);
        second.restore(z, T0);
        second.restore(x, T0);

        assertThat(starts(second.schedule(T0))).extracting(Decision.Start::job).containsExactly("y");
    }

    @Test
    void aRestoredJobIsChargedToItsOwnTenantsQuota() {
        Tenant a = new Tenant("a", null, null, Map.of("H100", 8), null);
        Tenant b = new Tenant("b", null, null, Map.of("H100", 8), null);
        SchedulerPolicy policy = new SchedulerPolicy(null, null, null, null, null, null, List.of(a, b));
        Scheduler first = new Scheduler(policy, Fabric.none());
        first.upsertNode(hgx("n0", H100));
        first.submit("b-runs", Jobs.training(8).tenant("b").spec(), T0);
        first.schedule(T0);

        Scheduler second = new Scheduler(policy, Fabric.none());
        second.upsertNode(hgx("n0", H100));
        second.upsertNode(hgx("n1", H100));
        second.restore(first.job("b-runs").orElseThrow(), T0);
        second.submit("b-more", Jobs.training(8).tenant("b").spec(), T0);
        second.submit("a-job", Jobs.training(8).tenant("a").spec(), T0);

        assertThat(starts(second.schedule(T0))).extracting(Decision.Start::job).containsExactly("a-job");
        assertThat(second.job("b-more").orElseThrow().waiting()).isEqualTo(WaitReason.QUOTA);
    }

    @Test
    void aRestoredRunningJobIsExpectedBackARuntimeLimitAfterItStarted() {
        Scheduler first = new Scheduler(SchedulerPolicy.defaults(), Fabric.none());
        first.upsertNode(hgx("n0", H100));
        first.submit("runs", Jobs.training(4).limit(Duration.ofHours(2)).spec(), T0);
        first.schedule(T1H);
        first.running("runs", T1H);

        Scheduler second = new Scheduler(SchedulerPolicy.defaults(), Fabric.none());
        second.upsertNode(hgx("n0", H100));
        second.restore(first.job("runs").orElseThrow(), T1H);
        second.submit("head", Jobs.training(8).spec(), T1H);
        second.schedule(T1H);

        // Submitted at T0, started at T0+1h, limit 2h: the head job's reservation starts at T0+3h.
        assertThat(second.job("head").orElseThrow().reason()).endsWith("reserved 1 node from 2026-11-22T11:00:00Z");
    }
}
