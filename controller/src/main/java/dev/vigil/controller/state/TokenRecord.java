package dev.vigil.controller.state;

import dev.vigil.api.cluster.Role;
import dev.vigil.api.cluster.TokenInfo;

import java.time.Instant;

/**
 * A stored API token: its public id, who it is for, its role, and the SHA-256 of the secret. The
 * secret itself is never stored.
 */
public record TokenRecord(String id, String name, Role role, String sha256, Instant created) {
    public TokenInfo info() {
        return new TokenInfo(id, name, role, created, null);
    }
}
