package dev.vigil.api.cluster;

import dev.vigil.api.binding.InvalidValueException;

/** Why an operator changes a node; kept in the node's history and the audit log. */
public record ReasonRequest(String reason) {
    public ReasonRequest {
        InvalidValueException.required(reason, "reason", "why, in words, e.g. \"replacing PSU, ticket OPS-1234\"");
        InvalidValueException.require(!reason.isBlank() && reason.length() <= 500, "reason", reason,
                "1 to 500 characters");
    }
}
