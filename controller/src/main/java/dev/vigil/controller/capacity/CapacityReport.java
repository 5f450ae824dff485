package dev.vigil.controller.capacity;

import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.jobs.JobRecord;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The weekly capacity report (issue 14, the {@code capacity-report} runbook): who used how many
 * GPU-hours of which model, what sat allocated but idle, how long jobs queued, how jobs ended,
 * whether demand grows, and which GPUs and nodes are out of service now. Made from the jobs and
 * nodes the controller keeps; each figure that is an estimate says how it was made.
 *
 * @param from              the period's start
 * @param to                its end (the report time)
 * @param period            its length
 * @param gpuHours          GPU-hours jobs held in the period, all tenants and models
 * @param gpuHoursMethod    how GPU-hours were counted, in words
 * @param byTenant          GPU-hours by tenant, most first
 * @param byModel           GPU-hours by GPU model, most first
 * @param byTenantAndModel  GPU-hours by tenant and model, most first
 * @param idleGpuHours      the allocated-but-idle GPU-hours of {@code idleGpus}
 * @param idleMethod        how they were estimated, in words
 * @param idleGpus          the allocated GPUs idle at report time
 * @param queueing          how long jobs waited for GPUs
 * @param ended             how jobs ended
 * @param demand            the GPU-hours asked for, against the period before
 * @param gpusOutOfService  GPUs failed or cordoned now
 * @param nodesOutOfService nodes cordoned, draining, drained or silent now
 */
public record CapacityReport(Instant from, Instant to, Duration period, double gpuHours, String gpuHoursMethod,
                             List<Usage> byTenant, List<Usage> byModel, List<TenantModelUsage> byTenantAndModel,
                             double idleGpuHours, String idleMethod, List<IdleGpu> idleGpus, Queueing queueing,
                             EndStates ended, Demand demand, List<GpuOutOfService> gpusOutOfService,
                             List<NodeOutOfService> nodesOutOfService) {
    public static final Duration WEEK = Duration.ofDays(7);
    static final String GPU_HOURS_METHOD = "GPUs a job holds when it runs (a MIG slice: its compute slices over 7"
            + " of a GPU) × the time it held them (from placed or running until it left them; a running job"
            + " until now), clipped to the period; its model from its placements, else the fleet's one product"
            + " matching the models it allowed";

    public CapacityReport {
        byTenant = List.copyOf(byTenant);
        byModel = List.copyOf(byModel);
        byTenantAndModel = List.copyOf(byTenantAndModel);
        idleGpus = List.copyOf(idleGpus);
        gpusOutOfService = List.copyOf(gpusOutOfService);
        nodesOutOfService = List.copyOf(nodesOutOfService);
    }

    /**
     * GPU-hours of one tenant or one model.
     *
     * @param name     the tenant or the model
     * @param gpuHours its GPU-hours in the period
     * @param jobs     the jobs that held GPUs in the period
     */
    public record Usage(String name, double gpuHours, int jobs) {
    }

    /** GPU-hours of one tenant on one model. */
    public record TenantModelUsage(String tenant, String model, double gpuHours, int jobs) {
    }

    /** The report for the {@code period} that ends {@code now}. */
    public static CapacityReport of(List<JobRecord> jobs, List<NodeRecord> nodes, Instant now, Duration period) {
        Instant from = now.minus(period);
        Map<String, NodeRecord> byName = nodes.stream()
                .collect(Collectors.toMap(NodeRecord::name, Function.identity()));
        JobModels models = new JobModels(byName);
        Map<String, Tally> tenants = new TreeMap<>();
        Map<String, Tally> modelTallies = new TreeMap<>();
        Map<List<String>, Tally> pairs = new TreeMap<>(Comparator.<List<String>, String>comparing(k -> k.get(0))
                .thenComparing(k -> k.get(1)));
        double total = 0;
        for (JobRecord job : jobs) {
            double gpuHours = HeldTime.gpus(job.spec()) * HeldTime.hoursWithin(job, from, now, now);
            if (gpuHours <= 0) {
                continue;
            }
            String tenant = job.spec().tenant();
            String model = models.of(job);
            tenants.computeIfAbsent(tenant, k -> new Tally()).add(gpuHours);
            modelTallies.computeIfAbsent(model, k -> new Tally()).add(gpuHours);
            pairs.computeIfAbsent(List.of(tenant, model), k -> new Tally()).add(gpuHours);
            total += gpuHours;
        }
        List<IdleGpu> idle = IdleGpu.of(jobs, byName, from, now, now);
        double idleHours = idle.stream().mapToDouble(IdleGpu::gpuHours).sum();
        return new CapacityReport(from, now, period, round(total), GPU_HOURS_METHOD, usages(tenants),
                usages(modelTallies), pairs.entrySet().stream().sorted(mostFirst())
                        .map(e -> new TenantModelUsage(e.getKey().get(0), e.getKey().get(1),
                                round(e.getValue().hours), e.getValue().jobs)).toList(),
                round(idleHours), IdleGpu.METHOD, idle, Queueing.of(jobs, from, now, now),
                EndStates.of(jobs, from, now), Demand.of(jobs, from, now, period), GpuOutOfService.of(nodes),
                NodeOutOfService.of(nodes));
    }

    /** GPU-hours to two decimals: finer is noise for a weekly report. */
    static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }

    private static List<Usage> usages(Map<String, Tally> tallies) {
        return tallies.entrySet().stream().sorted(mostFirst())
                .map(e -> new Usage(e.getKey(), round(e.getValue().hours), e.getValue().jobs)).toList();
    }

    /** Most GPU-hours first; ties keep the maps' name order (sorting is stable). */
    private static <K> Comparator<Map.Entry<K, Tally>> mostFirst() {
        return Comparator.comparingDouble((Map.Entry<K, Tally> e) -> e.getValue().hours).reversed();
    }

    /** GPU-hours and jobs adding up under one key. */
    private static final class Tally {
        private double hours;
        private int jobs;

        void add(double gpuHours) {
            hours += gpuHours;
            jobs++;
        }
    }
}
