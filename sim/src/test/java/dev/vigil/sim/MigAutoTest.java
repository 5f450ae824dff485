package dev.vigil.sim;

import dev.vigil.api.binding.Documents;
import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.jobs.JobKind;
import dev.vigil.api.jobs.JobSpec;
import dev.vigil.sim.cluster.ClusterFile;
import dev.vigil.sim.cluster.SimCluster;
import dev.vigil.sim.trace.Trace;
import dev.vigil.sim.trace.TraceFormat;
import dev.vigil.sim.trace.TraceJob;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Demand-driven MIG layouts in a replay: the same small trace with static layouts and with auto ones. */
class MigAutoTest {
    private static final Simulation.Options STATIC = new Simulation.Options(Duration.ZERO, Simulation.Progress.NONE);

    /** Two nodes of four A100s: GPUs 0-1 of each in seven 1g.10gb slices, 2-3 whole. */
    private static final SimCluster CLUSTER = SimCluster.build("test", Documents.readYaml("""
            groups:
              - name: a
                model: NVIDIA A100-SXM4-80GB
                count: 2
                nodesPerLeaf: 2
                gpusPerNode: 4
                mig: {gpus: 2, profile: 1g.10gb, instances: 7}
            """, ClusterFile.class, "test"), null, "test");

    private static Simulation.Options auto(int maxChanging, int minIdle) {
        return new Simulation.Options(Duration.ZERO, Simulation.Progress.NONE,
                new Simulation.MigAuto(Duration.ofMinutes(5), Duration.ofSeconds(60), maxChanging, minIdle));
    }

    private static TraceJob slice(String id, int submit, int runs) {
        return new TraceJob(id, submit * 1000L, new JobSpec(id, JobKind.INFERENCE, null, null, null, null, null, null,
                null, null, "1g.10gb", 1, null, null, Duration.ofSeconds(runs), Duration.ofSeconds(runs), null, null,
                null, null, null), 0);
    }

    private static TraceJob training(String id, int submit, int gpus, int runs) {
        return new TraceJob(id, submit * 1000L, new JobSpec(id, JobKind.TRAINING, null, null, null, null, gpus, null,
                null, null, null, null, null, null, Duration.ofSeconds(runs), Duration.ofSeconds(runs), null, null,
                null, null, null), 0);
    }

    /**
     * 40 one-slice services for an hour at 0 s (the cluster holds 28 slices), then at 2 h four 2-GPU
     * trainings for an hour (it holds two at a time on whole GPUs).
     */
    private static Workload mixed() {
        List<TraceJob> jobs = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            jobs.add(slice(String.format("s-%02d", i), 0, 3600));
        }
        for (int i = 0; i < 4; i++) {
            jobs.add(training("t-" + i, 7200, 2, 3600));
        }
        return Workload.of(new Trace("test", TraceFormat.VIGIL, jobs.size(), jobs, new HashMap<>()), CLUSTER);
    }

    @Test
    void layoutsThatFollowDemandStartWaitingWorkSooner() {
        Workload workload = mixed();

        Report fixed = Simulation.run(CLUSTER, workload, new VigilScheduler(CLUSTER), STATIC);
        Report auto = Simulation.run(CLUSTER, workload, new VigilScheduler(CLUSTER), auto(8, 0));

        assertThat(fixed.mig()).isEqualTo("static");
        assertThat(fixed.migChanges()).isZero();
        assertThat(auto.mig()).isEqualTo("auto");
        assertThat(fixed.completed()).isEqualTo(44);
        assertThat(auto.completed()).isEqualTo(44);
        // Static: 12 services wait an hour for a slice, 2 trainings an hour for whole GPUs: 14 × 3,600 s of 44 jobs.
        assertThat(fixed.queueingSeconds().average()).isEqualTo(14 * 3600.0 / 44);
        // Auto: at 5 m, the two idle whole GPUs of node a-00 become 14 slices, ready at 6 m: the 12 start at 360 s.
        // At 2 h one training starts on a-01's whole GPUs; the six idle MIG GPUs turn whole, ready at 2 h 1 m: the
        // other three start 60 s late.
        assertThat(auto.queueingSeconds().average()).isEqualTo((12 * 360.0 + 3 * 60) / 44);
        assertThat(auto.migChanges()).isEqualTo(8);
        assertThat(auto.jctSeconds().average()).isLessThan(fixed.jctSeconds().average());
        assertThat(auto.makespanSeconds()).isLessThan(fixed.makespanSeconds());
    }

    @Test
    void changesStayWithinTheLimits() {
        Workload workload = mixed();

        Report one = Simulation.run(CLUSTER, workload, new VigilScheduler(CLUSTER), auto(1, 0));
        Report none = Simulation.run(CLUSTER, workload, new VigilScheduler(CLUSTER), auto(8, 4));

        // One GPU at a time: 7 slices at 6 m, 5 more at 11 m (the next change waits for the first).
        assertThat(one.queueingSeconds().p95()).isEqualTo(660);
        assertThat(one.completed()).isEqualTo(44);
        // Four idle GPUs of each kind kept: never enough idle ones to change any.
        assertThat(none.migChanges()).isZero();
        assertThat(none.queueingSeconds().average()).isEqualTo(14 * 3600.0 / 44);
    }

    @Test
    void theBaselineKeepsStaticLayouts() {
        Report fifo = Simulation.run(CLUSTER, mixed(), new FifoFirstFit(CLUSTER), auto(8, 0));

        assertThat(fifo.mig()).isEqualTo("static");
        assertThat(fifo.migChanges()).isZero();
        assertThatThrownBy(() -> new FifoFirstFit(CLUSTER).upsertNode(CLUSTER.nodes().get(0)))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void aReplayEndsWhenNoChangeCouldHelpWhatWaits() {
        // 60 one-slice services a second apart, 10 minutes each: more than the slices and idle whole GPUs hold, so
        // some wait while no GPU is idle to change; the replay still ends, with all done.
        List<TraceJob> jobs = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            jobs.add(slice(String.format("s-%02d", i), i, 600));
        }
        Workload workload = Workload.of(new Trace("test", TraceFormat.VIGIL, jobs.size(), jobs, new HashMap<>()),
                CLUSTER);

        Report auto = Simulation.run(CLUSTER, workload, new VigilScheduler(CLUSTER), auto(8, 0));

        assertThat(auto.completed()).isEqualTo(60);
        assertThat(auto.unfinished()).isZero();
    }

    @Test
    void theClusterOffersMigOffAndEachGroupsLayout() {
        assertThat(CLUSTER.migLayouts().get("NVIDIA A100-SXM4-80GB")).extracting(l -> l.config())
                .containsExactly("all-disabled", "all-1g.10gb");
        assertThat(CLUSTER.migConfigOf("NVIDIA A100-SXM4-80GB", CLUSTER.nodes().get(0).gpus().get(0).mig()))
                .isEqualTo("all-1g.10gb");
        assertThat(CLUSTER.migConfigOf("NVIDIA A100-SXM4-80GB", List.of())).isEqualTo("all-disabled");
        assertThat(CLUSTER.migConfigOf("Tesla V100", List.of())).isNull();
    }

    @Test
    void badSettingsAreRefused() {
        assertThatThrownBy(() -> new Simulation.MigAuto(Duration.ZERO, Duration.ZERO, 1, 0))
                .isInstanceOf(InvalidValueException.class);
        assertThatThrownBy(() -> new Simulation.MigAuto(Duration.ofMinutes(1), Duration.ofSeconds(-1), 1, 0))
                .isInstanceOf(InvalidValueException.class);
        assertThatThrownBy(() -> new Simulation.MigAuto(Duration.ofMinutes(1), Duration.ZERO, 0, 0))
                .isInstanceOf(InvalidValueException.class);
        assertThatThrownBy(() -> new Simulation.MigAuto(Duration.ofMinutes(1), Duration.ZERO, 1, -1))
                .isInstanceOf(InvalidValueException.class);
    }
}
