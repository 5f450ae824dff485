package dev.vigil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.api.binding.Documents;
import dev.vigil.gpu.nvml.FakeNvml;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ProbeCommandTest {
    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    private static Path nvmlConfig(Path dir, String library) throws IOException {
        Path config = dir.resolve("agent.yaml");
        Files.writeString(config, "nvml: {library: \"" + library + "\"}\ndcgm: {libraries: [/nonexistent/libdcgm.so.4]}\n");
        return config;
    }

    @Test
    void csvHasOneRowPerGpuAndTheAskedColumns() {
        CliRun run = run("probe", "--backend", "simulated", "-o", "csv", "--fields",
                "DCGM_FI_DEV_GPU_TEMP,DCGM_FI_DEV_POWER_USAGE");
        assertThat(run.exit()).as(run.err()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines.get(0)).isEqualTo("gpu,uuid,DCGM_FI_DEV_GPU_TEMP,DCGM_FI_DEV_POWER_USAGE");
        assertThat(lines).hasSize(9);
        assertThat(lines.get(1)).matches("0,GPU-[0-9a-f-]+,\\d+,[0-9.]+");
    }

    @Test
    void readsTheRealNvmlBindingAndListsWhatIsLeftOut(@TempDir Path dir) throws IOException {
        FakeNvml.reset();
        CliRun run = run("probe", "-c", nvmlConfig(dir, FakeNvml.path()).toString(), "--backend", "nvml", "-o", "json");
        assertThat(run.exit()).as(run.err()).isZero();
        JsonNode probe = Documents.json().readTree(run.out());
        assertThat(probe.get("backend").asText()).isEqualTo("nvml");
        assertThat(probe.get("inventory").get("gpus")).hasSize(8);
        JsonNode gpu2 = probe.get("entities").get(2);
        assertThat(gpu2.get("values").get("DCGM_FI_DEV_GPU_TEMP").asDouble()).isEqualTo(36);
        assertThat(gpu2.get("missing").get("DCGM_FI_PROF_SM_ACTIVE").asText()).isEqualTo("not-supported");
    }

    @Test
    void theTableShowsInventoryValuesAndMissingFields(@TempDir Path dir) throws IOException {
        FakeNvml.reset();
        CliRun run = run("probe", "-c", nvmlConfig(dir, FakeNvml.path()).toString(), "--backend", "nvml");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("backend nvml", "GPU 0  NVIDIA H100 80GB HBM3", "DCGM_FI_DEV_GPU_TEMP",
                "left out: ", "DCGM_FI_PROF_SM_ACTIVE (not-supported)");
    }

    @Test
    void withoutALibraryItSaysWhatItTriedAndExits3(@TempDir Path dir) throws IOException {
        CliRun run = run("probe", "-c", nvmlConfig(dir, "/nonexistent/libnvidia-ml.so.1").toString());
        assertThat(run.exit()).isEqualTo(3);
        assertThat(run.err()).startsWith("vigil probe: no GPU backend: no GPU backend works on this machine")
                .contains("/nonexistent/libdcgm.so.4", "/nonexistent/libnvidia-ml.so.1");
    }

    @Test
    void badFieldsAreConfigErrors() {
        CliRun run = run("probe", "--backend", "simulated", "--fields", "DCGM_FI_DEV_GPU_TEMPERATURE");
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("DCGM_FI_DEV_GPU_TEMPERATURE");
    }
}
