package dev.vigil.benchmarks;

import dev.vigil.agent.placement.AllocationChanges;
import dev.vigil.agent.placement.Judgement;
import dev.vigil.agent.placement.PlacementJudge;
import dev.vigil.agent.placement.PlacementRules;
import dev.vigil.agent.placement.ProcAttribution;
import dev.vigil.agent.placement.ProcessIdentity;
import dev.vigil.api.gpu.GpuProcess;
import dev.vigil.api.jobs.Allocation;
import dev.vigil.api.jobs.JobKind;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One placement enforcement pass as the agent runs it off the scrape path: 8 GPUs × 64 processes, each attributed
 * from a fake /proc tree (cgroup, status, comm, environ read from disk) and judged against 8 Slurm allocations.
 * The backend's process listing is not included (given as a list).
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
    private final AllocationChanges changes = new AllocationChanges();
    private final PlacementRules rules = PlacementRules.defaults(1);
    private ProcAttribution attribution;

    @Setup
    public void layOut() throws IOException {
        Path root = Files.createTempDirectory("vigil-fake-proc");
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
                Files.writeString(dir.resolve("status"), "Name:\tpython3\nUid:\t1000\t1000\t1000\t1000\n");
                Files.writeString(dir.resolve("comm"), "python3\n");
                Files.write(dir.resolve("environ"), ("HOME=/home/u\0CUDA_VISIBLE_DEVICES=" + gpu + "\0")
                        .getBytes(StandardCharsets.UTF_8));
                processes.add(new GpuProcess(pid, gpu, null, null, 1024));
            }
        }
        attribution = new ProcAttribution(root);
        changes.observe(allocations, Instant.EPOCH);
    }

    @Benchmark
    public List<Judgement> pass() {
        Map<Long, ProcessIdentity> identities = new HashMap<>();
        for (GpuProcess process : processes) {
            attribution.identify(process.pid()).ifPresent(identity -> identities.put(process.pid(), identity));
        }
        Instant now = Instant.now();
        return PlacementJudge.judge(processes, identities, allocations, changes.observe(allocations, now), rules, now);
    }
}
