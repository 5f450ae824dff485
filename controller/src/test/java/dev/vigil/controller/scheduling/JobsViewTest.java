package dev.vigil.controller.scheduling;

import dev.vigil.api.jobs.JobRecord;
import dev.vigil.api.jobs.JobState;
import dev.vigil.api.jobs.JobTransition;
import dev.vigil.scheduler.policy.SchedulerPolicy;
import dev.vigil.scheduler.policy.Tenant;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobsViewTest {
    private static final Instant SUBMITTED = Instant.parse("2026-12-06T00:00:00Z");

    @Test
    void aJobNeverPlacedWaitsSinceItsSubmission() {
        assertThat(JobsView.waitingSince(job())).isEqualTo(SUBMITTED);
        assertThat(JobsView.waitingSince(job(JobState.PENDING, JobState.CANCELLED))).isEqualTo(SUBMITTED);
    }

    @Test
    void aRequeuedJobWaitsSinceItsLastReturnToTheQueue() {
        JobRecord job = job(JobState.PLACED, JobState.RUNNING, JobState.PREEMPTED, JobState.PENDING,
                JobState.PLACED, JobState.PENDING, JobState.PENDING);

        assertThat(JobsView.waitingSince(job)).isEqualTo(at(6));
        assertThat(JobsView.waitingSince(job, 5)).isEqualTo(at(3));
        assertThat(JobsView.waitingSince(job, 3)).isEqualTo(SUBMITTED);
    }

    @Test
    void aJobStartingToRunHasNotReturnedToTheQueue() {
        assertThat(JobsView.waitingSince(job(JobState.PLACED, JobState.RUNNING))).isEqualTo(SUBMITTED);
    }

    @Test
    void theQuotasAreThoseOfLimitedTenantsAllModelsTogether() {
        SchedulerPolicy policy = new SchedulerPolicy(null, null, null, null, null, null, List.of(
                new Tenant("vision", null, null, Map.of("H100", 8, "A100", 4), null),
                Tenant.unlimited("nlp"),
                new Tenant("audio", null, null, Map.of("*", 2), null)));

        assertThat(JobsView.quotas(policy)).containsExactly(Map.entry("audio", 2), Map.entry("vision", 12));
    }

    @Test
    void theViewKeepsACopyOfWhatItWasGiven() {
        List<JobRecord> waiting = new ArrayList<>(List.of(job()));
        Map<String, Long> held = new HashMap<>(Map.of("vision", 1500L));
        Map<String, Integer> quotas = new HashMap<>(Map.of("vision", 12));
        JobsView view = new JobsView(waiting, held, quotas);
        waiting.clear();
        held.clear();
        quotas.clear();

        assertThat(view.waiting()).hasSize(1);
        assertThat(view.heldMilli()).containsExactly(Map.entry("vision", 1500L));
        assertThat(view.quotas()).containsExactly(Map.entry("vision", 12));
        assertThatThrownBy(() -> view.waiting().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    /** A job submitted at {@link #SUBMITTED} that then moved to each state in turn, an hour apart. */
    private static JobRecord job(JobState... moves) {
        List<JobTransition> history = new ArrayList<>();
        history.add(new JobTransition(null, JobState.PENDING, "submitted", SUBMITTED));
        for (int i = 0; i < moves.length; i++) {
            history.add(new JobTransition(history.get(i).to(), moves[i], "moved", at(i + 1)));
        }
        return new JobRecord("j", null, 500, history.get(history.size() - 1).to(), null, null, SUBMITTED, null, null,
                null, 0, history, "alice");
    }

    private static Instant at(int hours) {
        return SUBMITTED.plusSeconds(3600L * hours);
    }
}
