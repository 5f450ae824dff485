package dev.vigil.controller.metrics;

import dev.vigil.api.jobs.JobRecord;
import dev.vigil.controller.scheduling.JobsView;
import dev.vigil.controller.scheduling.SchedulerLoop;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * The scheduler loop's metrics: how long a cycle takes, the decisions it hands to the backends,
 * how long jobs wait to be placed, and (only on the leader, where the scheduler runs) the jobs
 * queued and holding, the queue by tenant and queue, and what each tenant holds against its quota.
 * A tenant or queue seen once keeps its series at 0 rather than vanishing from the graphs.
 */
public final class SchedulerMetrics implements SchedulerLoop.Observer {
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
    private final Histogram schedulingLatency = Histogram.builder()
            .name("vigil_controller_scheduling_latency_seconds")
            .help("Time from a job's submission (or its return to the queue) to its placement, by tenant.")
            .labelNames("tenant")
            .classicOnly().classicUpperBounds(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 1800, 3600, 7200,
                    14400, 43200, 86400)
            .build();
    private final Set<List<String>> queuesSeen = ConcurrentHashMap.newKeySet();
    private final Set<String> tenantsSeen = ConcurrentHashMap.newKeySet();
    private volatile int queued;
    private volatile int holding;
    private volatile JobsView jobs = JobsView.EMPTY;

    /** One cycle: how long it took, what it decided, and the queue after it. */
    @Override
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

    @Override
    public void placed(String tenant, Duration waited) {
        schedulingLatency.labelValues(tenant).observe(Math.max(0, waited.toNanos()) / 1e9);
    }

    /**
     * Every cycle's view: the tenants and queues in it are seen from now on, even when a scrape
     * never catches them waiting or holding (a job that starts and ends between two scrapes).
     */
    @Override
    public void published(JobsView view) {
        tenantsSeen.addAll(view.heldMilli().keySet());
        tenantsSeen.addAll(view.quotas().keySet());
        for (JobRecord job : view.waiting()) {
            tenantsSeen.add(job.spec().tenant());
            queuesSeen.add(List.of(job.spec().tenant(), job.spec().queue()));
        }
        jobs = view;
    }

    void register(PrometheusRegistry registry, BooleanSupplier leading) {
        registry.register(cycleDuration);
        decisions.labelValues("start");
        decisions.labelValues("stop");
        registry.register(decisions);
        registry.register(schedulingLatency);
        registry.register(GaugeWithCallback.builder().name("vigil_controller_jobs")
                .help("Jobs on the leader's scheduler: queued (waiting for GPUs, or a service short of replicas) "
                        + "and holding (placed or running). Only the leader reports it.")
                .labelNames("state").callback(callback -> {
                    if (leading.getAsBoolean()) {
                        callback.call(queued, "queued");
                        callback.call(holding, "holding");
                    }
                }).build());
        registry.register(GaugeWithCallback.builder().name("vigil_controller_queue_depth")
                .help("Jobs waiting for GPUs, by tenant and queue. Only the leader reports it.")
                .labelNames("tenant", "queue").callback(callback -> {
                    if (leading.getAsBoolean()) {
                        Map<List<String>, Integer> depth = new TreeMap<>(SchedulerMetrics::compare);
                        queuesSeen.forEach(key -> depth.put(key, 0));
                        for (JobRecord job : jobs.waiting()) {
                            depth.merge(List.of(job.spec().tenant(), job.spec().queue()), 1, Integer::sum);
                        }
                        depth.forEach((key, count) -> callback.call(count, key.get(0), key.get(1)));
                    }
                }).build());
        registry.register(GaugeWithCallback.builder().name("vigil_controller_allocated_gpus")
                .help("GPUs each tenant's jobs hold (a MIG slice counts as its part of a GPU). Only the leader "
                        + "reports it.")
                .labelNames("tenant").callback(callback -> {
                    if (leading.getAsBoolean()) {
                        counts(jobs).forEach((tenant, gpus) -> callback.call(gpus, tenant));
                    }
                }).build());
        registry.register(GaugeWithCallback.builder().name("vigil_controller_tenant_quota_gpus")
                .help("Each tenant's nominal GPU quota, all models together (tenants with a quota). Only the "
                        + "leader reports it.")
                .labelNames("tenant").callback(callback -> {
                    if (leading.getAsBoolean()) {
                        new TreeMap<>(jobs.quotas()).forEach((tenant, gpus) -> callback.call(gpus, tenant));
                    }
                }).build());
    }

    private Map<String, Double> counts(JobsView view) {
        Map<String, Double> gpus = new TreeMap<>();
        tenantsSeen.forEach(tenant -> gpus.put(tenant, view.heldMilli().getOrDefault(tenant, 0L) / 1000.0));
        return gpus;
    }

    private static int compare(List<String> a, List<String> b) {
        int tenant = a.get(0).compareTo(b.get(0));
        return tenant != 0 ? tenant : a.get(1).compareTo(b.get(1));
    }
}
