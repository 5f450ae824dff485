package dev.vigil.alerts.fleet;

import java.util.ArrayList;
import java.util.List;

/**
 * What the alert rules look at: the fleet as the controller's leader knows it at one moment.
 * The controller builds it from its state (nodes with their GPUs, the scheduler's pending jobs
 * and tenants' quota use, the runbooks' runs and circuit breaker); the engine never reads
 * anything else.
 *
 * @param nodes       every node
 * @param pendingJobs jobs waiting to start
 * @param tenants     each tenant's GPU use against its quota
 * @param runs        runbook runs: those in progress and those that ended lately (the last day
 *                    covers every rule's window)
 * @param automation  whether runbooks may act (default: they may)
 */
public record Fleet(List<FleetNode> nodes, List<PendingJob> pendingJobs, List<TenantUsage> tenants,
                    List<RunbookRun> runs, Automation automation) {
    public Fleet {
        nodes = nodes == null ? List.of() : List.copyOf(nodes);
        pendingJobs = pendingJobs == null ? List.of() : List.copyOf(pendingJobs);
        tenants = tenants == null ? List.of() : List.copyOf(tenants);
        runs = runs == null ? List.of() : List.copyOf(runs);
        automation = automation == null ? Automation.running() : automation;
    }

    /** A fleet without runbooks: no runs, automation running. */
    public Fleet(List<FleetNode> nodes, List<PendingJob> pendingJobs, List<TenantUsage> tenants) {
        this(nodes, pendingJobs, tenants, null, null);
    }

    public static Fleet empty() {
        return new Fleet(List.of(), List.of(), List.of());
    }

    /** This fleet with {@code node} added, or replacing the node of the same name: one report's change. */
    public Fleet withNode(FleetNode node) {
        List<FleetNode> changed = new ArrayList<>(nodes.size() + 1);
        boolean replaced = false;
        for (FleetNode existing : nodes) {
            if (existing.name().equals(node.name())) {
                changed.add(node);
                replaced = true;
            } else {
                changed.add(existing);
            }
        }
        if (!replaced) {
            changed.add(node);
        }
        return new Fleet(changed, pendingJobs, tenants, runs, automation);
    }
}
