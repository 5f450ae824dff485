package dev.vigil.sim;

import dev.vigil.api.binding.Documents;
import dev.vigil.api.jobs.JobKind;
import dev.vigil.api.jobs.JobSpec;
import dev.vigil.api.jobs.Topology;
import dev.vigil.api.jobs.TopologyLevel;
import dev.vigil.sim.cluster.ClusterFile;
import dev.vigil.sim.cluster.SimCluster;
import dev.vigil.sim.trace.Generator;
import dev.vigil.sim.trace.RuntimeLimitRule;
import dev.vigil.sim.trace.Trace;
import dev.vigil.sim.trace.TraceFormat;
import dev.vigil.sim.trace.TraceJob;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Small traces whose every number is worked out by hand in the comments. */
class SimulationTest {
    private static final Simulation.Options EVERY_INSTANT = new Simulation.Options(Duration.ZERO,
            Simulation.Progress.NONE);

    private static SimCluster cluster(int leaves, int nodesPerLeaf) {
        return SimCluster.build("test", Documents.readYaml("""
                groups:
                  - {name: n, model: NVIDIA H100 80GB HBM3, leaves: %d, nodesPerLeaf: %d, gpusPerNode: 8}
                """.formatted(leaves, nodesPerLeaf), ClusterFile.class, "test"), null, "test");
    }

    /** A training job: {@code nodes} × {@code gpus}, submitted at {@code submit} s, running {@code runs} s. */
    private static TraceJob job(String id, int submit, int nodes, int gpus, int runs, int limitMinutes) {
        return job(id, submit, new JobSpec(id, JobKind.TRAINING, null, null, null, null, null, nodes, gpus, null, null,
                null, null, null, Duration.ofMinutes(limitMinutes), Duration.ofSeconds(runs), null, null, null, null,
                null));
    }

    private static TraceJob job(String id, int submit, JobSpec spec) {
        return new TraceJob(id, submit * 1000L, spec, 0);
    }

    private static Workload workload(SimCluster cluster, TraceJob... jobs) {
        return Workload.of(new Trace("test", TraceFormat.VIGIL, jobs.length, List.of(jobs), new HashMap<>()),
                cluster);
    }

    private static Report vigil(SimCluster cluster, Workload workload) {
        return Simulation.run(cluster, workload, new VigilScheduler(cluster), EVERY_INSTANT);
    }

    private static Report fifo(SimCluster cluster, Workload workload) {
        return Simulation.run(cluster, workload, new FifoFirstFit(cluster), EVERY_INSTANT);
    }

    @Test
    void aJobThatDoesNotFitWaitsAndEveryMeasureFollows() {
        SimCluster one = cluster(1, 1);
        // a: 8 GPUs 0-100 s. b (4 GPUs, at 10 s) waits for it: 100-150 s.
        Workload workload = workload(one, job("a", 0, 1, 8, 100, 2), job("b", 10, 1, 4, 50, 1));

        for (Report report : List.of(vigil(one, workload), fifo(one, workload))) {
            assertThat(report.jobs()).isEqualTo(2);
            assertThat(report.completed()).isEqualTo(2);
            assertThat(report.makespanSeconds()).isEqualTo(150);
            // JCT 100 and 140; queueing 0 and 90.
            assertThat(report.jctSeconds()).isEqualTo(new Report.Summary(2, 120, 100, 140, 140));
            assertThat(report.queueingSeconds()).isEqualTo(new Report.Summary(2, 45, 0, 90, 90));
            // 8 GPUs × 100 s + 4 × 50 s = 1,000 GPU-seconds of 8 GPUs × 150 s.
            assertThat(report.gpuAllocationPercent()).isCloseTo(100.0 * 1000 / 1200, within(1e-9));
            assertThat(report.placements()).isEqualTo(2);
            assertThat(report.preemptions()).isZero();
        }
    }

    @Test
    void backfillStartsAShortJobBesideABlockedOneWhereFifoMakesItWait() {
        SimCluster one = cluster(1, 1);
        // a: 4 GPUs 0-100 s (limit 2 min). b: 8 GPUs at 1 s, blocked until a ends. c: 4 GPUs at 2 s for 50 s
        // (limit 1 min): it ends by 62 s, before b could start (a's limit ends at 120 s), so backfill starts it
        // at once. FIFO keeps c behind b: b 100-200 s, c 200-250 s.
        Workload workload = workload(one, job("a", 0, 1, 4, 100, 2), job("b", 1, 1, 8, 100, 2),
                job("c", 2, 1, 4, 50, 1));

        Report vigil = vigil(one, workload);
        Report fifo = fifo(one, workload);

        // Vigil: a 0-100, c 2-52, b 100-200. JCT 100, 199, 50; queueing 0, 99, 0.
        assertThat(vigil.jctSeconds().average()).isCloseTo(349 / 3.0, within(1e-9));
        assertThat(vigil.queueingSeconds().average()).isCloseTo(33, within(1e-9));
        assertThat(vigil.makespanSeconds()).isEqualTo(200);
        // 4 × 100 + 4 × 50 + 8 × 100 = 1,400 GPU-seconds of 8 × 200.
        assertThat(vigil.gpuAllocationPercent()).isCloseTo(87.5, within(1e-9));
        // FIFO: JCT 100, 199, 248; queueing 0, 99, 198.
        assertThat(fifo.jctSeconds().average()).isCloseTo(547 / 3.0, within(1e-9));
        assertThat(fifo.queueingSeconds().average()).isCloseTo(99, within(1e-9));
        assertThat(fifo.makespanSeconds()).isEqualTo(250);
        assertThat(fifo.gpuAllocationPercent()).isCloseTo(70, within(1e-9));
    }

    @Test
    void vigilPutsAGangOnOneLeafWhereFirstFitSpreadsIt() {
        SimCluster twoLeaves = cluster(2, 4);
        // "one" takes the first node of leaf-01; then a 4-node gang fits only on leaf-02, whole.
        Workload workload = workload(twoLeaves, job("one", 0, 1, 8, 1000, 20), job("gang", 0, 4, 8, 100, 2));

        Report vigil = vigil(twoLeaves, workload);
        Report fifo = fifo(twoLeaves, workload);

        assertThat(workload.jobs()).extracting(Workload.Entry::fewestLeaves).containsExactly(1, 1);
        assertThat(vigil.multiNodeJobs()).isEqualTo(1);
        assertThat(vigil.onFewestLeaves()).isEqualTo(1);
        assertThat(vigil.onFewestLeavesPercent()).isEqualTo(100.0);
        // First fit takes nodes 1-3 of leaf-01 and node 0 of leaf-02.
        assertThat(fifo.multiNodeJobs()).isEqualTo(1);
        assertThat(fifo.onFewestLeaves()).isZero();
        assertThat(fifo.onFewestLeavesPercent()).isEqualTo(0.0);
    }

    @Test
    void localityOfGangsThatFitOneLeafIsReportedApartFromTheWiderOnes() {
        SimCluster twoLeaves = cluster(2, 4);
        // As above, then at 2,000 s on an empty cluster a 6-node gang, which needs both leaves.
        Workload workload = workload(twoLeaves, job("one", 0, 1, 8, 1000, 20), job("gang", 0, 4, 8, 100, 2),
                job("wide", 2000, 6, 8, 100, 2));

        Report vigil = vigil(twoLeaves, workload);
        Report fifo = fifo(twoLeaves, workload);

        assertThat(workload.jobs()).extracting(Workload.Entry::fewestLeaves).containsExactly(1, 1, 2);
        assertThat(List.of(vigil.multiNodeJobs(), vigil.oneLeafGangs(), vigil.onOneLeaf(), vigil.onFewestLeaves()))
                .containsExactly(2, 1, 1, 2);
        assertThat(vigil.onOneLeafPercent()).isEqualTo(100.0);
        assertThat(vigil.wideOnFewestLeavesPercent()).isEqualTo(100.0);
        // First fit spreads "gang" over both leaves; "wide" takes both leaves under either scheduler.
        assertThat(List.of(fifo.multiNodeJobs(), fifo.oneLeafGangs(), fifo.onOneLeaf(), fifo.onFewestLeaves()))
                .containsExactly(2, 1, 0, 1);
        assertThat(fifo.onOneLeafPercent()).isEqualTo(0.0);
        assertThat(fifo.wideOnFewestLeavesPercent()).isEqualTo(100.0);
    }

    @Test
    void withoutGangsTheLocalitySharesAreNull() {
        SimCluster one = cluster(1, 1);
        Report report = vigil(one, workload(one, job("solo", 0, 1, 8, 10, 1)));

        assertThat(report.onFewestLeavesPercent()).isNull();
        assertThat(report.onOneLeafPercent()).isNull();
        assertThat(report.wideOnFewestLeavesPercent()).isNull();
    }

    @Test
    void aJobLongerThanItsLimitIsKilledAtIt() {
        SimCluster one = cluster(1, 1);
        Workload workload = workload(one, job("long", 0, 1, 8, 200, 1));

        Report report = vigil(one, workload);

        assertThat(report.completed()).isZero();
        assertThat(report.killed()).isEqualTo(1);
        assertThat(report.jctSeconds().average()).isEqualTo(60);
        assertThat(report.makespanSeconds()).isEqualTo(60);
    }

    @Test
    void aPreemptedJobIsRequeuedAndRunsFromItsBeginningAgain() {
        SimCluster one = cluster(1, 1);
        JobSpec low = new JobSpec("low", JobKind.TRAINING, null, null, "low", true, 8, null, null, null, null, null,
                null, null, Duration.ofMinutes(2), Duration.ofSeconds(100), null, null, null, null, null);
        JobSpec high = new JobSpec("high", JobKind.TRAINING, null, null, "high", null, 8, null, null, null, null,
                null, null, null, Duration.ofMinutes(1), Duration.ofSeconds(50), null, null, null, null, null);
        // low runs from 0; high evicts it at 10 and runs 10-60; low starts over at 60 and ends at 160.
        Workload workload = workload(one, job("low", 0, low), job("high", 10, high));

        Report vigil = vigil(one, workload);
        Report fifo = fifo(one, workload);

        assertThat(vigil.preemptions()).isEqualTo(1);
        assertThat(vigil.placements()).isEqualTo(3);
        assertThat(vigil.jctSeconds()).isEqualTo(new Report.Summary(2, 105, 50, 160, 160));
        assertThat(vigil.queueingSeconds().average()).as("first starts count: both at once").isZero();
        // 8 GPUs for 10 + 50 + 100 s of 160.
        assertThat(vigil.gpuAllocationPercent()).isCloseTo(100, within(1e-9));
        // FIFO ignores priority: low 0-100, high 100-150.
        assertThat(fifo.preemptions()).isZero();
        assertThat(fifo.jctSeconds()).isEqualTo(new Report.Summary(2, 120, 100, 140, 140));
    }

    @Test
    void aCycleIntervalMakesArrivalsWaitForTheNextCycle() {
        SimCluster one = cluster(1, 1);
        // Cycles at 0 and then no earlier than 30 s: b, at 10 s, starts at 30 s.
        Workload workload = workload(one, job("a", 0, 1, 4, 100, 2), job("b", 10, 1, 4, 100, 2));

        Report report = Simulation.run(one, workload, new VigilScheduler(one),
                new Simulation.Options(Duration.ofSeconds(30), Simulation.Progress.NONE));

        assertThat(report.queueingSeconds()).isEqualTo(new Report.Summary(2, 10, 0, 20, 20));
        assertThat(report.cycles()).isEqualTo(4);
    }

    @Test
    void theClusterFilesPolicyGovernsVigilAndFifoIgnoresIt() {
        SimCluster quota = SimCluster.build("quota", Documents.readYaml("""
                groups:
                  - {name: n, model: NVIDIA H100 80GB HBM3, count: 1, nodesPerLeaf: 1, gpusPerNode: 8}
                scheduler:
                  tenants:
                    - {name: small, quota: {H100: 4}}
                """, ClusterFile.class, "test"), null, "test");
        JobSpec four = new JobSpec("four", JobKind.TRAINING, "small", null, null, null, 4, null, null, null, null,
                null, null, null, Duration.ofMinutes(2), Duration.ofSeconds(60), null, null, null, null, null);
        JobSpec eight = new JobSpec("eight", JobKind.TRAINING, "small", null, null, null, 8, null, null, null, null,
                null, null, null, Duration.ofMinutes(2), Duration.ofSeconds(60), null, null, null, null, null);
        Workload workload = workload(quota, job("four", 0, four), job("eight", 0, eight));

        Report vigil = vigil(quota, workload);
        Report fifo = fifo(quota, workload);

        // Its quota of 4 GPUs never admits "eight": it is still queued when nothing else can happen.
        assertThat(vigil.completed()).isEqualTo(1);
        assertThat(vigil.unfinished()).isEqualTo(1);
        assertThat(vigil.makespanSeconds()).isEqualTo(60);
        assertThat(fifo.completed()).isEqualTo(2);
        assertThat(fifo.makespanSeconds()).isEqualTo(120);
    }

    @Test
    void jobsNoSchedulerCouldStartAreLeftOutWithTheReason() {
        SimCluster twoLeaves = cluster(2, 4);
        JobSpec sameLeaf = new JobSpec("wide", JobKind.TRAINING, null, null, null, null, null, 5, 8, null, null, null,
                null, new Topology(TopologyLevel.SAME_LEAF, true, null), null, Duration.ofSeconds(10), null, null,
                null, null, null);
        JobSpec a100 = new JobSpec("a100", JobKind.TRAINING, null, null, null, null, 1, null, null, List.of("A100"),
                null, null, null, null, null, Duration.ofSeconds(10), null, null, null, null, null);
        JobSpec unknownClass = new JobSpec("vip", JobKind.TRAINING, null, null, "urgent", null, 1, null, null, null,
                null, null, null, null, null, Duration.ofSeconds(10), null, null, null, null, null);

        Workload workload = workload(twoLeaves, job("wide", 0, sameLeaf), job("a100", 0, a100),
                job("vip", 0, unknownClass), job("ok", 0, 5, 8, 10, 1));

        assertThat(workload.jobs()).extracting(e -> e.job().id()).containsExactly("ok");
        assertThat(workload.jobs().get(0).fewestLeaves()).isEqualTo(2);
        assertThat(workload.skipped()).isEqualTo(Map.of(
                "never fits this cluster: needs 5 nodes × 8 GPUs under at most 1 leaf switch; the fewest that hold "
                        + "it are 2", 1,
                "never fits this cluster: no node has a GPU model matching A100", 1,
                "the scheduler policy refuses it: priorityClass: \"urgent\" is not allowed (allowed: one of low, "
                        + "normal, high)", 1));
    }

    @Test
    void bothSchedulersFinishEveryJobOfAGeneratedTrace() {
        SimCluster cluster = cluster(4, 8);
        Workload workload = Workload.of(Generator.generate(Generator.Mix.MIXED, 300, 11, Duration.ofHours(6),
                RuntimeLimitRule.DEFAULT), cluster);

        Report vigil = vigil(cluster, workload);
        Report fifo = fifo(cluster, workload);

        for (Report report : List.of(vigil, fifo)) {
            assertThat(report.completed()).as(report.scheduler()).isEqualTo(workload.jobs().size());
            assertThat(report.unfinished()).isZero();
            assertThat(report.placements()).isGreaterThanOrEqualTo(workload.jobs().size());
            assertThat(List.of(report.jctSeconds().p50(), report.jctSeconds().p95(), report.jctSeconds().p99()))
                    .isSorted();
        }
    }

    @Test
    void gangsDoTheSameGpuSecondsUnderEitherScheduler() {
        SimCluster cluster = cluster(4, 8);
        Workload workload = Workload.of(Generator.generate(Generator.Mix.GANGS, 40, 5, Duration.ofHours(2),
                RuntimeLimitRule.DEFAULT), cluster);
        double work = workload.jobs().stream()
                .mapToDouble(e -> e.job().spec().totalGpus() * e.job().spec().duration().toSeconds()).sum();

        for (Report report : List.of(vigil(cluster, workload), fifo(cluster, workload))) {
            double gpuSeconds = report.gpuAllocationPercent() / 100 * cluster.gpus() * report.makespanSeconds();
            assertThat(gpuSeconds).as(report.scheduler()).isCloseTo(work, within(work * 1e-9));
        }
    }
}
