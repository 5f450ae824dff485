package dev.vigil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.api.binding.Documents;
import dev.vigil.sim.trace.VigilCsv;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class SimCommandTest {
    @TempDir
    Path dir;
    private Path cluster;
    private Path trace;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    /**
     * One 8-GPU node. a (4 GPUs, 0-100 s) runs; b (8 GPUs) waits for it; c (4 GPUs, 50 s) fits beside a and ends
     * before b could start: Vigil backfills it (JCT 100, 199, 50 s), FIFO keeps it behind b (100, 199, 248 s).
     */
    @BeforeEach
    void files() throws IOException {
        cluster = dir.resolve("one-node.yaml");
        Files.writeString(cluster, """
                groups:
                  - {name: gpu, model: NVIDIA H100 80GB HBM3, count: 1, nodesPerLeaf: 1, gpusPerNode: 8}
                """);
        trace = dir.resolve("trace.csv");
        Files.writeString(trace, """
                id,submit,duration,gpus,runtimeLimit
                a,0,100,4,2m
                b,1,100,8,2m
                c,2,50,4,1m
                """);
    }

    @Test
    void helpTeachesWhatItDoesTheFormatsAndExamples() {
        CliRun help = run("sim", "--help");

        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("--cluster=FILE", "--trace=FILE", "--generate=MIX", "--runtime-limit=RULE",
                "--cycle-interval", "--arrival-speedup", "philly", "alibaba",
                "timestamp,duration,num_gpus,gpu_time,cluster",
                "p50, p95 and p99", "decisions/s", "Examples:", "sim/clusters/h100-1024.yaml");
        assertThat(run("--help").out()).contains("vigil sim --cluster FILE --trace FILE");
    }

    @Test
    void theTablePutsBothSchedulersSideBySide() {
        CliRun run = run("sim", "--cluster", cluster.toString(), "--trace", trace.toString());

        assertThat(run.exit()).as(run.err()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines.get(0)).isEqualTo("cluster   one-node: 1 node, 8 GPUs, 1 leaf switch under 1 spine");
        assertThat(lines.get(1)).isEqualTo("trace     " + trace + " (vigil): 3 rows, 3 jobs replayed");
        assertThat(cells(lines, "MEASURE")).containsExactly("MEASURE", "VIGIL", "FIFO-FIRST-FIT");
        assertThat(cells(lines, "jobs")).containsExactly("jobs", "3", "3");
        assertThat(cells(lines, "JCT average")).containsExactly("JCT average", "1m56s", "3m02s");
        assertThat(cells(lines, "JCT p50 / p95 / p99")).containsExactly("JCT p50 / p95 / p99",
                "1m40s / 3m19s / 3m19s", "3m19s / 4m08s / 4m08s");
        assertThat(cells(lines, "makespan")).containsExactly("makespan", "3m20s", "4m10s");
        assertThat(cells(lines, "GPU allocation")).containsExactly("GPU allocation", "87.5 %", "70.0 %");
        assertThat(cells(lines, "multi-node on fewest leaves")).contains("no multi-node jobs");
        assertThat(cells(lines, "gangs fitting one leaf, on one")).contains("none");
        assertThat(cells(lines, "wider gangs, on fewest leaves")).contains("none");
        assertThat(lines).anyMatch(line -> line.matches("decisions/CPU s +[0-9,]+ \\([0-9.]+ s of CPU deciding\\) .*"));
    }

    @Test
    void jsonIsOneDocumentWithTheNumbers() throws IOException {
        CliRun run = run("sim", "--cluster", cluster.toString(), "--trace", trace.toString(), "-o", "json");

        assertThat(run.exit()).as(run.err()).isZero();
        JsonNode document = Documents.json().readTree(run.out());
        assertThat(document.at("/cluster/gpus").asInt()).isEqualTo(8);
        assertThat(document.at("/trace/format").asText()).isEqualTo("vigil");
        assertThat(document.at("/trace/jobs").asInt()).isEqualTo(3);
        assertThat(document.at("/settings/runtimeLimit").asText()).isEqualTo("2x");
        JsonNode vigil = document.at("/runs/0");
        JsonNode fifo = document.at("/runs/1");
        assertThat(vigil.get("scheduler").asText()).isEqualTo("vigil");
        assertThat(vigil.at("/jctSeconds/average").asDouble()).isCloseTo(349 / 3.0, within(1e-9));
        assertThat(vigil.at("/queueingSeconds/p99").asDouble()).isEqualTo(99);
        assertThat(vigil.get("gpuAllocationPercent").asDouble()).isCloseTo(87.5, within(1e-9));
        assertThat(vigil.get("placements").asInt()).isEqualTo(3);
        assertThat(fifo.get("scheduler").asText()).isEqualTo("fifo-first-fit");
        assertThat(fifo.at("/jctSeconds/average").asDouble()).isCloseTo(547 / 3.0, within(1e-9));
        assertThat(fifo.get("makespanSeconds").asDouble()).isEqualTo(250);
    }

    @Test
    void aGeneratedTraceIsWrittenAsVigilCsvAndReplaysTheSame() throws IOException {
        Path written = dir.resolve("generated.csv");
        CliRun generated = run("sim", "--cluster", cluster.toString(), "--generate", "single-node", "--jobs", "20",
                "--seed", "3", "--span", "1h", "--write-trace", written.toString(), "-o", "json", "--baseline", "none");
        CliRun replayed = run("sim", "--cluster", cluster.toString(), "--trace", written.toString(), "-o", "json",
                "--baseline", "none");

        assertThat(generated.exit()).as(generated.err()).isZero();
        assertThat(Files.readAllLines(written)).hasSize(21).first().isEqualTo(String.join(",", VigilCsv.COLUMNS));
        JsonNode first = Documents.json().readTree(generated.out()).at("/runs/0");
        JsonNode second = Documents.json().readTree(replayed.out()).at("/runs/0");
        assertThat(first.at("/jctSeconds").toString()).isEqualTo(second.at("/jctSeconds").toString());
        assertThat(Documents.json().readTree(generated.out()).at("/runs")).hasSize(1);
    }

    @Test
    void aMissingFileIsAClearErrorAndExit2() {
        CliRun noCluster = run("sim", "--cluster", dir.resolve("nope.yaml").toString(), "--trace", trace.toString());
        CliRun noTrace = run("sim", "--cluster", cluster.toString(), "--trace", dir.resolve("nope.csv").toString());

        assertThat(noCluster.exit()).isEqualTo(2);
        assertThat(noCluster.err()).isEqualTo("vigil sim: " + dir.resolve("nope.yaml") + ": file not found\n");
        assertThat(noCluster.out()).isEmpty();
        assertThat(noTrace.exit()).isEqualTo(2);
        assertThat(noTrace.err()).isEqualTo("vigil sim: " + dir.resolve("nope.csv") + ": file not found\n");
    }

    @Test
    void badValuesNameWhatIsWrong() throws IOException {
        Files.writeString(trace, "id,submit,duration,gpus\na,0,100,nine\n");
        CliRun badCell = run("sim", "--cluster", cluster.toString(), "--trace", trace.toString());
        CliRun badRule = run("sim", "--cluster", cluster.toString(), "--generate", "gangs", "--runtime-limit", "half");
        CliRun badMix = run("sim", "--cluster", cluster.toString(), "--generate", "huge");
        CliRun noInput = run("sim", "--cluster", cluster.toString());

        assertThat(badCell.exit()).isEqualTo(2);
        assertThat(badCell.err()).isEqualTo("vigil sim: " + trace + ": line 2, column 4 (gpus): \"nine\" is not "
                + "allowed (allowed: a whole number from 0 to 1000000)\n");
        assertThat(badRule.exit()).isEqualTo(2);
        assertThat(badRule.err()).contains("runtimeLimit: \"half\" is not allowed");
        assertThat(badMix.exit()).isEqualTo(2);
        assertThat(badMix.err()).isEqualTo("vigil sim: --generate: \"huge\" is not allowed (allowed: single-node, "
                + "gangs or mixed)\n");
        assertThat(noInput.exit()).isEqualTo(2);
        assertThat(noInput.err()).contains("Missing required argument", "--trace=FILE", "--generate=MIX");
    }

    /** The cells of the table row that starts with {@code measure}: split on runs of two or more spaces. */
    /**
     * One node of four A100s, two of them in seven 1g.10gb slices; 20 one-slice services for an hour at 0 s: 6 wait.
     * Static layouts: they wait the hour. Auto: at 5 m one idle whole GPU becomes 7 slices, ready at 6 m.
     */
    @Test
    void compareMigPutsStaticAndAutoLayoutsSideBySide() throws IOException {
        Path mig = dir.resolve("mig.yaml");
        Files.writeString(mig, """
                groups:
                  - name: a
                    model: NVIDIA A100-SXM4-80GB
                    count: 1
                    nodesPerLeaf: 1
                    gpusPerNode: 4
                    mig: {gpus: 2, profile: 1g.10gb, instances: 7}
                """);
        StringBuilder rows = new StringBuilder("id,submit,duration,kind,replicas,migProfile\n");
        for (int i = 0; i < 20; i++) {
            rows.append("s").append(i).append(",0,3600,inference,1,1g.10gb\n");
        }
        Path services = dir.resolve("services.csv");
        Files.writeString(services, rows);

        CliRun run = run("sim", "-q", "--cluster", mig.toString(), "--trace", services.toString(), "--compare-mig",
                "--baseline", "none", "--mig-interval", "5m", "--mig-change", "1m");

        assertThat(run.exit()).as(run.err()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines).contains("mig       auto: every 5m, a change takes 1m, at most 8 GPUs changing, 0 idle of each "
                + "kind kept");
        assertThat(cells(lines, "MEASURE")).containsExactly("MEASURE", "VIGIL (MIG STATIC)", "VIGIL (MIG AUTO)");
        assertThat(cells(lines, "queueing average")).containsExactly("queueing average", "18m00s", "1m48s");
        assertThat(cells(lines, "MIG layout changes")).containsExactly("MIG layout changes", "static", "1 GPU");
        CliRun json = run("sim", "-q", "--cluster", mig.toString(), "--trace", services.toString(), "--mig", "auto",
                "--baseline", "none", "-o", "json");
        JsonNode document = Documents.json().readTree(json.out());
        assertThat(document.at("/runs/0/mig").asText()).isEqualTo("auto");
        assertThat(document.at("/runs/0/migChanges").asInt()).isEqualTo(1);
        assertThat(document.at("/settings/migInterval").asText()).isEqualTo("5m");
        assertThat(document.at("/runs/1").isMissingNode()).isTrue();
    }

    private static List<String> cells(List<String> lines, String measure) {
        return lines.stream().filter(l -> l.startsWith(measure + "  ")).findFirst()
                .map(l -> List.of(l.split(" {2,}"))).orElseThrow(() -> new AssertionError("no row " + measure));
    }
}
