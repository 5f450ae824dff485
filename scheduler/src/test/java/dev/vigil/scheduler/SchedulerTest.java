package dev.vigil.scheduler;

import dev.vigil.api.jobs.JobState;
import dev.vigil.api.jobs.Placement;
import dev.vigil.api.jobs.Topology;
import dev.vigil.api.jobs.TopologyLevel;
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

class SchedulerTest {
    private static final Instant T0 = Instant.parse("2026-11-22T08:00:00Z");

    /** Two leaves of four H100 nodes under one spine: n00-n03 under leaf-01, n04-n07 under leaf-02. */
    private static Scheduler twoLeaves(SchedulerPolicy policy) {
        Scheduler scheduler = new Scheduler(policy, Fabric.uniform(2, 4, "n"));
        for (int i = 0; i < 8; i++) {
            scheduler.upsertNode(hgx("n" + i, H100));
        }
        return scheduler;
    }

    private static List<Decision.Start> starts(Cycle cycle) {
        return cycle.decisions().stream().filter(d -> d instanceof Decision.Start).map(d -> (Decision.Start) d).toList();
    }

    private static Set<String> nodes(Decision.Start start) {
        return start.placements().stream().map(Placement::node).collect(Collectors.toSet());
    }

    @Test
    void aGangTakesOneLeafWhenOneLeafHasRoomAndTheFullestSuchLeaf() {
        Scheduler scheduler = twoLeaves(SchedulerPolicy.defaults());
        scheduler.submit("small", Jobs.training(8).spec(), T0);
        scheduler.schedule(T0);
        scheduler.submit("gang", Jobs.gang(3, 8).spec(), T0);

        Cycle cycle = scheduler.schedule(T0);

        Decision.Start gang = starts(cycle).get(0);
        assertThat(gang.placements()).hasSize(3).allSatisfy(p -> assertThat(p.gpus()).hasSize(8));
        // leaf-01 (n0-n3) has 3 free nodes after "small" took n0; leaf-02 has 4: the gang takes the tighter fit.
        assertThat(nodes(gang)).containsExactlyInAnyOrder("n1", "n2", "n3");
        assertThat(scheduler.job("gang").orElseThrow().state()).isEqualTo(JobState.PLACED);
        assertThat(scheduler.job("gang").orElseThrow().reason()).contains("leaf-01").doesNotContain("leaf-02");
    }

    @Test
    void aGangTooBigForOneLeafSpansTheFewestLeaves() {
        Scheduler scheduler = twoLeaves(SchedulerPolicy.defaults());
        scheduler.submit("gang", Jobs.gang(6, 8).spec(), T0);

        Decision.Start gang = starts(scheduler.schedule(T0)).get(0);

        assertThat(gang.placements()).hasSize(6);
        assertThat(gang.placements()).extracting(p -> p.uuids().get(0)).allMatch(u -> u.startsWith("GPU-n"));
    }

    @Test
    void aRequiredOneLeafGangWaitsAndSaysTheTopologyCannotBeMet() {
        Scheduler scheduler = twoLeaves(SchedulerPolicy.defaults());
        scheduler.submit("gang", Jobs.gang(6, 8).topology(new Topology(TopologyLevel.SAME_LEAF, true, null)).spec(),
                T0);

        assertThat(starts(scheduler.schedule(T0))).isEmpty();

        assertThat(scheduler.job("gang").orElseThrow().waiting()).isEqualTo(WaitReason.TOPOLOGY);
        assertThat(scheduler.why("gang").orElseThrow().summary()).contains("6 nodes × 8 GPUs")
                .contains("largest leaf switch has 4");
    }

    @Test
    void singleNodeJobsBestFitSoWholeNodesStayFreeForGangs() {
        Scheduler scheduler = twoLeaves(SchedulerPolicy.defaults());
        for (int i = 0; i < 4; i++) {
            scheduler.submit("two-" + i, Jobs.training(2).spec(), T0);
        }
        Cycle cycle = scheduler.schedule(T0);

        assertThat(starts(cycle)).extracting(s -> s.placements().get(0).node()).containsOnly("n0");
        // Each job's GPUs share a NUMA node (0-3 or 4-7), never straddle it.
        assertThat(starts(cycle)).allSatisfy(s -> assertThat(s.placements().get(0).gpus().stream()
                .map(g -> g / 4).distinct()).hasSize(1));
    }

    @Test
    void finishedJobsGiveTheirGpusBack() {
        Scheduler scheduler = twoLeaves(SchedulerPolicy.defaults());
        scheduler.submit("all", Jobs.gang(8, 8).spec(), T0);
        scheduler.schedule(T0);
        scheduler.submit("next", Jobs.gang(8, 8).spec(), T0);
        assertThat(starts(scheduler.schedule(T0))).isEmpty();
        scheduler.running("all", T0);

        scheduler.finished("all", true, "exit 0", T0.plusSeconds(60));

        assertThat(starts(scheduler.schedule(T0.plusSeconds(60)))).extracting(Decision.Start::job)
                .containsExactly("next");
        assertThat(scheduler.takeChanged()).filteredOn(r -> r.id().equals("all")).last()
                .satisfies(r -> assertThat(r.state()).isEqualTo(JobState.SUCCEEDED));
    }

    @Test
    void backfillStartsOnlyJobsThatEndBeforeTheBlockedGangsReservation() {
        Scheduler scheduler = twoLeaves(SchedulerPolicy.defaults());
        // Half the cluster runs a job until T0+2h.
        scheduler.submit("running", Jobs.gang(4, 8).limit(Duration.ofHours(2)).spec(), T0);
        scheduler.schedule(T0);
        // The head gang needs the whole cluster: it waits, with a reservation from T0+2h.
        scheduler.submit("head", Jobs.gang(8, 8).spec(), T0.plusSeconds(1));
        scheduler.submit("short", Jobs.training(8).limit(Duration.ofHours(1)).spec(), T0.plusSeconds(2));
        scheduler.submit("long", Jobs.training(8).limit(Duration.ofHours(5)).spec(), T0.plusSeconds(3));

        Cycle cycle = scheduler.schedule(T0.plusSeconds(10));

        assertThat(starts(cycle)).extracting(Decision.Start::job).containsExactly("short");
        assertThat(scheduler.job("head").orElseThrow().reason()).contains("reserved 8 nodes from 2026-11-22T10:00:00Z");
        assertThat(scheduler.job("long").orElseThrow().waiting()).isEqualTo(WaitReason.RESERVATION);
        assertThat(scheduler.why("long").orElseThrow().summary()).contains("job head's reservation on 8 nodes")
                .contains("runtime limit (5h)");
    }
}
