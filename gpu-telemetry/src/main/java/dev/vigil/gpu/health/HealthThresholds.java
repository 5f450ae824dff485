package dev.vigil.gpu.health;

import dev.vigil.api.binding.InvalidValueException;

/**
 * Limits for health conditions that have no catalog answer.
 *
 * @param gpuTempDegraded GPU temperature (C) at and above which a GPU is degraded
 * @param gpuTempFailed   GPU temperature (C) at and above which a GPU is failed
 */
public record HealthThresholds(Double gpuTempDegraded, Double gpuTempFailed) {
    public HealthThresholds {
        gpuTempDegraded = gpuTempDegraded == null ? 87.0 : gpuTempDegraded;
        gpuTempFailed = gpuTempFailed == null ? 95.0 : gpuTempFailed;
        InvalidValueException.require(gpuTempDegraded > 0 && gpuTempDegraded < 150, "gpuTempDegraded",
                gpuTempDegraded, "a temperature in C from 1 to 149");
        InvalidValueException.require(gpuTempFailed > gpuTempDegraded && gpuTempFailed < 150, "gpuTempFailed",
                gpuTempFailed, "a temperature in C above gpuTempDegraded (" + gpuTempDegraded + ") and below 150");
    }

    public static HealthThresholds defaults() {
        return new HealthThresholds(null, null);
    }
}
