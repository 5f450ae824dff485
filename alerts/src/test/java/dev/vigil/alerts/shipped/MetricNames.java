package dev.vigil.alerts.shipped;

import dev.vigil.agent.Agent;
import dev.vigil.agent.config.AgentConfig;
import dev.vigil.agent.config.BackendKind;
import dev.vigil.agent.systemd.SystemdNotifier;
import dev.vigil.gpu.fields.Field;
import dev.vigil.gpu.fields.FieldCatalog;
import dev.vigil.gpu.simulated.FaultKind;
import dev.vigil.gpu.simulated.FaultSpec;
import dev.vigil.gpu.simulated.NodeProfile;
import dev.vigil.gpu.simulated.SimulatedNode;
import dev.vigil.gpu.simulated.SimulatedSpec;
import dev.vigil.gpu.simulated.Workload;
import dev.vigil.gpu.simulated.WorkloadKind;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The metric names that exist, and where from: what a live agent serves (every field, reporting
 * to a controller, an XID counted), every field of the DCGM field catalog, and the controller's
 * names from {@code controller-metrics.txt}. A histogram's {@code _bucket}, {@code _sum} and
 * {@code _count} series count as its name.
 */
final class MetricNames {
    private static Map<String, String> known;

    private MetricNames() {
    }

    /** Name to source: agent, dcgm, exists (the controller), prometheus. */
    static synchronized Map<String, String> known() {
        if (known == null) {
            Map<String, String> names = new TreeMap<>();
            for (Field field : FieldCatalog.ALL) {
                names.put(field.name(), "dcgm");
            }
            liveAgent().forEach(name -> names.putIfAbsent(name, "agent"));
            controller().forEach(names::putIfAbsent);
            known = names;
        }
        return known;
    }

    /** Whether {@code name} exists, as itself or as one of a histogram's series. */
    static String source(String name) {
        Map<String, String> names = known();
        String base = name.replaceAll("_(bucket|sum|count)$", "");
        return names.containsKey(name) ? names.get(name) : names.get(base);
    }

    private static Map<String, String> controller() {
        Map<String, String> names = new TreeMap<>();
        try (InputStream in = MetricNames.class.getResourceAsStream("/controller-metrics.txt")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    String[] parts = line.trim().split("\\s+");
                    names.put(parts[1], parts[0]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return names;
    }

    /** The names in a simulated agent's /metrics, with every field sampled and an XID counted. */
    private static Set<String> liveAgent() {
        SimulatedSpec spec = new SimulatedSpec(NodeProfile.HGX_H100_8, 7L,
                List.of(Workload.of(WorkloadKind.TRAINING, List.of(0, 1, 2, 3))), List.of(), List.of());
        SimulatedNode node = new SimulatedNode("names-node", spec, Clock.systemUTC());
        AgentConfig config = new AgentConfig("names-node", "127.0.0.1:0", BackendKind.SIMULATED,
                new AgentConfig.Sampling(Duration.ofMillis(100), List.of("all")), null, null, null, null, spec,
                new AgentConfig.Controller(List.of("http://127.0.0.1:9"), "vgl_x_y", null, Duration.ofMillis(200),
                        Duration.ofMillis(200)));
        Agent agent = Agent.start(config, node, Clock.systemUTC(), null, SystemdNotifier.disabled());
        try {
            node.inject(new FaultSpec(null, 2, FaultKind.XID, 13, null, null));
            HttpClient http = HttpClient.newHttpClient();
            Set<String> names = new TreeSet<>();
            long deadline = System.currentTimeMillis() + 10_000;
            while (System.currentTimeMillis() < deadline
                    && !(names.contains("DCGM_EXP_XID_ERRORS_COUNT") && names.contains("vigil_agent_reports_total"))) {
                Thread.sleep(100);
                String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port()
                        + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
                names.clear();
                body.lines().filter(line -> !line.startsWith("#") && !line.isBlank())
                        .forEach(line -> names.add(line.split("[{ ]", 2)[0]));
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            agent.close();
        }
    }
}
