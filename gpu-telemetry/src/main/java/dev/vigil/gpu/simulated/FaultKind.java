package dev.vigil.gpu.simulated;

/** Faults the simulator can inject, each with the telemetry a real GPU shows for it. */
public enum FaultKind {
    /** The driver raises XID n (79 also takes the GPU off the bus; 48 also counts an ECC DBE). */
    XID,
    /** A double-bit ECC error: DBE counters, a pending row remap or page retirement, XID 48, recovery action reset. */
    ECC_DBE,
    /** Row remapping failed: the GPU cannot repair its memory any more (XID 64, RMA). */
    ROW_REMAP_FAILURE,
    /** Cooling fails: temperature climbs about 1.5 C/s, clocks throttle, thermal violation time grows. */
    THERMAL_RUNAWAY,
    /** NVLink links go down: link count drops, CRC and recovery errors grow, XID 74. */
    NVLINK_DOWN,
    /** The GPU falls off the bus: XID 79 and every field unreadable. */
    FALLEN_OFF_BUS,
    /** The board's power brake is asserted (a PSU problem): clocks collapse, HW power brake reason set. */
    POWER_BRAKE,
    /** A process of no job appears on the GPU (a forgotten notebook, a miner); a GPU reset ends it. */
    ROGUE_PROCESS,
    /**
     * A process of the workload running on another GPU of the node appears on this GPU (a job ignoring its
     * {@code CUDA_VISIBLE_DEVICES}); a GPU reset ends it.
     */
    OVERREACH_PROCESS
}
