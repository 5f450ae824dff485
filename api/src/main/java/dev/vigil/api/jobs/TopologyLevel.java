package dev.vigil.api.jobs;

/** How close a job's GPUs must (or should) be, tightest first. */
public enum TopologyLevel {
    /** One node. */
    SAME_NODE,
    /** One NVLink domain (one node's NVSwitch fabric). */
    SAME_NVLINK,
    /** Nodes under one leaf switch. */
    SAME_LEAF,
    /** At most {@code maxLeaves} leaf switches, like Slurm's {@code --switches}. */
    MAX_LEAVES
}
