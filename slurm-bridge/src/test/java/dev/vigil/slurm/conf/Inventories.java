package dev.vigil.slurm.conf;

import dev.vigil.api.gpu.GpuDevice;
import dev.vigil.api.gpu.MigStatus;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.api.gpu.NodeTopology;
import dev.vigil.api.gpu.NvlinkPeer;

import java.util.ArrayList;
import java.util.List;

/** GPU inventories shaped like the agent reports them, for the generators' tests. */
public final class Inventories {
    private Inventories() {
    }

    /**
     * An 8-GPU NVSwitch node (every GPU reaches every other over {@code links} NVLinks), GPUs 0-3
     * nearest NUMA node 0 and 4-7 nearest NUMA node 1.
     */
    public static NodeInventory nvswitch(String node, String model, int links, String numa0, String numa1) {
        List<String> bus = List.of("00000000:18:00.0", "00000000:2A:00.0", "00000000:3A:00.0", "00000000:5D:00.0",
                "00000000:9A:00.0", "00000000:AB:00.0", "00000000:BA:00.0", "00000000:DB:00.0");
        List<GpuDevice> gpus = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            List<NvlinkPeer> peers = new ArrayList<>();
            for (int p = 0; p < 8; p++) {
                if (p != i) {
                    peers.add(new NvlinkPeer(p, links));
                }
            }
            gpus.add(gpu(i, model, bus.get(i), i < 4 ? 0 : 1, i < 4 ? numa0 : numa1, peers, false));
        }
        return new NodeInventory(node, "nvml", "570.133.20", gpus, new NodeTopology("nvswitch",
                List.of(List.of(0, 1, 2, 3, 4, 5, 6, 7)), List.of(),
                List.of(new NodeTopology.NumaNode(0, numa0, List.of(0, 1, 2, 3)),
                        new NodeTopology.NumaNode(1, numa1, List.of(4, 5, 6, 7)))));
    }

    static GpuDevice gpu(int index, String model, String bus, Integer numa, String cpus, List<NvlinkPeer> peers,
                         boolean mig) {
        return new GpuDevice(index, "GPU-" + index, model, bus, "0x233010DE", 81559, numa, cpus,
                peers.stream().mapToInt(NvlinkPeer::links).sum(), peers, new MigStatus(true, mig, List.of()));
    }
}
