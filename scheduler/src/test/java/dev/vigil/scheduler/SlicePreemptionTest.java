package dev.vigil.scheduler;

import dev.vigil.api.jobs.JobState;
import dev.vigil.api.jobs.Placement;
import dev.vigil.api.jobs.WaitReason;
import dev.vigil.scheduler.policy.SchedulerPolicy;
import dev.vigil.scheduler.policy.Tenant;
import dev.vigil.scheduler.topology.Fabric;
import dev.vigil.scheduler.topology.NodeCapacity;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.vigil.scheduler.Clusters.H100;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * MIG slices as preemption victims, worked out by hand: a job of higher priority (or a lender reclaiming its quota)
 * evicts the jobs holding slices of its profile when that frees what it needs, and nobody when it would not.
 */
class SlicePreemptionTest {
    private static final Instant T0 = Instant.parse("2026-12-07T08:00:00Z");

    /** An H100 node in {@code pool} with {@code gpus} GPUs, each cut into {@code count} slices of {@code profile}. */
    private static NodeCapacity mig(String name, String pool, int count, String profile, int gpus) {
        List<NodeCapacity.Gpu> list = new ArrayList<>();
        for (int gpu = 0; gpu < gpus; gpu++) {
            List<NodeCapacity.MigSlice> slices = new ArrayList<>();
            for (int s = 0; s < count; s++) {
                slices.add(new NodeCapacity.MigSlice(1 + s, profile));
            }
            list.add(new NodeCapacity.Gpu(gpu, name + "-gpu-" + gpu, true, 0, 0, slices));
        }
        return new NodeCapacity(name, H100, pool, true, true, list);
    }

    private static Scheduler scheduler(NodeCapacity... nodes) {
        Scheduler scheduler = new Scheduler(SchedulerPolicy.defaults(), Fabric.none());
        for (NodeCapacity node : nodes) {
            scheduler.upsertNode(node);
        }
        return scheduler;
    }

    private static void place(Scheduler scheduler, String id, Jobs job, Instant at) {
        scheduler.submit(id, job.spec(), at);
        scheduler.schedule(at);
        assertThat(scheduler.job(id).orElseThrow().state()).as(id).isEqualTo(JobState.PLACED);
    }

    private static List<String> stopped(Cycle cycle) {
        return cycle.decisions().stream().filter(d -> d instanceof Decision.Stop).map(Decision::job).toList();
    }

    private static List<String> started(Cycle cycle) {
        return cycle.decisions().stream().filter(d -> d instanceof Decision.Start).map(Decision::job).toList();
    }

    private static List<Integer> instances(Scheduler scheduler, String id) {
        return scheduler.job(id).orElseThrow().placements().stream().flatMap(p -> p.migInstances().stream()).toList();
    }

    @Test
    void aHighPriorityJobEvictsTheLowestPriorityMostRecentSliceJobsAndTakesTheirSlices() {
        // One GPU cut into seven 1g.10gb: low-0..low-4 (placed in that order), then normal-0 and normal-1 fill it.
        Scheduler scheduler = scheduler(mig("m", null, 7, "1g.10gb", 1));
        for (int i = 0; i < 5; i++) {
            place(scheduler, "low-" + i, Jobs.slices(1, "1g.10gb").priority("low").preemptible(), T0.plusSeconds(i));
        }
        place(scheduler, "normal-0", Jobs.slices(1, "1g.10gb").preemptible(), T0.plusSeconds(10));
        place(scheduler, "normal-1", Jobs.slices(1, "1g.10gb").preemptible(), T0.plusSeconds(11));
        List<Integer> freed = new ArrayList<>(instances(scheduler, "low-4"));
        freed.addAll(instances(scheduler, "low-3"));

        scheduler.submit("urgent", Jobs.slices(2, "1g.10gb").priority("high").spec(), T0.plusSeconds(20));
        Cycle cycle = scheduler.schedule(T0.plusSeconds(20));

        // Priority before recency: the normal jobs were placed last but cost more.
        assertThat(stopped(cycle)).containsExactly("low-4", "low-3");
        assertThat(cycle.decisions()).filteredOn(d -> d instanceof Decision.Stop)
                .allSatisfy(d -> assertThat(((Decision.Stop) d).reason())
                        .isEqualTo("preempted by job urgent (priority 1000 > 100)"));
        assertThat(started(cycle)).containsExactly("urgent");
        assertThat(instances(scheduler, "urgent")).containsExactlyInAnyOrderElementsOf(freed);
        assertThat(scheduler.job("low-4").orElseThrow().state()).isEqualTo(JobState.PENDING);
        assertThat(scheduler.job("low-2").orElseThrow().state()).isEqualTo(JobState.PLACED);
    }

    @Test
    void aSliceJobEvictsOnlyAHolderOfItsOwnProfile() {
        // GPU 0: two 3g.40gb (firm, not preemptible; low-3g); GPU 1: seven 1g.10gb, all held by later low jobs.
        List<NodeCapacity.Gpu> gpus = List.of(mig("x", null, 2, "3g.40gb", 1).gpus().get(0),
                new NodeCapacity.Gpu(1, "g1", true, 0, 0, mig("x", null, 7, "1g.10gb", 1).gpus().get(0).mig()));
        Scheduler scheduler = scheduler(new NodeCapacity("m", H100, null, true, true, gpus));
        place(scheduler, "firm", Jobs.slices(1, "3g.40gb").priority("low"), T0);
        place(scheduler, "low-3g", Jobs.slices(1, "3g.40gb").priority("low").preemptible(), T0.plusSeconds(1));
        place(scheduler, "low-1g", Jobs.slices(7, "1g.10gb").priority("low").preemptible(), T0.plusSeconds(2));

        scheduler.submit("urgent", Jobs.slices(1, "3g.40gb").priority("high").spec(), T0.plusSeconds(20));
        Cycle cycle = scheduler.schedule(T0.plusSeconds(20));

        assertThat(stopped(cycle)).containsExactly("low-3g");
        assertThat(started(cycle)).containsExactly("urgent");
    }

    @Test
    void nothingIsEvictedWhenTheVictimsCannotFreeEnoughAndTheirSlicesStayTheirs() {
        // Two 3g.40gb: one held by a preemptible low job, one by a job that may not be preempted.
        Scheduler scheduler = scheduler(mig("m", null, 2, "3g.40gb", 1));
        place(scheduler, "firm", Jobs.slices(1, "3g.40gb").priority("low"), T0);
        place(scheduler, "low", Jobs.slices(1, "3g.40gb").priority("low").preemptible(), T0.plusSeconds(1));

        scheduler.submit("urgent", Jobs.slices(2, "3g.40gb").priority("high").spec(), T0.plusSeconds(20));
        Cycle cycle = scheduler.schedule(T0.plusSeconds(20));

        assertThat(cycle.decisions()).as("one slice of the two it needs: not worth an eviction").isEmpty();
        assertThat(scheduler.job("urgent").orElseThrow().waiting()).isEqualTo(WaitReason.ROOM);
        // The plan freed low's slice only to look: it is still low's, so the next cycle places nothing on it.
        assertThat(scheduler.schedule(T0.plusSeconds(21)).decisions()).isEmpty();
        assertThat(scheduler.job("low").orElseThrow().state()).isEqualTo(JobState.PLACED);
    }

    @Test
    void aVictimOfAPlanThatFailedKeepsItsSliceAfterItsNodeReportedAgain() {
        Scheduler scheduler = scheduler(mig("m", null, 2, "3g.40gb", 1));
        place(scheduler, "firm", Jobs.slices(1, "3g.40gb").priority("low"), T0);
        place(scheduler, "low", Jobs.slices(1, "3g.40gb").priority("low").preemptible(), T0.plusSeconds(1));
        // The agent reports the same layout again: the node's slices are new objects, the holds stay.
        scheduler.upsertNode(mig("m", null, 2, "3g.40gb", 1));

        scheduler.submit("urgent", Jobs.slices(2, "3g.40gb").priority("high").spec(), T0.plusSeconds(20));
        assertThat(scheduler.schedule(T0.plusSeconds(20)).decisions()).as("one slice of two: no eviction").isEmpty();

        // low took its slice back as the node has it now, so a job that may not preempt finds none free.
        scheduler.submit("later", Jobs.slices(1, "3g.40gb").priority("low").spec(), T0.plusSeconds(21));
        assertThat(scheduler.schedule(T0.plusSeconds(21)).decisions()).isEmpty();
        assertThat(scheduler.job("later").orElseThrow().state()).isEqualTo(JobState.ADMITTED);
        assertThat(scheduler.job("low").orElseThrow().state()).isEqualTo(JobState.PLACED);
    }

    @Test
    void aSliceJobOfEqualPriorityIsNotEvicted() {
        // GPU 0: two 3g.40gb held by preemptible jobs of normal priority; GPU 1: seven 1g.10gb held by a preemptible
        // low job, which lets a normal job look for victims at all.
        List<NodeCapacity.Gpu> gpus = List.of(mig("x", null, 2, "3g.40gb", 1).gpus().get(0),
                new NodeCapacity.Gpu(1, "g1", true, 0, 0, mig("x", null, 7, "1g.10gb", 1).gpus().get(0).mig()));
        Scheduler scheduler = scheduler(new NodeCapacity("m", H100, null, true, true, gpus));
        place(scheduler, "peer", Jobs.slices(2, "3g.40gb").preemptible(), T0);
        place(scheduler, "low-1g", Jobs.slices(7, "1g.10gb").priority("low").preemptible(), T0.plusSeconds(1));

        scheduler.submit("normal", Jobs.slices(1, "3g.40gb").spec(), T0.plusSeconds(20));
        Cycle cycle = scheduler.schedule(T0.plusSeconds(20));

        assertThat(cycle.decisions()).isEmpty();
        assertThat(scheduler.job("normal").orElseThrow().waiting()).isEqualTo(WaitReason.ROOM);
    }

    @Test
    void aSliceJobOnANodeThePreemptorMayNotUseIsNotEvicted() {
        Scheduler scheduler = scheduler(mig("a", "a", 1, "3g.40gb", 1), mig("b", "b", 1, "3g.40gb", 1));
        place(scheduler, "low-a", Jobs.slices(1, "3g.40gb").priority("low").preemptible().pool("a"), T0);
        // Placed later, so cheaper to evict, but in pool b.
        place(scheduler, "low-b", Jobs.slices(1, "3g.40gb").priority("low").preemptible().pool("b"),
                T0.plusSeconds(1));

        scheduler.submit("urgent", Jobs.slices(1, "3g.40gb").priority("high").pool("a").spec(), T0.plusSeconds(20));
        Cycle cycle = scheduler.schedule(T0.plusSeconds(20));

        assertThat(stopped(cycle)).containsExactly("low-a");
        assertThat(started(cycle)).containsExactly("urgent");
        assertThat(scheduler.job("urgent").orElseThrow().placements()).extracting(Placement::node)
                .containsExactly("a");
    }

    @Test
    void aWholeGpuJobDoesNotEvictSliceJobs() {
        // GPU 0 cut into seven 1g.10gb held by a preemptible low job; GPU 1 whole, held by a job that may not be
        // preempted. Evicting the slices would leave GPU 0 in MIG mode: no whole GPU for the urgent job.
        List<NodeCapacity.Gpu> gpus = List.of(mig("x", null, 7, "1g.10gb", 1).gpus().get(0),
                new NodeCapacity.Gpu(1, "g1", true, 0, 0, List.of()));
        Scheduler scheduler = scheduler(new NodeCapacity("m", H100, null, true, true, gpus));
        place(scheduler, "slices", Jobs.slices(7, "1g.10gb").priority("low").preemptible(), T0);
        place(scheduler, "whole", Jobs.training(1).priority("low"), T0.plusSeconds(1));

        scheduler.submit("urgent", Jobs.training(1).priority("high").spec(), T0.plusSeconds(20));
        Cycle cycle = scheduler.schedule(T0.plusSeconds(20));

        assertThat(cycle.decisions()).isEmpty();
        assertThat(scheduler.job("slices").orElseThrow().state()).isEqualTo(JobState.PLACED);
    }

    @Test
    void aLenderReclaimsItsQuotaFromTheBorrowersLatestJobHoldingItsProfile() {
        // Research and vision each have one H100 of nominal quota in cohort lab. GPUs 0 and 1 are cut into two
        // 3g.40gb each, GPU 2 into seven 1g.10gb. Vision's four 3g.40gb (0.43 of a GPU each) and, last, one 1g.10gb
        // (0.14) make 1.86: it borrows 0.86 of research's.
        Tenant research = new Tenant("research", null, "lab", Map.of("H100", 1), null);
        Tenant vision = new Tenant("vision", null, "lab", Map.of("H100", 1), null);
        Scheduler scheduler = new Scheduler(new SchedulerPolicy(null, null, true, null, null, null,
                List.of(research, vision)), Fabric.none());
        List<NodeCapacity.Gpu> gpus = new ArrayList<>(mig("x", null, 2, "3g.40gb", 2).gpus());
        gpus.add(new NodeCapacity.Gpu(2, "g2", true, 0, 0, mig("x", null, 7, "1g.10gb", 1).gpus().get(0).mig()));
        scheduler.upsertNode(new NodeCapacity("m", H100, null, true, true, gpus));
        for (int i = 0; i < 4; i++) {
            place(scheduler, "v-" + i, Jobs.slices(1, "3g.40gb").tenant("vision"), T0.plusSeconds(i));
        }
        place(scheduler, "v-small", Jobs.slices(1, "1g.10gb").tenant("vision"), T0.plusSeconds(5));

        scheduler.submit("mine", Jobs.slices(1, "3g.40gb").tenant("research").spec(), T0.plusSeconds(20));
        Cycle cycle = scheduler.schedule(T0.plusSeconds(20));

        assertThat(cycle.decisions()).filteredOn(d -> d instanceof Decision.Stop).singleElement()
                .satisfies(d -> {
                    assertThat(d.job()).isEqualTo("v-3");
                    assertThat(((Decision.Stop) d).reason()).isEqualTo("reclaimed: tenant research needs its own "
                            + "H100 quota back for job mine (tenant vision borrowed it in cohort lab)");
                });
        // v-small was placed last, but its 1g.10gb slice is no room for a 3g.40gb one: it keeps running.
        assertThat(started(cycle)).containsExactly("mine");
        assertThat(scheduler.heldMilliByTenant()).containsExactly(Map.entry("research", 429L),
                Map.entry("vision", 1430L));
    }

    @Test
    void aLenderReclaimingWholeGpusLeavesTheBorrowersSlicesAlone() {
        // GPU 0 whole, GPU 1 cut into seven 1g.10gb. Vision (one H100 of nominal quota, like research) holds GPU 0,
        // then all seven slices, placed last: 2.0 GPUs, one borrowed from research.
        Tenant research = new Tenant("research", null, "lab", Map.of("H100", 1), null);
        Tenant vision = new Tenant("vision", null, "lab", Map.of("H100", 1), null);
        Scheduler scheduler = new Scheduler(new SchedulerPolicy(null, null, true, null, null, null,
                List.of(research, vision)), Fabric.none());
        List<NodeCapacity.Gpu> gpus = List.of(new NodeCapacity.Gpu(0, "g0", true, 0, 0, List.of()),
                new NodeCapacity.Gpu(1, "g1", true, 0, 0, mig("x", null, 7, "1g.10gb", 1).gpus().get(0).mig()));
        scheduler.upsertNode(new NodeCapacity("m", H100, null, true, true, gpus));
        place(scheduler, "whole", Jobs.training(1).tenant("vision"), T0);
        place(scheduler, "cut", Jobs.slices(7, "1g.10gb").tenant("vision"), T0.plusSeconds(1));

        scheduler.submit("mine", Jobs.training(1).tenant("research").spec(), T0.plusSeconds(20));
        Cycle cycle = scheduler.schedule(T0.plusSeconds(20));

        // Evicting the slices frees no whole GPU: only the whole-GPU job makes room.
        assertThat(stopped(cycle)).containsExactly("whole");
        assertThat(started(cycle)).containsExactly("mine");
    }
}
