package dev.vigil.alerts.shipped;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The metric names a PromQL expression (or a Grafana query with its variables) reads. */
final class PromQl {
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without", "on",
            "ignoring", "group_left", "group_right", "inf", "nan", "Inf", "NaN");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([A-Za-z_:][A-Za-z0-9_:]*)");
    private static final Pattern NAME = Pattern.compile("[A-Za-z_:][A-Za-z0-9_:]*");

    private PromQl() {
    }

    static Set<String> metricNames(String expr) {
        Set<String> names = new TreeSet<>();
        Matcher labelValues = LABEL_VALUES.matcher(expr);
        if (labelValues.find()) {
            names.add(labelValues.group(1));
            return names;
        }
        String stripped = expr
                .replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", " ")
                .replaceAll("'(?:[^'\\\\]|\\\\.)*'", " ")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
                .replaceAll("\\$\\{?\\w+}?", " ")
                .replaceAll("(?<![A-Za-z0-9_:])\\d+(\\.\\d+)?([eE][+-]?\\d+)?[a-z]*", " ");
        Matcher name = NAME.matcher(stripped);
        while (name.find()) {
            String token = name.group();
            boolean call = stripped.substring(name.end()).matches("(?s)\\s*\\(.*");
            if (!call && !KEYWORDS.contains(token)) {
                names.add(token);
            }
        }
        return names;
    }
}
