package dev.vigil.controller.rest;

import dev.vigil.api.Problem;
import dev.vigil.api.cluster.Role;
import dev.vigil.controller.leader.Tokens;
import dev.vigil.controller.state.Store;
import dev.vigil.http.ProblemException;
import dev.vigil.http.Request;

import java.util.Locale;
import java.util.function.Supplier;

/**
 * Bearer tokens: 401 without a valid one, 403 when its role does not cover the route. The answer
 * never says whether a token exists, only that it is not valid. Who the caller is and what they
 * may do are two steps, so a refusal for the wrong role is still audited under the token's name.
 */
final class Authenticator {
    private static final String BEARER = "Bearer ";

    private final Supplier<Store> store;

    Authenticator(Supplier<Store> store) {
        this.store = store;
    }

    /** Whether the request carried credentials at all, valid or not. */
    static boolean carriesCredentials(Request request) {
        return request.header("Authorization") != null;
    }

    /** The caller the request's bearer token names, or null when it carries no valid token. */
    Identity identify(Request request) {
        String presented = bearerToken(request);
        return presented == null ? null : Tokens.verify(store.get(), presented)
                .map(token -> new Identity(token.name(), token.role(), token.id())).orElse(null);
    }

    /** Refuses {@code who} (as {@link #identify} found it) a route that needs {@code needed}, unless its role covers it. */
    void authorize(Request request, Identity who, Role needed) {
        if (who == null) {
            throw unauthorized(bearerToken(request) != null
                    ? "the API token is not valid (revoked, mistyped, or from another cluster)"
                    : "this route needs an API token: send 'Authorization: Bearer <token>' "
                    + "(vigil up prints one; a new cluster writes one to its data dir)");
        }
        if (!who.role().covers(needed)) {
            throw new ProblemException(Problem.of(403, "forbidden", "Forbidden", "token " + who.tokenId() + " ("
                    + who.name() + ") has role " + wire(who.role()) + "; " + request.method() + " " + request.path()
                    + " needs " + wire(needed) + (needed == Role.AGENT ? "" : " or above"), null));
        }
    }

    private static String bearerToken(Request request) {
        String header = request.header("Authorization");
        return header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length()) ? null
                : header.substring(BEARER.length()).trim();
    }

    private static ProblemException unauthorized(String detail) {
        return new ProblemException(Problem.of(401, "unauthorized", "Unauthorized", detail, null));
    }

    private static String wire(Role role) {
        return role.name().toLowerCase(Locale.ROOT);
    }
}
