package dev.vigil.api.gpu;

import java.util.List;

/** What a node has: its GPUs and their topology, as the agent's backend discovered them. */
public record NodeInventory(String node, String backend, String driverVersion, List<GpuDevice> gpus,
                            NodeTopology topology) {
    public NodeInventory {
        gpus = List.copyOf(gpus);
    }
}
