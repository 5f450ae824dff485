package dev.vigil.alerts.shipped;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.api.binding.Documents;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The shipped Grafana dashboards and provisioning files. */
class DashboardsTest {
    static final Path DIR = Path.of(System.getProperty("vigil.alerts.dir", "."), "grafana");

    private static List<Path> dashboards() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        }
    }

    private static JsonNode read(Path file) throws IOException {
        return Documents.json().readTree(Files.readString(file));
    }

    /** Every panel, rows' nested panels included. */
    private static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> all = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            all.add(panel);
            panel.path("panels").forEach(all::add);
        }
        return all;
    }

    @Test
    void theFiveDashboardsShip() throws IOException {
        Set<String> titles = new TreeSet<>();
        for (Path file : dashboards()) {
            titles.add(read(file).path("title").asText());
        }
        assertThat(titles).containsExactlyInAnyOrder("Vigil / Fleet overview", "Vigil / Node", "Vigil / GPU health",
                "Vigil / Scheduler and queues", "Vigil / Tenants");
    }

    @Test
    void noDashboardNeedsTheImportFlowEachPicksItsDataSourceByVariable() throws IOException {
        Set<String> uids = new HashSet<>();
        for (Path file : dashboards()) {
            String text = Files.readString(file);
            JsonNode dashboard = read(file);
            String name = file.getFileName().toString();
            assertThat(text).as(name + ": ${DS_...} is resolved only by the UI's import, file provisioning breaks on it")
                    .doesNotContain("${DS_").doesNotContain("__inputs").doesNotContain("__requires");
            assertThat(dashboard.path("id").isNull()).as(name + ": id").isTrue();
            String uid = dashboard.path("uid").asText();
            assertThat(uid).as(name + ": uid").matches("[a-z0-9-]{8,40}");
            assertThat(uids.add(uid)).as(name + ": uid unique").isTrue();
            assertThat(dashboard.path("schemaVersion").asInt()).as(name).isGreaterThanOrEqualTo(36);
            JsonNode variables = dashboard.path("templating").path("list");
            assertThat(variables.get(0).path("type").asText()).as(name + ": first variable").isEqualTo("datasource");
            assertThat(variables.get(0).path("name").asText()).isEqualTo("datasource");
            assertThat(variables.get(0).path("query").asText()).isEqualTo("prometheus");
            Set<Integer> ids = new HashSet<>();
            for (JsonNode panel : panels(dashboard)) {
                String where = name + " panel \"" + panel.path("title").asText() + "\"";
                assertThat(ids.add(panel.path("id").asInt())).as(where + ": id unique").isTrue();
                assertThat(panel.path("gridPos").path("w").asInt()).as(where + ": gridPos").isBetween(1, 24);
                if (panel.path("type").asText().equals("row")) {
                    continue;
                }
                assertThat(panel.path("datasource").path("uid").asText()).as(where).isEqualTo("${datasource}");
                assertThat(panel.path("targets")).as(where + ": targets").isNotEmpty();
                for (JsonNode target : panel.path("targets")) {
                    assertThat(target.path("datasource").path("uid").asText()).as(where).isEqualTo("${datasource}");
                    assertThat(target.path("expr").asText()).as(where + ": expr").isNotBlank();
                }
            }
            for (JsonNode variable : variables) {
                if (variable.path("type").asText().equals("query")) {
                    assertThat(variable.path("datasource").path("uid").asText()).as(name + " variable "
                            + variable.path("name").asText()).isEqualTo("${datasource}");
                }
            }
        }
    }

    @Test
    void everyQueryReadsMetricsThatTheAgentOrTheControllerExports() throws IOException {
        TreeMap<String, String> unknown = new TreeMap<>();
        TreeMap<String, Set<String>> bySource = new TreeMap<>();
        for (Path file : dashboards()) {
            JsonNode dashboard = read(file);
            List<String> queries = new ArrayList<>();
            panels(dashboard).forEach(panel -> panel.path("targets").forEach(t -> queries.add(t.path("expr").asText())));
            dashboard.path("templating").path("list").forEach(v -> {
                if (v.path("type").asText().equals("query")) {
                    queries.add(v.path("definition").asText());
                }
            });
            for (String query : queries) {
                for (String metric : PromQl.metricNames(query)) {
                    String source = MetricNames.source(metric);
                    if (source == null) {
                        unknown.put(metric, file.getFileName() + ": " + query);
                    } else {
                        bySource.computeIfAbsent(source, s -> new TreeSet<>()).add(metric);
                    }
                }
            }
        }
        assertThat(unknown).as("metric names nothing exports").isEmpty();
        assertThat(bySource.keySet()).contains("agent", "dcgm", "exists").doesNotContain("assumed");
        System.out.println("Dashboards read these metrics, by where they come from: " + bySource);
    }

    @Test
    void theProvisioningFilesParseAndPointAtTheDashboards() throws IOException {
        JsonNode datasources = Documents.yaml().readTree(Files.readString(
                DIR.resolve("provisioning/datasources/vigil-prometheus.yaml")));
        assertThat(datasources.path("apiVersion").asInt()).isEqualTo(1);
        assertThat(datasources.path("datasources").get(0).path("type").asText()).isEqualTo("prometheus");
        assertThat(datasources.path("datasources").get(0).path("url").asText()).startsWith("http");
        JsonNode providers = Documents.yaml().readTree(Files.readString(DIR.resolve("provisioning/dashboards/vigil.yaml")));
        assertThat(providers.path("apiVersion").asInt()).isEqualTo(1);
        JsonNode provider = providers.path("providers").get(0);
        assertThat(provider.path("type").asText()).isEqualTo("file");
        assertThat(provider.path("options").path("path").asText()).startsWith("/");
        assertThat(provider.path("folder").asText()).isEqualTo("Vigil");
    }
}
