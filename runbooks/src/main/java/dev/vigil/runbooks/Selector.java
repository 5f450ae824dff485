package dev.vigil.runbooks;

import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.cluster.NodeState;

import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * Nodes a runbook acts on, by what the controller knows of them; every given field must match.
 * The controller resolves it (pools, leaves and labels are its knowledge).
 */
public record Selector(String pool, String model, String leaf, NodeState state, Map<String, String> labels) {
    public Selector {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        InvalidValueException.require(pool != null || model != null || leaf != null || state != null
                        || !labels.isEmpty(), "", null,
                "at least one of pool, model, leaf, state, labels (a selector never means every node)");
    }

    /** {@code selector{pool=a100, state=cordoned}}. */
    @Override
    public String toString() {
        StringJoiner parts = new StringJoiner(", ", "selector{", "}");
        add(parts, "pool", pool);
        add(parts, "model", model);
        add(parts, "leaf", leaf);
        add(parts, "state", state == null ? null : state.name().toLowerCase(Locale.ROOT));
        new TreeMap<>(labels).forEach((key, value) -> parts.add(key + "=" + value));
        return parts.toString();
    }

    private static void add(StringJoiner parts, String name, String value) {
        if (value != null) {
            parts.add(name + "=" + value);
        }
    }
}
