package dev.vigil.controller.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.util.function.BooleanSupplier;

/**
 * The scheduler loop's metrics: how long a cycle takes, the decisions it hands to the backends,
 * and how many jobs wait and how many hold GPUs (only on the leader, where the scheduler runs).
 */
public final class SchedulerMetrics {
    private final Histogram cycleDuration = Histogram.builder()
            .name("vigil_controller_scheduler_cycle_duration_seconds")
            .help("Time one scheduling cycle takes: following nodes, polling backends, placing, storing, binding.")
            .classicOnly().classicUpperBounds(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)
            .build();
    private final Counter decisions = Counter.builder()
            .name("vigil_controller_scheduler_decisions_total")
            .help("Decisions handed to the execution backends: start (a job or more replicas) and stop.")
            .labelNames("decision")
            .build();
    private volatile int queued;
    private volatile int holding;

    /** One cycle: how long it took, what it decided, and the queue after it. */
    public void cycled(long nanos, int starts, int stops, int queuedAfter, int holdingAfter) {
        cycleDuration.observe(nanos / 1e9);
        if (starts > 0) {
            decisions.labelValues("start").inc(starts);
        }
        if (stops > 0) {
            decisions.labelValues("stop").inc(stops);
        }
        queued = queuedAfter;
        holding = holdingAfter;
    }

    void register(PrometheusRegistry registry, BooleanSupplier leading) {
        registry.register(cycleDuration);
        decisions.labelValues("start");
        decisions.labelValues("stop");
        registry.register(decisions);
        registry.register(GaugeWithCallback.builder().name("vigil_controller_jobs")
                .help("Jobs on the leader's scheduler: queued (waiting for GPUs, or a service short of replicas) "
                        + "and holding (placed or running). Only the leader reports it.")
                .labelNames("state").callback(callback -> {
                    if (leading.getAsBoolean()) {
                        callback.call(queued, "queued");
                        callback.call(holding, "holding");
                    }
                }).build());
    }
}
