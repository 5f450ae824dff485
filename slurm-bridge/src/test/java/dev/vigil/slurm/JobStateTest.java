package dev.vigil.slurm;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class JobStateTest {
    @Test
    void foldsSlurmsStateWords() {
        assertThat(JobState.of(List.of("PENDING"))).isEqualTo(JobState.PENDING);
        assertThat(JobState.of(List.of("REQUEUE_HOLD"))).isEqualTo(JobState.PENDING);
        assertThat(JobState.of(List.of("CONFIGURING"))).isEqualTo(JobState.RUNNING);
        assertThat(JobState.of(List.of("RUNNING"))).isEqualTo(JobState.RUNNING);
        assertThat(JobState.of(List.of("STOPPED"))).isEqualTo(JobState.SUSPENDED);
        assertThat(JobState.of(List.of("COMPLETED"))).isEqualTo(JobState.COMPLETED);
        assertThat(JobState.of(List.of("OUT_OF_MEMORY"))).isEqualTo(JobState.FAILED);
        assertThat(JobState.of(List.of("BOOT_FAIL"))).isEqualTo(JobState.FAILED);
        assertThat(JobState.of(List.of("DEADLINE"))).isEqualTo(JobState.FAILED);
        assertThat(JobState.of(List.of("CANCELLED"))).isEqualTo(JobState.CANCELLED);
        assertThat(JobState.of(List.of("TIMEOUT"))).isEqualTo(JobState.TIMEOUT);
        assertThat(JobState.of(List.of("NODE_FAIL"))).isEqualTo(JobState.NODE_FAIL);
        assertThat(JobState.of(List.of("PREEMPTED"))).isEqualTo(JobState.PREEMPTED);
        assertThat(JobState.of(List.of("SOMETHING_NEW"))).isEqualTo(JobState.UNKNOWN);
        assertThat(JobState.of(List.of())).isEqualTo(JobState.UNKNOWN);
    }

    @Test
    void aCompletingFlagBesideTheBaseStateMeansTheGpusAreNotFreeYet() {
        // 23.02 and later list the base state and its flags
        assertThat(JobState.of(List.of("CANCELLED", "COMPLETING"))).isEqualTo(JobState.COMPLETING);
        assertThat(JobState.of(List.of("PENDING", "REQUEUED"))).isEqualTo(JobState.PENDING);
        assertThat(JobState.COMPLETING.holdsResources()).isTrue();
        assertThat(JobState.COMPLETING.finished()).isFalse();
    }

    @Test
    void aJobHoldsItsGpusWhileRunningSuspendedCompletingOrUnknownAndNeverOtherwise() {
        Set<JobState> holding = EnumSet.of(JobState.RUNNING, JobState.SUSPENDED, JobState.COMPLETING, JobState.UNKNOWN);
        for (JobState state : JobState.values()) {
            assertThat(state.holdsResources()).as(state.name()).isEqualTo(holding.contains(state));
        }
        Set<JobState> finished = EnumSet.of(JobState.COMPLETED, JobState.FAILED, JobState.CANCELLED, JobState.TIMEOUT,
                JobState.NODE_FAIL, JobState.PREEMPTED);
        for (JobState state : JobState.values()) {
            assertThat(state.finished()).as(state.name()).isEqualTo(finished.contains(state));
        }
    }

    @Test
    void finishedAndHoldingResourcesAreExclusive() {
        for (JobState state : JobState.values()) {
            assertThat(state.finished() && state.holdsResources()).as(state.name()).isFalse();
        }
        assertThat(JobState.PENDING.finished() || JobState.PENDING.holdsResources()).isFalse();
    }
}
