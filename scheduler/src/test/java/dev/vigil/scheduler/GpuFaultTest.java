package dev.vigil.scheduler;

import dev.vigil.api.jobs.JobRecord;
import dev.vigil.api.jobs.JobState;
import dev.vigil.api.jobs.Placement;
import dev.vigil.scheduler.policy.SchedulerPolicy;
import dev.vigil.scheduler.topology.Fabric;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static dev.vigil.scheduler.Clusters.H100;
import static dev.vigil.scheduler.Clusters.hgx;
import static org.assertj.core.api.Assertions.assertThat;

/** A GPU that fails under a job, and an application that faults on one: what becomes of the jobs there. */
class GpuFaultTest {
    private static final Instant T0 = Instant.parse("2026-12-06T00:00:00Z");

    private final Scheduler scheduler = new Scheduler(SchedulerPolicy.defaults(), Fabric.uniform(2, 2, "n"));

    GpuFaultTest() {
        for (int i = 0; i < 4; i++) {
            scheduler.upsertNode(hgx("n" + i, H100));
        }
    }

    private Placement running(String job) {
        scheduler.schedule(T0);
        scheduler.running(job, T0);
        return scheduler.job(job).orElseThrow().placements().get(0);
    }

    @Test
    void aGangOnAFailedGpuIsStoppedEverywhereAndRequeuedNamingNodeGpuAndFault() {
        scheduler.submit("gang", Jobs.gang(2, 8).spec(), T0);
        scheduler.submit("other", Jobs.training(8).spec(), T0);
        Placement first = running("gang");
        scheduler.running("other", T0);

        List<Decision> stops = scheduler.gpuFailed(first.node(), 3, "XID 79 (fallen off the bus)", T0.plusSeconds(1));

        assertThat(stops).extracting(Decision::job).containsExactly("gang");
        assertThat(((Decision.Stop) stops.get(0)).placements()).hasSize(2);
        JobRecord gang = scheduler.job("gang").orElseThrow();
        assertThat(gang.state()).isEqualTo(JobState.PENDING);
        assertThat(gang.reason()).isEqualTo("requeued: gpu 3 of " + first.node() + " failed: XID 79 (fallen off the bus)");
        assertThat(scheduler.job("other").orElseThrow().state()).isEqualTo(JobState.RUNNING);
    }

    @Test
    void aGpuNoJobHoldsFailsWithoutStoppingAnything() {
        scheduler.submit("four", Jobs.training(4).spec(), T0);
        Placement placement = running("four");
        int free = java.util.stream.IntStream.range(0, 8).filter(g -> !placement.gpus().contains(g)).findFirst()
                .orElseThrow();

        assertThat(scheduler.gpuFailed(placement.node(), free, "XID 79", T0)).isEmpty();
        assertThat(scheduler.gpuFailed("nowhere", 0, "XID 79", T0)).isEmpty();
        assertThat(scheduler.job("four").orElseThrow().state()).isEqualTo(JobState.RUNNING);
    }

    @Test
    void aReplicaOnAFailedGpuIsReplacedWhileTheOthersRunOn() {
        scheduler.submit("service", Jobs.inference(2, 1).spec(), T0);
        Placement hit = running("service");

        List<Decision> stops = scheduler.gpuFailed(hit.node(), hit.gpus().get(0), "XID 48", T0);

        assertThat(stops).singleElement().satisfies(stop ->
                assertThat(((Decision.Stop) stop).placements()).containsExactly(hit));
        JobRecord service = scheduler.job("service").orElseThrow();
        assertThat(service.state()).isEqualTo(JobState.RUNNING);
        assertThat(service.placements()).hasSize(1).doesNotContain(hit);
    }

    @Test
    void anApplicationFaultEndsTheGangFailedNamingTheXid() {
        scheduler.submit("gang", Jobs.gang(2, 8).spec(), T0);
        Placement first = running("gang");

        List<Decision> stops = scheduler.applicationFault(first.node(), 5, "XID 13 (graphics engine exception)",
                T0.plusSeconds(2));

        assertThat(stops).singleElement().satisfies(stop -> assertThat(((Decision.Stop) stop).placements()).hasSize(2));
        assertThat(scheduler.job("gang")).isEmpty();
        JobRecord ended = scheduler.takeChanged().stream().filter(j -> j.id().equals("gang")).findFirst().orElseThrow();
        assertThat(ended.state()).isEqualTo(JobState.FAILED);
        assertThat(ended.reason()).isEqualTo("application fault on gpu 5 of " + first.node()
                + ": XID 13 (graphics engine exception)");
        assertThat(scheduler.holding()).isZero();
    }

    @Test
    void aGangWithRetriesIsRequeuedUntilTheyAreUsedThenFails() {
        scheduler.submit("gang", Jobs.training(8).retries(2).spec(), T0);
        for (int attempt = 1; attempt <= 2; attempt++) {
            Placement at = running("gang");
            scheduler.applicationFault(at.node(), 0, "XID 31", T0);
            JobRecord requeued = scheduler.job("gang").orElseThrow();
            assertThat(requeued.state()).isEqualTo(JobState.PENDING);
            assertThat(requeued.reason()).endsWith("(application-fault retry " + attempt + " of 2)");
        }
        Placement last = running("gang");

        scheduler.applicationFault(last.node(), 0, "XID 31", T0);

        assertThat(scheduler.job("gang")).isEmpty();
        assertThat(scheduler.takeChanged()).filteredOn(j -> j.id().equals("gang")).last()
                .satisfies(j -> {
                    assertThat(j.state()).isEqualTo(JobState.FAILED);
                    assertThat(j.reason()).endsWith("(2 retries used)");
                    assertThat(j.attempts()).isEqualTo(3);
                });
    }

    @Test
    void retriesUsedSurviveARestoreFromTheStoredRecord() {
        scheduler.submit("gang", Jobs.training(8).retries(1).spec(), T0);
        Placement at = running("gang");
        scheduler.applicationFault(at.node(), 0, "XID 43", T0);
        JobRecord stored = scheduler.job("gang").orElseThrow();

        Scheduler next = new Scheduler(SchedulerPolicy.defaults(), Fabric.uniform(2, 2, "n"));
        for (int i = 0; i < 4; i++) {
            next.upsertNode(hgx("n" + i, H100));
        }
        next.restore(stored, T0);
        next.schedule(T0);
        next.running("gang", T0);
        Placement again = next.job("gang").orElseThrow().placements().get(0);
        next.applicationFault(again.node(), again.gpus().get(0), "XID 43", T0);

        assertThat(next.job("gang")).isEmpty();
    }

    @Test
    void anApplicationFaultOnAnotherGpuLeavesTheJobAloneAndAReplicaIsReplaced() {
        scheduler.submit("four", Jobs.training(4).spec(), T0);
        Placement four = running("four");
        int other = java.util.stream.IntStream.range(0, 8).filter(g -> !four.gpus().contains(g)).findFirst()
                .orElseThrow();
        assertThat(scheduler.applicationFault(four.node(), other, "XID 13", T0)).isEmpty();
        assertThat(scheduler.job("four").orElseThrow().state()).isEqualTo(JobState.RUNNING);

        scheduler.submit("service", Jobs.inference(1, 1).spec(), T0);
        Placement replica = running("service");
        List<Decision> stops = scheduler.applicationFault(replica.node(), replica.gpus().get(0), "XID 13", T0);

        assertThat(stops).extracting(Decision::job).containsExactly("service");
        assertThat(scheduler.job("service").orElseThrow().state()).isEqualTo(JobState.PENDING);
    }

    @Test
    void aGpuReclaimedForAMigChangeTakesOnlyPreemptibleJobsUnlessForced() {
        scheduler.submit("spot", Jobs.training(1).preemptible().spec(), T0);
        scheduler.submit("steady", Jobs.training(1).spec(), T0);
        Placement spot = running("spot");
        scheduler.running("steady", T0);
        Placement steady = scheduler.job("steady").orElseThrow().placements().get(0);

        assertThat(scheduler.reclaimGpu(steady.node(), steady.gpus().get(0), true, "mig change", T0)).isEmpty();
        List<Decision> spotStops = scheduler.reclaimGpu(spot.node(), spot.gpus().get(0), true, "mig change", T0);

        assertThat(spotStops).extracting(Decision::job).containsExactly("spot");
        assertThat(scheduler.job("spot").orElseThrow().reason()).isEqualTo("requeued: mig change");
        assertThat(scheduler.job("steady").orElseThrow().state()).isEqualTo(JobState.RUNNING);
        assertThat(scheduler.reclaimGpu(steady.node(), steady.gpus().get(0), false, "forced", T0))
                .extracting(Decision::job).containsExactly("steady");
        assertThat(scheduler.job("steady").orElseThrow().state()).isEqualTo(JobState.PENDING);
        assertThat(scheduler.reclaimGpu("nowhere", 0, false, "forced", T0)).isEmpty();
    }
}
