package dev.vigil.slurm;

/**
 * The slurmrestd API versions the bridge speaks, newest first (the order it probes them in).
 *
 * <ul>
 *   <li>{@code v0.0.38}: Slurm 22.05, the openapi/v0.0.38 plugin. Nodes are read-only and there
 *       is no field for {@code --switches}: both go through the commands.</li>
 *   <li>{@code v0.0.39}, {@code v0.0.40}: Slurm 23.02 and 23.11, the data_parser shapes
 *       (environment as {@code KEY=value} strings, numbers as {@code {set, infinite, number}}),
 *       nodes updatable through {@code POST /node/NAME}.</li>
 *   <li>{@code v0.0.41}: Slurm 24.05 to 25.11; the script goes inside {@code job}, and
 *       {@code required_switches}/{@code wait_for_switch} carry {@code --switches}.</li>
 * </ul>
 */
public enum ApiVersion {
    V0_0_41, V0_0_40, V0_0_39, V0_0_38;

    /** {@code v0.0.41}: the version as it appears in paths. */
    public String id() {
        return name().toLowerCase().replace('_', '.');
    }

    /** {@code /slurm/v0.0.41}: where the Slurm (not slurmdb) endpoints of this version are. */
    String base() {
        return "/slurm/" + id();
    }

    /** Whether this version uses the data_parser shapes (23.02 and later). */
    boolean dataParser() {
        return this != V0_0_38;
    }

    /** Whether nodes can be drained and resumed through REST ({@code POST /node/NAME}). */
    boolean updatesNodes() {
        return this != V0_0_38;
    }

    /** Whether a job can ask for a maximum number of leaf switches through REST. */
    boolean requestsSwitches() {
        return this == V0_0_41;
    }

    /** Whether the batch script goes inside {@code job} rather than beside it (24.05 deprecated the top-level one). */
    boolean scriptInJob() {
        return this == V0_0_41;
    }
}
