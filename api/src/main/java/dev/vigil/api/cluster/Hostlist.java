package dev.vigil.api.cluster;

import dev.vigil.api.binding.InvalidValueException;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Slurm's host lists, as slurm.conf, topology.conf, squeue and Vigil's own configs write them:
 * {@code gpu[01-04,07]}, {@code tux[0-3,12],login1}, {@code cpu-[1-3]-a}, {@code rack[1-2]-gpu[1-8]}.
 * A range keeps the width of its first bound ({@code gpu[08-10]} is gpu08, gpu09, gpu10). A name
 * may hold several bracket groups, expanded first group outermost; brackets do not nest.
 */
public final class Hostlist {
    private static final String ALLOWED = "host names or ranges like gpu[01-32], tux[0-3,12] or rack[1-2]-gpu[1-8], "
            + "separated by commas";
    /** Bounds what one expression expands to, so that a typo cannot exhaust memory. */
    private static final int MAX_HOSTS = 100_000;
    private static final String TOO_MANY = ALLOWED + "; at most " + MAX_HOSTS + " hosts in all";
    /** Up to 18 digits, so that a bound always fits a long. */
    private static final Pattern BOUND = Pattern.compile("\\d{1,18}");

    private Hostlist() {
    }

    /**
     * The host names of an expression, in order; empty for null or a blank string, which is how
     * Slurm writes "no hosts" (a pending job's nodes, a switch without children).
     *
     * @param field names the expression in the error when it is malformed
     * @throws InvalidValueException naming {@code field}, the expression and what is allowed
     */
    public static List<String> expand(String expression, String field) {
        List<String> hosts = new ArrayList<>();
        if (expression == null || expression.isBlank()) {
            return hosts;
        }
        for (String part : splitTopLevel(expression, field)) {
            InvalidValueException.require(!part.isBlank(), field, expression, ALLOWED);
            expandPart(part.strip(), field, expression, hosts);
        }
        return hosts;
    }

    /** As {@link #expand}, for a field that must name at least one host: null or blank is an error. */
    public static List<String> expandNonEmpty(String expression, String field) {
        InvalidValueException.require(expression != null && !expression.isBlank(), field, expression, ALLOWED);
        return expand(expression, field);
    }

    /** Expands the first bracket group of one host expression and recurses into the rest. */
    private static void expandPart(String part, String field, String expression, List<String> into) {
        int open = part.indexOf('[');
        if (open < 0) {
            InvalidValueException.require(part.chars().noneMatch(Character::isWhitespace), field, expression,
                    ALLOWED);
            InvalidValueException.require(into.size() < MAX_HOSTS, field, expression, TOO_MANY);
            into.add(part);
            return;
        }
        // splitTopLevel saw the brackets balanced and not nested.
        int close = part.indexOf(']', open);
        String prefix = part.substring(0, open);
        String rest = part.substring(close + 1);
        for (String range : part.substring(open + 1, close).split(",", -1)) {
            String[] bounds = range.split("-", -1);
            InvalidValueException.require(bounds.length <= 2 && BOUND.matcher(bounds[0]).matches()
                    && (bounds.length == 1 || BOUND.matcher(bounds[1]).matches()), field, expression, ALLOWED);
            long from = Long.parseLong(bounds[0]);
            long to = bounds.length == 2 ? Long.parseLong(bounds[1]) : from;
            InvalidValueException.require(from <= to, field, expression, ALLOWED);
            InvalidValueException.require(to - from < MAX_HOSTS, field, expression, TOO_MANY);
            String format = "%0" + bounds[0].length() + "d";
            for (long i = from; i <= to; i++) {
                expandPart(prefix + String.format(format, i) + rest, field, expression, into);
            }
        }
    }

    /** Splits on the commas outside brackets; brackets must balance and must not nest. */
    private static List<String> splitTopLevel(String expression, String field) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < expression.length(); i++) {
            char c = expression.charAt(i);
            if (c == '[') {
                depth++;
            } else if (c == ']') {
                depth--;
            } else if (c == ',' && depth == 0) {
                parts.add(expression.substring(start, i));
                start = i + 1;
            }
            InvalidValueException.require(depth == 0 || depth == 1, field, expression, ALLOWED);
        }
        InvalidValueException.require(depth == 0, field, expression, ALLOWED);
        parts.add(expression.substring(start));
        return parts;
    }
}
