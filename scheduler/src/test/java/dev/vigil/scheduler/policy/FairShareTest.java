package dev.vigil.scheduler.policy;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Fair-share usage carried across a leader change, and GPU counts as people read them. */
class FairShareTest {
    private static final Instant T0 = Instant.parse("2026-11-22T00:00:00Z");

    @Test
    void aRestoredSnapshotGivesTheSameUsageAndDecaysOnFromItsTime() {
        FairShare old = new FairShare(Duration.ofHours(1));
        old.accrue(T0, Map.of());
        old.accrue(T0.plus(Duration.ofHours(1)), Map.of("a", 8_000L, "b", 2_000L));

        FairShare restored = new FairShare(Duration.ofHours(1));
        restored.accrue(T0, Map.of("stale", 1_000L));
        restored.accrue(T0.plus(Duration.ofMinutes(30)), Map.of("stale", 1_000L));
        restored.restore(old.snapshot(), T0.plus(Duration.ofHours(1)));

        assertThat(restored.snapshot()).isEqualTo(old.snapshot()).containsOnlyKeys("a", "b");
        assertThat(restored.gpuHours("a")).isCloseTo(8.0, within(1e-9));
        assertThat(restored.gpuHours("stale")).isZero();
        restored.accrue(T0.plus(Duration.ofHours(2)), Map.of());
        assertThat(restored.gpuHours("a")).isCloseTo(4.0, within(1e-9));
    }

    @Test
    void gpuCountsAreWholeNumbersOrTwoDecimals() {
        assertThat(Quotas.gpus(8_000)).isEqualTo("8");
        assertThat(Quotas.gpus(143)).isEqualTo("0.14");
        assertThat(Quotas.gpus(2_500)).isEqualTo("2.50");
    }
}
