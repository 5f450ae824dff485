package dev.vigil.sim.trace;

import dev.vigil.api.jobs.JobKind;
import dev.vigil.api.jobs.JobSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class AlibabaPodsTest {
    private static final String HEADER = "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,"
            + "creation_time,deletion_time,scheduled_time\n";
    /** A cluster with 1g.10gb (143 thousandths) and 3g.40gb (429) slices on A100s. */
    private static final MigSlices A100_SLICES = (milli, models) -> models.isEmpty() || models.contains("A100")
            ? milli <= 143 ? Optional.of("1g.10gb") : milli <= 429 ? Optional.of("3g.40gb") : Optional.empty()
            : Optional.empty();

    @TempDir
    Path dir;

    private Path file(String rows) throws IOException {
        Path file = dir.resolve("pods.csv");
        Files.writeString(file, HEADER + rows);
        return file;
    }

    @Test
    void podsBecomeJobsFractionsBecomeSlicesWhereTheClusterHasThem() throws IOException {
        Path file = file("""
                p-0,12000,16384,1,1000,,LS,Running,0,12537,0
                p-1,6000,12288,1,100,,LS,Running,10,610,10
                p-2,6000,12288,1,400,A100|V100M32,BE,Failed,20,80,20
                p-3,6000,12288,1,460,,LS,Running,30,90,30
                p-4,88000,327680,8,1000,V100M32,LS,Succeeded,40,3640,45
                p-5,8000,30000,0,0,,BE,Running,50,60,50
                """);

        Trace withMig = TraceFormat.read(file, null, RuntimeLimitRule.DEFAULT, A100_SLICES);
        Trace withoutMig = TraceFormat.read(file, null, RuntimeLimitRule.DEFAULT, MigSlices.NONE);

        assertThat(withMig.format()).isEqualTo(TraceFormat.ALIBABA);
        assertThat(withMig.rows()).isEqualTo(6);
        assertThat(withMig.skipped()).isEqualTo(Map.of("CPU-only pods (num_gpu 0)", 1));
        assertThat(withMig.jobs()).extracting(TraceJob::id).containsExactly("p-0", "p-1", "p-2", "p-3", "p-4");
        assertThat(withMig.jobs()).extracting(TraceJob::submitMillis).containsExactly(0L, 10_000L, 20_000L, 30_000L,
                40_000L);
        JobSpec whole = withMig.jobs().get(0).spec();
        assertThat(whole.kind()).isEqualTo(JobKind.TRAINING);
        assertThat(whole.gpus()).isEqualTo(1);
        assertThat(whole.duration()).isEqualTo(Duration.ofSeconds(12537));
        assertThat(whole.runtimeLimit()).as("2x, rounded up to a minute").isEqualTo(Duration.ofMinutes(418));
        assertThat(withMig.jobs()).extracting(j -> j.spec().migProfile())
                .containsExactly(null, "1g.10gb", "3g.40gb", null, null);
        assertThat(withMig.jobs().get(1).spec().kind()).isEqualTo(JobKind.INFERENCE);
        assertThat(withMig.jobs().get(1).spec().replicas()).isEqualTo(1);
        assertThat(withMig.jobs().get(2).spec().models()).containsExactly("A100", "V100M32");
        assertThat(withMig.jobs().get(3).spec().gpus()).as("460 is more than any slice: a whole GPU").isEqualTo(1);
        assertThat(withMig.jobs().get(4).spec().gpus()).isEqualTo(8);
        assertThat(withoutMig.jobs()).extracting(j -> j.spec().migProfile()).containsOnlyNulls();
        assertThat(withoutMig.jobs()).extracting(j -> j.spec().gpus()).containsExactly(1, 1, 1, 1, 8);
    }

    @Test
    void badRowsNameTheLineColumnAndValue() throws IOException {
        Path file = file("p-0,1,1,1,1000,,LS,Running,100,50,100\n");
        assertThatThrownBy(() -> TraceFormat.read(file, null, RuntimeLimitRule.DEFAULT, MigSlices.NONE))
                .hasMessage(file + ": line 2, column 10 (deletion_time): \"50\" is not allowed (allowed: a time no "
                        + "earlier than creation_time (100))");
        Path zero = file("p-0,1,1,1,0,,LS,Running,0,50,0\n");
        assertThatThrownBy(() -> TraceFormat.read(zero, null, RuntimeLimitRule.DEFAULT, MigSlices.NONE))
                .hasMessage(zero + ": line 2, column 5 (gpu_milli): \"0\" is not allowed (allowed: a whole number from "
                        + "1 to 1000)");
        Path twelve = file("p-0,1,1,12,1000,,LS,Running,0,50,0\n");
        assertThatThrownBy(() -> TraceFormat.read(twelve, null, RuntimeLimitRule.DEFAULT, MigSlices.NONE))
                .hasMessage(twelve + ": line 2, column 4 (num_gpu): \"12\" is not allowed (allowed: up to 8 GPUs, or a "
                        + "multiple of 8)");
    }

    @Test
    void theSampleWithoutTimesSaysWhatItLacks() throws IOException {
        Path file = dir.resolve("multigpu50.csv");
        Files.writeString(file, "name,cpu_milli,memory_mib,num_gpu,gpu_milli\np-0,1,1,1,1000\n");

        assertThatThrownBy(() -> TraceFormat.read(file, null, RuntimeLimitRule.DEFAULT, MigSlices.NONE))
                .hasMessage(file + ": line 1: no column \"creation_time\" in the header name,cpu_milli,memory_mib,"
                        + "num_gpu,gpu_milli (expected the Alibaba 2023 pod list (name,cpu_milli,memory_mib,num_gpu,"
                        + "gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time))");
    }

    @Test
    void readsThePublishedSampleWhenItIsHere() {
        // The trace lives beside the repository (never in it); -Dvigil.traces=DIR points elsewhere.
        Path traces = Path.of(System.getProperty("vigil.traces", "../../shared/traces")).toAbsolutePath().normalize();
        Path sample = traces.resolve("alibaba-openb-2023/openb_pod_list_default.csv");
        assumeTrue(Files.isReadable(sample), "no readable " + sample + ": this test wants openb_pod_list_default.csv "
                + "of Alibaba's cluster-trace-gpu-v2023 (https://github.com/alibaba/clusterdata) in "
                + "alibaba-openb-2023/ under ../shared/traces beside the repository, or under the folder "
                + "-Dvigil.traces names");

        Trace trace = TraceFormat.read(sample, null, RuntimeLimitRule.DEFAULT, MigSlices.NONE);

        assertThat(trace.rows()).isEqualTo(8152);
        assertThat(trace.skipped()).isEqualTo(Map.of("CPU-only pods (num_gpu 0)", 1088));
        assertThat(trace.jobs()).hasSize(7064);
        assertThat(trace.jobs()).extracting(j -> j.spec().nodes()).containsOnly(1);
        assertThat(trace.jobs().stream().filter(j -> j.spec().gpus() == 8).count()).isEqualTo(44);
        assertThat(trace.jobs()).extracting(j -> j.spec().models()).containsOnly(List.of());
    }
}
