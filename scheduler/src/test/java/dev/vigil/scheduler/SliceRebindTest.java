package dev.vigil.scheduler;

import dev.vigil.api.jobs.JobRecord;
import dev.vigil.api.jobs.Placement;
import dev.vigil.scheduler.policy.SchedulerPolicy;
import dev.vigil.scheduler.topology.Fabric;
import dev.vigil.scheduler.topology.NodeCapacity;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static dev.vigil.scheduler.Clusters.H100;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Scheduler#rebind(String, Placement)} of a MIG slice: the job's hold follows the instance the device
 * plugin gave it, swapping with the job that held it, never onto a slice of another profile.
 */
class SliceRebindTest {
    private static final Instant T0 = Instant.parse("2026-11-22T08:00:00Z");

    /** GPUs 0 and 1 cut into two 3g.40gb instances each (ids 1 and 2); GPU 2 into seven 1g.10gb (ids 7-13). */
    private static Scheduler mig() {
        List<NodeCapacity.Gpu> gpus = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            gpus.add(new NodeCapacity.Gpu(i, "GPU-" + i, true, 0, 0, List.of(new NodeCapacity.MigSlice(1, "3g.40gb"),
                    new NodeCapacity.MigSlice(2, "3g.40gb"))));
        }
        List<NodeCapacity.MigSlice> ones = new ArrayList<>();
        for (int s = 0; s < 7; s++) {
            ones.add(new NodeCapacity.MigSlice(7 + s, "1g.10gb"));
        }
        gpus.add(new NodeCapacity.Gpu(2, "GPU-2", true, 0, 0, ones));
        Scheduler scheduler = new Scheduler(SchedulerPolicy.defaults(), Fabric.none());
        scheduler.upsertNode(new NodeCapacity("mig", H100, null, true, true, gpus));
        return scheduler;
    }

    private static Placement placement(Scheduler scheduler, String job) {
        return scheduler.job(job).orElseThrow().placements().get(0);
    }

    /** Where the backend says a replica's slice runs (the uuid is not read). */
    private static Placement slice(String node, int replica, int gpu, int gpuInstance) {
        return new Placement(node, List.of(gpu), List.of("GPU-" + gpu), List.of(gpuInstance), replica);
    }

    /** GPU and instance of each placement, as "gpu/instance". */
    private static List<String> slices(Scheduler scheduler, String job) {
        return scheduler.job(job).orElseThrow().placements().stream()
                .map(p -> p.gpus().get(0) + "/" + p.migInstances().get(0)).toList();
    }

    @Test
    void aSliceMovesToTheFreeInstanceItRunsInAndTheOneItLeftIsFree() {
        Scheduler scheduler = mig();
        scheduler.submit("a", Jobs.slices(1, "3g.40gb").spec(), T0);
        scheduler.schedule(T0);
        assertThat(slices(scheduler, "a")).containsExactly("0/1");

        assertThat(scheduler.rebind("a", slice("mig", 0, 1, 2))).isTrue();

        assertThat(placement(scheduler, "a")).isEqualTo(
                new Placement("mig", List.of(1), List.of("GPU-1"), List.of(2), 0));
        // Free now: 0/1, 0/2 and 1/1; a fourth replica finds nothing.
        scheduler.submit("fill", Jobs.slices(4, "3g.40gb").spec(), T0);
        scheduler.schedule(T0.plusSeconds(1));
        scheduler.schedule(T0.plusSeconds(2));
        assertThat(slices(scheduler, "fill")).containsExactlyInAnyOrder("0/1", "0/2", "1/1");
    }

    @Test
    void aSliceAnotherPlacedJobHoldsIsSwappedForTheOneGivenUp() {
        Scheduler scheduler = mig();
        scheduler.submit("a", Jobs.slices(1, "3g.40gb").spec(), T0);
        scheduler.submit("b", Jobs.slices(1, "3g.40gb").spec(), T0);
        scheduler.schedule(T0);
        List<String> a = slices(scheduler, "a");
        List<String> b = slices(scheduler, "b");
        assertThat(a).isNotEqualTo(b);
        int bGpu = placement(scheduler, "b").gpus().get(0);
        int bInstance = placement(scheduler, "b").migInstances().get(0);
        scheduler.takeChanged();

        assertThat(scheduler.rebind("a", slice("mig", 0, bGpu, bInstance))).isTrue();

        assertThat(slices(scheduler, "a")).isEqualTo(b);
        assertThat(slices(scheduler, "b")).isEqualTo(a);
        assertThat(scheduler.takeChanged()).as("both are stored again").extracting(JobRecord::id)
                .containsExactlyInAnyOrder("a", "b");
        // The cluster state holds both still: two replicas more fit, not three.
        scheduler.submit("fill", Jobs.slices(3, "3g.40gb").spec(), T0);
        scheduler.schedule(T0.plusSeconds(1));
        scheduler.schedule(T0.plusSeconds(2));
        assertThat(slices(scheduler, "fill")).hasSize(2).doesNotContainAnyElementsOf(a).doesNotContainAnyElementsOf(b);
    }

    @Test
    void anotherProfileAnUnknownInstanceOrARunningJobsSliceIsRefusedAndNothingMoves() {
        Scheduler scheduler = mig();
        scheduler.submit("a", Jobs.slices(1, "3g.40gb").spec(), T0);
        scheduler.submit("b", Jobs.slices(1, "3g.40gb").spec(), T0);
        scheduler.schedule(T0);
        scheduler.running("b", T0);
        Placement a = placement(scheduler, "a");
        Placement b = placement(scheduler, "b");
        scheduler.takeChanged();

        assertThat(scheduler.rebind("a", slice("mig", 0, 2, 7))).as("a 1g.10gb instance").isFalse();
        assertThat(scheduler.rebind("a", slice("mig", 0, 1, 9))).as("no instance 9 on GPU 1").isFalse();
        assertThat(scheduler.rebind("a", slice("mig", 0, 3, 1))).as("no GPU 3").isFalse();
        assertThat(scheduler.rebind("a", slice("mig", 0, b.gpus().get(0), b.migInstances().get(0))))
                .as("a running job's slice").isFalse();
        assertThat(scheduler.rebind("a", slice("mig", 1, 1, 2))).as("no replica 1").isFalse();
        assertThat(scheduler.rebind("a", slice("elsewhere", 0, 1, 2))).as("holds nothing there").isFalse();
        assertThat(scheduler.rebind("a", new Placement("mig", List.of(1), List.of("GPU-1"), List.of(1, 2), 0)))
                .as("two instances for one slice").isFalse();
        assertThat(scheduler.rebind("a", new Placement("mig", List.of(1, 1), List.of("GPU-1", "GPU-1"), List.of(2),
                0))).as("two GPUs for one slice").isFalse();
        assertThat(scheduler.rebind("a", slice("mig", 0, a.gpus().get(0), a.migInstances().get(0))))
                .as("already there").isTrue();

        assertThat(placement(scheduler, "a")).isEqualTo(a);
        assertThat(placement(scheduler, "b")).isEqualTo(b);
        assertThat(scheduler.takeChanged()).as("nothing to store").isEmpty();
    }

    @Test
    void replicasOfOneServiceSwapSlicesWhenOneRunsInTheOthers() {
        Scheduler scheduler = mig();
        scheduler.submit("a", Jobs.slices(2, "3g.40gb").spec(), T0);
        scheduler.schedule(T0);
        List<Placement> replicas = scheduler.job("a").orElseThrow().placements();
        assertThat(replicas).extracting(Placement::replica).containsExactly(0, 1);
        Placement first = replicas.get(0);
        Placement second = replicas.get(1);

        assertThat(scheduler.rebind("a", slice("mig", 1, first.gpus().get(0), first.migInstances().get(0))))
                .isTrue();

        List<Placement> after = scheduler.job("a").orElseThrow().placements();
        assertThat(after.get(1).gpus()).isEqualTo(first.gpus());
        assertThat(after.get(1).migInstances()).isEqualTo(first.migInstances());
        assertThat(after.get(0).gpus()).isEqualTo(second.gpus());
        assertThat(after.get(0).migInstances()).isEqualTo(second.migInstances());
        // Still two slices held: two more replicas fit, not three.
        scheduler.submit("fill", Jobs.slices(3, "3g.40gb").spec(), T0);
        scheduler.schedule(T0.plusSeconds(1));
        scheduler.schedule(T0.plusSeconds(2));
        assertThat(scheduler.job("fill").orElseThrow().placements()).hasSize(2);
    }
}
