package dev.vigil.scheduler;

import dev.vigil.api.jobs.JobRecord;
import dev.vigil.api.jobs.JobState;
import dev.vigil.api.jobs.Placement;
import dev.vigil.scheduler.policy.SchedulerPolicy;
import dev.vigil.scheduler.topology.Fabric;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import static dev.vigil.scheduler.Clusters.H100;
import static dev.vigil.scheduler.Clusters.hgx;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a backend that chooses for itself tells the scheduler: Slurm picks the GPU indices within
 * a node ({@link Scheduler#rebind}), and a Slurm job that ends with NODE_FAIL loses its work
 * ({@link Scheduler#lost}).
 */
class BackendFeedbackTest {
    private static final Instant T0 = Instant.parse("2026-11-22T08:00:00Z");

    /** Two H100 nodes, n0 and n1, under one leaf. */
    private static Scheduler twoNodes() {
        Scheduler scheduler = new Scheduler(SchedulerPolicy.defaults(), Fabric.uniform(1, 2, "n"));
        scheduler.upsertNode(hgx("n0", H100));
        scheduler.upsertNode(hgx("n1", H100));
        return scheduler;
    }

    private static List<Decision.Start> starts(Cycle cycle) {
        return cycle.decisions().stream().filter(d -> d instanceof Decision.Start).map(d -> (Decision.Start) d).toList();
    }

    private static Placement placement(Scheduler scheduler, String job) {
        return scheduler.job(job).orElseThrow().placements().get(0);
    }

    @Test
    void rebindMovesTheJobsHoldToTheGpusTheBackendChoseAndFreesTheOnesItChoseNot() {
        Scheduler scheduler = twoNodes();
        scheduler.submit("a", Jobs.training(2).spec(), T0);
        scheduler.schedule(T0);
        String node = placement(scheduler, "a").node();
        assertThat(placement(scheduler, "a").gpus()).doesNotContain(6, 7);
        scheduler.takeChanged();

        assertThat(scheduler.rebind("a", node, null, List.of(6, 7))).isTrue();

        Placement moved = placement(scheduler, "a");
        assertThat(moved.gpus()).containsExactly(6, 7);
        assertThat(moved.uuids()).containsExactly(Clusters.uuid(node, 6), Clusters.uuid(node, 7));
        assertThat(scheduler.takeChanged()).extracting(JobRecord::id).containsExactly("a");
        // The GPUs the scheduler had chosen are free again, 6 and 7 are not: a 6-GPU job gets 0-5 there.
        scheduler.submit("six", Jobs.training(6).models(H100).spec(), T0);
        scheduler.submit("fill", Jobs.training(8).spec(), T0);
        List<Decision.Start> next = starts(scheduler.schedule(T0));
        assertThat(next).filteredOn(s -> s.job().equals("six")).singleElement()
                .satisfies(s -> assertThat(s.placements().get(0)).satisfies(p -> {
                    assertThat(p.node()).isEqualTo(node);
                    assertThat(p.gpus()).containsExactly(0, 1, 2, 3, 4, 5);
                }));
    }

    @Test
    void aPlacedJobOnTheGpusTheBackendChoseTakesTheOnesGivenUpInExchange() {
        Scheduler scheduler = twoNodes();
        scheduler.submit("a", Jobs.training(2).spec(), T0);
        scheduler.submit("b", Jobs.training(2).spec(), T0);
        scheduler.schedule(T0);
        Placement a = placement(scheduler, "a");
        Placement b = placement(scheduler, "b");
        assertThat(b.node()).as("best fit packs the node").isEqualTo(a.node());

        // Slurm started a on the GPUs the scheduler meant for b, which Slurm has not started yet.
        assertThat(scheduler.rebind("a", a.node(), null, b.gpus())).isTrue();

        assertThat(placement(scheduler, "a").gpus()).isEqualTo(b.gpus());
        assertThat(placement(scheduler, "b").gpus()).isEqualTo(a.gpus());
        assertThat(scheduler.job("b").orElseThrow().state()).isEqualTo(JobState.PLACED);
    }

    @Test
    void rebindRefusesGpusARunningJobHoldsAndAnotherCountAndChangesNothing() {
        Scheduler scheduler = twoNodes();
        scheduler.submit("a", Jobs.training(2).spec(), T0);
        scheduler.submit("b", Jobs.training(2).spec(), T0);
        scheduler.schedule(T0);
        scheduler.running("b", T0);
        Placement a = placement(scheduler, "a");
        Placement b = placement(scheduler, "b");

        assertThat(scheduler.rebind("a", a.node(), null, b.gpus())).isFalse();
        assertThat(scheduler.rebind("a", a.node(), null, List.of(6))).as("one GPU for two").isFalse();
        assertThat(scheduler.rebind("a", a.node(), null, List.of(6, 6))).as("one GPU twice").isFalse();
        assertThat(scheduler.rebind("a", a.node(), null, List.of(7, 8))).as("no GPU 8").isFalse();
        assertThat(scheduler.rebind("a", a.node().equals("n0") ? "n1" : "n0", null, List.of(0, 1)))
                .as("holds nothing there").isFalse();
        assertThat(scheduler.rebind("nobody", a.node(), null, List.of(0, 1))).isFalse();
        assertThat(scheduler.rebind("a", a.node(), null, a.gpus())).as("already there").isTrue();

        assertThat(placement(scheduler, "a")).isEqualTo(a);
        assertThat(placement(scheduler, "b")).isEqualTo(b);
    }

    @Test
    void replicasOfOneServiceOnOneNodeSwapWhenTheBackendStartsOneOnTheOthersGpu() {
        Scheduler scheduler = twoNodes();
        scheduler.submit("svc", Jobs.inference(2, 1).packed().spec(), T0);
        scheduler.schedule(T0);
        List<Placement> replicas = scheduler.job("svc").orElseThrow().placements();
        assertThat(replicas).extracting(Placement::node).containsOnly(replicas.get(0).node());
        Placement first = replicas.stream().filter(p -> p.replica() == 0).findFirst().orElseThrow();
        Placement second = replicas.stream().filter(p -> p.replica() == 1).findFirst().orElseThrow();

        assertThat(scheduler.rebind("svc", first.node(), 0, second.gpus())).isTrue();

        assertThat(scheduler.job("svc").orElseThrow().placements())
                .anySatisfy(p -> assertThat(p.replica() == 0 && p.gpus().equals(second.gpus())).isTrue())
                .anySatisfy(p -> assertThat(p.replica() == 1 && p.gpus().equals(first.gpus())).isTrue());
    }

    @Test
    void aGangWhoseBackendLostANodeIsStoppedEverywhereAndRequeuedAndTheNodeStaysUsable() {
        Scheduler scheduler = twoNodes();
        scheduler.submit("gang", Jobs.gang(2, 8).spec(), T0);
        scheduler.schedule(T0);
        scheduler.running("gang", T0);

        List<Decision> stops = scheduler.lost("gang", Set.of("n1"), "Slurm job 12 ended NODE_FAIL", T0.plusSeconds(5));

        assertThat(stops).singleElement().isInstanceOfSatisfying(Decision.Stop.class, stop -> {
            assertThat(stop.placements()).extracting(Placement::node).containsExactlyInAnyOrder("n0", "n1");
            assertThat(stop.reason()).isEqualTo("Slurm job 12 ended NODE_FAIL");
        });
        JobRecord requeued = scheduler.job("gang").orElseThrow();
        assertThat(requeued.state()).isEqualTo(JobState.PENDING);
        assertThat(requeued.history()).extracting(t -> t.to()).containsSubsequence(JobState.RUNNING,
                JobState.PREEMPTED, JobState.PENDING);
        assertThat(requeued.reason()).isEqualTo("requeued: Slurm job 12 ended NODE_FAIL");
        // Whether n1 is down is for its node state to say: the gang may start there again.
        assertThat(starts(scheduler.schedule(T0.plusSeconds(6)))).singleElement()
                .satisfies(s -> assertThat(s.attempt()).isEqualTo(2));
    }

    @Test
    void aServiceLosesOnlyTheReplicasOnTheLostNodeAndReplacesThem() {
        Scheduler scheduler = twoNodes();
        scheduler.submit("svc", Jobs.inference(2, 1).spec(), T0);
        scheduler.schedule(T0);
        scheduler.running("svc", T0);
        assertThat(scheduler.job("svc").orElseThrow().placements()).extracting(Placement::node)
                .containsExactlyInAnyOrder("n0", "n1");

        List<Decision> stops = scheduler.lost("svc", Set.of("n0"), "Slurm job 13 ended NODE_FAIL", T0);

        assertThat(stops).singleElement().isInstanceOfSatisfying(Decision.Stop.class,
                stop -> assertThat(stop.placements()).extracting(Placement::node).containsExactly("n0"));
        assertThat(scheduler.job("svc").orElseThrow().state()).isEqualTo(JobState.RUNNING);
        assertThat(starts(scheduler.schedule(T0))).singleElement()
                .satisfies(s -> assertThat(s.placements()).hasSize(1));
        assertThat(scheduler.lost("svc", Set.of("n9"), "elsewhere", T0)).isEmpty();
        assertThat(scheduler.lost("nobody", Set.of("n0"), "unknown", T0)).isEmpty();
    }
}
