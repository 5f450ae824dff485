package dev.vigil.alerts.shipped;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.api.binding.Documents;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The shipped Prometheus rules: valid, their unit tests pass, and they read metrics that exist. */
class PromtoolTest {
    static final Path DIR = Path.of(System.getProperty("vigil.alerts.dir", "."), "prometheus");
    static final Path PROMTOOL = Path.of("/usr/bin/promtool");

    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).directory(DIR.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(String.join(" ", command) + "\n" + output).isZero();
        return output;
    }

    @Test
    void promtoolChecksTheRules() throws Exception {
        assumeTrue(Files.isExecutable(PROMTOOL), "promtool is not installed (Debian package 'prometheus'); .ci/run installs it");
        assertThat(run(PROMTOOL.toString(), "check", "rules", "vigil.rules.yml")).contains("SUCCESS");
    }

    @Test
    void promtoolRunsTheRulesUnitTests() throws Exception {
        assumeTrue(Files.isExecutable(PROMTOOL), "promtool is not installed (Debian package 'prometheus'); .ci/run installs it");
        assertThat(run(PROMTOOL.toString(), "test", "rules", "vigil.rules.test.yml")).contains("SUCCESS");
    }

    @Test
    void everyRuleReadsMetricsTheAgentOrTheControllerExports() throws Exception {
        JsonNode file = Documents.yaml().readTree(Files.readString(DIR.resolve("vigil.rules.yml")));
        Map<String, String> unknown = new TreeMap<>();
        List<String> assumed = new ArrayList<>();
        int rules = 0;
        for (JsonNode group : file.path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                rules++;
                for (String name : PromQl.metricNames(rule.path("expr").asText())) {
                    String source = MetricNames.source(name);
                    if (source == null) {
                        unknown.put(name, rule.path("alert").asText());
                    } else if (!source.equals("agent") && !source.equals("dcgm") && !source.equals("exists")
                            && !source.equals("prometheus")) {
                        assumed.add(rule.path("alert").asText() + " reads " + name + " (" + source + ")");
                    }
                }
            }
        }
        assertThat(rules).isGreaterThan(20);
        assertThat(unknown).as("metrics no agent or controller exports, by the rule that reads them").isEmpty();
        assertThat(assumed).as("the shipped rules use only metrics that exist now").isEmpty();
    }

    @Test
    void theNameExtractionFindsMetricsNotFunctionsLabelsOrVariables() {
        assertThat(PromQl.metricNames("histogram_quantile(0.99, sum by (le, instance) "
                + "(rate(vigil_agent_sample_duration_seconds_bucket{instance=~\"$instance\"}[$__rate_interval])))"))
                .containsExactly("vigil_agent_sample_duration_seconds_bucket");
        assertThat(PromQl.metricNames("rate(DCGM_FI_DEV_THERMAL_VIOLATION[5m]) / 1e9 > 0.1 and on (gpu) up == 0"))
                .containsExactly("DCGM_FI_DEV_THERMAL_VIOLATION", "up");
        assertThat(PromQl.metricNames("label_values(DCGM_FI_DEV_GPU_TEMP{Hostname=~\"$node\"}, gpu)"))
                .containsExactly("DCGM_FI_DEV_GPU_TEMP");
        assertThat(MetricNames.source("vigil_agent_sample_duration_seconds_bucket")).isEqualTo("agent");
        assertThat(MetricNames.source("vigil_agent_reports_total")).isEqualTo("agent");
        assertThat(MetricNames.source("DCGM_FI_PROF_SM_ACTIVE")).isEqualTo("dcgm");
        assertThat(MetricNames.source("vigil_controller_gpus")).isEqualTo("exists");
        assertThat(MetricNames.source("DCGM_FI_DEV_GPU_TEMPERATURE")).isNull();
    }
}
