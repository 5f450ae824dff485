package dev.vigil.agent.metrics;

import dev.vigil.agent.Agent;
import dev.vigil.agent.config.AgentConfig;
import dev.vigil.agent.config.BackendKind;
import dev.vigil.agent.systemd.SystemdNotifier;
import dev.vigil.gpu.fields.AgentFamilies;
import dev.vigil.gpu.fields.Field;
import dev.vigil.gpu.fields.FieldCatalog;
import dev.vigil.gpu.fields.MetricType;
import dev.vigil.gpu.simulated.NodeProfile;
import dev.vigil.gpu.simulated.SimulatedNode;
import dev.vigil.gpu.simulated.SimulatedSpec;
import dev.vigil.gpu.simulated.Workload;
import dev.vigil.gpu.simulated.WorkloadKind;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A live agent's /metrics has exactly the fields it samples and {@link AgentFamilies}: what reads
 * the agent's metrics without depending on it (the alerts module's check of the shipped rules and
 * dashboards) relies on that list.
 */
class ExportedFamiliesTest {
    @Test
    void anAgentSamplingEveryFieldAndReportingExportsTheFieldsAndTheListedFamiliesOnly() throws Exception {
        SimulatedSpec spec = new SimulatedSpec(NodeProfile.HGX_H100_8, 7L,
                List.of(Workload.of(WorkloadKind.TRAINING, List.of(0, 1))), List.of(), List.of());
        AgentConfig config = new AgentConfig("families-node", "127.0.0.1:0", BackendKind.SIMULATED,
                new AgentConfig.Sampling(Duration.ofMillis(100), List.of("all")), null, null, null, null, spec,
                new AgentConfig.Controller(List.of("http://127.0.0.1:9"), "vgl_x_y", null, Duration.ofMillis(200),
                        Duration.ofMillis(200)));
        Set<String> expected = Stream.concat(
                FieldCatalog.ALL.stream().filter(field -> field.type() != MetricType.LABEL).map(Field::name),
                AgentFamilies.ALL.stream()).collect(Collectors.toCollection(TreeSet::new));

        try (Agent agent = Agent.start(config, new SimulatedNode("families-node", spec, Clock.systemUTC()),
                Clock.systemUTC(), null, SystemdNotifier.disabled())) {
            assertThat(familiesOnceSampled(agent)).isEqualTo(expected);
        }
    }

    /** The names of the {@code # TYPE} lines of the first /metrics that has a sample's GPU families. */
    private static Set<String> familiesOnceSampled(Agent agent) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest scrape = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + "/metrics"))
                .build();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            Set<String> families = http.send(scrape, HttpResponse.BodyHandlers.ofString()).body().lines()
                    .filter(line -> line.startsWith("# TYPE "))
                    .map(line -> line.split(" ")[2])
                    .collect(Collectors.toCollection(TreeSet::new));
            if (families.contains(AgentFamilies.XID_ERRORS_COUNT)) {
                return families;
            }
            assertThat(System.nanoTime()).as("no sample rendered in /metrics within 10 s").isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
