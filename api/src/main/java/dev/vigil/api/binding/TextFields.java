package dev.vigil.api.binding;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The rules text fields of wire records follow, so that no request stores a 100 kB queue name or
 * a name with a terminal escape in it. Each check passes a null (the record decides on defaults)
 * and throws {@link InvalidValueException} naming the field otherwise. The error's text is built only
 * when a value is refused: these checks run on every text field of every request.
 */
public final class TextFields {
    /** Names of things (tenants, queues, pools, priority classes, backends): what config files may name. */
    public static final String IDENTIFIER_ALLOWED = "letters, digits, '.', '_' and '-', starting with a letter or "
            + "digit, up to 63 characters";
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    private TextFields() {
    }

    /** A name of something configured: {@link #IDENTIFIER_ALLOWED}. */
    public static String identifier(String value, String field) {
        InvalidValueException.require(value == null || IDENTIFIER.matcher(value).matches(), field, shown(value),
                IDENTIFIER_ALLOWED);
        return value;
    }

    /** Text for people on one line: 1 to {@code max} characters, no control characters, not only spaces. */
    public static String line(String value, String field, int max) {
        if (value != null && (value.isBlank() || value.length() > max
                || value.chars().anyMatch(Character::isISOControl))) {
            throw new InvalidValueException(field, shown(value),
                    "1 to " + max + " characters without control characters");
        }
        return value;
    }

    /** Free text such as a command argument: up to {@code max} characters, no NUL (no program could receive it). */
    public static String text(String value, String field, int max) {
        if (value != null && (value.length() > max || value.indexOf('\0') >= 0)) {
            throw new InvalidValueException(field, shown(value), "up to " + max + " characters without NUL");
        }
        return value;
    }

    /** A list of at most {@code max} items. */
    public static <T> List<T> list(List<T> value, String field, int max) {
        if (value != null && value.size() > max) {
            throw new InvalidValueException(field, value.size() + " items", "up to " + max + " items");
        }
        return value;
    }

    /** A map of at most {@code max} entries. */
    public static <K, V> Map<K, V> map(Map<K, V> value, String field, int max) {
        if (value != null && value.size() > max) {
            throw new InvalidValueException(field, value.size() + " entries", "up to " + max + " entries");
        }
        return value;
    }

    /** A refused value as an error shows it: long ones cut, so the error is not the 100 kB it refuses. */
    private static String shown(String value) {
        return value == null || value.length() <= 80 ? value : value.substring(0, 77) + "...";
    }
}
