package dev.vigil.controller.leader;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.api.Problem;

/** What applying a mutation came to: a value, or a problem to answer with. */
public record Outcome(JsonNode value, Problem problem) {
}
