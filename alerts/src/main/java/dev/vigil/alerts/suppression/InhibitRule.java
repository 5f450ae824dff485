package dev.vigil.alerts.suppression;

import dev.vigil.api.binding.InvalidValueException;

import java.util.List;
import java.util.Map;

/**
 * Alertmanager's inhibition: while an alert matching {@code sourceMatchers} fires, alerts matching
 * {@code targetMatchers} with the same values of the {@code equal} labels (a missing label counts
 * as empty) are not notified.
 *
 * @param name           what it is for, for people and logs
 * @param sourceMatchers the alerts that inhibit
 * @param targetMatchers the alerts they inhibit
 * @param equal          labels whose values must be equal on both
 */
public record InhibitRule(String name, List<Matcher> sourceMatchers, List<Matcher> targetMatchers, List<String> equal) {
    public InhibitRule {
        InvalidValueException.required(sourceMatchers, "sourceMatchers", "matchers for the inhibiting alerts");
        InvalidValueException.required(targetMatchers, "targetMatchers", "matchers for the inhibited alerts");
        sourceMatchers = List.copyOf(sourceMatchers);
        targetMatchers = List.copyOf(targetMatchers);
        InvalidValueException.require(!sourceMatchers.isEmpty(), "sourceMatchers", "[]", "at least one matcher");
        InvalidValueException.require(!targetMatchers.isEmpty(), "targetMatchers", "[]", "at least one matcher");
        equal = equal == null ? List.of() : List.copyOf(equal);
        name = name == null || name.isBlank() ? sourceMatchers + " inhibits " + targetMatchers : name;
    }

    /** The default: a node whose agent stopped reporting inhibits the alerts of its GPUs. */
    public static InhibitRule nodeDownInhibitsItsGpus() {
        return new InhibitRule("node-unreachable-inhibits-its-gpus",
                List.of(Matcher.equal("alertname", "NodeUnreachable")),
                List.of(Matcher.parse("gpu=~\".+\"")), List.of("node"));
    }

    boolean source(Map<String, String> labels) {
        return all(sourceMatchers, labels);
    }

    boolean target(Map<String, String> labels) {
        return all(targetMatchers, labels);
    }

    private static boolean all(List<Matcher> matchers, Map<String, String> labels) {
        for (Matcher matcher : matchers) {
            if (!matcher.matches(labels)) {
                return false;
            }
        }
        return true;
    }
}
