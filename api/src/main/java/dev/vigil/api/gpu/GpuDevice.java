package dev.vigil.api.gpu;

import java.util.List;

/**
 * One GPU as discovered on a node.
 *
 * @param index        the driver's index ({@code gpu} label, {@code /dev/nvidia<index>})
 * @param uuid         {@code GPU-...}
 * @param model        product name, e.g. {@code NVIDIA H100 80GB HBM3}
 * @param pciBusId     {@code 00000000:18:00.0}
 * @param pciDeviceId  the PCI device and vendor id as mig-parted's {@code device-filter} writes it,
 *                     e.g. {@code 0x233010DE} (H100 SXM5)
 * @param memoryMiB    total framebuffer
 * @param numaNode     the NUMA node nearest to the GPU, or null when the platform does not say
 * @param cpuAffinity  the CPUs nearest to the GPU as a CPU list ({@code 0-55,112-167})
 * @param nvlinkLinks  NVLink links that are up (0 for PCIe-only GPUs)
 * @param nvlinkPeers  GPUs of this node reachable over NVLink
 * @param mig          MIG capability, mode and instances
 */
public record GpuDevice(int index, String uuid, String model, String pciBusId, String pciDeviceId,
                        long memoryMiB, Integer numaNode,
                        String cpuAffinity, int nvlinkLinks, List<NvlinkPeer> nvlinkPeers, MigStatus mig) {
    public GpuDevice {
        nvlinkPeers = List.copyOf(nvlinkPeers);
    }

    /** {@code nvidia<index>}, dcgm-exporter's {@code device} label. */
    public String deviceName() {
        return "nvidia" + index;
    }
}
