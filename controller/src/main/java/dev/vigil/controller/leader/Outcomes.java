package dev.vigil.controller.leader;

import dev.vigil.api.Problem;
import dev.vigil.controller.state.Json;

/** Building and reading {@link Outcome}s as they cross from the leader to the member asking. */
public final class Outcomes {
    private Outcomes() {
    }

    public static Outcome value(Object value) {
        return new Outcome(value == null ? null : Json.tree(value), null);
    }

    public static Outcome problem(Problem problem) {
        return new Outcome(null, problem);
    }

    static <T> T value(Outcome outcome, Class<T> type) {
        return Json.read(outcome.value(), type);
    }
}
