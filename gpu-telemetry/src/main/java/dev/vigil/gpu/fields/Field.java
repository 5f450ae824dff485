package dev.vigil.gpu.fields;

/**
 * One GPU field Vigil reads.
 *
 * @param id       the DCGM field id ({@code DCGM_FI_*} numeric value)
 * @param name     the dcgm-exporter metric name, which is DCGM's field name
 * @param type     gauge, counter or label
 * @param unit     the unit of the value as DCGM reports it ({@code MHz}, {@code C}, {@code W}, {@code mJ},
 *                 {@code MiB}, {@code %}, {@code ratio}, {@code ns}, {@code B/s}, {@code count}, or empty)
 * @param help     what the value means, for the {@code # HELP} line
 * @param perMigInstance whether a MIG GPU instance has its own value (profiling and framebuffer fields);
 *                 other fields are read once per physical GPU
 */
public record Field(int id, String name, MetricType type, String unit, String help, boolean perMigInstance) {
}
