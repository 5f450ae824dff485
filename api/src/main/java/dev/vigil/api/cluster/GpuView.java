package dev.vigil.api.cluster;

import dev.vigil.api.gpu.HealthState;
import dev.vigil.api.gpu.RepairAction;
import dev.vigil.api.placement.JudgedProcess;

import java.util.List;

/**
 * A GPU of the fleet: where it is, how healthy, whether new work may land on it.
 *
 * @param node         the node
 * @param gpu          its index on the node
 * @param uuid         its UUID
 * @param model        its model
 * @param health       its health state
 * @param action       the repair its health calls for
 * @param reason       the first health reason, if any
 * @param cordoned     whether it is cordoned (itself, or its node)
 * @param cordonReason why, if it is
 * @param allocation   what runs there (the scheduler fills this in), or null
 * @param processes    the processes on it with their job and its agent's verdict, as last reported
 */
public record GpuView(String node, int gpu, String uuid, String model, HealthState health, RepairAction action,
                      String reason, boolean cordoned, String cordonReason, String allocation,
                      List<JudgedProcess> processes) {
    public GpuView {
        processes = processes == null ? List.of() : List.copyOf(processes);
    }
}
