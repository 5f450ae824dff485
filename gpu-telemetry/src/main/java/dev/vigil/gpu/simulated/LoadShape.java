package dev.vigil.gpu.simulated;

/**
 * How busy a workload keeps its GPU at a given second, and the profiling ratios that go with its
 * kind. Functions of time and seed only, so a replay gives the same curve.
 */
final class LoadShape {
    /** Training pauses for a checkpoint every this many seconds ... */
    private static final long CHECKPOINT_EVERY_S = 600;
    /** ... for this long. */
    private static final long CHECKPOINT_S = 20;

    private LoadShape() {
    }

    /** Utilization (0 to 1) of {@code workload} {@code elapsed} seconds after it started. */
    static double utilization(Workload workload, long elapsed, long seed, long key) {
        double typical = workload.typicalUtilization();
        double value = switch (workload.kind()) {
            case IDLE -> 0;
            case BURN -> typical;
            case TRAINING -> elapsed % CHECKPOINT_EVERY_S >= CHECKPOINT_EVERY_S - CHECKPOINT_S
                    ? typical * 0.25
                    : typical + 0.02 * Noise.signed(seed, key, elapsed);
            case INFERENCE -> typical * (1 + 0.45 * Math.sin(2 * Math.PI * elapsed / 900.0 + (key & 0xff)))
                    + 0.12 * Noise.signed(seed, key ^ 0x5bd1e995L, elapsed);
        };
        return Math.max(0, Math.min(1, value));
    }

    /** Share of cycles the tensor pipe is busy per unit of utilization. */
    static double tensorPerUtil(WorkloadKind kind) {
        return switch (kind) {
            case IDLE -> 0;
            case TRAINING -> 0.58;
            case INFERENCE -> 0.32;
            case BURN -> 0.9;
        };
    }

    /** Share of cycles DRAM is busy per unit of utilization. */
    static double dramPerUtil(WorkloadKind kind) {
        return switch (kind) {
            case IDLE -> 0;
            case TRAINING -> 0.45;
            case INFERENCE -> 0.55;
            case BURN -> 0.9;
        };
    }

    /** SM occupancy per unit of utilization. */
    static double occupancyPerUtil(WorkloadKind kind) {
        return switch (kind) {
            case IDLE -> 0;
            case TRAINING -> 0.48;
            case INFERENCE -> 0.3;
            case BURN -> 0.75;
        };
    }

    /** PCIe bytes/s per unit of utilization (data loading, host copies). */
    static double pcieBytesPerUtil(WorkloadKind kind) {
        return switch (kind) {
            case IDLE -> 0;
            case TRAINING -> 1.6e9;
            case INFERENCE -> 0.9e9;
            case BURN -> 0.2e9;
        };
    }

    /** NVLink bytes/s per direction per unit of utilization (all-reduce traffic for training). */
    static double nvlinkBytesPerUtil(WorkloadKind kind) {
        return switch (kind) {
            case IDLE -> 0;
            case TRAINING -> 140e9;
            case INFERENCE -> 6e9;
            case BURN -> 200e9;
        };
    }
}
