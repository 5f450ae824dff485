package dev.vigil.runbooks;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.vigil.api.binding.InvalidValueException;

import java.util.Locale;

/**
 * What a run acts on: {@code node} or {@code gpu} (from the alert's {@code node} and {@code gpu}
 * labels, or the operator's request), a {@code selector} over nodes (the controller resolves it, and
 * an empty result is an error, never "everything"), or {@code fleet} for runbooks that only report.
 */
public record Target(Kind kind, Selector selector) {
    static final String ALLOWED = "node, gpu, fleet, or {selector: {pool, model, leaf, state, labels}}";

    public enum Kind {
        NODE,
        GPU,
        SELECTOR,
        FLEET
    }

    public Target {
        InvalidValueException.required(kind, "", ALLOWED);
        InvalidValueException.require((kind == Kind.SELECTOR) == (selector != null), "selector", selector, ALLOWED);
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static Target named(String name) {
        return switch (name == null ? "" : name) {
            case "node" -> new Target(Kind.NODE, null);
            case "gpu" -> new Target(Kind.GPU, null);
            case "fleet" -> new Target(Kind.FLEET, null);
            default -> throw new InvalidValueException("", name, ALLOWED);
        };
    }

    @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
    static Target selecting(@JsonProperty("selector") Selector selector) {
        InvalidValueException.required(selector, "selector", ALLOWED);
        return new Target(Kind.SELECTOR, selector);
    }

    /** Whether a run's steps act on individual nodes (fleet runbooks only report). */
    public boolean actsOnNodes() {
        return kind != Kind.FLEET;
    }

    @Override
    public String toString() {
        return kind == Kind.SELECTOR ? selector.toString() : kind.name().toLowerCase(Locale.ROOT);
    }
}
