package dev.vigil.scheduler;

import dev.vigil.api.jobs.JobState;
import dev.vigil.api.jobs.Placement;
import dev.vigil.api.jobs.WaitReason;
import dev.vigil.scheduler.policy.SchedulerPolicy;
import dev.vigil.scheduler.topology.Fabric;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static dev.vigil.scheduler.Clusters.H100;
import static dev.vigil.scheduler.Clusters.hgx;
import static org.assertj.core.api.Assertions.assertThat;

/** Gangs on one leaf switch on a busy cluster: best fit by leaf, and the locality wait. Worked out by hand. */
class LocalityTest {
    private static final Instant T0 = Instant.parse("2026-11-22T08:00:00Z");

    /**
     * Two leaves of two 8-GPU nodes: n0, n1 under leaf-01, n2, n3 under leaf-02, added in the order
     * n0, n2, n1, n3, so the nodes' order alternates leaves.
     */
    private static Scheduler twoLeaves(SchedulerPolicy policy) {
        Scheduler scheduler = new Scheduler(policy, Fabric.uniform(2, 2, "n"));
        for (String node : List.of("n0", "n2", "n1", "n3")) {
            scheduler.upsertNode(hgx(node, H100));
        }
        return scheduler;
    }

    private static List<Decision.Start> starts(Cycle cycle) {
        return cycle.decisions().stream().filter(d -> d instanceof Decision.Start).map(d -> (Decision.Start) d).toList();
    }

    private static Set<String> nodes(Decision.Start start) {
        return start.placements().stream().map(Placement::node).collect(Collectors.toSet());
    }

    /** Submits and places a one-node job of {@code gpus} GPUs; returns its node. */
    private static String place(Scheduler scheduler, String id, int gpus, Instant now) {
        scheduler.submit(id, Jobs.training(gpus).spec(), now);
        Decision.Start start = starts(scheduler.schedule(now)).get(0);
        scheduler.running(id, now);
        return start.placements().get(0).node();
    }

    /** n0 and n1 (all of leaf-01) and n2 busy, then n1's job ends: n1 and n3 are free, one under each leaf. */
    private static Scheduler oneFreeNodeUnderEachLeaf(SchedulerPolicy policy) {
        Scheduler scheduler = twoLeaves(policy);
        assertThat(place(scheduler, "x", 8, T0)).isEqualTo("n0");
        assertThat(place(scheduler, "y", 8, T0)).isEqualTo("n1");
        assertThat(place(scheduler, "z", 8, T0)).isEqualTo("n2");
        scheduler.finished("y", true, "done", T0);
        return scheduler;
    }

    @Test
    void bestFitByLeafKeepsTheRoomierLeafWholeForAGang() {
        Scheduler scheduler = twoLeaves(SchedulerPolicy.defaults());
        // Both leaves have 16 free GPUs: the first leaf's first node.
        assertThat(place(scheduler, "half", 4, T0)).isEqualTo("n0");
        // Whole nodes free: n2, n1, n3 in the nodes' order. leaf-01 has 12 free GPUs, leaf-02 16: n1, not n2,
        // which first fit would take.
        assertThat(place(scheduler, "whole", 8, T0)).isEqualTo("n1");

        scheduler.submit("gang", Jobs.gang(2, 8).spec(), T0);
        Decision.Start gang = starts(scheduler.schedule(T0)).get(0);

        assertThat(nodes(gang)).containsExactlyInAnyOrder("n2", "n3");
        assertThat(scheduler.job("gang").orElseThrow().reason()).isEqualTo("placed on 2 nodes under leaf-02");
    }

    @Test
    void aGangThatCouldSpreadWaitsForOneLeafAndGetsItWhenOneFrees() {
        Scheduler scheduler = oneFreeNodeUnderEachLeaf(SchedulerPolicy.defaults());
        scheduler.submit("gang", Jobs.gang(2, 8).spec(), T0);

        // n1 and n3 would hold it, under two leaves: it waits for one, its locality wait running from now. Its
        // reservation is under one leaf too: x (n0) and z (n2) are due at their 24-hour runtime limits, x first,
        // and with n0 back leaf-01 holds it.
        assertThat(starts(scheduler.schedule(T0))).isEmpty();
        var waiting = scheduler.job("gang").orElseThrow();
        assertThat(waiting.waiting()).isEqualTo(WaitReason.ROOM);
        assertThat(waiting.reason()).isEqualTo("waiting for 2 nodes × 8 GPUs under one leaf switch; it fits on more "
                + "now and takes them from 2026-11-22T08:30:00Z (locality wait 30m); reserved 2 nodes from "
                + "2026-11-23T08:00:00Z");
        scheduler.submit("probe", Jobs.training(8).spec(), T0);
        assertThat(scheduler.why("probe").orElseThrow().details())
                .contains("reservation: job gang's reservation on 2 nodes (n0, n1) from 2026-11-23T08:00:00Z");
        scheduler.cancel("probe", "only asked why", T0);

        // z ends 10 minutes later: leaf-02 is free.
        Instant later = T0.plus(Duration.ofMinutes(10));
        scheduler.finished("z", true, "done", later);
        Decision.Start gang = starts(scheduler.schedule(later)).get(0);

        assertThat(nodes(gang)).containsExactlyInAnyOrder("n2", "n3");
        assertThat(scheduler.job("gang").orElseThrow().state()).isEqualTo(JobState.PLACED);
    }

    /**
     * Three leaves of two nodes, filled in order (best fit by leaf): leaf-01 n0, n1; leaf-02 n2, n3; leaf-03 n4, n5,
     * job jI on nI with runtime limit {@code hours[I]}; then the jobs on {@code freed} end and a 2-node gang, held to
     * one leaf, asks for a reservation.
     */
    private static Scheduler gangAfter(List<Integer> hours, String... freed) {
        Scheduler scheduler = new Scheduler(SchedulerPolicy.defaults(), Fabric.uniform(3, 2, "n"));
        for (int i = 0; i < 6; i++) {
            scheduler.upsertNode(hgx("n" + i, H100));
        }
        for (int i = 0; i < 6; i++) {
            scheduler.submit("j" + i, Jobs.training(8).limit(Duration.ofHours(hours.get(i))).spec(), T0);
            assertThat(starts(scheduler.schedule(T0)).get(0).placements().get(0).node()).isEqualTo("n" + i);
        }
        for (String job : freed) {
            scheduler.finished(job, true, "done", T0);
        }
        scheduler.submit("gang", Jobs.gang(2, 8).spec(), T0);
        assertThat(starts(scheduler.schedule(T0))).isEmpty();
        scheduler.submit("probe", Jobs.training(8).spec(), T0);
        return scheduler;
    }

    @Test
    void aGangHeldToOneLeafIsReservedOnTheFirstLeafThatWillHoldItNotTheOneWhoseJobEndsFirst() {
        // n3 and n5 are free, under two leaves. j0 (n0) ends first, but leaf-01 keeps n1 busy; j2 (n2) ends next
        // and leaves all of leaf-02 free.
        Scheduler scheduler = gangAfter(List.of(1, 48, 2, 48, 24, 48), "j3", "j5");

        assertThat(scheduler.job("gang").orElseThrow().reason()).endsWith("reserved 2 nodes from 2026-11-22T10:00:00Z");
        assertThat(scheduler.why("probe").orElseThrow().details())
                .contains("reservation: job gang's reservation on 2 nodes (n2, n3) from 2026-11-22T10:00:00Z");
    }

    @Test
    void theFirstLeafIsAmongThoseAReservationForAGangHeldToOneLeafLooksAt() {
        // n1 and n5 are free. j2 (n2) ends first, but leaf-02 keeps n3 busy; j0 (n0) ends next and frees leaf-01.
        Scheduler scheduler = gangAfter(List.of(2, 48, 1, 48, 48, 48), "j1", "j5");

        assertThat(scheduler.why("probe").orElseThrow().details())
                .contains("reservation: job gang's reservation on 2 nodes (n0, n1) from 2026-11-22T10:00:00Z");
    }

    @Test
    void aGangWhoseLocalityWaitEndsTakesTheFewestLeavesWithRoom() {
        Scheduler scheduler = oneFreeNodeUnderEachLeaf(SchedulerPolicy.defaults());
        scheduler.submit("gang", Jobs.gang(2, 8).spec(), T0);
        assertThat(starts(scheduler.schedule(T0))).isEmpty();

        // A second before the wait ends it still waits; at its end it takes n1 and n3, under both leaves.
        assertThat(starts(scheduler.schedule(T0.plus(Duration.ofMinutes(30)).minusSeconds(1)))).isEmpty();
        Decision.Start gang = starts(scheduler.schedule(T0.plus(Duration.ofMinutes(30)))).get(0);

        assertThat(nodes(gang)).containsExactlyInAnyOrder("n1", "n3");
        assertThat(scheduler.job("gang").orElseThrow().reason()).isEqualTo("placed on 2 nodes under leaf-01, leaf-02");
    }

    @Test
    void theWaitRunsFromWhenTheGangCouldFirstStartOnMoreLeavesNotFromItsSubmission() {
        Scheduler scheduler = twoLeaves(SchedulerPolicy.defaults());
        for (String id : List.of("x", "y", "z", "w")) {
            place(scheduler, id, 8, T0);
        }
        scheduler.submit("gang", Jobs.gang(2, 8).spec(), T0);
        assertThat(starts(scheduler.schedule(T0))).isEmpty();
        assertThat(scheduler.job("gang").orElseThrow().reason()).isEqualTo("waiting for 2 nodes × 8 GPUs");

        // An hour later y (n1) and w (n3) end: it could start under two leaves, and waits 30 minutes from now.
        Instant hour = T0.plus(Duration.ofHours(1));
        scheduler.finished("y", true, "done", hour);
        scheduler.finished("w", true, "done", hour);
        assertThat(starts(scheduler.schedule(hour))).isEmpty();
        assertThat(starts(scheduler.schedule(hour.plus(Duration.ofMinutes(29))))).isEmpty();

        assertThat(nodes(starts(scheduler.schedule(hour.plus(Duration.ofMinutes(30)))).get(0)))
                .containsExactlyInAnyOrder("n1", "n3");
    }

    @Test
    void withNoLocalityWaitAGangTakesTwoLeavesAtOnce() {
        SchedulerPolicy noWait = new SchedulerPolicy(null, null, null, null, null, null, null, Duration.ZERO);
        Scheduler scheduler = oneFreeNodeUnderEachLeaf(noWait);
        scheduler.submit("gang", Jobs.gang(2, 8).spec(), T0);

        assertThat(nodes(starts(scheduler.schedule(T0)).get(0))).containsExactlyInAnyOrder("n1", "n3");
    }

    @Test
    void aGangTooWideForOneLeafDoesNotWaitForTheFewestLeaves() {
        // Three leaves of two nodes. x takes n0, y n1 (the fuller leaf), z n2; y ends: n1, n3, n4 and n5 are free.
        Scheduler scheduler = new Scheduler(SchedulerPolicy.defaults(), Fabric.uniform(3, 2, "n"));
        for (int i = 0; i < 6; i++) {
            scheduler.upsertNode(hgx("n" + i, H100));
        }
        assertThat(List.of(place(scheduler, "x", 8, T0), place(scheduler, "y", 8, T0), place(scheduler, "z", 8, T0)))
                .containsExactly("n0", "n1", "n2");
        scheduler.finished("y", true, "done", T0);
        scheduler.submit("wide", Jobs.gang(4, 8).spec(), T0);

        Decision.Start wide = starts(scheduler.schedule(T0)).get(0);

        // Two leaves would hold it idle; now it takes three at once rather than wait for two to drain.
        assertThat(nodes(wide)).containsExactlyInAnyOrder("n1", "n3", "n4", "n5");
    }
    @Test
    void aGangPastItsWaitStartsInTheCycleAnotherOfItsFormBeginsToWait() {
        // No backfill: no reservation keeps either gang off nodes. "early" starts waiting at T0 (n1 and n3 free).
        Scheduler scheduler = oneFreeNodeUnderEachLeaf(new SchedulerPolicy(null, false, null, null, null, null, null));
        scheduler.submit("early", Jobs.gang(2, 8).spec(), T0);
        assertThat(starts(scheduler.schedule(T0))).isEmpty();

        // 40 minutes on, "urgent" (same form, first by priority) begins its wait; "early", past its own, takes n1, n3.
        Instant later = T0.plus(Duration.ofMinutes(40));
        scheduler.submit("urgent", Jobs.gang(2, 8).priority("high").spec(), later);
        Decision.Start early = starts(scheduler.schedule(later)).get(0);

        assertThat(early.job()).isEqualTo("early");
        assertThat(nodes(early)).containsExactlyInAnyOrder("n1", "n3");
        assertThat(scheduler.job("urgent").orElseThrow().reason()).contains("takes them from 2026-11-22T09:10:00Z");
    }

    @Test
    void aGangThatFitsNowhereDoesNotStartItsWaitThoughAnotherOfItsFormCannotStartEither() {
        // No backfill. "early" begins to wait at T0; at T0 + 10 minutes "s" takes n1 (leaf-01, tied with leaf-02,
        // comes first): only n3 is free.
        Scheduler scheduler = oneFreeNodeUnderEachLeaf(new SchedulerPolicy(null, false, null, null, null, null, null));
        scheduler.submit("early", Jobs.gang(2, 8).spec(), T0);
        assertThat(starts(scheduler.schedule(T0))).isEmpty();
        assertThat(place(scheduler, "s", 8, T0.plus(Duration.ofMinutes(10)))).isEqualTo("n1");
        scheduler.submit("late", Jobs.gang(2, 8).spec(), T0.plus(Duration.ofMinutes(20)));

        // At T0 + 30 minutes "early" is past its wait and fits nowhere; "late" fits nowhere either: it does not
        // begin to wait for a leaf.
        assertThat(starts(scheduler.schedule(T0.plus(Duration.ofMinutes(30))))).isEmpty();

        assertThat(scheduler.job("late").orElseThrow().reason()).isEqualTo("waiting for 2 nodes × 8 GPUs");
    }
}
