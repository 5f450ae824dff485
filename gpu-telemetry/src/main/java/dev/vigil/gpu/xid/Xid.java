package dev.vigil.gpu.xid;

import dev.vigil.api.gpu.GpuEvent;
import dev.vigil.api.gpu.HealthState;
import dev.vigil.api.gpu.RepairAction;
import dev.vigil.api.gpu.Severity;

import java.time.Instant;

/**
 * One XID of NVIDIA's catalog as Vigil acts on it.
 *
 * @param code     the XID number
 * @param mnemonic the catalog's short name, e.g. {@code GPU_HAS_FALLEN_OFF_THE_BUS}
 * @param meaning  what it means, in words
 * @param severity how urgent it is
 * @param action   the catalog's immediate action, in Vigil's buckets
 */
public record Xid(int code, String mnemonic, String meaning, Severity severity, RepairAction action) {

    /**
     * The health this XID puts a GPU in: failed when the catalog says reset or worse, degraded for
     * NVLink trouble, healthy otherwise (an application's fault says nothing about the GPU).
     */
    public HealthState health() {
        if (action.takesGpuOutOfService()) {
            return HealthState.FAILED;
        }
        return action == RepairAction.CHECK_NVLINK ? HealthState.DEGRADED : HealthState.HEALTHY;
    }

    /** {@code XID 79 GPU_HAS_FALLEN_OFF_THE_BUS: GPU has fallen off the bus: unreachable on PCIe}. */
    public String describe() {
        return "XID " + code + " " + mnemonic + ": " + meaning;
    }

    /** The event a backend reports when a GPU raises this XID (sequence number assigned by the agent). */
    public GpuEvent event(Instant time, int gpu, String uuid, Integer gpuInstanceId, Integer computeInstanceId) {
        return new GpuEvent(0, time, gpu, uuid, gpuInstanceId, computeInstanceId, GpuEvent.Kind.XID, code, severity,
                action, describe());
    }
}
