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

    /** A job id in the path ({@code field} "id") or a query parameter. */
    static String jobId(String id, String field) {
        if (id == null || !id.matches("j-\\d{1,18}")) {
            throw ProblemException.badRequest(field, id, "a job id as the controller gives it, e.g. j-000042");
        }
        return id;
    }

    /** A GPU's index on its node, as the agent numbers them. */
    static int gpuIndex(String text) {
        if (text == null || !text.matches("\\d{1,3}")) {
            throw ProblemException.badRequest("gpu", text, "a GPU index on the node: a whole number from 0, "
                    + "as 'vigil node NAME' lists them");
        }
        return Integer.parseInt(text);
    }

    static String nodeName(String name) {
        if (name == null || !name.matches(NODE_NAME)) {
            throw ProblemException.badRequest("node", name,
                    "a host name: letters, digits, '.', '_' and '-', up to 63 characters");
        }
        return name;
    }
}
