package dev.vigil.api;

import dev.vigil.api.binding.InvalidDocumentException;

/**
 * An RFC 9457 problem document ({@code application/problem+json}). Errors about input carry the
 * field, the offending value and what is allowed, so a script can act on them.
 *
 * @param type     a URI naming the kind of problem (relative, under {@code /problems/})
 * @param title    a short summary of the kind of problem
 * @param status   the HTTP status
 * @param detail   what went wrong this time, in words
 * @param instance the request path
 * @param field    the offending field, for input errors
 * @param value    the offending value, for input errors
 * @param allowed  what would have been accepted, for input errors
 */
public record Problem(String type, String title, int status, String detail, String instance, String field,
                      String value, String allowed) {
    public static final String MEDIA_TYPE = "application/problem+json";

    public static Problem of(int status, String type, String title, String detail, String instance) {
        return new Problem("/problems/" + type, title, status, detail, instance, null, null, null);
    }

    /** A request body that cannot be bound; an error about the whole body names the field {@code body}. */
    public static Problem invalidInput(InvalidDocumentException e, String instance) {
        return new Problem("/problems/invalid-input", "Invalid input", 400, e.getMessage(), instance,
                e.field() == null || e.field().isEmpty() ? "body" : e.field(), e.value(), e.allowed());
    }
}
