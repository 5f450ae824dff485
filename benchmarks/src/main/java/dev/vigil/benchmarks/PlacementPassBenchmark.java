package dev.vigil.benchmarks;

import dev.vigil.agent.placement.PlacementEnforcer;
import dev.vigil.agent.placement.PlacementRules;
import dev.vigil.agent.placement.ProcAttribution;
import dev.vigil.agent.placement.ProcessHandleSignals;
import dev.vigil.agent.sampling.EventLog;
import dev.vigil.api.gpu.GpuEvent;
import dev.vigil.api.gpu.GpuProcess;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.api.jobs.Allocation;
import dev.vigil.api.jobs.JobKind;
import dev.vigil.api.placement.JudgedProcess;
import dev.vigil.api.placement.PlacementPolicy;
import dev.vigil.gpu.backend.GpuBackend;
import dev.vigil.gpu.backend.NodeSample;
import dev.vigil.gpu.fields.FieldSet;
import dev.vigil.gpu.mig.MigPlacement;
import dev.vigil.gpu.simulated.NodeProfile;
import dev.vigil.gpu.simulated.SimulatedNode;
import dev.vigil.gpu.simulated.SimulatedSpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One placement enforcement pass as the agent runs it off the scrape path: 8 GPUs × 64 processes, attributed from
 * a fake /proc tree (cgroup, stat, status, comm, environ on disk), judged against 8 Slurm allocations (every 16th
 * process overreaches), reported under the {@code report} policy. {@code pass}: the agent's steady state, the same
 * processes as the pass before (identities are kept per PID). {@code firstSight}: every process new to the agent
 * (its first pass; what every pass cost before identities were kept).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PlacementPassBenchmark {
    private static final int GPUS = 8;
    private static final int PER_GPU = 64;

    private final List<GpuProcess> processes = new ArrayList<>();
    private final List<Allocation> allocations = new ArrayList<>();
    private final PlacementRules rules = new PlacementRules(PlacementRules.DEFAULT_SYSTEM, 1, Duration.ZERO);
    private Path root;
    private Listed backend;
    private PlacementEnforcer steady;

    @Setup
    public void layOut() throws IOException {
        root = Files.createTempDirectory("vigil-fake-proc");
        for (int gpu = 0; gpu < GPUS; gpu++) {
            allocations.add(new Allocation("job-" + gpu, null, JobKind.TRAINING, List.of(gpu), List.of(), List.of(),
                    List.of("train"), null, Map.of(), 1, "slurm:" + (1000 + gpu)));
            for (int i = 0; i < PER_GPU; i++) {
                long pid = 10_000L + gpu * PER_GPU + i;
                // Every 16th process belongs to the next GPU's job: overreach, so events are part of the cost.
                int job = i % 16 == 0 ? (gpu + 1) % GPUS : gpu;
                Path dir = Files.createDirectories(root.resolve(Long.toString(pid)));
                Files.writeString(dir.resolve("cgroup"), "0::/system.slice/slurmstepd.scope/job_" + (1000 + job)
                        + "/step_0/user/task_0\n");
                Files.writeString(dir.resolve("stat"), pid + " (python3) S 1 " + pid + " " + pid + " 0 -1 4194560"
                        + " 120 0 0 0 3 1 0 0 20 0 1 0 " + (500_000 + pid) + " 10485760 300\n");
                Files.writeString(dir.resolve("status"), "Name:\tpython3\nUid:\t1000\t1000\t1000\t1000\n");
                Files.writeString(dir.resolve("comm"), "python3\n");
                Files.write(dir.resolve("environ"), ("HOME=/home/u\0CUDA_VISIBLE_DEVICES=" + gpu + "\0")
                        .getBytes(StandardCharsets.UTF_8));
                processes.add(new GpuProcess(pid, gpu, null, null, 1024));
            }
        }
        backend = new Listed(new SimulatedNode("bench", new SimulatedSpec(NodeProfile.HGX_H100_8, 1L, null, null,
                null), Clock.systemUTC()).inventory(), processes);
        steady = enforcer();
        steady.pass();
    }

    private PlacementEnforcer enforcer() {
        return new PlacementEnforcer("bench", backend, new ProcAttribution(root), () -> allocations,
                () -> PlacementPolicy.REPORT, new ProcessHandleSignals(), rules, new EventLog(1024),
                Clock.systemUTC());
    }

    @TearDown
    public void close() {
        steady.close();
    }

    @Benchmark
    public List<JudgedProcess> pass() {
        return steady.pass();
    }

    @Benchmark
    public List<JudgedProcess> firstSight() {
        try (PlacementEnforcer fresh = enforcer()) {
            return fresh.pass();
        }
    }

    /** The processes as NVML would list them; nothing else is asked of a backend in a pass. */
    private record Listed(NodeInventory inventory, List<GpuProcess> all) implements GpuBackend {
        @Override
        public String name() {
            return "listed";
        }

        @Override
        public NodeSample sample(FieldSet fields) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<GpuEvent> drainEvents() {
            return List.of();
        }

        @Override
        public void onEvent(Runnable listener) {
        }

        @Override
        public List<GpuProcess> processes(int gpu) {
            List<GpuProcess> on = new ArrayList<>(PER_GPU);
            for (GpuProcess process : all) {
                if (process.gpu() == gpu) {
                    on.add(process);
                }
            }
            return on;
        }

        @Override
        public void applyMig(int gpu, boolean enabled, List<MigPlacement> placements) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
        }
    }
}
