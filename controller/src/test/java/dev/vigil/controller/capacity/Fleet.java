package dev.vigil.controller.capacity;

import dev.vigil.api.cluster.CordonedGpu;
import dev.vigil.api.cluster.GpuSummary;
import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.cluster.NodeState;
import dev.vigil.api.gpu.GpuDevice;
import dev.vigil.api.gpu.GpuHealth;
import dev.vigil.api.gpu.HealthReason;
import dev.vigil.api.gpu.HealthState;
import dev.vigil.api.gpu.MigStatus;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.api.gpu.RepairAction;
import dev.vigil.api.jobs.JobKind;
import dev.vigil.api.jobs.JobRecord;
import dev.vigil.api.jobs.JobSpec;
import dev.vigil.api.jobs.JobState;
import dev.vigil.api.jobs.JobTransition;
import dev.vigil.api.jobs.Placement;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A hand-built week with numbers worked out by hand (the report's tests assert them exactly). The
 * period is the 168 h before {@link #NOW}; the period before is the 168 h before that.
 *
 * <pre>
 * job         tenant  model  GPUs  held (h before NOW)              GPU-hours  wait   asked (GPUs × limit)
 * train-a     vision  H100   8     99 → 89 succeeded                80         1h     8 × 12h = 96
 * clipped     vision  H100   4     170 → 166 succeeded (2h inside)  8          —      4 × 10h = 40 (before)
 * requeued    vision  H100   8     48 → 46, 40 → 37 failed          40         2h     8 × 10h = 80
 * running     nlp     H100   2     25 → now (GPU 0 idle)            50         5h     2 × 24h = 48
 * mig         nlp     A100   2 × 1g slice = 2/7, 14 → now (idle)   4          30m    2/7 × 7h = 2
 * pending     nlp     —      16    waits since 6h                   0          —      16 × 2h = 32
 * cancelled   vision  —      1     cancelled while pending          0          —      1 × 2h = 2
 * old         nlp     H100   4     299 → 289 (the period before)    0          —      4 × 15h = 60 (before)
 * </pre>
 * Demand: 260 GPU-hours asked in the period, 100 the period before: +160 %. Idle: GPU 0 of h100-1
 * for 25 h (GPU 1 is at 5 %: not below), and the two MIG slices on GPU 0 of a100-1 for 14 h × 1/7
 * each: 29 GPU-hours. Out of service: h100-1's GPU 3 (lost, cordoned), 4 (failed, not cordoned),
 * 7 (cordoned, healthy); a100-1's GPU 5 (cordoned); h100-2 drained.
 */
final class Fleet {
    static final Instant NOW = Instant.parse("2026-12-06T00:00:00Z");
    static final String H100 = "NVIDIA H100 80GB HBM3";
    static final String A100 = "NVIDIA A100-SXM4-80GB";
    static final Instant XID_SEEN = hoursAgo(3);

    private Fleet() {
    }

    static Instant hoursAgo(double hours) {
        return NOW.minus(Duration.ofMinutes(Math.round(hours * 60)));
    }

    static List<JobRecord> jobs() {
        return List.of(
                job("train-a", training("vision", 8, List.of("H100"), 12), JobState.SUCCEEDED, 100, List.of(),
                        at(JobState.PLACED, 99), at(JobState.RUNNING, 99), at(JobState.SUCCEEDED, 89)),
                job("clipped", training("vision", 4, List.of("H100"), 10), JobState.SUCCEEDED, 200, List.of(),
                        at(JobState.PLACED, 170), at(JobState.RUNNING, 170), at(JobState.SUCCEEDED, 166)),
                job("requeued", training("vision", 8, List.of("h100"), 10), JobState.FAILED, 50, List.of(),
                        at(JobState.PLACED, 48), at(JobState.RUNNING, 48), at(JobState.PREEMPTED, 46),
                        at(JobState.PENDING, 46), at(JobState.PLACED, 40), at(JobState.RUNNING, 40),
                        at(JobState.FAILED, 37)),
                job("running", training("nlp", 2, List.of(), 24), JobState.RUNNING, 30,
                        List.of(new Placement("h100-1", List.of(0, 1), List.of("GPU-h100-1-0", "GPU-h100-1-1"),
                                List.of(), null)),
                        at(JobState.PLACED, 25), at(JobState.RUNNING, 25)),
                job("mig", slices("nlp", 2, "1g.10gb", 7), JobState.RUNNING, 14.5,
                        List.of(slice(0, 7), slice(1, 8)), at(JobState.PLACED, 14), at(JobState.RUNNING, 14)),
                job("pending", training("nlp", 16, List.of(), 2), JobState.PENDING, 6, List.of()),
                job("cancelled", training("vision", 1, List.of(), 2), JobState.CANCELLED, 10, List.of(),
                        at(JobState.CANCELLED, 9)),
                job("old", training("nlp", 4, List.of("H100"), 15), JobState.SUCCEEDED, 300, List.of(),
                        at(JobState.PLACED, 299), at(JobState.RUNNING, 299), at(JobState.SUCCEEDED, 289)));
    }

    static List<NodeRecord> nodes() {
        HealthReason lost = new HealthReason("gpu-lost", HealthState.FAILED, "GPU has fallen off the bus (XID 79)",
                RepairAction.REBOOT_NODE, 79, XID_SEEN);
        HealthReason thermal = new HealthReason("thermal", HealthState.DEGRADED, "thermal slowdown at 91 C",
                RepairAction.NONE, null, XID_SEEN);
        HealthReason dbe = new HealthReason("ecc-dbe", HealthState.FAILED, "uncorrectable ECC error (double bit)",
                RepairAction.RESET_GPU, 48, hoursAgo(5));
        return List.of(
                node("h100-1", H100).state(NodeState.READY)
                        .gpus(List.of(summary(0, 0.0), summary(1, 5.0), summary(2, null)))
                        .health(List.of(GpuHealth.of(2, "GPU-h100-1-2", List.of()),
                                GpuHealth.of(3, "GPU-h100-1-3", List.of(lost)),
                                GpuHealth.of(4, "GPU-h100-1-4", List.of(thermal, dbe))))
                        .cordonedGpus(List.of(new CordonedGpu(7, "GPU-h100-1-7", "burn-in test", "bob", hoursAgo(4)),
                                new CordonedGpu(3, "GPU-h100-1-3", "XID 79 | fallen off the bus", "reflex",
                                        XID_SEEN)))
                        .build(),
                node("a100-1", A100).state(NodeState.READY)
                        .gpus(List.of(summary(0, 2.0)))
                        .cordonedGpus(List.of(new CordonedGpu(5, "GPU-a100-1-5", "fan noise", "alice", hoursAgo(2))))
                        .build(),
                node("h100-2", H100).state(NodeState.DRAINED).cordoned(true).reason("rack maintenance")
                        .since(hoursAgo(1))
                        .health(List.of(GpuHealth.of(6, "GPU-h100-2-6", List.of(thermal))))
                        .build());
    }

    static JobSpec training(String tenant, int gpus, List<String> models, int limitHours) {
        return new JobSpec("train", JobKind.TRAINING, tenant, null, null, null, gpus, null, null, models, null, null,
                null, null, Duration.ofHours(limitHours), null, null, null, null, null, null);
    }

    static JobSpec slices(String tenant, int replicas, String profile, int limitHours) {
        return new JobSpec("serve", JobKind.INFERENCE, tenant, null, null, null, null, null, null, List.of(), profile,
                replicas, null, null, Duration.ofHours(limitHours), null, null, null, null, null, null);
    }

    /** A job submitted {@code submittedHoursAgo}, through {@code moves} (each from the state before it). */
    static JobRecord job(String id, JobSpec spec, JobState state, double submittedHoursAgo, List<Placement> placements,
                         JobTransition... moves) {
        Instant submitted = hoursAgo(submittedHoursAgo);
        List<JobTransition> history = new ArrayList<>();
        history.add(new JobTransition(null, JobState.PENDING, "submitted", submitted));
        Instant started = null;
        Instant finished = null;
        for (JobTransition move : moves) {
            history.add(new JobTransition(history.get(history.size() - 1).to(), move.to(), move.reason(),
                    move.time()));
            started = move.to() == JobState.RUNNING ? move.time() : started;
            finished = move.to().finished() ? move.time() : finished;
        }
        return new JobRecord(id, spec, 0, state, null, "", submitted, started, finished, placements, 1, history);
    }

    static JobTransition at(JobState to, double hoursAgo) {
        return new JobTransition(null, to, to.name().toLowerCase(), hoursAgo(hoursAgo));
    }

    private static Placement slice(int replica, int gpuInstance) {
        return new Placement("a100-1", List.of(0), List.of("GPU-a100-1-0"), List.of(gpuInstance), replica);
    }

    private static GpuSummary summary(int gpu, Double utilization) {
        return new GpuSummary(gpu, utilization, 40.0, 100.0, 1000.0);
    }

    private static NodeRecord.Builder node(String name, String model) {
        List<GpuDevice> devices = IntStream.range(0, 8).mapToObj(i -> new GpuDevice(i, "GPU-" + name + "-" + i, model,
                "00000000:1" + i + ":00.0", "0x233010DE", 81_920, 0, "0-55", 18, List.of(),
                MigStatus.notCapable())).toList();
        return NodeRecord.named(name).inventory(new NodeInventory(name, "simulated", "550.54", devices, null));
    }
}
