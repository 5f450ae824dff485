package dev.vigil.scheduler;

import dev.vigil.api.jobs.Placement;
import dev.vigil.scheduler.policy.SchedulerPolicy;
import dev.vigil.scheduler.topology.Fabric;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static dev.vigil.scheduler.Clusters.H100;
import static dev.vigil.scheduler.Clusters.hgx;
import static org.assertj.core.api.Assertions.assertThat;

/** {@link Scheduler#rebind}: which GPUs a displaced job gets in exchange, and what the cluster state then holds. */
class RebindTest {
    private static final Instant T0 = Instant.parse("2026-11-22T08:00:00Z");

    private static Scheduler nodes(int count) {
        Scheduler scheduler = new Scheduler(SchedulerPolicy.defaults(), Fabric.none());
        for (int i = 0; i < count; i++) {
            scheduler.upsertNode(hgx("n" + i, H100));
        }
        return scheduler;
    }

    private static List<Integer> gpus(Scheduler scheduler, String job) {
        return scheduler.job(job).orElseThrow().placements().get(0).gpus();
    }

    private static List<Decision.Start> starts(Cycle cycle) {
        return cycle.decisions().stream().filter(d -> d instanceof Decision.Start).map(d -> (Decision.Start) d).toList();
    }

    @Test
    void aDisplacedJobGetsTheGpusGivenUpNotTheLowestFreeOnes() {
        Scheduler scheduler = nodes(1);
        scheduler.submit("x", Jobs.training(2).spec(), T0);
        scheduler.submit("b", Jobs.training(2).spec(), T0);
        scheduler.submit("a", Jobs.training(2).spec(), T0);
        scheduler.schedule(T0);
        scheduler.finished("x", true, "done", T0);
        assertThat(gpus(scheduler, "b")).containsExactly(2, 3);
        assertThat(gpus(scheduler, "a")).containsExactly(4, 5);

        assertThat(scheduler.rebind("a", "n0", null, List.of(2, 3))).isTrue();

        assertThat(gpus(scheduler, "a")).containsExactly(2, 3);
        assertThat(gpus(scheduler, "b")).containsExactly(4, 5);
        // 0-1 and 6-7 are free, 2-5 are not.
        scheduler.submit("two", Jobs.training(2).spec(), T0);
        scheduler.submit("two-more", Jobs.training(2).spec(), T0);
        scheduler.submit("third", Jobs.training(1).spec(), T0);
        assertThat(starts(scheduler.schedule(T0))).extracting(Decision.Start::job)
                .containsExactlyInAnyOrder("two", "two-more");
    }

    @Test
    void aJobDisplacedFromPartOfItsGpusKeepsTheRest() {
        Scheduler scheduler = nodes(1);
        scheduler.submit("x", Jobs.training(2).spec(), T0);
        scheduler.submit("b", Jobs.training(2).spec(), T0);
        scheduler.submit("a", Jobs.training(2).spec(), T0);
        scheduler.schedule(T0);

        // a (4-5) runs on 3-4: b (2-3) gives up 3 and takes the 5 a gave up.
        assertThat(scheduler.rebind("a", "n0", null, List.of(3, 4))).isTrue();

        assertThat(gpus(scheduler, "a")).containsExactly(3, 4);
        assertThat(gpus(scheduler, "b")).containsExactly(2, 5);
    }

    @Test
    void severalDisplacedJobsEachGetAsManyGpusAsTheyGaveUp() {
        Scheduler scheduler = nodes(1);
        scheduler.submit("b", Jobs.training(2).spec(), T0);
        scheduler.submit("c", Jobs.training(2).spec(), T0);
        scheduler.submit("a", Jobs.training(4).spec(), T0);
        scheduler.schedule(T0);
        assertThat(gpus(scheduler, "a")).containsExactly(4, 5, 6, 7);

        assertThat(scheduler.rebind("a", "n0", null, List.of(0, 1, 2, 3))).isTrue();

        assertThat(gpus(scheduler, "a")).containsExactly(0, 1, 2, 3);
        assertThat(gpus(scheduler, "b")).containsExactly(4, 5);
        assertThat(gpus(scheduler, "c")).containsExactly(6, 7);
    }

    @Test
    void aGangMovesOnlyOnTheNodeNamedAndTheClusterStateFollows() {
        Scheduler scheduler = nodes(2);
        scheduler.submit("gang", Jobs.gang(2, 4).spec(), T0);
        scheduler.schedule(T0);
        List<Placement> before = scheduler.job("gang").orElseThrow().placements();
        assertThat(before).extracting(Placement::node).containsExactly("n0", "n1");
        assertThat(before).allSatisfy(p -> assertThat(p.gpus()).containsExactly(0, 1, 2, 3));

        assertThat(scheduler.rebind("gang", "n1", null, List.of(4, 5, 6, 7))).isTrue();

        List<Placement> after = scheduler.job("gang").orElseThrow().placements();
        assertThat(after.get(0).gpus()).containsExactly(0, 1, 2, 3);
        assertThat(after.get(1).gpus()).containsExactly(4, 5, 6, 7);
        // Free now: n0 4-7, n1 0-3; nothing else.
        scheduler.submit("p", Jobs.training(4).spec(), T0);
        scheduler.submit("q", Jobs.training(4).spec(), T0);
        scheduler.submit("r", Jobs.training(4).spec(), T0);
        List<Decision.Start> started = starts(scheduler.schedule(T0));
        assertThat(started).hasSize(2);
        assertThat(started).allSatisfy(s -> {
            Placement p = s.placements().get(0);
            assertThat(p.gpus()).isEqualTo(p.node().equals("n0") ? List.of(4, 5, 6, 7) : List.of(0, 1, 2, 3));
        });
    }

    @Test
    void gpusANodeDoesNotHaveAreRefused() {
        Scheduler scheduler = nodes(1);
        scheduler.submit("a", Jobs.training(1).spec(), T0);
        scheduler.schedule(T0);

        assertThat(scheduler.rebind("a", "n0", null, List.of(-1))).isFalse();
        assertThat(scheduler.rebind("a", "n0", null, List.of(8))).isFalse();
        assertThat(scheduler.rebind("a", "n0", null, List.of(7))).isTrue();
        assertThat(gpus(scheduler, "a")).containsExactly(7);
        assertThat(scheduler.rebind("a", "n0", null, List.of(0))).isTrue();
        assertThat(gpus(scheduler, "a")).containsExactly(0);
    }

    @Test
    void aPlacementOfWholeGpusRebindsAsItsGpus() {
        Scheduler scheduler = nodes(1);
        scheduler.submit("a", Jobs.training(2).spec(), T0);
        scheduler.schedule(T0);
        Placement actual = new Placement("n0", List.of(6, 7), List.of("GPU-6", "GPU-7"), List.of(), null);

        assertThat(scheduler.rebind("a", actual)).isTrue();

        assertThat(gpus(scheduler, "a")).containsExactly(6, 7);
        assertThat(scheduler.rebind("a", new Placement("n0", List.of(5), List.of("GPU-5"), List.of(), null)))
                .as("one GPU for two").isFalse();
    }
}
