package dev.vigil.scheduler;

import dev.vigil.scheduler.topology.NodeCapacity;

import java.util.ArrayList;
import java.util.List;

/** Nodes for tests: HGX boards (8 GPUs, one NVLink domain, two NUMA nodes) and PCIe boxes, simulated unless made real. */
final class Clusters {
    static final String H100 = "NVIDIA H100 80GB HBM3";
    static final String A100 = "NVIDIA A100-SXM4-80GB";

    private Clusters() {
    }

    static NodeCapacity hgx(String name, String model) {
        List<NodeCapacity.Gpu> gpus = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            gpus.add(new NodeCapacity.Gpu(i, uuid(name, i), true, 0, i / 4, List.of()));
        }
        return new NodeCapacity(name, model, null, true, true, gpus);
    }

    /** A PCIe box: no NVLink (every GPU its own domain), GPUs 0-1 on NUMA 0, 2-3 on NUMA 1. */
    static NodeCapacity pcie(String name, String model) {
        List<NodeCapacity.Gpu> gpus = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            gpus.add(new NodeCapacity.Gpu(i, uuid(name, i), true, i, i / 2, List.of()));
        }
        return new NodeCapacity(name, model, null, true, true, gpus);
    }

    /** An HGX node whose first {@code migGpus} GPUs are cut into seven 1g.10gb instances each. */
    static NodeCapacity migHgx(String name, int migGpus) {
        List<NodeCapacity.Gpu> gpus = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            List<NodeCapacity.MigSlice> slices = new ArrayList<>();
            for (int s = 0; i < migGpus && s < 7; s++) {
                slices.add(new NodeCapacity.MigSlice(7 + s, "1g.10gb"));
            }
            gpus.add(new NodeCapacity.Gpu(i, uuid(name, i), true, 0, i / 4, slices));
        }
        return new NodeCapacity(name, H100, null, true, true, gpus);
    }

    static NodeCapacity with(NodeCapacity node, boolean schedulable, int unusableGpu) {
        List<NodeCapacity.Gpu> gpus = new ArrayList<>();
        for (NodeCapacity.Gpu gpu : node.gpus()) {
            gpus.add(new NodeCapacity.Gpu(gpu.index(), gpu.uuid(), gpu.index() != unusableGpu, gpu.nvlinkDomain(),
                    gpu.numa(), gpu.mig()));
        }
        return new NodeCapacity(node.name(), node.model(), node.pool(), schedulable, node.simulated(), gpus);
    }

    /** The same node read from real GPUs (an agent on DCGM or NVML). */
    static NodeCapacity real(NodeCapacity node) {
        return new NodeCapacity(node.name(), node.model(), node.pool(), node.schedulable(), false, node.gpus());
    }

    /** The same node as an execution backend that runs nodes of its own (Slurm, Kubernetes) sees it. */
    static NodeCapacity runBy(NodeCapacity node, String backend) {
        return new NodeCapacity(node.name(), node.model(), node.pool(), node.schedulable(), node.simulated(),
                node.gpus(), backend);
    }

    static String uuid(String node, int gpu) {
        return "GPU-" + node + "-" + gpu;
    }
}
