package dev.vigil.sim.trace;

import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.jobs.JobKind;
import dev.vigil.api.jobs.JobSpec;
import dev.vigil.sim.csv.CsvFile;

import java.time.Duration;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Philly-derived CSV several papers replay: {@code timestamp,duration,num_gpus,gpu_time,cluster}.
 * {@code timestamp} is when the job was submitted (seconds, or a date-time such as
 * {@code 2017-10-03 14:00:00}, read as UTC); times are shifted so the first job arrives at 0.
 * {@code duration} is how long it ran, in seconds. {@code gpu_time} is not used. {@code cluster}
 * (Philly's virtual cluster, a team's share of the machines) becomes the job's tenant.
 *
 * <p>Sizes: up to 8 GPUs is one node; more is a gang over the fewest nodes that split it evenly
 * with at most 8 GPUs each (16 → 2 × 8, 12 → 2 × 6, 24 → 3 × 8, 9 → 3 × 3). Rows with 0 GPUs
 * are left out and counted.
 */
final class PhillyCsv {
    private static final String SHAPE = "the Philly-derived CSV (timestamp,duration,num_gpus,gpu_time,cluster)";

    private PhillyCsv() {
    }

    static Trace read(CsvFile csv, RuntimeLimitRule rule) {
        csv.require(List.of("timestamp", "duration", "num_gpus"), SHAPE);
        List<TraceJob> jobs = new ArrayList<>();
        Map<String, Integer> skipped = new LinkedHashMap<>();
        int rows = 0;
        long first = Long.MAX_VALUE;
        for (CsvFile.Row row = csv.next(); row != null; row = csv.next()) {
            rows++;
            long submit = timestamp(row);
            long duration = Math.round(row.number("duration", 0) * 1000);
            int gpus = (int) row.integer("num_gpus", 0, JobSpec.MAX_GPUS_PER_NODE * 4096L);
            if (!row.get("gpu_time").isEmpty()) {
                row.number("gpu_time", 0);
            }
            String tenant = row.get("cluster").isEmpty() ? null : row.get("cluster");
            if (tenant != null && !tenant.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}")) {
                throw row.invalid("cluster", tenant, "a name of letters, digits, '.', '_' and '-' (it becomes the "
                        + "tenant)");
            }
            if (gpus == 0) {
                skipped.merge("no GPUs (num_gpus 0)", 1, Integer::sum);
                continue;
            }
            first = Math.min(first, submit);
            int nodes = nodesFor(gpus);
            Duration runs = Duration.ofMillis(duration);
            String id = "job-" + row.line();
            JobSpec spec;
            try {
                spec = new JobSpec(id, JobKind.TRAINING, tenant, null, null, null, null, nodes, gpus / nodes, null,
                        null, null, null, null, rule.limitFor(runs), runs, null, null, null, null, null);
            } catch (InvalidValueException e) {
                throw row.invalid("num_gpus", row.get("num_gpus"), "a size that splits into at most 4096 nodes of up "
                        + "to 8 GPUs each (" + e.getMessage() + ")");
            }
            jobs.add(new TraceJob(id, submit, spec, row.line()));
        }
        long origin = first == Long.MAX_VALUE ? 0 : first;
        List<TraceJob> shifted = jobs.stream()
                .map(j -> new TraceJob(j.id(), j.submitMillis() - origin, j.spec(), j.line())).toList();
        return new Trace(csv.file().toString(), TraceFormat.PHILLY, rows, shifted, skipped);
    }

    /** The fewest nodes of at most 8 GPUs that split {@code gpus} evenly. */
    static int nodesFor(int gpus) {
        int nodes = (gpus + JobSpec.MAX_GPUS_PER_NODE - 1) / JobSpec.MAX_GPUS_PER_NODE;
        while (gpus % nodes != 0) {
            nodes++;
        }
        return nodes;
    }

    private static long timestamp(CsvFile.Row row) {
        String text = row.get("timestamp");
        try {
            return Math.round(row.number("timestamp", 0) * 1000);
        } catch (RuntimeException notANumber) {
            try {
                return OffsetDateTime.parse(text.replace(' ', 'T')).toInstant().toEpochMilli();
            } catch (DateTimeParseException notWithZone) {
                try {
                    return LocalDateTime.parse(text.replace(' ', 'T')).toInstant(ZoneOffset.UTC).toEpochMilli();
                } catch (DateTimeParseException e) {
                    throw row.invalid("timestamp", text, "seconds, or a date-time such as 2017-10-03 14:00:00");
                }
            }
        }
    }
}
