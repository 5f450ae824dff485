package dev.vigil.alerts.fleet;

import dev.vigil.api.runbooks.RunState;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static dev.vigil.alerts.fixtures.Fleets.node;
import static org.assertj.core.api.Assertions.assertThat;

/** What a fleet knows of the runbooks: their runs and whether automation may act. */
class FleetRunbooksTest {
    private static final Instant NOW = Instant.parse("2026-11-22T03:00:00Z");

    @Test
    void aFleetWithoutRunbooksHasNoRunsAndAutomationRunning() {
        Fleet fleet = new Fleet(List.of(node("a", 1)), List.of(), List.of());
        assertThat(fleet.runs()).isEmpty();
        assertThat(fleet.automation()).isEqualTo(new Automation(false, null, null)).isEqualTo(Automation.running());
        assertThat(new Fleet(null, null, null, null, null)).isEqualTo(Fleet.empty());
    }

    @Test
    void aReportsChangeKeepsTheRunsAndTheBreaker() {
        RunbookRun run = new RunbookRun("run-1", "rma", "a", null, RunState.ESCALATED, "repaired 3 times in 7d", NOW);
        Automation halted = new Automation(true, "3 nodes cordoned within 10m", NOW);
        Fleet fleet = new Fleet(List.of(node("a", 1)), List.of(), List.of(), List.of(run), halted);
        Fleet changed = fleet.withNode(node("b", 1));
        assertThat(changed.runs()).containsExactly(run);
        assertThat(changed.automation()).isEqualTo(halted);
    }
}
