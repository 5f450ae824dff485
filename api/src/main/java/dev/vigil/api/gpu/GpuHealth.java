package dev.vigil.api.gpu;

import java.util.List;

/** A GPU's health: the worst of its reasons, and the most drastic repair they call for. */
public record GpuHealth(int gpu, String uuid, HealthState state, RepairAction action, List<HealthReason> reasons) {
    public GpuHealth {
        reasons = List.copyOf(reasons);
    }

    public static GpuHealth of(int gpu, String uuid, List<HealthReason> reasons) {
        HealthState state = HealthState.HEALTHY;
        RepairAction action = RepairAction.NONE;
        for (HealthReason reason : reasons) {
            state = state.worse(reason.state());
            action = action.worse(reason.action());
        }
        return new GpuHealth(gpu, uuid, state, action, reasons);
    }
}
