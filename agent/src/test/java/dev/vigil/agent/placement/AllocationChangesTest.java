package dev.vigil.agent.placement;

import dev.vigil.api.jobs.Allocation;
import dev.vigil.api.jobs.JobKind;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AllocationChangesTest {
    private static final Instant T0 = Instant.parse("2026-12-06T12:00:00Z");

    private static Allocation allocation(String job, List<Integer> gpus, List<Integer> slices) {
        return new Allocation(job, null, JobKind.TRAINING, gpus, List.of(), slices, List.of(), null, Map.of(), 1, null);
    }

    @Test
    void startsAndEndsMarkTheirGpusAndNothingElse() {
        AllocationChanges changes = new AllocationChanges();
        Allocation a = allocation("a", List.of(0, 1), List.of());
        Allocation b = allocation("b", List.of(2), List.of());

        assertThat(changes.observe(List.of(a), T0)).isEqualTo(Map.of(0, T0, 1, T0));
        assertThat(changes.observe(List.of(a), T0.plusSeconds(5))).isEqualTo(Map.of(0, T0, 1, T0));
        assertThat(changes.observe(List.of(a, b), T0.plusSeconds(10)))
                .isEqualTo(Map.of(0, T0, 1, T0, 2, T0.plusSeconds(10)));
        assertThat(changes.observe(List.of(b), T0.plusSeconds(20)))
                .isEqualTo(Map.of(0, T0.plusSeconds(20), 1, T0.plusSeconds(20), 2, T0.plusSeconds(10)));
    }

    @Test
    void aSliceChangeOnTheSameGpuIsAChange() {
        AllocationChanges changes = new AllocationChanges();
        changes.observe(List.of(allocation("a", List.of(3), List.of(1))), T0);

        assertThat(changes.observe(List.of(allocation("a", List.of(3), List.of(2))), T0.plusSeconds(1)))
                .isEqualTo(Map.of(3, T0.plusSeconds(1)));
    }
}
