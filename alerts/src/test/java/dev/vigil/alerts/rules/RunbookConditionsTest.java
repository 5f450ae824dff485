package dev.vigil.alerts.rules;

import dev.vigil.alerts.fleet.Automation;
import dev.vigil.alerts.fleet.Fleet;
import dev.vigil.alerts.fleet.RunbookRun;
import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.runbooks.RunState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The runbook kinds: a run that failed or escalated lately, and automation halted by the circuit breaker. */
class RunbookConditionsTest {
    private static final Instant NOW = Instant.parse("2026-11-22T03:00:00Z");

    private static RunbookRun run(String id, String node, Integer gpu, RunState state, Instant ended) {
        return new RunbookRun(id, "gpu-fallen-off-bus", node, gpu, state, "step reboot: agent did not return in 10m",
                ended);
    }

    private static Fleet runs(RunbookRun... runs) {
        return new Fleet(List.of(), List.of(), List.of(), List.of(runs), null);
    }

    private static Fleet halted(Automation automation) {
        return new Fleet(List.of(), List.of(), List.of(), List.of(), automation);
    }

    @Test
    void aRunThatFailedOrEscalatedWithinTheWindowIsOneCandidateNamingNodeRunbookAndRun() {
        Fleet fleet = runs(run("run-1", "n1", 3, RunState.FAILED, NOW.minusSeconds(90)),
                run("run-2", "n2", null, RunState.ESCALATED, NOW.minus(Duration.ofHours(1))));
        assertThat(new Condition.RunbookFailed(null).evaluate(fleet, NOW)).satisfiesExactly(
                failed -> {
                    assertThat(failed.labels()).isEqualTo(Map.of("node", "n1", "runbook", "gpu-fallen-off-bus",
                            "run", "run-1"));
                    assertThat(failed.annotations()).isEqualTo(Map.of("reason",
                            "step reboot: agent did not return in 10m", "state", "failed", "gpu", "3",
                            "ended", "2026-11-22T02:58:30Z"));
                    assertThat(failed.value()).as("seconds since it ended").isEqualTo(90.0);
                },
                escalated -> {
                    assertThat(escalated.labels()).containsEntry("run", "run-2").containsEntry("node", "n2");
                    assertThat(escalated.annotations()).containsEntry("state", "escalated").doesNotContainKey("gpu");
                });
    }

    @Test
    void runsThatEndedOtherwiseEndedBeforeTheWindowOrGoOnAreNotFound() {
        Instant lately = NOW.minusSeconds(60);
        Fleet fleet = runs(run("old", "n1", null, RunState.FAILED, NOW.minus(Duration.ofHours(1)).minusSeconds(1)),
                run("ok", "n1", null, RunState.SUCCEEDED, lately),
                run("stopped", "n1", null, RunState.ABORTED, lately),
                run("going", "n1", null, RunState.RUNNING, null),
                run("waiting", "n1", null, RunState.WAITING_APPROVAL, null),
                run("queued", "n1", null, RunState.QUEUED, null),
                run("unstamped", "n1", null, RunState.FAILED, null));
        assertThat(new Condition.RunbookFailed(null).evaluate(fleet, NOW)).isEmpty();
        assertThat(new Condition.RunbookFailed(Duration.ofHours(2)).evaluate(fleet, NOW))
                .as("a wider window takes the older failure").extracting(c -> c.labels().get("run"))
                .containsExactly("old");
    }

    @Test
    void theRunbookWindowIsOneSecondToOneDayAndAnHourByDefault() {
        assertThat(new Condition.RunbookFailed(null).window()).isEqualTo(Duration.ofHours(1));
        assertThat(new Condition.RunbookFailed(Duration.ofSeconds(1)).window()).isEqualTo(Duration.ofSeconds(1));
        assertThat(new Condition.RunbookFailed(Duration.ofDays(1)).window()).isEqualTo(Duration.ofDays(1));
        for (Duration bad : List.of(Duration.ZERO, Duration.ofMillis(999), Duration.ofDays(1).plusSeconds(1))) {
            InvalidValueException e = catchThrowableOfType(InvalidValueException.class,
                    () -> new Condition.RunbookFailed(bad));
            assertThat(e).as("window %s", bad).isNotNull();
            assertThat(e.field()).isEqualTo("window");
            assertThat(e.allowed()).isEqualTo("from 1s to 1d");
        }
    }

    @Test
    void haltedAutomationIsOneCandidateWithItsReasonAndSince() {
        Instant since = Instant.parse("2026-11-22T02:50:00.250Z");
        Fleet fleet = halted(new Automation(true, "3 of 8 nodes cordoned within 10m (limit 2)", since));
        assertThat(new Condition.AutomationHalted().evaluate(fleet, NOW)).singleElement().satisfies(c -> {
            assertThat(c.labels()).isEmpty();
            assertThat(c.annotations()).isEqualTo(Map.of("reason", "3 of 8 nodes cordoned within 10m (limit 2)",
                    "since", "2026-11-22T02:50:00Z"));
            assertThat(c.value()).as("seconds halted").isEqualTo(599.75);
        });
    }

    @Test
    void automationThatActsFindsNothing() {
        Fleet resumed = halted(new Automation(false, "resumed by olga: rack PDU replaced", NOW.minusSeconds(5)));
        assertThat(new Condition.AutomationHalted().evaluate(resumed, NOW)).isEmpty();
        assertThat(new Condition.AutomationHalted().evaluate(halted(null), NOW)).isEmpty();
        assertThat(new Condition.AutomationHalted().evaluate(Fleet.empty(), NOW)).isEmpty();
    }

    @Test
    void theRunbookKindsDeclareTheLabelsAndFactsTheyFind() {
        assertThat(new Condition.RunbookFailed(null).labels()).containsExactly("node", "runbook", "run");
        assertThat(new Condition.RunbookFailed(null).facts()).containsExactly("reason", "state", "gpu", "ended");
        assertThat(new Condition.AutomationHalted().labels()).isEmpty();
        assertThat(new Condition.AutomationHalted().facts()).containsExactly("reason", "since");
    }

    @Test
    void whenOfARunbookKindHoldsExactlyThatKind() {
        for (Condition condition : List.of(new Condition.RunbookFailed(null), new Condition.AutomationHalted())) {
            assertThat(When.of(condition).condition()).isSameAs(condition);
        }
    }
}
