package dev.vigil.controller.rest;

import dev.vigil.http.ProblemException;

/**
 * The controller's ids in paths and queries, checked: a bad one is a 400 that names it. Generic
 * query parameters (numbers, flags) are {@link dev.vigil.http.QueryParams}.
 */
final class Params {
    private static final String NODE_NAME = "[A-Za-z0-9][A-Za-z0-9._-]{0,62}";

    private Params() {
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
