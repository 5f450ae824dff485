package dev.vigil.scheduler;

import dev.vigil.api.jobs.JobRecord;
import dev.vigil.api.jobs.Placement;
import dev.vigil.api.jobs.WaitReason;
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
import static dev.vigil.scheduler.Clusters.with;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The walk passes by a gang left waiting for room with its shape known blocked, until an event that could unblock it,
 * worked out by hand. Two leaves of two 8-GPU nodes, n0, n1 under leaf-01 and n2, n3 under leaf-02. Filled in order
 * (best fit by leaf): p and q (4 GPUs each) on n0, a on n1, b on n2, c on n3; then b ends, so only n2 is free. The gang
 * wants 2 nodes × 8 GPUs: it fits under one leaf of the idle cluster, so it waits for one (locality wait 30m), and no
 * leaf has two free nodes.
 */
class ParkedGangsTest {
    private static final Instant T0 = Instant.parse("2026-12-07T08:00:00Z");
    private static final SchedulerPolicy NO_BACKFILL = new SchedulerPolicy(null, false, null, null, null, null, null);
    private static final String WAITING = "waiting for 2 nodes × 8 GPUs";

    private static Scheduler fullButN2(SchedulerPolicy policy) {
        Scheduler scheduler = new Scheduler(policy, Fabric.uniform(2, 2, "n"));
        for (int i = 0; i < 4; i++) {
            scheduler.upsertNode(hgx("n" + i, H100));
        }
        List<String> nodes = List.of("n0", "n0", "n1", "n2", "n3");
        List<String> jobs = List.of("p", "q", "a", "b", "c");
        for (int i = 0; i < jobs.size(); i++) {
            scheduler.submit(jobs.get(i), Jobs.training(i < 2 ? 4 : 8).spec(), T0);
            assertThat(starts(scheduler.schedule(T0)).get(0).placements().get(0).node()).isEqualTo(nodes.get(i));
            scheduler.running(jobs.get(i), T0);
        }
        scheduler.finished("b", true, "done", T0);
        return scheduler;
    }

    private static List<Decision.Start> starts(Cycle cycle) {
        return cycle.decisions().stream().filter(d -> d instanceof Decision.Start).map(d -> (Decision.Start) d).toList();
    }

    private static List<String> nodes(Decision.Start start) {
        return start.placements().stream().map(Placement::node).sorted().toList();
    }

    private static JobRecord job(Scheduler scheduler, String id) {
        return scheduler.job(id).orElseThrow();
    }

    /** The gang submitted and left waiting by one cycle; the next, with nothing changed, passes it by. */
    private static Scheduler gangParked(SchedulerPolicy policy) {
        Scheduler scheduler = fullButN2(policy);
        scheduler.submit("gang", Jobs.gang(2, 8).spec(), T0);
        Cycle first = scheduler.schedule(T0);
        assertThat(starts(first)).isEmpty();
        assertThat(first.passed()).as("a gang is visited before it is parked").isZero();
        assertThat(job(scheduler, "gang").waiting()).isEqualTo(WaitReason.ROOM);
        assertThat(job(scheduler, "gang").reason()).isEqualTo(WAITING);
        return scheduler;
    }

    @Test
    void aJobEndingUnderTheWrongLeafLeavesTheGangPassedByOneUnderTheRightLeafStartsIt() {
        Scheduler scheduler = gangParked(NO_BACKFILL);
        Cycle again = scheduler.schedule(T0);
        assertThat(again.examined()).isEqualTo(1);
        assertThat(again.passed()).isEqualTo(1);

        // p ends: n0 has 4 free GPUs under leaf-01, still no second whole node anywhere.
        Instant t1 = T0.plus(Duration.ofMinutes(5));
        scheduler.finished("p", true, "done", t1);
        Cycle wrongLeaf = scheduler.schedule(t1);
        assertThat(starts(wrongLeaf)).isEmpty();
        assertThat(wrongLeaf.passed()).isEqualTo(1);
        assertThat(job(scheduler, "gang").reason()).isEqualTo(WAITING);

        // c ends: n2 and n3 are free under leaf-02, where the gang fits.
        Instant t2 = T0.plus(Duration.ofMinutes(10));
        scheduler.finished("c", true, "done", t2);
        Cycle rightLeaf = scheduler.schedule(t2);
        assertThat(rightLeaf.passed()).isZero();
        assertThat(starts(rightLeaf)).hasSize(1);
        assertThat(nodes(starts(rightLeaf).get(0))).containsExactly("n2", "n3");
    }

    @Test
    void roomOverTwoLeavesStartsTheLocalityWaitAndItsEndTheSpread() {
        Scheduler scheduler = gangParked(NO_BACKFILL);

        // a ends: n1 (leaf-01) and n2 (leaf-02) are free, one under each leaf. The gang still waits for one leaf,
        // but its locality wait starts now: a visit, not a pass.
        Instant t1 = T0.plus(Duration.ofMinutes(5)).plusNanos(2);
        scheduler.finished("a", true, "done", t1);
        Cycle spanning = scheduler.schedule(t1);
        assertThat(starts(spanning)).isEmpty();
        assertThat(spanning.passed()).isZero();
        assertThat(job(scheduler, "gang").reason()).isEqualTo(WAITING + " under one leaf switch; it fits on more now "
                + "and takes them from 2026-12-07T08:35:00.000000002Z (locality wait 30m)");

        // A gang of the same shape behind it, new: its wait does not start, as the one ahead would take that room.
        scheduler.submit("second", Jobs.gang(2, 8).spec(), t1);
        Cycle behind = scheduler.schedule(t1);
        assertThat(behind.passed()).isEqualTo(1);
        assertThat(job(scheduler, "second").reason()).isEqualTo(WAITING);

        Cycle during = scheduler.schedule(t1.plus(Duration.ofMinutes(30)).minusNanos(1));
        assertThat(during.passed()).as("both parked while the first one's wait runs").isEqualTo(2);
        assertThat(starts(during)).isEmpty();

        Cycle over = scheduler.schedule(t1.plus(Duration.ofMinutes(30)));
        assertThat(over.passed()).isZero();
        assertThat(nodes(starts(over).get(0))).containsExactly("n1", "n2");
    }

    @Test
    void aJobEndingUnderTheRightLeafDuringTheLocalityWaitStartsTheGangThere() {
        Scheduler scheduler = gangParked(NO_BACKFILL);
        Instant t1 = T0.plus(Duration.ofMinutes(5));
        scheduler.finished("a", true, "done", t1);
        scheduler.schedule(t1);
        assertThat(scheduler.schedule(t1).passed()).isEqualTo(1);

        // c ends: n2 and n3 free under leaf-02, within the wait.
        Instant t2 = t1.plus(Duration.ofMinutes(10));
        scheduler.finished("c", true, "done", t2);
        Cycle rightLeaf = scheduler.schedule(t2);
        assertThat(rightLeaf.passed()).isZero();
        assertThat(nodes(starts(rightLeaf).get(0))).containsExactly("n2", "n3");
    }

    @Test
    void theFirstBlockedGangPlansTheReservationEachCycleTheOneBehindItIsPassedBy() {
        Scheduler scheduler = fullButN2(SchedulerPolicy.defaults());
        scheduler.submit("gang", Jobs.gang(2, 8).spec(), T0);
        scheduler.submit("second", Jobs.gang(2, 8).spec(), T0);
        assertThat(scheduler.schedule(T0).passed()).isZero();

        Cycle next = scheduler.schedule(T0);
        assertThat(next.examined()).isEqualTo(2);
        assertThat(next.passed()).isEqualTo(1);
        assertThat(job(scheduler, "gang").reason()).startsWith(WAITING + "; reserved 2 nodes from ");
        assertThat(job(scheduler, "second").reason()).isEqualTo(WAITING);
    }

    @Test
    void aCapacityChangeWakesEveryParkedGangOfTheShapeNotOnlyTheFirst() {
        Scheduler scheduler = gangParked(NO_BACKFILL);
        scheduler.submit("second", Jobs.gang(2, 8).spec(), T0);
        scheduler.schedule(T0);
        assertThat(scheduler.schedule(T0).passed()).isEqualTo(2);

        // n3 cordoned: a capacity change (what the gangs could ever get, and their leaf limits, may differ). The
        // first gang's visit finds its shape blocked again at the new capacity; the second is visited all the same.
        scheduler.upsertNode(with(hgx("n3", H100), false, -1));
        assertThat(scheduler.schedule(T0).passed()).isZero();
        assertThat(scheduler.schedule(T0).passed()).isEqualTo(2);
    }

    /**
     * Room over two leaves that only a reservation holds does not start the locality wait, nor is it remembered as no
     * room: once the reservation is gone the wait starts. a ends too (n1 and n2 free); a 3-node gang, ahead, reserves
     * n0, n1 and n2 from when p and q are due (24 hours); the 2-node gang's 48-hour limit keeps it off them.
     */
    @Test
    void roomOverTwoLeavesHeldByAReservationStartsTheWaitOnlyOnceTheReservationIsGone() {
        Scheduler scheduler = fullButN2(SchedulerPolicy.defaults());
        scheduler.finished("a", true, "done", T0);
        scheduler.submit("wide", Jobs.gang(3, 8).spec(), T0);
        scheduler.submit("gang", Jobs.gang(2, 8).limit(Duration.ofHours(48)).spec(), T0);
        scheduler.submit("second", Jobs.gang(2, 8).limit(Duration.ofHours(48)).spec(), T0);
        assertThat(starts(scheduler.schedule(T0))).isEmpty();
        // The gang's wait might start (its shape is not known blocked on two leaves: the room is reserved), so it is
        // visited; the second, behind it in the same epoch, would not ask: passed by.
        assertThat(scheduler.schedule(T0).passed()).isEqualTo(1);
        assertThat(job(scheduler, "wide").reason()).isEqualTo("waiting for 3 nodes × 8 GPUs; reserved 3 nodes from "
                + "2026-12-08T08:00:00Z");
        assertThat(job(scheduler, "gang").reason()).isEqualTo(WAITING);

        scheduler.cancel("wide", "not needed", T0);
        assertThat(starts(scheduler.schedule(T0))).isEmpty();
        assertThat(job(scheduler, "gang").reason()).startsWith(WAITING + " under one leaf switch; it fits on more now "
                + "and takes them from 2026-12-07T08:30:00Z (locality wait 30m)");
    }

    @Test
    void aGangOfATenantWithAQuotaIsVisitedEveryCycle() {
        Tenant capped = new Tenant("t", null, null, Map.of("H100", 64), null);
        Scheduler scheduler = fullButN2(new SchedulerPolicy(null, false, null, null, null, null,
                List.of(Tenant.unlimited("default"), capped)));
        scheduler.submit("gang", Jobs.gang(2, 8).tenant("t").spec(), T0);
        scheduler.schedule(T0);

        assertThat(scheduler.schedule(T0).passed()).isZero();
        assertThat(job(scheduler, "gang").reason()).isEqualTo(WAITING);
    }
}
