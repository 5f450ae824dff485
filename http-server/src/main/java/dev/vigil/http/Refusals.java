package dev.vigil.http;

import dev.vigil.api.Problem;

/**
 * Told of each request the server refused before a handler saw it: one it could not parse, one
 * too large, one for no route or the wrong method (the controller audits those that carried
 * credentials). Not told of connections refused for being too many: that is load, not a request.
 */
@FunctionalInterface
public interface Refusals {
    /**
     * @param request what could be read of it: the method and path as sent (unprintable
     *                characters shown as {@code ?}), the headers read before the fault, no body
     *                when the body was not read
     * @param problem the answer it got
     */
    void refused(Request request, Problem problem);
}
