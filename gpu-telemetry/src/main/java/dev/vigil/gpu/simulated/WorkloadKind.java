package dev.vigil.gpu.simulated;

/** The shape of load a simulated workload puts on a GPU. */
public enum WorkloadKind {
    /** Nothing runs. */
    IDLE,
    /** A training step loop: near-full utilization with periodic dips for checkpoints and evaluation. */
    TRAINING,
    /** An inference service: moderate, wavy load with bursts. */
    INFERENCE,
    /** A burn-in test: everything at full tilt. */
    BURN
}
