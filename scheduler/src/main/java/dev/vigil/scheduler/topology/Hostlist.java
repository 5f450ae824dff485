package dev.vigil.scheduler.topology;

import dev.vigil.api.binding.InvalidValueException;

import java.util.ArrayList;
import java.util.List;

/**
 * Slurm-style host lists: {@code gpu-[001-032]}, {@code tux[0-3,12]}, {@code a,b,c}. Leading zeros
 * in a range keep their width.
 */
public final class Hostlist {
    private static final String ALLOWED = "host names or ranges like gpu-[001-032] or tux[0-3,12]";

    private Hostlist() {
    }

    public static List<String> expand(String expression, String field) {
        List<String> hosts = new ArrayList<>();
        for (String part : split(expression, field)) {
            int open = part.indexOf('[');
            if (open < 0) {
                InvalidValueException.require(!part.isBlank() && part.indexOf(']') < 0, field, expression, ALLOWED);
                hosts.add(part.trim());
                continue;
            }
            int close = part.indexOf(']', open);
            InvalidValueException.require(close > open, field, expression, ALLOWED);
            String prefix = part.substring(0, open);
            String suffix = part.substring(close + 1);
            for (String range : part.substring(open + 1, close).split(",")) {
                String[] bounds = range.split("-");
                InvalidValueException.require(bounds.length == 1 || bounds.length == 2, field, expression, ALLOWED);
                try {
                    int from = Integer.parseInt(bounds[0]);
                    int to = bounds.length == 2 ? Integer.parseInt(bounds[1]) : from;
                    InvalidValueException.require(from <= to && to - from < 100_000, field, expression, ALLOWED);
                    int width = bounds[0].length();
                    for (int i = from; i <= to; i++) {
                        hosts.add(prefix + String.format("%0" + width + "d", i) + suffix);
                    }
                } catch (NumberFormatException e) {
                    throw new InvalidValueException(field, expression, ALLOWED);
                }
            }
        }
        return hosts;
    }

    /** Splits on commas outside brackets. */
    private static List<String> split(String expression, String field) {
        InvalidValueException.require(expression != null && !expression.isBlank(), field, expression, ALLOWED);
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
        }
        parts.add(expression.substring(start));
        return parts;
    }
}
