package dev.vigil.sim.csv;

import dev.vigil.api.binding.InvalidDocumentException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A CSV file with a header line, read row by row. Cells are found by column name, so columns may
 * come in any order; blank lines and lines starting with {@code #} are skipped; a cell may be
 * quoted ({@code "a,b"}, {@code ""} for a quote). Every complaint names the file, the line, the
 * column and the value, as an {@link InvalidDocumentException}.
 */
public final class CsvFile implements AutoCloseable {
    private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?");

    private final Path file;
    private final BufferedReader reader;
    private final List<String> columns;
    private final Map<String, Integer> index = new HashMap<>();
    private int line;
    private final int headerLine;

    private CsvFile(Path file, BufferedReader reader) throws IOException {
        this.file = file;
        this.reader = reader;
        String header = nextContentLine();
        if (header == null) {
            throw new InvalidDocumentException(file.toString(), "", "", "a header line naming the columns",
                    "the file is empty (expected a header line naming the columns)");
        }
        this.headerLine = line;
        this.columns = List.copyOf(split(header.strip().replace("\uFEFF", "")));
        for (int i = 0; i < columns.size(); i++) {
            if (index.putIfAbsent(columns.get(i), i) != null) {
                throw new InvalidDocumentException(file.toString(), columns.get(i), columns.get(i),
                        "each column once", "line " + line + ": column \"" + columns.get(i) + "\" appears twice");
            }
        }
    }

    /** Opens a file and reads its header; a missing file is an {@link InvalidDocumentException}. */
    public static CsvFile open(Path file) {
        try {
            return new CsvFile(file, Files.newBufferedReader(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            throw new InvalidDocumentException(file.toString(), "", file.toString(), "an existing file",
                    "file not found");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    public Path file() {
        return file;
    }

    /** The header's column names, in file order. */
    public List<String> columns() {
        return columns;
    }

    public boolean has(String column) {
        return index.containsKey(column);
    }

    /** Fails unless the header names every one of {@code required}; {@code shape} says what the file should be. */
    public void require(List<String> required, String shape) {
        for (String column : required) {
            if (!has(column)) {
                throw new InvalidDocumentException(file.toString(), column, String.join(",", columns),
                        shape, "line " + headerLine + ": no column \"" + column + "\" in the header "
                        + String.join(",", columns) + " (expected " + shape + ")");
            }
        }
    }

    /** Fails on a column not in {@code known}: a misspelt optional column would otherwise be ignored. */
    public void allowOnly(List<String> known) {
        for (int i = 0; i < columns.size(); i++) {
            if (!known.contains(columns.get(i))) {
                throw new InvalidDocumentException(file.toString(), columns.get(i), columns.get(i),
                        String.join(", ", known), "line " + headerLine + ", column " + (i + 1) + ": unknown column \""
                        + columns.get(i) + "\" (allowed: " + String.join(", ", known) + ")");
            }
        }
    }

    /** The next row, or null at the end of the file. */
    public Row next() {
        try {
            String text = nextContentLine();
            if (text == null) {
                return null;
            }
            List<String> cells = split(text);
            if (cells.size() != columns.size()) {
                throw new InvalidDocumentException(file.toString(), "", text, columns.size() + " cells",
                        "line " + line + ": " + cells.size() + " cells where the header has " + columns.size()
                                + " (" + String.join(",", columns) + ")");
            }
            return new Row(line, cells);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    @Override
    public void close() {
        try {
            reader.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close " + file, e);
        }
    }

    private String nextContentLine() throws IOException {
        String text;
        do {
            text = reader.readLine();
            line++;
        } while (text != null && (text.isBlank() || text.startsWith("#")));
        return text;
    }

    private List<String> split(String text) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cell.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                cells.add(cell.toString().strip());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        if (quoted) {
            throw new InvalidDocumentException(file.toString(), "", text, "quotes that close",
                    "line " + line + ": a quote is opened and never closed");
        }
        cells.add(cell.toString().strip());
        return cells;
    }

    /** Whether {@code text} is a plain decimal number, such as {@code -3}, {@code 0.5} or {@code 1.2e3}. */
    public static boolean isNumber(String text) {
        return NUMBER.matcher(text).matches();
    }

    /** One data row. */
    public final class Row {
        private final int line;
        private final List<String> cells;

        private Row(int line, List<String> cells) {
            this.line = line;
            this.cells = cells;
        }

        public int line() {
            return line;
        }

        /** The cell under {@code column}: "" when it is empty or the file has no such column. */
        public String get(String column) {
            Integer at = index.get(column);
            return at == null ? "" : cells.get(at);
        }

        /** A whole number from {@code min} to {@code max}. */
        public long integer(String column, long min, long max) {
            String text = get(column);
            String allowed = "a whole number from " + min + " to " + max;
            try {
                long value = Long.parseLong(text);
                if (value < min || value > max) {
                    throw invalid(column, text, allowed);
                }
                return value;
            } catch (NumberFormatException e) {
                throw invalid(column, text, allowed);
            }
        }

        /** A decimal number of at least {@code min}, such as {@code 42}, {@code 0.5} or {@code 1.2e3}. */
        public double number(String column, double min) {
            String text = get(column);
            String allowed = "a number of at least " + (min == Math.rint(min) ? String.valueOf((long) min) : min);
            // Double.parseDouble alone would take "7d" (a Java double literal) as 7.
            if (!isNumber(text) || Double.parseDouble(text) < min) {
                throw invalid(column, text, allowed);
            }
            return Double.parseDouble(text);
        }

        /** An error about this row's {@code column}: file, line, column, value and what is allowed. */
        public InvalidDocumentException invalid(String column, String value, String allowed) {
            Integer at = index.get(column);
            String where = "line " + line + ", column " + (at == null ? "" : (at + 1) + " ") + "(" + column + ")";
            String message = value == null || value.isEmpty()
                    ? where + ": missing (required: " + allowed + ")"
                    : where + ": \"" + value + "\" is not allowed (allowed: " + allowed + ")";
            return new InvalidDocumentException(file.toString(), column, value, allowed, message);
        }
    }
}
