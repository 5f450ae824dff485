package dev.vigil.api.binding;

import java.time.Duration;

/**
 * A value a document may not hold. Thrown by the compact constructors of wire and config
 * records; {@link Documents} adds the path of the enclosing object so the message names the
 * whole field, e.g. {@code sampling.interval: "0s" is not allowed (allowed: at least 10ms)}.
 */
public final class InvalidValueException extends IllegalArgumentException {
    private final String field;
    private final String value;
    private final String allowed;

    /**
     * @param field   the field's name within its record (may be empty when the caller only
     *                knows the value, the binder then uses the path it was reading)
     * @param value   the offending value as the user wrote it
     * @param allowed what would have been accepted, in words a person can act on
     */
    public InvalidValueException(String field, Object value, String allowed) {
        super(describe(field, value, allowed));
        this.field = field == null ? "" : field;
        this.value = shown(value);
        this.allowed = allowed;
    }

    public String field() {
        return field;
    }

    public String value() {
        return value;
    }

    public String allowed() {
        return allowed;
    }

    /** Values as the user wrote them: durations as {@code 10ms}, not {@code PT0.01S}. */
    private static String shown(Object value) {
        if (value == null) {
            return null;
        }
        return value instanceof Duration duration ? HumanDurations.format(duration) : String.valueOf(value);
    }

    static String describe(String field, Object value, String allowed) {
        String where = field == null || field.isEmpty() ? "" : field + ": ";
        if (value == null) {
            return where + "missing (required: " + allowed + ")";
        }
        return where + "\"" + shown(value) + "\" is not allowed (allowed: " + allowed + ")";
    }

    /** Throws unless a required field is present. */
    public static <T> T required(T value, String field, String allowed) {
        if (value == null) {
            throw new InvalidValueException(field, null, allowed);
        }
        return value;
    }

    /** Requires {@code condition}, else throws with the given field, value and allowed text. */
    public static void require(boolean condition, String field, Object value, String allowed) {
        if (!condition) {
            throw new InvalidValueException(field, value, allowed);
        }
    }
}
