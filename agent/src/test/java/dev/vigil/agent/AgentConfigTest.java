package dev.vigil.agent;

import dev.vigil.api.binding.Documents;
import dev.vigil.api.binding.InvalidDocumentException;
import dev.vigil.gpu.fields.FieldCatalog;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AgentConfigTest {
    private static AgentConfig read(String yaml) {
        return Documents.readYaml(yaml, AgentConfig.class, "agent.yaml");
    }

    private static String error(String yaml) {
        try {
            read(yaml);
        } catch (InvalidDocumentException e) {
            return e.getMessage();
        }
        throw new AssertionError("accepted: " + yaml);
    }

    @Test
    void anEmptyFileMeansSafeDefaults() {
        AgentConfig config = read("");
        assertThat(config.backend()).as("never simulated by accident").isEqualTo(BackendKind.AUTO);
        assertThat(config.listen()).isEqualTo(":9400");
        assertThat(config.sampling().interval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.sampling().resolve()).isEqualTo(FieldCatalog.DEFAULTS);
        assertThat(config.xidWindow()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.node()).isNotBlank();
        assertThat(config.simulated()).isNull();
    }

    @Test
    void fieldSetsAndNamesCombine() {
        AgentConfig config = read("sampling: {fields: [dcgm-exporter, DCGM_FI_PROF_PIPE_FP64_ACTIVE]}");
        assertThat(config.sampling().resolve()).hasSize(FieldCatalog.DCGM_EXPORTER_DEFAULTS.size() + 1)
                .contains(FieldCatalog.PROF_PIPE_FP64_ACTIVE);
    }

    @Test
    void errorsNameTheKeyTheValueAndWhatIsAllowed() {
        assertThat(error("samplng: {interval: 1s}")).startsWith("agent.yaml: unknown key \"samplng\" (allowed keys: "
                + "backend, dcgm, health, listen, node, nvml, sampling, simulated, xidWindow)");
        assertThat(error("sampling: {interval: 10ms}"))
                .isEqualTo("agent.yaml: sampling.interval: \"10ms\" is not allowed (allowed: from 50ms to 10m)");
        assertThat(error("sampling: {interval: fast}")).contains("sampling.interval").contains("500ms, 2s");
        assertThat(error("sampling: {fields: [DCGM_FI_DEV_GPU_TEMPERATURE]}"))
                .contains("sampling.fields[0]: \"DCGM_FI_DEV_GPU_TEMPERATURE\" is not allowed (allowed: default, "
                        + "dcgm-exporter, all, or a field name: DCGM_FI_DRIVER_VERSION");
        assertThat(error("backend: cuda")).isEqualTo(
                "agent.yaml: backend: \"cuda\" is not allowed (allowed: one of auto, dcgm, nvml, simulated)");
        assertThat(error("listen: 9400")).contains("listen: \"9400\"").contains("host:port");
        assertThat(error("listen: \":99999\"")).contains("a port from 1 to 65535");
        assertThat(error("node: \"gpu node 1\"")).contains("node: \"gpu node 1\"");
        assertThat(error("health: {gpuTempDegraded: 90, gpuTempFailed: 85}")).contains("health.gpuTempFailed");
        assertThat(error("simulated: {profile: hgx-h100-8}"))
                .contains("simulated").contains("only with backend: simulated (backend is auto)");
        assertThat(error("backend: simulated\nsimulated: {profile: dgx-h200-8}")).contains("simulated.profile")
                .contains("hgx-h100-8, dgx-a100-8, pcie-l40s-4");
        assertThat(error("backend: simulated\nsimulated: {faults: [{gpu: 8, kind: fallen-off-bus}]}"))
                .contains("simulated.faults[0].gpu: \"8\" is not allowed (allowed: a GPU index from 0 to 7");
        assertThat(error("backend: simulated\nsimulated: {mig: [{gpus: [0], devices: {4g.40gb: 2}}]}"))
                .contains("4g.40gb");
        assertThat(error("backend: simulated\nnvml: {library: /x/libnvidia-ml.so.1}"))
                .contains("nvml").contains("only with backend auto, dcgm or nvml (backend is simulated)");
        assertThat(error("dcgm: {mode: remote, address: \"localhost\"}")).contains("dcgm.address: \"localhost\"")
                .contains("host:port");
        assertThat(error("dcgm: {mode: cluster}")).contains("dcgm.mode").contains("embedded, remote");
    }

    @Test
    void commandLineOverridesAreCheckedLikeTheFile() {
        assertThatThrownBy(() -> Documents.readYaml(null, AgentConfig.class, Map.of("backend", "cuda")))
                .isInstanceOf(InvalidDocumentException.class)
                .hasMessageStartingWith("defaults with --backend: backend: \"cuda\" is not allowed");
        AgentConfig config = Documents.readYaml(null, AgentConfig.class, Map.of("backend", "simulated",
                "listen", "127.0.0.1:9555"));
        assertThat(config.listenAddress().getPort()).isEqualTo(9555);
        assertThat(config.simulated()).isNotNull();
    }
}
