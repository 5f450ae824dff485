package dev.vigil.scheduler;

import dev.vigil.api.jobs.JobRecord;
import dev.vigil.api.jobs.JobState;
import dev.vigil.api.jobs.JobTransition;
import dev.vigil.api.jobs.Placement;
import dev.vigil.api.jobs.Topology;
import dev.vigil.api.jobs.TopologyLevel;
import dev.vigil.api.jobs.WaitReason;
import dev.vigil.api.jobs.WhyPending;
import dev.vigil.scheduler.placement.NodeMatch;
import dev.vigil.scheduler.policy.SchedulerPolicy;
import dev.vigil.scheduler.policy.Tenant;
import dev.vigil.scheduler.topology.Fabric;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static dev.vigil.scheduler.Clusters.H100;
import static dev.vigil.scheduler.Clusters.hgx;
import static dev.vigil.scheduler.Clusters.pcie;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

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

        assertThat(gang.placements()).hasSize(6).allSatisfy(p -> assertThat(p.gpus()).hasSize(8));
        assertThat(nodes(gang)).hasSize(6);
        assertThat(scheduler.job("gang").orElseThrow().reason()).isEqualTo("placed on 6 nodes under leaf-01, leaf-02");
    }

    @Test
    void aGangThatNeedsSeveralLeavesTakesTheRoomiestOnesSoItSpansAsFewAsPossible() {
        // Six leaves of four nodes; leaves 01-04 have one node left each (three cordoned), 05 and 06 all four.
        Scheduler scheduler = new Scheduler(SchedulerPolicy.defaults(), Fabric.uniform(6, 4, "n"));
        for (int i = 0; i < 24; i++) {
            boolean cordoned = i < 16 && i % 4 != 0;
            scheduler.upsertNode(Clusters.with(hgx(String.format("n%02d", i), H100), !cordoned, -1));
        }
        scheduler.submit("gang", Jobs.gang(8, 8).spec(), T0);

        Decision.Start gang = starts(scheduler.schedule(T0)).get(0);

        // Two leaves suffice (05 and 06); the four one-node leaves would make it five.
        assertThat(nodes(gang)).containsExactlyInAnyOrder("n16", "n17", "n18", "n19", "n20", "n21", "n22", "n23");
        assertThat(scheduler.job("gang").orElseThrow().reason()).isEqualTo("placed on 8 nodes under leaf-05, leaf-06");
    }

    @Test
    void aJobPlayedOnSimulatedGpusNeverLandsOnANodeWithRealGpusAndWhySaysSo() {
        Scheduler scheduler = new Scheduler(SchedulerPolicy.defaults(), Fabric.uniform(2, 4, "n"),
                spec -> new NodeMatch(spec.pool(), "simulated".equals(spec.backend()), null));
        scheduler.upsertNode(Clusters.real(hgx("n0", H100)));
        scheduler.upsertNode(hgx("n1", H100));
        scheduler.submit("sim-1", Jobs.training(8).backend("simulated").spec(), T0);
        scheduler.submit("sim-2", Jobs.training(8).backend("simulated").spec(), T0);
        scheduler.submit("slurm", Jobs.training(8).backend("slurm").spec(), T0);

        Cycle cycle = scheduler.schedule(T0);

        // n0 reads real GPUs: only the job of a backend that runs jobs may go there.
        assertThat(starts(cycle)).extracting(Decision.Start::job, s -> s.placements().get(0).node())
                .containsExactlyInAnyOrder(tuple("sim-1", "n1"), tuple("slurm", "n0"));
        JobRecord waiting = scheduler.job("sim-2").orElseThrow();
        assertThat(waiting.waiting()).isEqualTo(WaitReason.ROOM);
        assertThat(scheduler.why("sim-2").orElseThrow().details()).contains(
                "NVIDIA H100 80GB HBM3: 1 nodes, 1 schedulable, 0 of 8 usable GPUs free");
    }

    @Test
    void aJobPlayedOnSimulatedGpusWhereEveryNodeIsRealWaitsSayingWhy() {
        Scheduler scheduler = new Scheduler(SchedulerPolicy.defaults(), Fabric.uniform(2, 4, "n"),
                spec -> new NodeMatch(spec.pool(), "simulated".equals(spec.backend()), null));
        scheduler.upsertNode(Clusters.real(hgx("n0", H100)));
        scheduler.upsertNode(Clusters.real(hgx("n1", H100)));
        scheduler.submit("sim", Jobs.training(8).backend("simulated").spec(), T0);

        assertThat(starts(scheduler.schedule(T0))).isEmpty();

        JobRecord job = scheduler.job("sim").orElseThrow();
        assertThat(job.waiting()).isEqualTo(WaitReason.NO_MATCHING_NODES);
        assertThat(job.reason()).isEqualTo("no node with simulated GPUs has NVIDIA H100 80GB HBM3 GPUs; the simulated "
                + "backend never runs a job on real GPUs (2 nodes read real NVIDIA H100 80GB HBM3 GPUs, where nothing "
                + "would run): name a backend that runs jobs");
        assertThat(scheduler.why("sim").orElseThrow().summary()).contains("the simulated backend never runs a job");
    }

    /** A mixed fleet: Slurm runs some nodes, Kubernetes others; a job lands only where its own backend runs. */
    @Test
    void aJobOfOneExecutionBackendNeverLandsOnANodeAnotherRunsAndWhySaysSo() {
        Scheduler scheduler = new Scheduler(SchedulerPolicy.defaults(), Fabric.uniform(2, 4, "n"),
                spec -> new NodeMatch(spec.pool(), false, spec.backend()));
        scheduler.upsertNode(Clusters.runBy(hgx("n0", H100), "slurm"));
        scheduler.upsertNode(Clusters.runBy(hgx("n1", H100), "kubernetes"));
        scheduler.upsertNode(hgx("n2", H100));
        scheduler.submit("k8s-1", Jobs.training(8).backend("kubernetes").spec(), T0);
        scheduler.submit("k8s-2", Jobs.training(8).backend("kubernetes").spec(), T0);
        scheduler.submit("slurm", Jobs.training(8).backend("slurm").spec(), T0);

        Cycle cycle = scheduler.schedule(T0);

        // n2 is run by no backend yet (its sync has not seen it): no such job may start there.
        assertThat(starts(cycle)).extracting(Decision.Start::job, s -> s.placements().get(0).node())
                .containsExactlyInAnyOrder(tuple("k8s-1", "n1"), tuple("slurm", "n0"));
        assertThat(scheduler.job("k8s-2").orElseThrow().waiting()).isEqualTo(WaitReason.ROOM);
        scheduler.upsertNode(Clusters.runBy(hgx("n2", H100), "kubernetes"));
        assertThat(starts(scheduler.schedule(T0.plusSeconds(1)))).extracting(Decision.Start::job,
                s -> s.placements().get(0).node()).containsExactly(tuple("k8s-2", "n2"));

        Scheduler slurmOnly = new Scheduler(SchedulerPolicy.defaults(), Fabric.uniform(2, 4, "n"),
                spec -> new NodeMatch(spec.pool(), false, spec.backend()));
        slurmOnly.upsertNode(Clusters.runBy(hgx("n0", H100), "slurm"));
        slurmOnly.submit("k8s", Jobs.training(8).backend("kubernetes").spec(), T0);
        assertThat(starts(slurmOnly.schedule(T0))).isEmpty();
        JobRecord waiting = slurmOnly.job("k8s").orElseThrow();
        assertThat(waiting.waiting()).isEqualTo(WaitReason.NO_MATCHING_NODES);
        assertThat(waiting.reason()).isEqualTo("no node run by kubernetes has NVIDIA H100 80GB HBM3 GPUs; 1 node "
                + "with these GPUs is run by slurm, where a kubernetes job cannot start");
    }

    @Test
    void theWhyOfAGangCountsNodesInGoodGrammar() {
        Scheduler scheduler = new Scheduler(SchedulerPolicy.defaults(), Fabric.uniform(2, 2, "n"));
        scheduler.upsertNode(hgx("n0", H100));
        for (int i = 1; i < 4; i++) {
            scheduler.upsertNode(pcie("n" + i, H100));
        }
        scheduler.submit("gang", Jobs.gang(2, 8).spec(), T0);
        scheduler.schedule(T0);

        assertThat(scheduler.why("gang").orElseThrow().summary()).contains("have 1 such node")
                .doesNotContain("1 such nodes");
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
    void waitingJobsAndWhatEachTenantHoldsAreWhatTheQueueAndThePlacementsSay() {
        Scheduler scheduler = twoLeaves(SchedulerPolicy.defaults());
        scheduler.submit("held", Jobs.training(8).tenant("research").spec(), T0);
        scheduler.submit("also-held", Jobs.training(2).tenant("vision").spec(), T0);
        scheduler.schedule(T0);
        scheduler.submit("too-big", Jobs.gang(8, 8).tenant("research").spec(), T0);
        scheduler.schedule(T0);

        assertThat(scheduler.waiting()).extracting(JobRecord::id).containsExactly("too-big");
        assertThat(scheduler.heldMilliByTenant()).containsExactly(Map.entry("research", 8000L),
                Map.entry("vision", 2000L));

        scheduler.running("held", T0);
        scheduler.finished("held", true, "exit 0", T0.plusSeconds(60));
        assertThat(scheduler.heldMilliByTenant()).containsOnlyKeys("vision");
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
        WhyPending why = scheduler.why("long").orElseThrow();
        assertThat(why.summary()).isEqualTo("fits only on nodes reserved for a gang ahead of it, and its runtime "
                + "limit (5h) would end after that gang is due to start");
        assertThat(why.details()).anySatisfy(line -> assertThat(line).startsWith(
                "reservation: job head's reservation on 8 nodes (").endsWith(") from 2026-11-22T10:00:00Z"));
    }

    @Test
    void higherPriorityGoesFirstThenFifo() {
        Scheduler scheduler = twoLeaves(SchedulerPolicy.defaults());
        scheduler.submit("blocker", Jobs.gang(8, 8).spec(), T0);
        scheduler.schedule(T0);
        scheduler.submit("low", Jobs.gang(8, 8).priority("low").spec(), T0.plusSeconds(1));
        scheduler.submit("normal-1", Jobs.gang(8, 8).spec(), T0.plusSeconds(2));
        scheduler.submit("high", Jobs.gang(8, 8).priority("high").spec(), T0.plusSeconds(3));
        scheduler.submit("normal-2", Jobs.gang(8, 8).spec(), T0.plusSeconds(4));

        List<String> order = new java.util.ArrayList<>();
        Instant now = T0.plusSeconds(10);
        String running = "blocker";
        for (int i = 0; i < 4; i++) {
            scheduler.finished(running, true, "done", now);
            running = starts(scheduler.schedule(now)).get(0).job();
            order.add(running);
        }
        assertThat(order).containsExactly("high", "normal-1", "normal-2", "low");
    }

    @Test
    void amongEqualPrioritiesTheTenantThatUsedLessGoesFirst() {
        Scheduler scheduler = twoLeaves(SchedulerPolicy.defaults());
        // "heavy" uses the whole cluster for an hour.
        scheduler.submit("heavy-0", Jobs.gang(8, 8).tenant("heavy").spec(), T0);
        scheduler.schedule(T0);
        Instant later = T0.plusSeconds(3600);
        scheduler.submit("heavy-1", Jobs.gang(8, 8).tenant("heavy").spec(), T0.plusSeconds(1));
        scheduler.submit("light-1", Jobs.gang(8, 8).tenant("light").spec(), T0.plusSeconds(2));
        scheduler.finished("heavy-0", true, "done", later);

        assertThat(starts(scheduler.schedule(later))).extracting(Decision.Start::job).containsExactly("light-1");
        assertThat(scheduler.why("heavy-1").orElseThrow().details().get(0))
                .contains("tenant heavy: fair-share factor 0.250, 64.0 GPU-hours of recent use");
    }

    @Test
    void aJobOverItsTenantsQuotaWaitsPendingAndStartsWhenQuotaFreesUp() {
        Tenant research = new Tenant("research", null, null, Map.of("H100", 16), null);
        Scheduler scheduler = twoLeaves(new SchedulerPolicy(null, null, null, null, null, null, List.of(research)));
        scheduler.submit("a", Jobs.gang(2, 8).tenant("research").spec(), T0);
        scheduler.submit("b", Jobs.training(8).tenant("research").spec(), T0.plusSeconds(1));

        assertThat(starts(scheduler.schedule(T0))).extracting(Decision.Start::job).containsExactly("a");
        JobRecord b = scheduler.job("b").orElseThrow();
        assertThat(b.state()).isEqualTo(JobState.PENDING);
        assertThat(b.waiting()).isEqualTo(WaitReason.QUOTA);
        assertThat(b.reason()).isEqualTo("tenant research holds 16 of its 16 H100 GPUs and the job needs 8 "
                + "(no cohort to borrow from)");

        scheduler.finished("a", true, "done", T0.plusSeconds(60));
        assertThat(starts(scheduler.schedule(T0.plusSeconds(60)))).extracting(Decision.Start::job)
                .containsExactly("b");
    }

    @Test
    void aServiceIsAdmittedByTheGpusOfAllItsReplicasSoOnlyAsManyAsTheQuotaHoldsStart() {
        Tenant serving = new Tenant("serving", null, null, Map.of("H100", 8), null);
        Scheduler scheduler = twoLeaves(new SchedulerPolicy(null, null, null, null, null, null, List.of(serving)));
        scheduler.submit("svc", Jobs.inference(4, 4).tenant("serving").spec(), T0);

        List<Decision.Start> started = starts(scheduler.schedule(T0));

        // 4 replicas × 4 GPUs is 16; the 8-GPU quota admits two of them.
        assertThat(started).extracting(Decision.Start::job).containsExactly("svc");
        assertThat(started.get(0).placements()).hasSize(2).allSatisfy(p -> assertThat(p.gpus()).hasSize(4));
        assertThat(scheduler.heldMilliByTenant()).containsExactly(Map.entry("serving", 8000L));

        assertThat(starts(scheduler.schedule(T0.plusSeconds(1)))).isEmpty();
        JobRecord svc = scheduler.job("svc").orElseThrow();
        assertThat(svc.waiting()).isEqualTo(WaitReason.QUOTA);
        assertThat(svc.reason()).isEqualTo("tenant serving holds 8 of its 8 H100 GPUs and the job needs 4 "
                + "(no cohort to borrow from)");
    }

    @Test
    void aHighPriorityJobEvictsTheFewestLowestPriorityMostRecentPreemptibleJobs() {
        Scheduler scheduler = twoLeaves(SchedulerPolicy.defaults());
        // Eight one-node jobs fill the cluster: n0-n3 low (placed oldest first), n4-n5 normal, n6-n7 not preemptible.
        for (int i = 0; i < 4; i++) {
            scheduler.submit("low-" + i, Jobs.training(8).priority("low").preemptible().spec(), T0.plusSeconds(i));
            scheduler.schedule(T0.plusSeconds(i));
        }
        scheduler.submit("normal-0", Jobs.training(8).preemptible().spec(), T0.plusSeconds(10));
        scheduler.submit("normal-1", Jobs.training(8).preemptible().spec(), T0.plusSeconds(10));
        scheduler.submit("keep-0", Jobs.training(8).priority("low").spec(), T0.plusSeconds(10));
        scheduler.submit("keep-1", Jobs.training(8).priority("low").spec(), T0.plusSeconds(10));
        scheduler.schedule(T0.plusSeconds(10));
        scheduler.takeChanged();

        scheduler.submit("urgent", Jobs.gang(2, 8).priority("high").spec(), T0.plusSeconds(20));
        Cycle cycle = scheduler.schedule(T0.plusSeconds(20));

        List<Decision.Stop> stops = cycle.decisions().stream().filter(d -> d instanceof Decision.Stop)
                .map(d -> (Decision.Stop) d).toList();
        // Two low-priority victims, the two placed last (least work lost): low-3 and low-2.
        assertThat(stops).extracting(Decision.Stop::job).containsExactlyInAnyOrder("low-3", "low-2");
        assertThat(stops).allSatisfy(stop -> assertThat(stop.reason()).isEqualTo(
                "preempted by job urgent (priority 1000 > 100)"));
        assertThat(starts(cycle)).extracting(Decision.Start::job).containsExactly("urgent");
        JobRecord victim = scheduler.job("low-3").orElseThrow();
        assertThat(victim.state()).isEqualTo(JobState.PENDING);
        assertThat(victim.history()).extracting(JobTransition::to).endsWith(JobState.PREEMPTED, JobState.PENDING);
        assertThat(victim.reason()).isEqualTo("requeued: preempted by job urgent (priority 1000 > 100)");
    }

    @Test
    void evictingOneJobBeatsEvictingManySmallerOnes() {
        Scheduler scheduler = new Scheduler(SchedulerPolicy.defaults(), Fabric.none());
        scheduler.upsertNode(hgx("a", H100));
        scheduler.upsertNode(hgx("b", H100));
        scheduler.submit("whole", Jobs.training(8).priority("low").preemptible().spec(), T0);
        scheduler.schedule(T0);
        for (int i = 0; i < 8; i++) {
            scheduler.submit("piece-" + i, Jobs.training(1).priority("low").preemptible().spec(), T0.plusSeconds(60));
        }
        scheduler.schedule(T0.plusSeconds(60));

        scheduler.submit("urgent", Jobs.training(8).priority("high").spec(), T0.plusSeconds(120));
        Cycle cycle = scheduler.schedule(T0.plusSeconds(120));

        assertThat(cycle.decisions()).filteredOn(d -> d instanceof Decision.Stop).extracting(Decision::job)
                .containsExactly("whole");
    }

    @Test
    void nothingIsEvictedForAJobOfEqualPriorityOrWhenOnlyNonPreemptibleJobsRun() {
        Scheduler scheduler = twoLeaves(SchedulerPolicy.defaults());
        scheduler.submit("normal", Jobs.gang(4, 8).preemptible().spec(), T0);
        scheduler.submit("firm", Jobs.gang(4, 8).priority("low").spec(), T0);
        scheduler.schedule(T0);

        scheduler.submit("peer", Jobs.gang(2, 8).spec(), T0.plusSeconds(1));
        Cycle cycle = scheduler.schedule(T0.plusSeconds(1));

        assertThat(cycle.decisions()).isEmpty();
        assertThat(scheduler.job("peer").orElseThrow().waiting()).isEqualTo(WaitReason.ROOM);
    }

    @Test
    void whenANodeFailsItsGangIsRequeuedAndItsReplicaIsReplacedElsewhere() {
        Scheduler scheduler = twoLeaves(SchedulerPolicy.defaults());
        scheduler.submit("gang", Jobs.gang(2, 4).spec(), T0);
        scheduler.schedule(T0);
        String failing = scheduler.job("gang").orElseThrow().placements().get(0).node();
        scheduler.submit("service", Jobs.inference(8, 1).spec(), T0);
        scheduler.schedule(T0);
        scheduler.running("gang", T0);
        scheduler.running("service", T0);
        assertThat(scheduler.job("service").orElseThrow().placements()).extracting(Placement::node)
                .doesNotHaveDuplicates().contains(failing);

        List<Decision> stops = scheduler.nodeFailed(failing, "agent lost", T0.plusSeconds(5));

        assertThat(stops).extracting(Decision::job).containsExactlyInAnyOrder("gang", "service");
        Decision.Stop gangStop = stops.stream().filter(d -> d.job().equals("gang")).map(d -> (Decision.Stop) d)
                .findFirst().orElseThrow();
        assertThat(gangStop.placements()).hasSize(2);
        assertThat(gangStop.reason()).isEqualTo("node " + failing + " failed: agent lost");
        assertThat(scheduler.job("gang").orElseThrow().state()).isEqualTo(JobState.PENDING);
        assertThat(scheduler.job("service").orElseThrow().state()).isEqualTo(JobState.RUNNING);
        assertThat(scheduler.job("service").orElseThrow().placements()).hasSize(7);

        Cycle cycle = scheduler.schedule(T0.plusSeconds(6));

        assertThat(starts(cycle)).extracting(Decision.Start::job).containsExactlyInAnyOrder("gang", "service");
        assertThat(starts(cycle)).flatExtracting(Decision.Start::placements).extracting(Placement::node)
                .doesNotContain(failing);
        assertThat(scheduler.job("service").orElseThrow().placements()).hasSize(8);
    }

    @Test
    void cordonedNodesAndUnhealthyGpusAreNeverChosenAndWhySaysSo() {
        Scheduler scheduler = new Scheduler(SchedulerPolicy.defaults(), Fabric.none());
        scheduler.upsertNode(Clusters.with(hgx("sick", H100), true, 0));
        scheduler.upsertNode(Clusters.with(hgx("cordoned", H100), false, -1));
        scheduler.submit("seven", Jobs.training(7).spec(), T0);
        scheduler.submit("eight", Jobs.training(8).spec(), T0);

        List<Decision.Start> started = starts(scheduler.schedule(T0));

        assertThat(started).extracting(Decision.Start::job).containsExactly("seven");
        assertThat(started.get(0).placements().get(0).node()).isEqualTo("sick");
        assertThat(started.get(0).placements().get(0).gpus()).doesNotContain(0);
        JobRecord eight = scheduler.job("eight").orElseThrow();
        assertThat(eight.waiting()).isEqualTo(WaitReason.UNSCHEDULABLE);
        assertThat(eight.reason()).contains("1 of 2 nodes cordoned, draining or down; 1 GPUs unhealthy");
    }

    @Test
    void replicasSpreadOverLeavesThenNodes() {
        Scheduler scheduler = twoLeaves(SchedulerPolicy.defaults());
        scheduler.submit("service", Jobs.inference(4, 1).spec(), T0);

        Decision.Start start = starts(scheduler.schedule(T0)).get(0);

        assertThat(start.placements()).extracting(Placement::replica).containsExactlyInAnyOrder(0, 1, 2, 3);
        List<String> nodes = start.placements().stream().map(Placement::node).toList();
        assertThat(nodes).doesNotHaveDuplicates();
        // n0-n3 under leaf-01, n4-n7 under leaf-02: two replicas under each.
        assertThat(nodes.stream().filter(n -> n.compareTo("n4") < 0)).hasSize(2);
    }

    @Test
    void migSlicesPackOntoTheFullestGpuKeepingOthersWhole() {
        Scheduler scheduler = new Scheduler(SchedulerPolicy.defaults(), Fabric.none());
        scheduler.upsertNode(Clusters.migHgx("mig", 2));
        scheduler.submit("first", Jobs.slices(1, "1g.10gb").spec(), T0);
        scheduler.schedule(T0);
        scheduler.submit("more", Jobs.slices(3, "1g.10gb").spec(), T0);

        Decision.Start more = starts(scheduler.schedule(T0)).get(0);

        assertThat(more.placements()).allSatisfy(p -> {
            assertThat(p.gpus()).containsExactly(scheduler.job("first").orElseThrow().placements().get(0).gpus()
                    .get(0));
            assertThat(p.migInstances()).hasSize(1);
        });
        assertThat(more.placements()).extracting(p -> p.migInstances().get(0)).doesNotHaveDuplicates();
        // Whole-GPU work still gets the six GPUs not in MIG mode.
        scheduler.submit("whole", Jobs.training(6).spec(), T0);
        assertThat(starts(scheduler.schedule(T0)).get(0).placements().get(0).gpus())
                .containsExactly(2, 3, 4, 5, 6, 7);
    }

    @Test
    void aMigProfileNoGpuHasIsReportedAsNoMatchingNodes() {
        Scheduler scheduler = new Scheduler(SchedulerPolicy.defaults(), Fabric.none());
        scheduler.upsertNode(Clusters.migHgx("mig", 1));
        scheduler.submit("big-slice", Jobs.slices(1, "3g.40gb").spec(), T0);

        scheduler.schedule(T0);

        assertThat(scheduler.job("big-slice").orElseThrow().waiting()).isEqualTo(WaitReason.NO_MATCHING_NODES);
        assertThat(scheduler.job("big-slice").orElseThrow().reason()).contains("no GPU has 3g.40gb MIG instances");
    }

    @Test
    void gpusWithoutNvlinkTakeANumaAlignedPairUnlessOneNvlinkDomainIsRequired() {
        Scheduler scheduler = new Scheduler(SchedulerPolicy.defaults(), Fabric.none());
        scheduler.upsertNode(Clusters.pcie("box", "NVIDIA L40S"));
        scheduler.submit("strict", Jobs.training(2).topology(new Topology(TopologyLevel.SAME_NVLINK, true, null))
                .spec(), T0);
        scheduler.submit("loose", Jobs.training(2).spec(), T0);

        List<Decision.Start> started = starts(scheduler.schedule(T0));

        assertThat(started).extracting(Decision.Start::job).containsExactly("loose");
        assertThat(started.get(0).placements().get(0).gpus()).containsExactly(0, 1);
        assertThat(scheduler.job("strict").orElseThrow().waiting()).isEqualTo(WaitReason.TOPOLOGY);
        assertThat(scheduler.job("strict").orElseThrow().reason()).contains("largest NVLink domain has 1");
    }

    @Test
    void modelConstraintsAndPoolsLimitWhereAJobMayGo() {
        Scheduler scheduler = new Scheduler(SchedulerPolicy.defaults(), Fabric.none());
        scheduler.upsertNode(hgx("h", H100));
        scheduler.upsertNode(hgx("a", Clusters.A100));
        scheduler.submit("wants-a100", Jobs.training(8).models("A100").spec(), T0);
        scheduler.submit("wants-b200", Jobs.training(8).models("B200").spec(), T0);
        scheduler.submit("wants-pool", Jobs.training(1).pool("inference").spec(), T0);

        List<Decision.Start> started = starts(scheduler.schedule(T0));

        assertThat(started).extracting(Decision.Start::job).containsExactly("wants-a100");
        assertThat(started.get(0).placements().get(0).node()).isEqualTo("a");
        assertThat(scheduler.job("wants-b200").orElseThrow().waiting()).isEqualTo(WaitReason.NO_MATCHING_NODES);
        assertThat(scheduler.job("wants-pool").orElseThrow().reason()).contains("no node in pool inference");
    }

    @Test
    void aServiceStartsTheReplicasThatFitAndAddsTheRestWhenRoomAppears() {
        Scheduler scheduler = new Scheduler(SchedulerPolicy.defaults(), Fabric.none());
        scheduler.upsertNode(hgx("n", H100));
        scheduler.submit("filler", Jobs.training(4).spec(), T0);
        scheduler.schedule(T0);
        scheduler.submit("service", Jobs.inference(3, 2).spec(), T0);

        assertThat(starts(scheduler.schedule(T0)).get(0).placements()).hasSize(2);
        assertThat(scheduler.job("service").orElseThrow().reason()).isEqualTo(
                "2 of 3 replicas placed; the rest wait for room");
        scheduler.running("service", T0);
        scheduler.finished("filler", true, "done", T0.plusSeconds(5));

        Decision.Start rest = starts(scheduler.schedule(T0.plusSeconds(5))).get(0);
        assertThat(rest.placements()).extracting(Placement::replica).containsExactly(2);
        assertThat(scheduler.job("service").orElseThrow().state()).isEqualTo(JobState.RUNNING);
    }

    @Test
    void cancellingStopsWhatRunsAndDropsWhatWaits() {
        Scheduler scheduler = twoLeaves(SchedulerPolicy.defaults());
        scheduler.submit("runs", Jobs.gang(8, 8).spec(), T0);
        scheduler.schedule(T0);
        scheduler.submit("waits", Jobs.gang(8, 8).spec(), T0);

        List<Decision> stop = scheduler.cancel("runs", "cancelled by alice", T0.plusSeconds(1));
        List<Decision> none = scheduler.cancel("waits", "cancelled by alice", T0.plusSeconds(1));

        assertThat(stop).singleElement().isInstanceOfSatisfying(Decision.Stop.class,
                s -> assertThat(s.placements()).hasSize(8));
        assertThat(none).isEmpty();
        assertThat(scheduler.queued()).isZero();
        assertThat(scheduler.takeChanged()).filteredOn(r -> r.state() == JobState.CANCELLED).extracting(JobRecord::id)
                .containsExactlyInAnyOrder("runs", "waits");
    }

    @Test
    void aNewSchedulerRestoredFromRecordsKeepsTheGpusJobsHold() {
        Scheduler first = twoLeaves(SchedulerPolicy.defaults());
        first.submit("runs", Jobs.gang(6, 8).spec(), T0);
        first.schedule(T0);
        first.running("runs", T0);
        first.submit("waits", Jobs.gang(4, 8).spec(), T0);
        first.schedule(T0);

        Scheduler second = twoLeaves(SchedulerPolicy.defaults());
        second.restore(first.job("runs").orElseThrow(), T0);
        second.restore(first.job("waits").orElseThrow(), T0);
        second.submit("fits", Jobs.gang(2, 8).spec(), T0);

        assertThat(starts(second.schedule(T0))).extracting(Decision.Start::job).containsExactly("fits");
        assertThat(second.job("runs").orElseThrow().state()).isEqualTo(JobState.RUNNING);
        assertThat(second.job("waits").orElseThrow().waiting()).isEqualTo(WaitReason.ROOM);
    }

    @Test
    void whyNamesTheQueuePositionBeyondWhatACycleExamines() {
        Scheduler scheduler = twoLeaves(new SchedulerPolicy(1, null, null, null, null, null, null));
        scheduler.submit("big", Jobs.gang(9, 8).spec(), T0);
        scheduler.submit("next", Jobs.training(1).spec(), T0.plusSeconds(1));

        scheduler.schedule(T0);

        WhyPending why = scheduler.why("next").orElseThrow();
        assertThat(why.reason()).isEqualTo(WaitReason.QUEUE_DEPTH);
        assertThat(why.summary()).isEqualTo("position 2 in the queue; a cycle examines the first 1");
        assertThat(why.position()).isEqualTo(2);
    }

    @Test
    void aJobOnAClusterWithoutNodesSaysNoNodeHasJoined() {
        Scheduler scheduler = new Scheduler(SchedulerPolicy.defaults(), Fabric.none());
        scheduler.submit("j", Jobs.training(8).spec(), T0);

        scheduler.schedule(T0);

        assertThat(scheduler.job("j").orElseThrow().reason()).isEqualTo("no node with GPUs has joined yet");
        assertThat(scheduler.job("j").orElseThrow().waiting()).isEqualTo(WaitReason.NO_MATCHING_NODES);
    }

    @Test
    void aRestoredGangWhoseNodeIsGoneIsRequeuedWithTheRequeueInItsHistory() {
        Scheduler first = new Scheduler(SchedulerPolicy.defaults(), Fabric.none());
        first.upsertNode(hgx("n0", H100));
        first.submit("gang", Jobs.training(8).spec(), T0);
        first.schedule(T0);
        first.running("gang", T0);

        Scheduler restored = new Scheduler(SchedulerPolicy.defaults(), Fabric.none());
        restored.upsertNode(hgx("n1", H100));
        restored.restore(first.job("gang").orElseThrow(), T0.plusSeconds(1));

        JobRecord requeued = restored.job("gang").orElseThrow();
        assertThat(requeued.state()).isEqualTo(JobState.PENDING);
        assertThat(requeued.history()).last().satisfies(t -> {
            assertThat(t.from()).isEqualTo(JobState.RUNNING);
            assertThat(t.to()).isEqualTo(JobState.PENDING);
        });
        Decision.Start start = starts(restored.schedule(T0.plusSeconds(2))).get(0);
        assertThat(start.placements().get(0).node()).isEqualTo("n1");
        assertThat(List.of(restored.queued(), restored.holding())).containsExactly(0, 1);
    }

    @Test
    void gpusInMigModeDoNotCountForWholeGpuJobsEvenOnAnIdleCluster() {
        Scheduler scheduler = new Scheduler(SchedulerPolicy.defaults(), Fabric.none());
        scheduler.upsertNode(Clusters.migHgx("mig", 2));
        scheduler.submit("eight", Jobs.training(8).spec(), T0);

        scheduler.schedule(T0);

        assertThat(scheduler.job("eight").orElseThrow().waiting()).isEqualTo(WaitReason.TOPOLOGY);
        assertThat(scheduler.job("eight").orElseThrow().reason()).endsWith("the largest node has 6");
    }
}
