package dev.vigil.http;

/**
 * Query parameters read and checked for handlers: a bad one is a 400 problem naming the
 * parameter, the value and what is allowed; one given twice is refused by {@link Request#queryParam}.
 */
public final class QueryParams {
    private QueryParams() {
    }

    /** A whole number from {@code min} to {@code max}; {@code fallback} when the parameter is absent. */
    public static long wholeNumber(Request request, String name, long fallback, long min, long max) {
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

    /** {@code true} or {@code false}; false when the parameter is absent. */
    public static boolean flag(Request request, String name) {
        String text = request.queryParam(name);
        if (text == null || text.equals("false")) {
            return false;
        }
        if (text.equals("true")) {
            return true;
        }
        throw ProblemException.badRequest(name, text, "true or false");
    }
}
