package dev.vigil.agent.config;

import dev.vigil.api.binding.Documents;
import dev.vigil.api.binding.InvalidDocumentException;
import dev.vigil.gpu.fields.FieldCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
                + "actions, backend, connections, controller, dcgm, faultApi, health, listen, mig, node, nvml, placement, sampling, simulated, "
                + "xidWindow)");
        assertThat(error("connections: {max: 0}")).startsWith("agent.yaml: connections.max: \"0\" is not allowed "
                + "(allowed: 1 to ");
        assertThat(error("connections: {max: 100, perClient: 200}"))
                .isEqualTo("agent.yaml: connections.perClient: \"200\" is not allowed (allowed: 1 to max (100))");
        assertThat(error("connections: {idleTimeout: 0s}")).contains("connections.idleTimeout: \"0s\"")
                .contains("from 100ms to 1h");
        assertThat(error("connections: {maxConnections: 5}")).contains("unknown key \"connections.maxConnections\"");
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

    @Test
    void withoutAControllerSectionTheAgentReportsNowhere() {
        AgentConfig config = read("");
        assertThat(config.controller().enabled()).isFalse();
        assertThat(config.controller()).isEqualTo(read("controller: {urls: []}").controller());
        assertThat(config.controller().interval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.controller().timeout()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void controllerUrlsAreCheckedEachByName() {
        AgentConfig config = read("controller: {urls: [\"http://ctl-1:8080/\", \"HTTPS://ctl-2.example:8443\"], "
                + "token: vgl_abc}");
        assertThat(config.controller().urls()).containsExactly("http://ctl-1:8080", "https://ctl-2.example:8443");
        assertThat(config.controller().readToken()).isEqualTo("vgl_abc");
        assertThat(error("controller: {urls: [\"http://a:8080\", \"ftp://b:21\"], token: t}"))
                .contains("controller.urls[1]: \"ftp://b:21\" is not allowed (allowed: http://host:port or "
                        + "https://host:port");
        assertThat(error("controller: {urls: [\"ctl-1:8080\"], token: t}")).contains("controller.urls[0]: \"ctl-1:8080\"");
        assertThat(error("controller: {urls: [\"http://ctl-1\"], token: t}")).contains("controller.urls[0]")
                .contains("a port from 1 to 65535");
        assertThat(error("controller: {urls: [\"http://ctl-1:8080/v1\"], token: t}")).contains("controller.urls[0]")
                .contains("no path");
        assertThat(error("controller: {urls: [\"http://a:1\", \"http://a:1/\"], token: t}"))
                .contains("controller.urls[1]").contains("listed twice");
        assertThat(error("controller: {urls: [\"http://a:1\"], interval: 50ms, token: t}"))
                .contains("controller.interval: \"50ms\" is not allowed (allowed: from 200ms to 1m)");
        assertThat(error("controller: {urls: [\"http://a:1\"], timeout: 5m, token: t}"))
                .contains("controller.timeout: \"5m\"");
    }

    @Test
    void exactlyOneOfTokenAndTokenFileAndTheFileMustExist(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("agent.token");
        Files.writeString(file, "vgl_from_file\n");
        AgentConfig config = read("controller: {urls: [\"http://a:8080\"], tokenFile: \"" + file + "\"}");
        assertThat(config.controller().readToken()).isEqualTo("vgl_from_file");

        assertThat(error("controller: {urls: [\"http://a:8080\"], token: t, tokenFile: \"" + file + "\"}"))
                .contains("controller.tokenFile").contains("either token or tokenFile, not both");
        assertThat(error("controller: {urls: [\"http://a:8080\"]}"))
                .contains("controller.token: missing (required: token or tokenFile");
        Path missing = dir.resolve("nope.token");
        assertThat(error("controller: {urls: [\"http://a:8080\"], tokenFile: \"" + missing + "\"}"))
                .contains("controller.tokenFile: \"" + missing + "\" is not allowed").contains("no such file");
        Path empty = Files.writeString(dir.resolve("empty.token"), "\n");
        assertThat(error("controller: {urls: [\"http://a:8080\"], tokenFile: \"" + empty + "\"}"))
                .contains("controller.tokenFile").contains("empty");
        assertThat(error("controller: {urls: [\"http://a:8080\"], token: \"two words\"}"))
                .contains("controller.token").doesNotContain("two words");
    }

    @Test
    void theTokenIsNeverPrinted() throws IOException {
        AgentConfig config = read("controller: {urls: [\"http://a:8080\"], token: vgl_s3cret}");
        assertThat(Documents.yaml().writeValueAsString(config)).contains("http://a:8080").doesNotContain("vgl_s3cret");
        assertThat(config.toString()).doesNotContain("vgl_s3cret");
    }

    @Test
    void repairCommandsAndSimulatedDelaysHaveDefaultsAndBounds() {
        AgentConfig defaults = read("");
        assertThat(defaults.actions().stateDir()).isEqualTo(Path.of("/var/lib/vigil-agent"));
        assertThat(defaults.actions().nvidiaSmi()).isEqualTo("nvidia-smi");
        assertThat(defaults.actions().dcgmi()).isEqualTo("dcgmi");
        assertThat(defaults.actions().systemctl()).isEqualTo("systemctl");
        assertThat(defaults.actions().timeout()).isEqualTo(Duration.ofMinutes(30));

        AgentConfig set = read("backend: simulated\nactions: {stateDir: /tmp/agent-state, nvidiaSmi: /opt/bin/nvidia-smi}\n"
                + "simulated: {resetDelay: 500ms, rebootDelay: 20s, diagDuration: 0s}");
        assertThat(set.actions().stateDir()).isEqualTo(Path.of("/tmp/agent-state"));
        assertThat(set.actions().nvidiaSmi()).isEqualTo("/opt/bin/nvidia-smi");
        assertThat(set.simulated().resetDelay()).isEqualTo(Duration.ofMillis(500));
        assertThat(set.simulated().rebootDelay()).isEqualTo(Duration.ofSeconds(20));
        assertThat(set.simulated().diagDuration()).isZero();

        assertThat(error("actions: {timeout: 5h}")).isEqualTo(
                "agent.yaml: actions.timeout: \"5h\" is not allowed (allowed: from 1s to 4h)");
        assertThat(error("actions: {dcgmi: \"dcgmi diag\"}")).startsWith(
                "agent.yaml: actions.dcgmi: \"dcgmi diag\" is not allowed (allowed: a program name");
        assertThat(error("backend: simulated\nsimulated: {rebootDelay: 1h}")).isEqualTo(
                "agent.yaml: simulated.rebootDelay: \"1h\" is not allowed (allowed: from 0s to 10m)");
    }

    @Test
    void migSettingsHaveDefaultsAndBounds() {
        AgentConfig defaults = read("");
        assertThat(defaults.mig().allowReset()).isTrue();
        assertThat(defaults.mig().applyTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(defaults.mig().stateDir()).as("actions.stateDir, decided by the agent").isNull();

        AgentConfig set = read("mig: {allowReset: false, applyTimeout: 20m, stateDir: /tmp/mig-state}");
        assertThat(set.mig().allowReset()).isFalse();
        assertThat(set.mig().applyTimeout()).isEqualTo(Duration.ofMinutes(20));
        assertThat(set.mig().stateDir()).isEqualTo(Path.of("/tmp/mig-state"));

        assertThat(error("mig: {applyTimeout: 2h}")).isEqualTo(
                "agent.yaml: mig.applyTimeout: \"2h\" is not allowed (allowed: from 1s to 1h)");
        assertThat(error("mig: {applyTimeout: 500ms}")).contains("mig.applyTimeout: \"500ms\"");
        assertThat(error("mig: {allowReset: maybe}")).contains("mig.allowReset").contains("maybe");
        assertThat(error("mig: {allowResets: true}")).contains("unknown key \"mig.allowResets\"")
                .contains("allowReset, applyTimeout, stateDir");
    }

    @Test
    void placementSettingsHaveDefaultsAndBoundsAndAreStrict() {
        AgentConfig defaults = read("");
        assertThat(defaults.placement().procRoot()).isEqualTo(Path.of("/proc"));
        assertThat(defaults.placement().grace()).isEqualTo(Duration.ofSeconds(30));
        assertThat(defaults.placement().system())
                .containsExactly("nv-hostengine", "nvidia-persistenced", "nv-fabricmanager", "dcgm-exporter");

        AgentConfig set = read("placement: {procRoot: /host/proc, grace: 5s, system: [my-daemon]}");
        assertThat(set.placement().procRoot()).isEqualTo(Path.of("/host/proc"));
        assertThat(set.placement().grace()).isEqualTo(Duration.ofSeconds(5));
        assertThat(set.placement().system()).containsExactly("my-daemon");

        assertThat(error("placement: {grace: 2h}")).isEqualTo(
                "agent.yaml: placement.grace: \"2h\" is not allowed (allowed: from 0s to 1h)");
        assertThat(error("placement: {system: [\"\"]}")).contains("placement.system");
        assertThat(error("placement: {policy: kill}")).contains("unknown key \"placement.policy\"")
                .contains("grace, procRoot, system");
    }

    @Test
    void theShippedConfigReadsAsTheDefaults() throws IOException {
        Path shipped = Path.of("../cli/src/dist/conf/agent.yaml");
        AgentConfig config = Documents.readYaml(Files.readString(shipped), AgentConfig.class, "agent.yaml");
        assertThat(config.actions()).isEqualTo(read("").actions());
    }
}
