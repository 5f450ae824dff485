package dev.vigil.sim.trace;

import dev.vigil.api.binding.InvalidDocumentException;
import dev.vigil.api.jobs.JobKind;
import dev.vigil.api.jobs.JobSpec;
import dev.vigil.api.jobs.Topology;
import dev.vigil.api.jobs.TopologyLevel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VigilCsvTest {
    @TempDir
    Path dir;

    private Trace read(String csv) throws IOException {
        Path file = dir.resolve("trace.csv");
        Files.writeString(file, csv);
        return TraceFormat.read(file, null, RuntimeLimitRule.DEFAULT, MigSlices.NONE);
    }

    private String error(String csv) {
        Path file = dir.resolve("trace.csv");
        try {
            Files.writeString(file, csv);
            TraceFormat.read(file, null, RuntimeLimitRule.DEFAULT, MigSlices.NONE);
        } catch (InvalidDocumentException e) {
            return e.getMessage().substring(file.toString().length() + 2);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        throw new AssertionError("no error for " + csv);
    }

    @Test
    void readsEveryKindOfJobAColumnSubsetCanSay() throws IOException {
        Trace trace = read("""
                # two trainings and a service
                id,submit,duration,gpus,nodes,gpusPerNode,kind,replicas,migProfile,models,tenant,topology,runtimeLimit
                big,1h30m,2h,,4,8,,,,H100|A100,research,same-leaf preferred,
                small,90.5,600,2,,,training,,,,,,1h
                svc,0,7d,,,,inference,3,1g.10gb,,,,
                """);

        assertThat(trace.format()).isEqualTo(TraceFormat.VIGIL);
        assertThat(trace.rows()).isEqualTo(3);
        assertThat(trace.jobs()).extracting(TraceJob::id).containsExactly("svc", "small", "big");
        TraceJob big = trace.jobs().get(2);
        assertThat(big.submitMillis()).isEqualTo(5_400_000);
        assertThat(big.line()).isEqualTo(3);
        JobSpec gang = big.spec();
        assertThat(gang.nodes()).isEqualTo(4);
        assertThat(gang.gpusPerNode()).isEqualTo(8);
        assertThat(gang.models()).containsExactly("H100", "A100");
        assertThat(gang.tenant()).isEqualTo("research");
        assertThat(gang.topology()).isEqualTo(new Topology(TopologyLevel.SAME_LEAF, false, null));
        assertThat(gang.duration()).isEqualTo(Duration.ofHours(2));
        assertThat(gang.runtimeLimit()).as("2x the duration").isEqualTo(Duration.ofHours(4));
        TraceJob small = trace.jobs().get(1);
        assertThat(small.submitMillis()).isEqualTo(90_500);
        assertThat(small.spec().gpus()).isEqualTo(2);
        assertThat(small.spec().runtimeLimit()).as("given").isEqualTo(Duration.ofHours(1));
        JobSpec service = trace.jobs().get(0).spec();
        assertThat(service.kind()).isEqualTo(JobKind.INFERENCE);
        assertThat(service.replicas()).isEqualTo(3);
        assertThat(service.migProfile()).isEqualTo("1g.10gb");
        assertThat(service.duration()).as("7d is seven days, not a Java double literal").isEqualTo(Duration.ofDays(7));
    }

    @Test
    void topologiesReadAsWritten() throws IOException {
        Trace trace = read("""
                id,submit,duration,nodes,topology
                a,0,60,2,max-leaves 2
                b,0,60,2,Max-Leaves 3 preferred
                c,0,60,1,same-nvlink required
                """);

        assertThat(trace.jobs()).extracting(j -> j.spec().topology()).containsExactly(
                new Topology(TopologyLevel.MAX_LEAVES, true, 2), new Topology(TopologyLevel.MAX_LEAVES, false, 3),
                new Topology(TopologyLevel.SAME_NVLINK, true, null));
    }

    @Test
    void badCellsNameTheLineTheColumnTheValueAndWhatIsAllowed() {
        assertThat(error("submit,duration,gpus\n0,60,1\n-5,60,1\n"))
                .isEqualTo("line 3, column 1 (submit): \"-5\" is not allowed (allowed: seconds (e.g. 90 or 1.5) or a "
                        + "duration with a unit (e.g. 90s, 2h30m), not negative)");
        assertThat(error("submit,duration,gpus\n0,soon,1\n"))
                .isEqualTo("line 2, column 2 (duration): \"soon\" is not allowed (allowed: seconds (e.g. 90 or 1.5) "
                        + "or a duration with a unit (e.g. 90s, 2h30m))");
        assertThat(error("submit,duration,gpus\n0,60,12\n"))
                .isEqualTo("line 2, column 3 (gpus): \"12\" is not allowed (allowed: up to 8 on one node, a multiple "
                        + "of 8 for whole nodes, or nodes and gpusPerNode)");
        assertThat(error("submit,duration,kind,gpus\n0,60,batch,1\n"))
                .isEqualTo("line 2, column 3 (kind): \"batch\" is not allowed (allowed: training or inference)");
        assertThat(error("submit,duration,nodes,topology\n0,60,2,same-rack\n"))
                .startsWith("line 2, column 4 (topology): \"same-rack\" is not allowed (allowed: same-node, ");
        assertThat(error("submit,duration,kind,replicas,migProfile\n0,60,inference,1,big\n"))
                .isEqualTo("line 2, column 5 (migProfile): \"big\" is not allowed (allowed: a MIG profile such as "
                        + "1g.10gb, 3g.40gb or 1g.10gb+me)");
        assertThat(error("id,submit,duration,gpus\na,0,60,1\na,5,60,1\n"))
                .isEqualTo("line 3, column 1 (id): \"a\" is not allowed (allowed: an id no earlier row has)");
        assertThat(error("submit,duration,gpus\n0,60\n"))
                .isEqualTo("line 2: 2 cells where the header has 3 (submit,duration,gpus)");
    }

    @Test
    void theHeaderMustNameKnownColumnsAndTheRequiredOnes() {
        assertThat(error("submit,duration,gpu\n0,60,1\n"))
                .startsWith("line 1, column 3: unknown column \"gpu\" (allowed: id, submit, duration, kind, gpus,");
        assertThat(error("id,submit,gpus\na,0,1\n"))
                .startsWith("line 1: header \"id,submit,gpus\" is none of the trace formats");
    }

    @Test
    void whatItWritesReadsBackTheSame() throws IOException {
        Trace generated = Generator.generate(Generator.Mix.MIXED, 200, 7, Duration.ofHours(1),
                RuntimeLimitRule.parse("1.5x"));
        StringWriter out = new StringWriter();
        VigilCsv.write(generated.jobs(), out);

        Trace back = read(out.toString());

        assertThat(back.jobs()).hasSize(200);
        for (int i = 0; i < 200; i++) {
            TraceJob written = generated.jobs().get(i);
            TraceJob read = back.jobs().get(i);
            assertThat(read.id()).isEqualTo(written.id());
            assertThat(read.submitMillis()).isEqualTo(written.submitMillis());
            assertThat(read.spec()).as(written.id()).isEqualTo(written.spec());
        }
    }

    @Test
    void runtimeLimitRules() {
        assertThat(RuntimeLimitRule.parse("1x").limitFor(Duration.ofSeconds(61))).isEqualTo(Duration.ofMinutes(2));
        assertThat(RuntimeLimitRule.parse("2x").limitFor(Duration.ofSeconds(0))).isEqualTo(Duration.ofMinutes(1));
        assertThat(RuntimeLimitRule.parse("1.5x").limitFor(Duration.ofMinutes(10))).isEqualTo(Duration.ofMinutes(15));
        assertThat(RuntimeLimitRule.parse("24h").limitFor(Duration.ofDays(3))).isEqualTo(Duration.ofHours(24));
        assertThat(RuntimeLimitRule.parse("1.5x")).hasToString("1.5x");
        assertThatThrownBy(() -> RuntimeLimitRule.parse("0.5x"))
                .hasMessage("runtimeLimit: \"0.5x\" is not allowed (allowed: a multiple from 1x to 100x)");
        assertThatThrownBy(() -> RuntimeLimitRule.parse("double"))
                .hasMessage("runtimeLimit: \"double\" is not allowed (allowed: a multiple of the real duration such "
                        + "as 1x, 1.5x or 2x, or a fixed limit such as 24h)");
    }

    @Test
    void theGeneratorIsDeterministicPerSeed() {
        List<TraceJob> a = Generator.generate(Generator.Mix.MIXED, 500, 3, Duration.ZERO, RuntimeLimitRule.DEFAULT)
                .jobs();
        List<TraceJob> b = Generator.generate(Generator.Mix.MIXED, 500, 3, Duration.ZERO, RuntimeLimitRule.DEFAULT)
                .jobs();
        List<TraceJob> c = Generator.generate(Generator.Mix.MIXED, 500, 4, Duration.ZERO, RuntimeLimitRule.DEFAULT)
                .jobs();

        assertThat(a).isEqualTo(b).isNotEqualTo(c);
        assertThat(a).allSatisfy(j -> assertThat(j.submitMillis()).isZero());
        assertThat(a).extracting(j -> j.spec().kind()).contains(JobKind.TRAINING, JobKind.INFERENCE);
        assertThat(a).anySatisfy(j -> assertThat(j.spec().nodes()).isGreaterThanOrEqualTo(8));
    }
}
