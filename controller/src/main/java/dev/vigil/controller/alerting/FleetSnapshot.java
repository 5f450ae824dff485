package dev.vigil.controller.alerting;

import dev.vigil.alerts.fleet.Fleet;
import dev.vigil.alerts.fleet.FleetGpu;
import dev.vigil.alerts.fleet.FleetNode;
import dev.vigil.alerts.fleet.GpuAllocation;
import dev.vigil.alerts.fleet.PendingJob;
import dev.vigil.alerts.fleet.TenantUsage;
import dev.vigil.alerts.fleet.XidSeen;
import dev.vigil.api.cluster.CordonedGpu;
import dev.vigil.api.cluster.GpuSummary;
import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.gpu.GpuDevice;
import dev.vigil.api.gpu.GpuEvent;
import dev.vigil.api.gpu.GpuHealth;
import dev.vigil.api.gpu.HealthState;
import dev.vigil.api.gpu.RepairAction;
import dev.vigil.api.jobs.Allocation;
import dev.vigil.api.jobs.JobRecord;
import dev.vigil.controller.scheduling.JobsView;
import dev.vigil.controller.state.NodeVitals;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The fleet as the alert rules see it, kept by the leader one node at a time as it applies
 * reports: each node's state and GPUs (health, readings, cordons, the job on each), the XIDs its
 * agent reported lately, and, when a fleet is asked for, the scheduler's waiting jobs and
 * tenants' use.
 *
 * <p>Only XIDs that leave a GPU in service go into the recent window: the agent holds the others
 * (reset or worse, NVLink) as health reasons until the GPU is repaired, and the rules read those.
 * Counting them in the window as well would keep a repaired GPU's alert firing for the window.
 */
final class FleetSnapshot {
    private final Duration xidWindow;
    /** Each node without its recent XIDs and with its jobs' tenants unknown: both are added when a fleet is built. */
    private final Map<String, FleetNode> nodes = new ConcurrentHashMap<>();
    private final Map<String, ConcurrentLinkedDeque<GpuXid>> xids = new ConcurrentHashMap<>();
    private final Set<String> freshXids = ConcurrentHashMap.newKeySet();

    private record GpuXid(int gpu, XidSeen seen) {
    }

    FleetSnapshot(Duration xidWindow) {
        this.xidWindow = xidWindow;
    }

    /** Forgets everything: a new leader starts from the store. */
    void clear() {
        nodes.clear();
        xids.clear();
        freshXids.clear();
    }

    /** Adds the stored nodes that no report has brought since {@link #clear}. */
    void load(Collection<NodeRecord> stored) {
        for (NodeRecord node : stored) {
            nodes.putIfAbsent(node.name(), node(node));
        }
    }

    /**
     * Takes a node the leader stored.
     *
     * @return whether the rules should look at once: its state, health, cordons or jobs changed, or
     *         its agent reported XIDs (readings and report times wait for the next tick)
     */
    boolean update(NodeRecord record) {
        FleetNode next = node(record);
        FleetNode old = nodes.put(record.name(), next);
        boolean xid = freshXids.remove(record.name());
        return xid || old == null || !withoutReadings(old).equals(withoutReadings(next));
    }

    /**
     * Lays the nodes' latest vital signs over them: readings and report times change with every
     * report, and reports that change nothing else never reach the leader.
     */
    void vitals(Map<String, NodeVitals> latest) {
        latest.forEach((name, vitals) -> nodes.computeIfPresent(name, (n, node) -> withVitals(node, vitals)));
    }

    private static FleetNode withVitals(FleetNode node, NodeVitals vitals) {
        if (node.lastReport() != null && !vitals.lastReport().isAfter(node.lastReport())) {
            return node;
        }
        List<FleetGpu> gpus = new ArrayList<>(node.gpus().size());
        for (FleetGpu gpu : node.gpus()) {
            GpuSummary readings = vitals.gpus().stream().filter(s -> s.gpu() == gpu.index()).findFirst().orElse(null);
            gpus.add(readings == null ? gpu : new FleetGpu(gpu.index(), gpu.uuid(), gpu.model(), gpu.health(),
                    gpu.reasons(), gpu.recentXids(), readings.temperature(), readings.power(), readings.utilization(),
                    gpu.cordoned(), gpu.allocation(), gpu.violations()));
        }
        return new FleetNode(node.name(), node.state(), vitals.lastReport(), gpus);
    }

    /** Keeps the XIDs among a report's events that leave the GPU in service. */
    void events(String node, List<GpuEvent> events, Instant now) {
        ConcurrentLinkedDeque<GpuXid> recent = xids.computeIfAbsent(node, n -> new ConcurrentLinkedDeque<>());
        for (GpuEvent event : events) {
            if (event.kind() == GpuEvent.Kind.XID && event.xid() != null && !heldUntilRepaired(event.action())) {
                recent.add(new GpuXid(event.gpu(), new XidSeen(event.xid(), event.action(), event.severity(),
                        event.message(), event.time())));
                freshXids.add(node);
            }
        }
        prune(recent, now);
    }

    /**
     * The fleet now, with the scheduler's jobs.
     *
     * @param tenantOf the tenant of a job that holds GPUs (null when not known)
     * @param runbooks the runbooks' recent runs and whether automation is halted
     */
    Fleet fleet(JobsView jobs, Function<String, String> tenantOf, RunbookFacts runbooks, Instant now) {
        List<FleetNode> all = new ArrayList<>(nodes.size());
        for (FleetNode node : new TreeMap<>(nodes).values()) {
            ConcurrentLinkedDeque<GpuXid> recent = xids.get(node.name());
            if (recent != null) {
                prune(recent, now);
            }
            boolean anyJob = node.gpus().stream().anyMatch(g -> g.allocation() != null);
            all.add((recent == null || recent.isEmpty()) && !anyJob ? node : complete(node, recent, tenantOf));
        }
        List<PendingJob> waiting = new ArrayList<>(jobs.waiting().size());
        for (JobRecord job : jobs.waiting()) {
            waiting.add(new PendingJob(job.id(), job.spec().name(), job.spec().tenant(), job.spec().queue(),
                    JobsView.waitingSince(job), job.reason()));
        }
        Set<String> tenants = new TreeSet<>(jobs.heldMilli().keySet());
        tenants.addAll(jobs.quotas().keySet());
        List<TenantUsage> usage = new ArrayList<>();
        for (String tenant : tenants) {
            long milli = jobs.heldMilli().getOrDefault(tenant, 0L);
            // A part of a GPU counts as a GPU held: over quota is over quota.
            usage.add(new TenantUsage(tenant, (int) ((milli + 999) / 1000), jobs.quotas().get(tenant)));
        }
        return new Fleet(all, waiting, usage, runbooks.runs(), runbooks.automation());
    }

    /** The job ids that hold GPUs now. */
    Set<String> allocatedJobs() {
        Set<String> jobs = new HashSet<>();
        nodes.values().forEach(node -> node.gpus().forEach(g -> {
            if (g.allocation() != null) {
                jobs.add(g.allocation().job());
            }
        }));
        return jobs;
    }

    private static FleetNode complete(FleetNode node, Collection<GpuXid> recent, Function<String, String> tenantOf) {
        Map<Integer, List<XidSeen>> byGpu = recent == null ? Map.of() : recent.stream()
                .collect(Collectors.groupingBy(GpuXid::gpu, Collectors.mapping(GpuXid::seen, Collectors.toList())));
        List<FleetGpu> gpus = new ArrayList<>(node.gpus().size());
        for (FleetGpu gpu : node.gpus()) {
            GpuAllocation allocation = gpu.allocation() == null ? null
                    : new GpuAllocation(gpu.allocation().job(), tenantOf.apply(gpu.allocation().job()));
            gpus.add(new FleetGpu(gpu.index(), gpu.uuid(), gpu.model(), gpu.health(), gpu.reasons(),
                    byGpu.getOrDefault(gpu.index(), List.of()), gpu.temperature(), gpu.power(), gpu.utilization(),
                    gpu.cordoned(), allocation, gpu.violations()));
        }
        return new FleetNode(node.name(), node.state(), node.lastReport(), gpus);
    }

    private void prune(ConcurrentLinkedDeque<GpuXid> recent, Instant now) {
        Instant from = now.minus(xidWindow);
        recent.removeIf(x -> x.seen().at() == null || x.seen().at().isBefore(from));
    }

    /** As the agent judges an XID: reset or worse fails the GPU, NVLink trouble degrades it, until repaired. */
    private static boolean heldUntilRepaired(RepairAction action) {
        return action != null && (action.takesGpuOutOfService() || action == RepairAction.CHECK_NVLINK);
    }

    static FleetNode node(NodeRecord record) {
        List<FleetGpu> gpus = new ArrayList<>();
        if (record.inventory() != null) {
            Set<String> cordoned = record.cordonedGpus().stream().map(CordonedGpu::uuid).collect(Collectors.toSet());
            for (GpuDevice device : record.inventory().gpus()) {
                GpuHealth health = record.health().stream().filter(h -> h.gpu() == device.index()).findFirst()
                        .orElse(null);
                GpuSummary readings = record.gpus().stream().filter(s -> s.gpu() == device.index()).findFirst()
                        .orElse(null);
                String job = record.allocations().stream().filter(a -> a.gpus().contains(device.index()))
                        .map(Allocation::job).findFirst().orElse(null);
                gpus.add(new FleetGpu(device.index(), device.uuid(), device.model(),
                        health == null ? HealthState.HEALTHY : health.state(),
                        health == null ? List.of() : health.reasons(), List.of(),
                        readings == null ? null : readings.temperature(), readings == null ? null : readings.power(),
                        readings == null ? null : readings.utilization(),
                        record.unschedulable() || cordoned.contains(device.uuid()),
                        job == null ? null : new GpuAllocation(job, null),
                        record.violations().stream().filter(p -> p.gpu() == device.index()).toList()));
            }
        }
        return new FleetNode(record.name(), record.state(), record.lastReport(), gpus);
    }

    private static FleetNode withoutReadings(FleetNode node) {
        List<FleetGpu> gpus = new ArrayList<>(node.gpus().size());
        for (FleetGpu gpu : node.gpus()) {
            gpus.add(new FleetGpu(gpu.index(), gpu.uuid(), gpu.model(), gpu.health(), gpu.reasons(), gpu.recentXids(),
                    null, null, null, gpu.cordoned(), gpu.allocation(), gpu.violations()));
        }
        return new FleetNode(node.name(), node.state(), null, gpus);
    }
}
