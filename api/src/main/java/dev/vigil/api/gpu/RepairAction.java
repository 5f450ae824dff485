package dev.vigil.api.gpu;

/**
 * What to do about a fault: the resolution buckets of NVIDIA's XID catalog, in order of
 * escalation, so the most drastic of several reasons is the {@code max}.
 */
public enum RepairAction {
    /** Informational; nothing to do. */
    NONE,
    /** The application faulted; restart it. The GPU is fine. */
    RESTART_APP,
    /** Inspect NVLink ({@code nvidia-smi nvlink -s}); reset the GPU or reboot, replace on recurrence. */
    CHECK_NVLINK,
    /** Stop the GPU's processes and reset it ({@code nvidia-smi -r}); reboot if it persists. */
    RESET_GPU,
    /** Reboot the node. */
    REBOOT_NODE,
    /** Power-cycle the node: the GPU is unreachable on PCIe. */
    POWER_CYCLE,
    /** Return the GPU to the vendor. */
    RMA;

    /** Whether a GPU with this pending action must receive no new work until repaired. */
    public boolean takesGpuOutOfService() {
        return ordinal() >= RESET_GPU.ordinal();
    }

    public RepairAction worse(RepairAction other) {
        return other.ordinal() > ordinal() ? other : this;
    }
}
