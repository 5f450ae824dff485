package dev.vigil.api.gpu;

import java.util.List;

/**
 * How a node's GPUs hang together.
 *
 * @param nvlink       {@code nvswitch} (all-to-all through NVSwitch), {@code direct} (point-to-point
 *                     bridges) or {@code none}
 * @param nvlinkDomains groups of GPU indices that reach each other over NVLink
 * @param pcieSwitches groups of GPU indices behind one PCIe switch
 * @param numaNodes    NUMA nodes with their CPUs and nearest GPUs
 */
public record NodeTopology(String nvlink, List<List<Integer>> nvlinkDomains, List<List<Integer>> pcieSwitches,
                           List<NumaNode> numaNodes) {
    public NodeTopology {
        nvlinkDomains = nvlinkDomains.stream().map(List::copyOf).toList();
        pcieSwitches = pcieSwitches.stream().map(List::copyOf).toList();
        numaNodes = List.copyOf(numaNodes);
    }

    /** A NUMA node: its id, its CPUs as a CPU list, and the GPUs nearest to it. */
    public record NumaNode(int id, String cpus, List<Integer> gpus) {
        public NumaNode {
            gpus = List.copyOf(gpus);
        }
    }
}
