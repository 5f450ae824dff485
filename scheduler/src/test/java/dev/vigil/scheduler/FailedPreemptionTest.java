package dev.vigil.scheduler;

import dev.vigil.api.jobs.JobState;
import dev.vigil.api.jobs.Topology;
import dev.vigil.api.jobs.TopologyLevel;
import dev.vigil.api.jobs.WaitReason;
import dev.vigil.scheduler.policy.SchedulerPolicy;
import dev.vigil.scheduler.topology.Fabric;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static dev.vigil.scheduler.Clusters.H100;
import static dev.vigil.scheduler.Clusters.hgx;
import static org.assertj.core.api.Assertions.assertThat;

/** A preemption planned and given up: evicting the cheapest victims frees GPUs the job cannot use. */
class FailedPreemptionTest {
    private static final Instant T0 = Instant.parse("2026-11-22T08:00:00Z");

    @Test
    void victimsWhoseGpusTheJobCannotUseKeepThemAndNoOtherJobIsGivenThem() {
        // Two leaves of four nodes (n0-n3, n4-n7); no backfill, so no reservation planning runs after.
        Scheduler scheduler = new Scheduler(new SchedulerPolicy(null, false, null, null, null, null, null),
                Fabric.uniform(2, 4, "n"));
        for (int i = 0; i < 8; i++) {
            scheduler.upsertNode(hgx("n" + i, H100));
            String job = i % 4 == 0 ? "low-" + i : "firm-" + i;
            Jobs spec = Jobs.training(8);
            scheduler.submit(job, (i % 4 == 0 ? spec.priority("low").preemptible() : spec).spec(), T0);
            scheduler.schedule(T0);
        }
        // The only preemptible jobs run on n0 and n4, under different leaves: a same-leaf gang cannot use both.
        scheduler.submit("gang", Jobs.gang(2, 8).priority("high")
                .topology(new Topology(TopologyLevel.SAME_LEAF, true, null)).spec(), T0.plusSeconds(1));
        // Of the victims' priority: it may not evict them itself.
        scheduler.submit("next", Jobs.training(8).priority("low").spec(), T0.plusSeconds(2));

        Cycle cycle = scheduler.schedule(T0.plusSeconds(3));

        assertThat(cycle.decisions()).isEmpty();
        assertThat(scheduler.job("low-0").orElseThrow().state()).isEqualTo(JobState.PLACED);
        assertThat(scheduler.job("low-4").orElseThrow().state()).isEqualTo(JobState.PLACED);
        assertThat(scheduler.job("gang").orElseThrow().waiting()).isEqualTo(WaitReason.ROOM);
        assertThat(scheduler.job("next").orElseThrow().waiting()).as("n0 and n4 are still taken")
                .isEqualTo(WaitReason.ROOM);
    }

    @Test
    void aServiceEvictsNothingWhenAVictimsGpuWasCutIntoMigSlicesSinceAndTheReplicasNoLongerAllFit() {
        Scheduler scheduler = new Scheduler(SchedulerPolicy.defaults(), Fabric.none());
        for (String name : new String[]{"n0", "n1", "n2"}) {
            scheduler.upsertNode(hgx(name, H100));
        }
        scheduler.submit("a", Jobs.training(8).priority("low").preemptible().spec(), T0);
        scheduler.submit("b", Jobs.training(8).priority("low").preemptible().spec(), T0);
        scheduler.submit("firm", Jobs.training(8).spec(), T0);
        scheduler.schedule(T0);
        String bOn = scheduler.job("b").orElseThrow().placements().get(0).node();
        // What runs keeps running when a node's layout changes: "b" still holds its MIG GPU 0.
        scheduler.upsertNode(Clusters.migHgx(bOn, 1));

        scheduler.submit("svc", Jobs.inference(2, 8).priority("high").spec(), T0.plusSeconds(1));
        Cycle cycle = scheduler.schedule(T0.plusSeconds(1));

        // Evicting "a" and "b" frees 8 whole GPUs on one node and 7 on the other: one replica of 8, not two.
        assertThat(cycle.decisions()).isEmpty();
        assertThat(scheduler.job("a").orElseThrow().state()).isEqualTo(JobState.PLACED);
        assertThat(scheduler.job("svc").orElseThrow().waiting()).isEqualTo(WaitReason.ROOM);
    }
}
