package dev.vigil.sim.trace;

import dev.vigil.api.binding.InvalidDocumentException;
import dev.vigil.sim.csv.CsvFile;

import java.nio.file.Path;

/** The trace shapes {@code vigil sim} reads, each recognised by its header. */
public enum TraceFormat {
    /** The project's own CSV (docs/sim.md): any JobSpec, one row each. */
    VIGIL,
    /** The Philly-derived CSV of several papers: {@code timestamp,duration,num_gpus,gpu_time,cluster}. */
    PHILLY,
    /** Alibaba's 2023 GPU pod list (cluster-trace-gpu-v2023, openb_pod_list_*.csv). */
    ALIBABA;

    /**
     * Reads a trace.
     *
     * @param format the shape, or null to tell it by the header
     * @param rule   the runtime limit of rows that give none
     * @param slices the cluster's MIG slices, for fractional-GPU requests
     */
    public static Trace read(Path file, TraceFormat format, RuntimeLimitRule rule, MigSlices slices) {
        try (CsvFile csv = CsvFile.open(file)) {
            TraceFormat shape = format != null ? format : detect(csv);
            return switch (shape) {
                case VIGIL -> VigilCsv.read(csv, rule);
                case PHILLY -> PhillyCsv.read(csv, rule);
                case ALIBABA -> AlibabaPods.read(csv, rule, slices);
            };
        }
    }

    static TraceFormat detect(CsvFile csv) {
        if (csv.has("num_gpu") && csv.has("gpu_milli")) {
            return ALIBABA;
        }
        if (csv.has("num_gpus") && csv.has("timestamp")) {
            return PHILLY;
        }
        if (csv.has("submit") && csv.has("duration")) {
            return VIGIL;
        }
        String header = String.join(",", csv.columns());
        throw new InvalidDocumentException(csv.file().toString(), "", header, "a known trace header",
                "line 1: header \"" + header + "\" is none of the trace formats (allowed: Vigil CSV with submit and "
                        + "duration columns; Philly-derived timestamp,duration,num_gpus,gpu_time,cluster; Alibaba "
                        + "2023 pod list name,...,num_gpu,gpu_milli,gpu_spec,...,creation_time,deletion_time)");
    }

    /** As written on the command line and in reports: {@code vigil}, {@code philly}, {@code alibaba}. */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
