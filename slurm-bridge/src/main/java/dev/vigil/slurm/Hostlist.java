package dev.vigil.slurm;

import dev.vigil.api.binding.InvalidValueException;

import java.util.ArrayList;
import java.util.List;

/**
 * Slurm's host lists, as slurmrestd, squeue and topology.conf write them: {@code gpu[01-04]},
 * {@code tux[0-3,12],login1}, {@code rack[1-2]-gpu[1-8]}. A range keeps the width of its first
 * bound ({@code gpu[08-10]} is gpu08, gpu09, gpu10).
 */
public final class Hostlist {
    static final String ALLOWED = "host names or ranges like gpu[01-32] or tux[0-3,12], separated by commas";

    private Hostlist() {
    }

    /**
     * The host names of an expression, in order; empty for null or an empty string.
     *
     * @param field names the expression in the error when it is malformed
     * @throws InvalidValueException naming {@code field}, the expression and what is allowed
     */
    public static List<String> expand(String expression, String field) {
        List<String> hosts = new ArrayList<>();
        if (expression == null || expression.isBlank()) {
            return hosts;
        }
        for (String part : splitTopLevel(expression, field, expression)) {
            InvalidValueException.require(!part.isBlank(), field, expression, ALLOWED);
            expandPart(part.strip(), field, expression, hosts);
        }
        return hosts;
    }

    /** Expands the first bracket group of one host expression and recurses into the rest. */
    private static void expandPart(String part, String field, String expression, List<String> into) {
        int open = part.indexOf('[');
        if (open < 0) {
            InvalidValueException.require(part.indexOf(']') < 0 && !part.contains(" "), field, expression, ALLOWED);
            into.add(part);
            return;
        }
        int close = part.indexOf(']', open);
        InvalidValueException.require(close > open + 1, field, expression, ALLOWED);
        String prefix = part.substring(0, open);
        String rest = part.substring(close + 1);
        for (String range : part.substring(open + 1, close).split(",", -1)) {
            String[] bounds = range.split("-", -1);
            InvalidValueException.require(bounds.length <= 2 && bounds[0].matches("\\d+")
                    && (bounds.length == 1 || bounds[1].matches("\\d+")), field, expression, ALLOWED);
            long from = Long.parseLong(bounds[0]);
            long to = bounds.length == 2 ? Long.parseLong(bounds[1]) : from;
            InvalidValueException.require(from <= to && to - from < 100_000, field, expression, ALLOWED);
            int width = bounds[0].length();
            for (long i = from; i <= to; i++) {
                expandPart(prefix + String.format("%0" + width + "d", i) + rest, field, expression, into);
            }
        }
    }

    /** Splits on the commas that are outside brackets. */
    private static List<String> splitTopLevel(String text, String field, String expression) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '[') {
                depth++;
            } else if (c == ']') {
                depth--;
            } else if (c == ',' && depth == 0) {
                parts.add(text.substring(start, i));
                start = i + 1;
            }
            InvalidValueException.require(depth == 0 || depth == 1, field, expression, ALLOWED);
        }
        InvalidValueException.require(depth == 0, field, expression, ALLOWED);
        parts.add(text.substring(start));
        return parts;
    }
}
