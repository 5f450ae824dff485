package dev.vigil.gpu.health;

import dev.vigil.api.binding.InvalidValueException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HealthThresholdsTest {
    @Test
    void defaultsAreTheDatacenterGpusLimits() {
        assertThat(HealthThresholds.defaults()).isEqualTo(new HealthThresholds(87.0, 95.0));
    }

    @Test
    void bothLimitsLieBetween0And150WithFailedAboveDegraded() {
        assertThat(new HealthThresholds(0.5, 149.5)).extracting(HealthThresholds::gpuTempDegraded,
                HealthThresholds::gpuTempFailed).containsExactly(0.5, 149.5);
        assertRefused(0.0, 95.0, "gpuTempDegraded: \"0.0\" is not allowed (allowed: a temperature in C from 1 to 149)");
        assertRefused(150.0, null, "gpuTempDegraded: \"150.0\" is not allowed");
        assertRefused(90.0, 90.0, "gpuTempFailed: \"90.0\" is not allowed (allowed: a temperature in C above "
                + "gpuTempDegraded (90.0) and below 150)");
        assertRefused(null, 150.0, "gpuTempFailed: \"150.0\" is not allowed");
        assertRefused(null, 80.0, "gpuTempFailed: \"80.0\" is not allowed (allowed: a temperature in C above "
                + "gpuTempDegraded (87.0) and below 150)");
    }

    private static void assertRefused(Double degraded, Double failed, String message) {
        assertThatThrownBy(() -> new HealthThresholds(degraded, failed)).isInstanceOf(InvalidValueException.class)
                .hasMessageStartingWith(message);
    }
}
