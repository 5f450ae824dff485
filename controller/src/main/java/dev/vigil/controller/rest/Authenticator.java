package dev.vigil.controller.rest;

import dev.vigil.api.Problem;
import dev.vigil.api.cluster.Role;
import dev.vigil.controller.leader.Tokens;
import dev.vigil.controller.state.Store;
import dev.vigil.controller.state.TokenRecord;
import dev.vigil.http.ProblemException;
import dev.vigil.http.Request;

import java.util.Locale;
import java.util.function.Supplier;

/**
 * Bearer tokens: 401 without a valid one, 403 when its role does not cover the route. The answer
 * never says whether a token exists, only that it is not valid.
 */
final class Authenticator {
    private final Supplier<Store> store;

    Authenticator(Supplier<Store> store) {
        this.store = store;
    }

    Identity require(Request request, Role needed) {
        String header = request.header("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw unauthorized("this route needs an API token: send 'Authorization: Bearer <token>' "
                    + "(vigil up prints one; a new cluster writes one to its data dir)");
        }
        TokenRecord token = Tokens.verify(store.get(), header.substring(7).trim())
                .orElseThrow(() -> unauthorized("the API token is not valid (revoked, mistyped, or from another cluster)"));
        if (!token.role().covers(needed)) {
            throw new ProblemException(Problem.of(403, "forbidden", "Forbidden", "token " + token.id() + " ("
                    + token.name() + ") has role " + wire(token.role()) + "; " + request.method() + " " + request.path()
                    + " needs " + wire(needed) + (needed == Role.AGENT ? "" : " or above"), null));
        }
        return new Identity(token.name(), token.role(), token.id());
    }

    private static ProblemException unauthorized(String detail) {
        return new ProblemException(Problem.of(401, "unauthorized", "Unauthorized", detail, null));
    }

    private static String wire(Role role) {
        return role.name().toLowerCase(Locale.ROOT);
    }
}
