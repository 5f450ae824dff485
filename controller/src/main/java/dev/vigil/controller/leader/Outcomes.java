package dev.vigil.controller.leader;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.api.Problem;
import dev.vigil.api.binding.Documents;

/** Building and reading {@link Outcome}s as they cross from the leader to the member asking. */
public final class Outcomes {
    private static final ObjectMapper JSON = Documents.json();

    private Outcomes() {
    }

    public static Outcome value(Object value) {
        return new Outcome(value == null ? null : JSON.valueToTree(value), null);
    }

    public static Outcome problem(Problem problem) {
        return new Outcome(null, problem);
    }

    static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName(), e);
        }
    }

    static <T> T read(String json, Class<T> type) {
        try {
            return JSON.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    static <T> T value(Outcome outcome, Class<T> type) {
        try {
            return outcome.value() == null ? null : JSON.treeToValue(outcome.value(), type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }
}
