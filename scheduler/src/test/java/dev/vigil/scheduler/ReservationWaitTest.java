package dev.vigil.scheduler;

import dev.vigil.api.jobs.WaitReason;
import dev.vigil.scheduler.policy.SchedulerPolicy;
import dev.vigil.scheduler.policy.Tenant;
import dev.vigil.scheduler.topology.Fabric;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static dev.vigil.scheduler.Clusters.A100;
import static dev.vigil.scheduler.Clusters.H100;
import static dev.vigil.scheduler.Clusters.hgx;
import static org.assertj.core.api.Assertions.assertThat;

/** When a job kept off a gang's reserved nodes is told it waits for that reservation, and when for room. */
class ReservationWaitTest {
    private static final Instant T0 = Instant.parse("2026-11-22T08:00:00Z");

    /**
     * Two H100 nodes with 4 of 8 GPUs running until T0+2h, both reserved from then for a gang of
     * 2 × 8 queued at T0+1s.
     */
    private static Scheduler halfFullAndReserved(SchedulerPolicy policy, String tenant, String... extraNodes) {
        Scheduler scheduler = new Scheduler(policy, Fabric.none());
        scheduler.upsertNode(hgx("n0", H100));
        scheduler.upsertNode(hgx("n1", H100));
        for (String name : extraNodes) {
            scheduler.upsertNode(hgx(name, A100));
        }
        scheduler.submit("running", Jobs.gang(2, 4).models("H100").tenant(tenant).limit(Duration.ofHours(2)).spec(),
                T0);
        scheduler.schedule(T0);
        scheduler.submit("head", Jobs.gang(2, 8).models("H100").tenant(tenant).spec(), T0.plusSeconds(1));
        return scheduler;
    }

    @Test
    void aModelItsQuotaKeepsTheJobOffIsNoReasonToSayItWaitsForTheReservation() {
        // Tenant t may use H100s only; the idle A100 node would take "long" but its quota does not let it.
        Tenant t = new Tenant("t", null, null, Map.of("H100", 64), null);
        Scheduler scheduler = halfFullAndReserved(new SchedulerPolicy(null, null, null, null, null, null, List.of(t)),
                "t", "a0");
        scheduler.submit("long", Jobs.training(8).models("H100", "A100").tenant("t").limit(Duration.ofHours(5)).spec(),
                T0.plusSeconds(2));

        scheduler.schedule(T0.plusSeconds(3));

        assertThat(scheduler.job("head").orElseThrow().reason()).contains("reserved 2 nodes");
        // On the H100s it fits nowhere, reserved or not: it waits for room.
        assertThat(scheduler.job("long").orElseThrow().waiting()).isEqualTo(WaitReason.ROOM);
        assertThat(scheduler.job("long").orElseThrow().reason()).isEqualTo("waiting for 8 GPUs on one node");
    }

    @Test
    void jobsOfOneFormKeptOffTheReservationAreToldTheSameInACycleEvenOnceABackfillTookTheReservedGpus() {
        Scheduler scheduler = halfFullAndReserved(SchedulerPolicy.defaults(), null);
        scheduler.submit("long-1", Jobs.training(4).limit(Duration.ofHours(5)).spec(), T0.plusSeconds(2));
        // Ends before the gang is due: backfills onto the reserved nodes' last free GPUs.
        scheduler.submit("short", Jobs.gang(2, 4).limit(Duration.ofHours(1)).spec(), T0.plusSeconds(3));
        scheduler.submit("long-2", Jobs.training(4).limit(Duration.ofHours(5)).spec(), T0.plusSeconds(4));

        Cycle cycle = scheduler.schedule(T0.plusSeconds(5));

        assertThat(cycle.placed()).isOne();
        assertThat(scheduler.job("short").orElseThrow().placements()).hasSize(2);
        // Whether the form fits on the reserved nodes is asked once a cycle, for "long-1": "long-2" is
        // told the same. (Asked afresh, nothing is free for it anywhere now.)
        assertThat(scheduler.job("long-1").orElseThrow().waiting()).isEqualTo(WaitReason.RESERVATION);
        assertThat(scheduler.job("long-2").orElseThrow().waiting()).isEqualTo(WaitReason.RESERVATION);
    }
}
