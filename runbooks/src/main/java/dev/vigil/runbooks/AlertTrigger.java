package dev.vigil.runbooks;

import dev.vigil.api.binding.InvalidValueException;

import java.util.Map;
import java.util.TreeMap;

/**
 * Starts a run when the named alert fires with labels that equal every matcher, e.g.
 * {@code {name: GpuXidFatal, matchers: {xid: "79"}}}.
 */
public record AlertTrigger(String name, Map<String, String> matchers) {
    public AlertTrigger {
        InvalidValueException.required(name, "name", "the name of an alert rule, e.g. GpuXidFatal");
        matchers = matchers == null ? Map.of() : Map.copyOf(matchers);
        for (var matcher : matchers.entrySet()) {
            InvalidValueException.require(matcher.getValue() != null && !matcher.getValue().isEmpty(),
                    "matchers." + matcher.getKey(), matcher.getValue(), "a label value to equal");
        }
    }

    /** Whether an alert with this name and these labels starts the runbook. */
    public boolean matches(String alertName, Map<String, String> labels) {
        return name.equals(alertName)
                && matchers.entrySet().stream().allMatch(m -> m.getValue().equals(labels.get(m.getKey())));
    }

    @Override
    public String toString() {
        return "alert " + name + (matchers.isEmpty() ? "" : new TreeMap<>(matchers).toString());
    }
}
