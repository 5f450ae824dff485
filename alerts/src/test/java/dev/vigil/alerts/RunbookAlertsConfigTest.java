package dev.vigil.alerts;

import dev.vigil.alerts.fleet.Automation;
import dev.vigil.alerts.fleet.Fleet;
import dev.vigil.alerts.fleet.RunbookRun;
import dev.vigil.alerts.rules.AlertSeverity;
import dev.vigil.alerts.rules.Condition;
import dev.vigil.alerts.rules.Finding;
import dev.vigil.alerts.rules.Rule;
import dev.vigil.alerts.rules.RuleSet;
import dev.vigil.api.binding.InvalidDocumentException;
import dev.vigil.api.runbooks.RunState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The runbook kinds in {@code alerts.yaml}, and the two rules that ship with them. */
class RunbookAlertsConfigTest {
    private static final Instant NOW = Instant.parse("2026-11-22T03:00:00Z");

    private static InvalidDocumentException refused(String yaml) {
        InvalidDocumentException e = catchThrowableOfType(InvalidDocumentException.class,
                () -> AlertsConfig.parse(yaml, "alerts.yaml"));
        assertThat(e).as("refused:%n%s", yaml).isNotNull();
        return e;
    }

    private static Rule shipped(String alert) {
        return AlertsConfig.defaults().rules().stream().filter(r -> r.alert().equals(alert)).findFirst().orElseThrow();
    }

    @Test
    void theRunbookKindsBindFromYaml() {
        AlertsConfig config = AlertsConfig.parse("""
                rules:
                  - {alert: Failed, when: {runbookFailed: {window: 30m}}}
                  - {alert: FailedLately, when: {runbookFailed: {}}}
                  - {alert: Halted, when: {automationHalted: {}}}
                """, "alerts.yaml");
        assertThat(config.rules()).extracting(r -> r.when().condition()).containsExactly(
                new Condition.RunbookFailed(Duration.ofMinutes(30)), new Condition.RunbookFailed(Duration.ofHours(1)),
                new Condition.AutomationHalted());
    }

    @Test
    void aBadWindowIsRefusedNamingItsFieldValueAndWhatIsAllowed() {
        InvalidDocumentException zero = refused("rules: [{alert: F, when: {runbookFailed: {window: 0s}}}]");
        assertThat(zero.field()).isEqualTo("rules[0].when.runbookFailed.window");
        assertThat(zero.value()).isEqualTo("0s");
        assertThat(zero.allowed()).isEqualTo("from 1s to 1d");
        assertThat(refused("rules: [{alert: F, when: {runbookFailed: {window: 25h}}}]").field())
                .isEqualTo("rules[0].when.runbookFailed.window");
    }

    @Test
    void aKeyTheRunbookKindsDoNotHaveIsUnknownWithTheirKeysListed() {
        InvalidDocumentException failed = refused("rules: [{alert: F, when: {runbookFailed: {states: [failed]}}}]");
        assertThat(failed.field()).isEqualTo("rules[0].when.runbookFailed.states");
        assertThat(failed.getMessage()).contains("allowed keys under rules[0].when.runbookFailed: window");
        InvalidDocumentException halted = refused("rules: [{alert: H, when: {automationHalted: {window: 1h}}}]");
        assertThat(halted.field()).isEqualTo("rules[0].when.automationHalted.window");
    }

    @Test
    void aRuleNamingBothRunbookKindsIsRefusedAndTheKindsAreListedAmongTheAllowed() {
        InvalidDocumentException e = refused("""
                rules: [{alert: Both, when: {runbookFailed: {}, automationHalted: {}}}]
                """);
        assertThat(e.field()).isEqualTo("rules[0].when");
        assertThat(e.value()).isEqualTo("runbookFailed, automationHalted");
        assertThat(e.allowed()).contains("fleetCapacity, runbookFailed, automationHalted");
    }

    @Test
    void templatesMayUseTheRunbookKindsLabelsAndFactsOnly() {
        InvalidDocumentException ownLabel = refused("""
                rules: [{alert: F, when: {runbookFailed: {}}, labels: {run: x}}]
                """);
        assertThat(ownLabel.field()).isEqualTo("rules[0].labels.run");
        InvalidDocumentException node = refused("""
                rules: [{alert: H, when: {automationHalted: {}}, annotations: {summary: "${node}: ${reason}"}}]
                """);
        assertThat(node.field()).isEqualTo("rules[0].annotations.summary");
        assertThat(node.allowed()).contains("reason", "since");
    }

    @Test
    void runbookFailedShipsAsACriticalPageNamingNodeRunbookRunAndReason() {
        Rule rule = shipped("RunbookFailed");
        assertThat(rule.severity()).isEqualTo(AlertSeverity.CRITICAL);
        assertThat(rule.when().condition()).isEqualTo(new Condition.RunbookFailed(Duration.ofHours(1)));
        Fleet fleet = new Fleet(List.of(), List.of(), List.of(), List.of(new RunbookRun("run-12",
                "gpu-fallen-off-bus", "sim-h100-1", 3, RunState.ESCALATED, "repaired 3 times in 7 days",
                NOW.minusSeconds(5))), null);
        List<Finding> found = new RuleSet(List.of(rule)).evaluate(fleet, NOW).get("RunbookFailed");
        assertThat(found).singleElement().satisfies(f -> {
            assertThat(f.labels()).containsEntry("severity", "critical").containsEntry("run", "run-12");
            assertThat(f.annotations().get("summary")).isEqualTo(
                    "Runbook gpu-fallen-off-bus escalated on sim-h100-1 (run-12): repaired 3 times in 7 days");
            assertThat(f.annotations().get("description")).contains("'vigil run run-12'", "'vigil node sim-h100-1'",
                    "vigil uncordon sim-h100-1");
        });
    }

    @Test
    void automationHaltedShipsAsACriticalPageThatSaysHowToResume() {
        Rule rule = shipped("AutomationHalted");
        assertThat(rule.severity()).isEqualTo(AlertSeverity.CRITICAL);
        Fleet fleet = new Fleet(List.of(), List.of(), List.of(), List.of(),
                new Automation(true, "3 of 8 nodes cordoned within 10m", NOW.minusSeconds(30)));
        List<Finding> found = new RuleSet(List.of(rule)).evaluate(fleet, NOW).get("AutomationHalted");
        assertThat(found).singleElement().satisfies(f -> {
            assertThat(f.annotations().get("summary"))
                    .isEqualTo("Runbook automation halted: 3 of 8 nodes cordoned within 10m");
            assertThat(f.annotations().get("description")).contains("2026-11-22T02:59:30Z", "'vigil runbooks'",
                    "'vigil runbooks resume --reason TEXT'");
        });
        assertThat(new RuleSet(List.of(rule)).evaluate(Fleet.empty(), NOW).get("AutomationHalted")).isEmpty();
    }
}
