package dev.vigil.controller.alerting;

import dev.vigil.alerts.fleet.Automation;
import dev.vigil.alerts.fleet.RunbookRun;

import java.util.List;

/**
 * What the alert rules {@code RunbookFailed} and {@code AutomationHalted} watch: the runbooks' runs
 * of the last day and whether automation is halted, as the runbooks' control last published them.
 */
public record RunbookFacts(List<RunbookRun> runs, Automation automation) {
    public static final RunbookFacts NONE = new RunbookFacts(List.of(), Automation.running());

    public RunbookFacts {
        runs = List.copyOf(runs);
    }
}
