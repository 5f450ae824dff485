package dev.vigil.sim.cluster;

/** How a node's GPUs connect: what the scheduler's NVLink and NUMA alignment sees. */
public enum Layout {
    /** An HGX/DGX board: every GPU in one NVLink (NVSwitch) domain, the first half on NUMA node 0, the rest on 1. */
    HGX,
    /** PCIe cards: no NVLink (each GPU its own domain), the first half on NUMA node 0, the rest on 1. */
    PCIE
}
