package dev.vigil.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Columns for people: a header in capitals, cells left-aligned two spaces apart, the last column
 * never padded (it holds the long text: reasons, messages). A missing value prints as {@code -}.
 *
 * <p>A table {@link #fit fitted} to a width narrows its widest columns until a line fits, and cuts
 * what no longer fits with an ellipsis; {@code -o json} has the whole text.
 *
 * <p>A table can be printed more than once, for output that keeps coming ({@code --follow}): the
 * header comes once, each call prints the rows added since, and columns only ever widen.
 */
final class Table {
    private static final String GAP = "  ";

    private final String[] headers;
    private final int[] widths;
    private final List<String[]> pending = new ArrayList<>();
    private boolean headerPrinted;
    private int maxWidth = Integer.MAX_VALUE;

    Table(String... headers) {
        this.headers = headers.clone();
        this.widths = Arrays.stream(headers).mapToInt(String::length).toArray();
    }

    /** Adds a row; cells are printed with {@code toString}, null as {@code -}. */
    Table row(Object... cells) {
        if (cells.length != headers.length) {
            throw new IllegalArgumentException(cells.length + " cells for " + headers.length + " columns");
        }
        String[] row = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            row[i] = cells[i] == null ? "-" : cells[i].toString().replaceAll("\\s*\\R\\s*", " ");
            if (row[i].isEmpty()) {
                row[i] = "-";
            }
        }
        pending.add(row);
        return this;
    }

    /** Lines at most {@code width} characters long (no column narrower than its header or 8). */
    Table fit(int width) {
        this.maxWidth = width;
        return this;
    }

    /**
     * The terminal's width as the shell tells it ({@code COLUMNS}, which shells set but do not
     * always export), else 120.
     */
    static int terminalWidth() {
        String columns = ContextFile.environment.apply("COLUMNS");
        if (columns != null && columns.matches("\\d{2,4}")) {
            return Integer.parseInt(columns);
        }
        return 120;
    }

    /** Prints the header (the first time) and the rows added since the last call. */
    void print(PrintWriter out) {
        for (String[] row : pending) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        narrow();
        if (!headerPrinted) {
            line(out, headers);
            headerPrinted = true;
        }
        pending.forEach(row -> line(out, row));
        pending.clear();
        out.flush();
    }

    /** Narrows the widest column, one character at a time, until a line fits or nothing can give. */
    private void narrow() {
        while (Arrays.stream(widths).sum() + GAP.length() * (widths.length - 1) > maxWidth) {
            int widest = -1;
            for (int i = 0; i < widths.length; i++) {
                if (widths[i] > Math.max(8, headers[i].length()) && (widest < 0 || widths[i] > widths[widest])) {
                    widest = i;
                }
            }
            if (widest < 0) {
                return;
            }
            widths[widest]--;
        }
    }

    private void line(PrintWriter out, String[] cells) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            String cell = cells[i].length() > widths[i] ? cells[i].substring(0, widths[i] - 1) + "…" : cells[i];
            line.append(cell);
            if (i < cells.length - 1) {
                line.append(" ".repeat(widths[i] - cell.length())).append(GAP);
            }
        }
        out.println(line.toString().stripTrailing());
    }

    /** How long ago, in one unit a person reads at a glance: {@code 3s ago}, {@code 5m ago}, {@code 2d ago}. */
    static String ago(Instant then, Instant now) {
        if (then == null) {
            return "never";
        }
        long seconds = Math.max(0, Duration.between(then, now).toSeconds());
        if (seconds < 120) {
            return seconds + "s ago";
        }
        if (seconds < 120 * 60) {
            return seconds / 60 + "m ago";
        }
        if (seconds < 48 * 3600) {
            return seconds / 3600 + "h ago";
        }
        return seconds / 86_400 + "d ago";
    }

    /**
     * When an agent last reported. The controller writes that time at most every 5 s (a report
     * that changes nothing is not written more often), so a recent one reads {@code <10s ago},
     * which is always true, rather than an age that would be up to 7 s off.
     */
    static String reported(Instant lastReport, Instant now) {
        if (lastReport != null && Duration.between(lastReport, now).toSeconds() < 10) {
            return "<10s ago";
        }
        return ago(lastReport, now);
    }

    /** An instant to the second, in UTC: {@code 2026-11-22T08:57:45Z}. */
    static String time(Instant instant) {
        return instant == null ? null : instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** {@code yes} or {@code no}. */
    static String yesNo(boolean value) {
        return value ? "yes" : "no";
    }

    /** An enum as the API writes it: {@code reset-gpu}. */
    static String wire(Enum<?> value) {
        return value == null ? null : value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
