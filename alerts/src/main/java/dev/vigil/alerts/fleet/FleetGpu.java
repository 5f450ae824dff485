package dev.vigil.alerts.fleet;

import dev.vigil.api.gpu.HealthReason;
import dev.vigil.api.gpu.HealthState;
import dev.vigil.api.placement.JudgedProcess;

import java.util.List;

/**
 * A GPU as the alert rules see it. Readings are null when the GPU did not give them (a GPU
 * fallen off the bus, utilization in MIG mode).
 *
 * @param index       its index on the node
 * @param uuid        its UUID
 * @param model       its model
 * @param health      its health state
 * @param reasons     why it is not healthy, as the agent judged (an XID that holds until repaired is one)
 * @param recentXids  XIDs its agent reported lately, including those that leave the GPU healthy
 *                    (an application's fault): the controller keeps a window of them
 * @param temperature degrees C
 * @param power       watts
 * @param utilization percent busy
 * @param cordoned    no new work may land on it (itself or its node)
 * @param allocation  the job that holds it, or null when free
 * @param violations  processes on it its agent judged overreach or rogue, with what it did about them
 */
public record FleetGpu(int index, String uuid, String model, HealthState health, List<HealthReason> reasons,
                       List<XidSeen> recentXids, Double temperature, Double power, Double utilization,
                       boolean cordoned, GpuAllocation allocation, List<JudgedProcess> violations) {
    public FleetGpu {
        violations = violations == null ? List.of() : List.copyOf(violations);
        health = health == null ? HealthState.HEALTHY : health;
        reasons = reasons == null ? List.of() : List.copyOf(reasons);
        recentXids = recentXids == null ? List.of() : List.copyOf(recentXids);
    }

    /** A GPU without placement violations. */
    public FleetGpu(int index, String uuid, String model, HealthState health, List<HealthReason> reasons,
                    List<XidSeen> recentXids, Double temperature, Double power, Double utilization,
                    boolean cordoned, GpuAllocation allocation) {
        this(index, uuid, model, health, reasons, recentXids, temperature, power, utilization, cordoned, allocation,
                List.of());
    }
}
