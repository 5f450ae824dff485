package dev.vigil.alerts.suppression;

import com.fasterxml.jackson.annotation.JsonCreator;
import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.binding.TextFields;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A label matcher as Alertmanager has them: {@code name="value"}, {@code name!="value"},
 * {@code name=~"regex"}, {@code name!~"regex"}. A regex matches the whole value; a label the alert
 * does not have matches as the empty string. A value with {@code = ! ~} or spaces needs quotes.
 * Written either as that text or, in silences sent to the API, as Alertmanager's object
 * {@code {name, value, isRegex, isEqual}}.
 */
public record Matcher(String name, String value, Boolean isRegex, Boolean isEqual) {
    static final String ALLOWED = "a matcher: name=\"value\", name!=\"value\", name=~\"regex\" or name!~\"regex\"";
    private static final Pattern TEXT = Pattern.compile(
            "\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*(=~|!~|!=|=)\\s*(?:\"((?:[^\"\\\\]|\\\\.)*)\"|([^\"\\s=!~]*))\\s*");
    private static final Map<String, Pattern> COMPILED = new ConcurrentHashMap<>();

    @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
    public Matcher {
        InvalidValueException.required(name, "name", "a label name");
        InvalidValueException.require(name.matches("[A-Za-z_][A-Za-z0-9_]{0,127}"), "name", name,
                "a label name: letters, digits and '_', up to 128");
        InvalidValueException.required(value, "value", "the value or regex to match");
        TextFields.text(value, "value", 1024);
        isRegex = isRegex != null && isRegex;
        isEqual = isEqual == null || isEqual;
        if (isRegex) {
            try {
                pattern(value);
            } catch (PatternSyntaxException e) {
                throw new InvalidValueException("value", value, "a regular expression (" + e.getDescription() + ")");
            }
        }
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static Matcher parse(String text) {
        java.util.regex.Matcher parsed = TEXT.matcher(text == null ? "" : text);
        if (!parsed.matches()) {
            throw new InvalidValueException("", text, ALLOWED);
        }
        String operator = parsed.group(2);
        String value = parsed.group(3) != null ? parsed.group(3).replaceAll("\\\\(.)", "$1") : parsed.group(4);
        return new Matcher(parsed.group(1), value, operator.endsWith("~"), !operator.startsWith("!"));
    }

    public static Matcher equal(String name, String value) {
        return new Matcher(name, value, false, true);
    }

    public boolean matches(Map<String, String> labels) {
        String actual = labels.getOrDefault(name, "");
        boolean hit = isRegex ? pattern(value).matcher(actual).matches() : actual.equals(value);
        return hit == isEqual;
    }

    /** Whether this matcher matches a label that is not there: a silence of only such matchers would mute everything. */
    public boolean matchesEmpty() {
        return matches(Map.of());
    }

    @Override
    public String toString() {
        String operator = (isEqual ? "=" : "!") + (isRegex ? "~" : isEqual ? "" : "=");
        return name + operator + "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static Pattern pattern(String regex) {
        return COMPILED.computeIfAbsent(regex, r -> Pattern.compile("(?:" + r + ")", Pattern.DOTALL));
    }
}
