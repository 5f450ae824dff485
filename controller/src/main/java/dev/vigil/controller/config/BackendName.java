package dev.vigil.controller.config;

import java.util.List;

/** The execution backends a controller runs jobs on, by the names its configuration and job specs use. */
public final class BackendName {
    /** In-memory: jobs "run" for their duration; {@code vigil up} and tests. */
    public static final String SIMULATED = "simulated";
    /** A Slurm cluster through slurmrestd. */
    public static final String SLURM = "slurm";
    /** A Kubernetes cluster: pods Vigil binds to the nodes it chose. */
    public static final String KUBERNETES = "kubernetes";
    public static final List<String> ALL = List.of(SIMULATED, SLURM, KUBERNETES);

    private BackendName() {
    }
}
