package dev.vigil.benchmarks;

import dev.vigil.gpu.backend.GpuBackend;
import dev.vigil.gpu.backend.NodeSample;
import dev.vigil.gpu.dcgm.DcgmBackend;
import dev.vigil.gpu.dcgm.DcgmSettings;
import dev.vigil.gpu.dcgm.FakeDcgm;
import dev.vigil.gpu.fields.FieldCatalog;
import dev.vigil.gpu.fields.FieldSet;
import dev.vigil.gpu.nvml.FakeNvml;
import dev.vigil.gpu.nvml.NvmlBackend;
import dev.vigil.gpu.nvml.NvmlSettings;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One sample of 8 GPUs × the default fields through the real JNA bindings, against the fake
 * vendor libraries the test build compiles: the Java side of the cost (the fakes answer from
 * memory, a real driver takes longer per call). Run with {@code -prof gc} for the garbage per
 * sample: {@code scripts/bench-jna.sh}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class BackendSampleBenchmark {
    @Param({"dcgm", "nvml"})
    public String backend;

    private final FieldSet fields = new FieldSet(FieldCatalog.DEFAULTS);
    private GpuBackend gpus;
    private GpuBackend companion;

    @Setup
    public void open() throws Exception {
        FakeNvml nvml = FakeNvml.reset();
        companion = NvmlBackend.open("bench", new NvmlSettings(FakeNvml.path()), Clock.systemUTC());
        if (backend.equals("nvml")) {
            gpus = companion;
            return;
        }
        FakeDcgm dcgm = FakeDcgm.load();
        dcgm.fake_dcgm_reset(8);
        for (int gpu = 0; gpu < 8; gpu++) {
            nvml.fake_nvml_set_string(gpu, "uuid", dcgm.uuid(gpu));
        }
        companion.close();
        companion = NvmlBackend.open("bench", new NvmlSettings(FakeNvml.path()), Clock.systemUTC());
        gpus = DcgmBackend.open("bench", new DcgmSettings(List.of(FakeDcgm.path().toString()), null, null, null),
                Clock.systemUTC(), companion, Duration.ofSeconds(1));
    }

    @TearDown
    public void close() {
        gpus.close();
        if (gpus != companion) {
            companion.close();
        }
    }

    /** What the sampling loop does each tick: read every field, collect the events. */
    @Benchmark
    public NodeSample sample() throws Exception {
        NodeSample sample = gpus.sample(fields);
        gpus.drainEvents();
        return sample;
    }
}
