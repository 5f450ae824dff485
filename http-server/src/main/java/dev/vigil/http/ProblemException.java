package dev.vigil.http;

import dev.vigil.api.Problem;

/** Thrown by a handler to answer with a problem document (a 4xx the client can act on, or a 503). */
public final class ProblemException extends RuntimeException {
    private final transient Problem problem;

    public ProblemException(Problem problem) {
        super(problem.detail());
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }

    public static ProblemException notFound(String detail) {
        return new ProblemException(Problem.of(404, "not-found", "Not found", detail, null));
    }

    public static ProblemException badRequest(String field, String value, String allowed) {
        String shown = value == null ? "missing" : "\"" + value + "\" is not allowed";
        return new ProblemException(new Problem("/problems/invalid-input", "Invalid input", 400,
                field + ": " + shown + " (allowed: " + allowed + ")", null, field, value, allowed));
    }

    public static ProblemException conflict(String detail) {
        return new ProblemException(Problem.of(409, "conflict", "Conflict", detail, null));
    }

    public static ProblemException unavailable(String detail) {
        return new ProblemException(Problem.of(503, "unavailable", "Service unavailable", detail, null));
    }
}
