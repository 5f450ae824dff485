package dev.vigil.alerts.shipped;

import dev.vigil.gpu.fields.AgentFamilies;
import dev.vigil.gpu.fields.Field;
import dev.vigil.gpu.fields.FieldCatalog;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * The metric names that exist, and where from: every field of the DCGM field catalog, the agent's
 * other families ({@link AgentFamilies}; the agent's tests find exactly those and the fields in a
 * live /metrics), and the controller's names from {@code controller-metrics.txt}. A histogram's
 * {@code _bucket}, {@code _sum} and {@code _count} series count as its name.
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
            AgentFamilies.ALL.forEach(name -> names.put(name, "agent"));
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
}
