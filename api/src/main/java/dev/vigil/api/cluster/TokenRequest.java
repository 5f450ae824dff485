package dev.vigil.api.cluster;

import dev.vigil.api.binding.InvalidValueException;

/** Asks for a new API token. */
public record TokenRequest(String name, Role role) {
    public TokenRequest {
        InvalidValueException.required(name, "name", "who the token is for, e.g. alice or ci-pipeline");
        InvalidValueException.require(name.matches("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}"), "name", name,
                "letters, digits, '.', '_', '@' and '-', up to 64 characters");
        InvalidValueException.required(role, "role", "one of viewer, submitter, operator, admin, agent");
    }
}
