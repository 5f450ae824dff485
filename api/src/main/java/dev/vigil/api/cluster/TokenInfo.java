package dev.vigil.api.cluster;

import java.time.Instant;

/**
 * An API token as listed: never the secret itself, which is shown once when created and stored
 * only as a hash.
 *
 * @param id      the token's public id (its first characters)
 * @param name    who it is for
 * @param role    what it may do
 * @param created when
 * @param secret  the token itself: only in the answer to its creation
 */
public record TokenInfo(String id, String name, Role role, Instant created, String secret) {
}
