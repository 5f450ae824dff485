package dev.vigil.gpu.simulated;

import dev.vigil.api.binding.InvalidValueException;

import java.util.List;

/**
 * Something running on simulated GPUs; it drives their telemetry.
 *
 * @param gpus        the GPU indices it runs on; absent means every GPU of the node
 * @param gpuInstance the MIG GPU instance it runs on (one GPU only), or absent for whole GPUs
 * @param kind        the shape of the load
 * @param utilization overrides the kind's typical utilization (0 to 1)
 * @param memory      overrides the kind's typical framebuffer share (0 to 1)
 */
public record Workload(List<Integer> gpus, Integer gpuInstance, WorkloadKind kind, Double utilization,
                       Double memory) {
    public Workload {
        gpus = gpus == null ? null : List.copyOf(gpus);
        kind = kind == null ? WorkloadKind.TRAINING : kind;
        if (utilization != null) {
            InvalidValueException.require(utilization >= 0 && utilization <= 1, "utilization", utilization,
                    "a number from 0 to 1");
        }
        if (memory != null) {
            InvalidValueException.require(memory >= 0 && memory <= 1, "memory", memory, "a number from 0 to 1");
        }
        if (gpuInstance != null) {
            InvalidValueException.require(gpus != null && gpus.size() == 1, "gpuInstance", gpuInstance,
                    "only together with exactly one GPU in gpus");
        }
    }

    public static Workload of(WorkloadKind kind, List<Integer> gpus) {
        return new Workload(gpus, null, kind, null, null);
    }

    double typicalUtilization() {
        if (utilization != null) {
            return utilization;
        }
        return switch (kind) {
            case IDLE -> 0;
            case TRAINING -> 0.96;
            case INFERENCE -> 0.45;
            case BURN -> 1;
        };
    }

    double typicalMemory() {
        if (memory != null) {
            return memory;
        }
        return switch (kind) {
            case IDLE -> 0;
            case TRAINING -> 0.86;
            case INFERENCE -> 0.55;
            case BURN -> 0.95;
        };
    }
}
