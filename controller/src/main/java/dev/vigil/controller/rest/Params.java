package dev.vigil.controller.rest;

import dev.vigil.http.ProblemException;
import dev.vigil.http.Request;

/** Query and path parameters, checked: a bad one is a 400 that names it. */
final class Params {
    private static final String NODE_NAME = "[A-Za-z0-9][A-Za-z0-9._-]{0,62}";

    private Params() {
    }

    static long number(Request request, String name, long fallback, long min, long max) {
        String text = request.queryParam(name);
        if (text == null) {
            return fallback;
        }
        try {
            long value = Long.parseLong(text);
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // Answered below with what is allowed.
        }
        throw ProblemException.badRequest(name, text, "a whole number from " + min + " to " + max);
    }

    static String nodeName(String name) {
        if (name == null || !name.matches(NODE_NAME)) {
            throw ProblemException.badRequest("node", name,
                    "a host name: letters, digits, '.', '_' and '-', up to 63 characters");
        }
        return name;
    }
}
