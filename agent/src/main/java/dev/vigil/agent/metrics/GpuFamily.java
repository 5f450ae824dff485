package dev.vigil.agent.metrics;

import io.prometheus.metrics.model.snapshots.Label;
import io.prometheus.metrics.model.snapshots.Labels;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One metric family of GPU series in Prometheus' text format (0.0.4), its series in the order
 * they were added: GPU 0, 1, 2 ... as dcgm-exporter prints them. (The client library's snapshots
 * sort series by their label values, which puts them in UUID order.) Labels are printed in the
 * library's order, by name.
 */
final class GpuFamily {
    private final String name;
    private final String help;
    private final String type;
    private final List<Labels> labels = new ArrayList<>();
    private final List<Double> values = new ArrayList<>();

    /** @param type {@code gauge} or {@code untyped} */
    GpuFamily(String name, String help, String type) {
        this.name = name;
        this.help = help;
        this.type = type;
    }

    GpuFamily add(Labels series, double value) {
        labels.add(series);
        values.add(value);
        return this;
    }

    /** Appends the family, {@code # HELP} and {@code # TYPE} first, to {@code out}. */
    void writeTo(StringBuilder out) {
        out.append("# HELP ").append(name).append(' ');
        escape(help, false, out);
        out.append("\n# TYPE ").append(name).append(' ').append(type).append('\n');
        for (int i = 0; i < labels.size(); i++) {
            out.append(name);
            char separator = '{';
            for (Label label : labels.get(i)) {
                out.append(separator).append(label.getName()).append("=\"");
                escape(label.getValue(), true, out);
                out.append('"');
                separator = ',';
            }
            if (separator == ',') {
                out.append('}');
            }
            out.append(' ').append(number(values.get(i))).append('\n');
        }
    }

    static byte[] bytes(StringBuilder text) {
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Backslash and line feed always; the double quote in label values too. */
    private static void escape(String text, boolean quote, StringBuilder out) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '"' -> out.append(quote ? "\\\"" : "\"");
                default -> out.append(c);
            }
        }
    }

    private static String number(double value) {
        if (value == Double.POSITIVE_INFINITY) {
            return "+Inf";
        }
        if (value == Double.NEGATIVE_INFINITY) {
            return "-Inf";
        }
        return Double.toString(value);
    }
}
