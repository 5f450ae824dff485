package dev.vigil.controller.metrics;

import dev.vigil.controller.runbooks.RunbookControl;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.util.function.Supplier;

/**
 * The runbooks' metrics, only on the leader where they run: runs ended by runbook and result (since
 * this member became leader), runs under way, and whether the circuit breaker halted automation.
 */
final class RunbookMetrics {
    private RunbookMetrics() {
    }

    /** @param stats the runbooks' counts, or null before the cluster state is open */
    static void register(PrometheusRegistry registry, Supplier<RunbookControl.Stats> stats, Supplier<Boolean> leading) {
        registry.register(CounterWithCallback.builder().name("vigil_controller_runbook_runs")
                .help("Runbook runs that ended since this member became leader, by runbook and result (succeeded, "
                        + "failed, escalated, aborted). Only the leader reports it.")
                .labelNames("runbook", "result").callback(callback -> {
                    RunbookControl.Stats now = leading.get() ? stats.get() : null;
                    if (now != null) {
                        now.ended().forEach((runbook, results) -> results.forEach((result, count) ->
                                callback.call(count, runbook, result)));
                    }
                }).build());
        registry.register(GaugeWithCallback.builder().name("vigil_controller_runbook_runs_in_progress")
                .help("Runbook runs not ended: queued, running or waiting for approval. Only the leader reports it.")
                .callback(callback -> {
                    RunbookControl.Stats now = leading.get() ? stats.get() : null;
                    if (now != null) {
                        callback.call(now.inProgress());
                    }
                }).build());
        registry.register(GaugeWithCallback.builder().name("vigil_controller_automation_halted")
                .help("1 while the runbooks' circuit breaker holds automation halted (until an operator resumes it, "
                        + "vigil runbooks resume), else 0. Only the leader reports it.")
                .callback(callback -> {
                    RunbookControl.Stats now = leading.get() ? stats.get() : null;
                    if (now != null) {
                        callback.call(now.halted() ? 1 : 0);
                    }
                }).build());
    }
}
