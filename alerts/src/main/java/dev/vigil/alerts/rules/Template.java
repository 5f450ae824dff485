package dev.vigil.alerts.rules;

import dev.vigil.api.binding.InvalidValueException;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Text with {@code ${name}} placeholders for an alert's labels, its annotations and {@code value}.
 * {@code $$} is a literal {@code $}. A name the rule can never have is refused when the rules are
 * loaded, so a typo stops the controller at start instead of paging with a blank; a name the
 * alert happens not to have (a free GPU has no {@code job}) renders empty.
 */
public final class Template {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\$|\\$\\{([A-Za-z_][A-Za-z0-9_]*)}|\\$");

    private final String text;
    /** Literal text at even positions, names at odd ones. */
    private final List<String> parts;

    private Template(String text, List<String> parts) {
        this.text = text;
        this.parts = parts;
    }

    /**
     * @param text    the template
     * @param field   the field it came from, for the error
     * @param allowed the names it may use
     */
    public static Template parse(String text, String field, Set<String> allowed) {
        List<String> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        Matcher matcher = PLACEHOLDER.matcher(text);
        int at = 0;
        while (matcher.find()) {
            literal.append(text, at, matcher.start());
            at = matcher.end();
            if (matcher.group().equals("$$")) {
                literal.append('$');
                continue;
            }
            String name = matcher.group(1);
            if (name == null || !allowed.contains(name)) {
                throw new InvalidValueException(field, text, "text with ${name} placeholders, where name is one of "
                        + String.join(", ", new TreeSet<>(allowed)) + " ($$ for a literal $)");
            }
            parts.add(literal.toString());
            parts.add(name);
            literal.setLength(0);
        }
        literal.append(text, at, text.length());
        parts.add(literal.toString());
        return new Template(text, List.copyOf(parts));
    }

    public String render(Map<String, String> values) {
        if (parts.size() == 1) {
            return parts.get(0);
        }
        StringBuilder out = new StringBuilder(text.length() + 32);
        for (int i = 0; i < parts.size(); i++) {
            if (i % 2 == 0) {
                out.append(parts.get(i));
            } else {
                out.append(values.getOrDefault(parts.get(i), ""));
            }
        }
        return out.toString();
    }

    /** A number as a person reads it: {@code 87.3}, {@code 5}, not {@code 87.30000001}. */
    public static String number(double value) {
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        String text = String.format(Locale.ROOT, "%.2f", value);
        return text.replaceAll("0+$", "").replaceAll("\\.$", "");
    }
}
