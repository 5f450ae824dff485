package dev.vigil.api.binding;

/**
 * A document (a config file, a request body, a fleet description) that cannot be bound.
 * The message names the source, the field path, the value and what is allowed; the parts are
 * also available separately so the REST layer can put them into problem+json.
 */
public final class InvalidDocumentException extends RuntimeException {
    private final String source;
    private final String field;
    private final String value;
    private final String allowed;

    public InvalidDocumentException(String source, String field, String value, String allowed, String message) {
        super((source == null || source.isEmpty() ? "" : source + ": ") + message);
        this.source = source;
        this.field = field;
        this.value = value;
        this.allowed = allowed;
    }

    /** Where the document came from: a file name or "request body". */
    public String source() {
        return source;
    }

    /** The dotted path of the offending field, e.g. {@code simulated.faults[0].gpu}; empty for the whole document. */
    public String field() {
        return field;
    }

    /** The offending value as written, or null when the problem is a missing or misplaced key. */
    public String value() {
        return value;
    }

    /** What would have been accepted. */
    public String allowed() {
        return allowed;
    }

    /** The message without the source prefix. */
    public String detail() {
        String message = getMessage();
        return source == null || source.isEmpty() ? message : message.substring(source.length() + 2);
    }
}
