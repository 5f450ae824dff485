package dev.vigil.sim.trace;

import dev.vigil.api.binding.InvalidDocumentException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PhillyCsvTest {
    @TempDir
    Path dir;

    private Trace read(String csv) throws IOException {
        Path file = dir.resolve("philly.csv");
        Files.writeString(file, csv);
        return TraceFormat.read(file, null, RuntimeLimitRule.parse("1x"), MigSlices.NONE);
    }

    @Test
    void sizesBecomeNodesOfUpTo8GpusSplitEvenlyAndTimesStartAtZero() throws IOException {
        Trace trace = read("""
                timestamp,duration,num_gpus,gpu_time,cluster
                1000,3600,1,3600,vc1
                1010,60,8,480,vc2
                1020,60,16,960,vc2
                1030,60,12,720,vc1
                1040,60,9,540,vc1
                1050,60,0,0,vc1
                """);

        assertThat(trace.format()).isEqualTo(TraceFormat.PHILLY);
        assertThat(trace.rows()).isEqualTo(6);
        assertThat(trace.skipped()).isEqualTo(Map.of("no GPUs (num_gpus 0)", 1));
        assertThat(trace.jobs()).extracting(TraceJob::submitMillis).containsExactly(0L, 10_000L, 20_000L, 30_000L,
                40_000L);
        assertThat(trace.jobs()).extracting(j -> j.spec().nodes() + "x" + j.spec().gpusPerNode())
                .containsExactly("1x1", "1x8", "2x8", "2x6", "3x3");
        assertThat(trace.jobs()).extracting(j -> j.spec().tenant()).containsExactly("vc1", "vc2", "vc2", "vc1", "vc1");
        assertThat(trace.jobs().get(0).spec().duration()).isEqualTo(Duration.ofHours(1));
        assertThat(trace.jobs().get(0).spec().runtimeLimit()).isEqualTo(Duration.ofHours(1));
        assertThat(trace.jobs().get(0).id()).isEqualTo("job-2");
    }

    @Test
    void dateTimeTimestampsAreReadAsUtc() throws IOException {
        Trace trace = read("""
                timestamp,duration,num_gpus,gpu_time,cluster
                2017-10-03 14:00:00,60,1,60,vc1
                2017-10-03T14:02:30,60,2,120,vc1
                """);

        assertThat(trace.jobs()).extracting(TraceJob::submitMillis).containsExactly(0L, 150_000L);
    }

    @Test
    void badRowsNameTheLineColumnAndValue() throws IOException {
        Path file = dir.resolve("bad.csv");
        Files.writeString(file, "timestamp,duration,num_gpus,gpu_time,cluster\n0,60,1,60,vc\n5,60,four,240,vc\n");
        assertThatThrownBy(() -> TraceFormat.read(file, null, RuntimeLimitRule.DEFAULT, MigSlices.NONE))
                .isInstanceOf(InvalidDocumentException.class)
                .hasMessage(file + ": line 3, column 3 (num_gpus): \"four\" is not allowed (allowed: a whole number "
                        + "from 0 to 32768)");
        Files.writeString(file, "timestamp,duration,num_gpus,gpu_time,cluster\nyesterday,60,1,60,vc\n");
        assertThatThrownBy(() -> TraceFormat.read(file, null, RuntimeLimitRule.DEFAULT, MigSlices.NONE))
                .hasMessage(file + ": line 2, column 1 (timestamp): \"yesterday\" is not allowed (allowed: seconds, "
                        + "or a date-time such as 2017-10-03 14:00:00)");
        Files.writeString(file, "timestamp,duration,num_gpus,gpu_time,cluster\n0,-1,1,60,vc\n");
        assertThatThrownBy(() -> TraceFormat.read(file, TraceFormat.PHILLY, RuntimeLimitRule.DEFAULT, MigSlices.NONE))
                .hasMessage(file + ": line 2, column 2 (duration): \"-1\" is not allowed (allowed: a number of at "
                        + "least 0)");
        Files.writeString(file, "timestamp,duration,num_gpus,gpu_time,cluster\n0,60d,1,60,vc\n");
        assertThatThrownBy(() -> TraceFormat.read(file, TraceFormat.PHILLY, RuntimeLimitRule.DEFAULT, MigSlices.NONE))
                .hasMessage(file + ": line 2, column 2 (duration): \"60d\" is not allowed (allowed: a number of at "
                        + "least 0)");
        Files.writeString(file, "timestamp,duration,num_gpus,gpu_time,cluster\n0,1,1,60,team a\n");
        assertThatThrownBy(() -> TraceFormat.read(file, TraceFormat.PHILLY, RuntimeLimitRule.DEFAULT, MigSlices.NONE))
                .hasMessageStartingWith(file + ": line 2, column 5 (cluster): \"team a\" is not allowed");
    }
}
