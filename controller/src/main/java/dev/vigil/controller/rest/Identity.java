package dev.vigil.controller.rest;

import dev.vigil.api.cluster.Role;

/** Who is calling: a token's name and role. */
record Identity(String name, Role role, String tokenId) {
}
