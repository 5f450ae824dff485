package dev.vigil.gpu.simulated;

import dev.vigil.api.gpu.NodeTopology;

import java.util.List;

/**
 * A kind of GPU server the simulator can build: its GPU model, count, NVLink fabric, PCIe switches
 * and NUMA layout, after the real machines they are named for.
 */
public enum NodeProfile {
    /** HGX H100 8-GPU: all-to-all NVLink through NVSwitch (NV18), two sockets, GPUs in PCIe switch pairs. */
    HGX_H100_8(GpuModelSpec.H100_SXM_80GB, "nvswitch",
            List.of("00000000:18:00.0", "00000000:2A:00.0", "00000000:3A:00.0", "00000000:5D:00.0",
                    "00000000:9A:00.0", "00000000:AB:00.0", "00000000:BA:00.0", "00000000:DB:00.0"),
            List.of(List.of(0, 1), List.of(2, 3), List.of(4, 5), List.of(6, 7)),
            List.of(new NodeTopology.NumaNode(0, "0-55,112-167", List.of(0, 1, 2, 3)),
                    new NodeTopology.NumaNode(1, "56-111,168-223", List.of(4, 5, 6, 7)))),
    /** DGX A100: 8 × A100-SXM4-80GB through NVSwitch (NV12), two EPYC sockets. */
    DGX_A100_8(GpuModelSpec.A100_SXM_80GB, "nvswitch",
            List.of("00000000:07:00.0", "00000000:0F:00.0", "00000000:47:00.0", "00000000:4E:00.0",
                    "00000000:87:00.0", "00000000:90:00.0", "00000000:B7:00.0", "00000000:BD:00.0"),
            List.of(List.of(0, 1), List.of(2, 3), List.of(4, 5), List.of(6, 7)),
            List.of(new NodeTopology.NumaNode(0, "0-63,128-191", List.of(0, 1, 2, 3)),
                    new NodeTopology.NumaNode(1, "64-127,192-255", List.of(4, 5, 6, 7)))),
    /** A PCIe server with 4 × L40S on CPU root ports: no NVLink, no MIG. */
    PCIE_L40S_4(GpuModelSpec.L40S, "none",
            List.of("00000000:01:00.0", "00000000:25:00.0", "00000000:81:00.0", "00000000:C1:00.0"),
            List.of(),
            List.of(new NodeTopology.NumaNode(0, "0-31,64-95", List.of(0, 1)),
                    new NodeTopology.NumaNode(1, "32-63,96-127", List.of(2, 3))));

    static final String DRIVER_VERSION = "570.133.20";

    private final GpuModelSpec model;
    private final String nvlink;
    private final List<String> busIds;
    private final List<List<Integer>> pcieSwitches;
    private final List<NodeTopology.NumaNode> numaNodes;

    NodeProfile(GpuModelSpec model, String nvlink, List<String> busIds, List<List<Integer>> pcieSwitches,
                List<NodeTopology.NumaNode> numaNodes) {
        this.model = model;
        this.nvlink = nvlink;
        this.busIds = busIds;
        this.pcieSwitches = pcieSwitches;
        this.numaNodes = numaNodes;
    }

    GpuModelSpec model() {
        return model;
    }

    public int gpuCount() {
        return busIds.size();
    }

    /** The GPU model's product name, as NVML reports it. */
    public String gpuProduct() {
        return model.product();
    }

    String nvlink() {
        return nvlink;
    }

    String busId(int gpu) {
        return busIds.get(gpu);
    }

    List<List<Integer>> pcieSwitches() {
        return pcieSwitches;
    }

    List<NodeTopology.NumaNode> numaNodes() {
        return numaNodes;
    }

    NodeTopology.NumaNode numaOf(int gpu) {
        return numaNodes.stream().filter(n -> n.gpus().contains(gpu)).findFirst().orElseThrow();
    }
}
