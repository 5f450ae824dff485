package dev.vigil.sim.trace;

import dev.vigil.api.binding.HumanDurations;
import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.jobs.JobKind;
import dev.vigil.api.jobs.JobSpec;
import dev.vigil.api.jobs.Topology;
import dev.vigil.api.jobs.TopologyLevel;
import dev.vigil.sim.csv.CsvFile;

import java.io.IOException;
import java.io.Writer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The project's own trace CSV: one job per row, columns named like {@link JobSpec}'s fields so a
 * row says anything a submitted job can. Only {@code submit} and {@code duration} are required;
 * every column is documented in docs/sim.md.
 */
public final class VigilCsv {
    /** Every column, in the order {@link #write} puts them. */
    public static final List<String> COLUMNS = List.of("id", "submit", "duration", "kind", "gpus", "nodes",
            "gpusPerNode", "replicas", "migProfile", "models", "tenant", "priorityClass", "preemptible", "runtimeLimit",
            "topology", "pool");
    private static final String TIME = "seconds (e.g. 90 or 1.5) or a duration with a unit (e.g. 90s, 2h30m)";
    private static final String TOPOLOGY = "same-node, same-nvlink, same-leaf or max-leaves N, then optionally "
            + "required (the default) or preferred, e.g. \"same-leaf preferred\" or \"max-leaves 2\"";

    private VigilCsv() {
    }

    static Trace read(CsvFile csv, RuntimeLimitRule rule) {
        csv.require(List.of("submit", "duration"), "the Vigil trace CSV (" + String.join(",", COLUMNS) + ")");
        csv.allowOnly(COLUMNS);
        List<TraceJob> jobs = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        int rows = 0;
        for (CsvFile.Row row = csv.next(); row != null; row = csv.next()) {
            rows++;
            TraceJob job = job(row, rule);
            if (!ids.add(job.id())) {
                throw row.invalid("id", job.id(), "an id no earlier row has");
            }
            jobs.add(job);
        }
        return new Trace(csv.file().toString(), TraceFormat.VIGIL, rows, jobs, new HashMap<>());
    }

    private static TraceJob job(CsvFile.Row row, RuntimeLimitRule rule) {
        String id = row.get("id").isEmpty() ? "job-" + row.line() : row.get("id");
        long submit = millis(row, "submit");
        Duration duration = Duration.ofMillis(millis(row, "duration"));
        Duration limit = row.get("runtimeLimit").isEmpty() ? rule.limitFor(duration)
                : Duration.ofMillis(millis(row, "runtimeLimit"));
        String kindText = row.get("kind");
        JobKind kind = switch (kindText.toLowerCase(Locale.ROOT)) {
            case "", "training" -> JobKind.TRAINING;
            case "inference" -> JobKind.INFERENCE;
            default -> throw row.invalid("kind", kindText, "training or inference");
        };
        String preemptibleText = row.get("preemptible").toLowerCase(Locale.ROOT);
        Boolean preemptible = switch (preemptibleText) {
            case "" -> null;
            case "true", "yes" -> true;
            case "false", "no" -> false;
            default -> throw row.invalid("preemptible", row.get("preemptible"), "true or false");
        };
        List<String> models = row.get("models").isEmpty() ? null
                : Arrays.stream(row.get("models").split("\\|")).map(String::strip).toList();
        try {
            JobSpec spec = new JobSpec(id, kind, blank(row.get("tenant")), null, blank(row.get("priorityClass")),
                    preemptible, optionalInt(row, "gpus"), optionalInt(row, "nodes"), optionalInt(row, "gpusPerNode"),
                    models, blank(row.get("migProfile")), optionalInt(row, "replicas"), null, topology(row),
                    limit, duration, blank(row.get("pool")), null, null, null, null);
            return new TraceJob(id, submit, spec, row.line());
        } catch (InvalidValueException e) {
            String column = COLUMNS.contains(e.field()) ? e.field() : "topology";
            throw row.invalid(column, e.value() == null ? row.get(column) : e.value(), e.allowed());
        }
    }

    /** A time cell in milliseconds: seconds as a number, or a duration with a unit. */
    static long millis(CsvFile.Row row, String column) {
        String text = row.get(column);
        if (text.isEmpty()) {
            throw row.invalid(column, text, TIME);
        }
        if (CsvFile.isNumber(text)) {
            double seconds = Double.parseDouble(text);
            if (seconds >= 0 && seconds < 1e12) {
                return Math.round(seconds * 1000);
            }
            throw row.invalid(column, text, TIME + ", not negative");
        }
        try {
            return HumanDurations.parse(text, column).toMillis();
        } catch (InvalidValueException notADuration) {
            throw row.invalid(column, text, TIME);
        }
    }

    private static Integer optionalInt(CsvFile.Row row, String column) {
        return row.get(column).isEmpty() ? null : (int) row.integer(column, 0, 1_000_000);
    }

    private static String blank(String text) {
        return text.isEmpty() ? null : text;
    }

    private static Topology topology(CsvFile.Row row) {
        String text = row.get("topology");
        if (text.isEmpty()) {
            return null;
        }
        List<String> words = new ArrayList<>(List.of(text.toLowerCase(Locale.ROOT).split("\\s+")));
        Boolean required = null;
        String last = words.get(words.size() - 1);
        if (last.equals("required") || last.equals("preferred")) {
            required = last.equals("required");
            words.remove(words.size() - 1);
        }
        TopologyLevel level = Arrays.stream(TopologyLevel.values())
                .filter(l -> l.name().toLowerCase(Locale.ROOT).replace('_', '-').equals(words.get(0)))
                .findFirst().orElseThrow(() -> row.invalid("topology", text, TOPOLOGY));
        Integer maxLeaves = null;
        if (level == TopologyLevel.MAX_LEAVES) {
            try {
                maxLeaves = words.size() == 2 ? Integer.parseInt(words.get(1)) : null;
            } catch (NumberFormatException e) {
                throw row.invalid("topology", text, TOPOLOGY);
            }
        }
        if (words.size() != (level == TopologyLevel.MAX_LEAVES ? 2 : 1) || maxLeaves != null && maxLeaves < 1) {
            throw row.invalid("topology", text, TOPOLOGY);
        }
        return new Topology(level, required, maxLeaves);
    }

    /** Writes jobs in this format, every column, with the limits they carry. */
    public static void write(List<TraceJob> jobs, Writer out) throws IOException {
        out.write(String.join(",", COLUMNS) + "\n");
        for (TraceJob job : jobs) {
            JobSpec spec = job.spec();
            boolean training = spec.kind() == JobKind.TRAINING;
            List<String> cells = List.of(job.id(), seconds(job.submitMillis()), seconds(spec.duration().toMillis()),
                    spec.kind().name().toLowerCase(Locale.ROOT), "", training ? spec.nodes().toString() : "",
                    spec.gpusPerNode() == null ? "" : spec.gpusPerNode().toString(),
                    training ? "" : spec.replicas().toString(), spec.migProfile() == null ? "" : spec.migProfile(),
                    String.join("|", spec.models()), spec.tenant(),
                    spec.priorityClass() == null ? "" : spec.priorityClass(), spec.preemptible() ? "true" : "",
                    seconds(spec.runtimeLimit().toMillis()), topology(spec.topology()),
                    spec.pool() == null ? "" : spec.pool());
            out.write(String.join(",", cells) + "\n");
        }
    }

    private static String seconds(long millis) {
        return millis % 1000 == 0 ? Long.toString(millis / 1000) : String.format(Locale.ROOT, "%.3f", millis / 1000.0);
    }

    private static String topology(Topology topology) {
        if (topology == null) {
            return "";
        }
        return topology.level().name().toLowerCase(Locale.ROOT).replace('_', '-')
                + (topology.maxLeaves() == null ? "" : " " + topology.maxLeaves())
                + (topology.required() ? "" : " preferred");
    }
}
