package dev.vigil.gpu.simulated;

/**
 * The physical facts of a simulated GPU model that its telemetry is derived from.
 *
 * @param product         the product name NVML reports
 * @param pciDeviceId     device and vendor id as mig-parted writes it
 * @param memoryMiB       framebuffer
 * @param reservedMiB     framebuffer the driver keeps
 * @param tdpWatts        board power limit
 * @param idleWatts       power at idle
 * @param maxSmClockMHz   boost clock
 * @param idleSmClockMHz  clock at idle
 * @param memClockMHz     memory clock
 * @param nvlinkLinks     NVLink links per GPU (0 for PCIe-only boards)
 * @param migCapable      whether MIG is available
 * @param rowRemapping    HBM GPUs remap rows; the others retire pages
 * @param memoryTemp      whether a memory temperature sensor is exposed
 * @param degCPerWatt     steady-state temperature rise per watt above ambient
 */
record GpuModelSpec(String product, String pciDeviceId, long memoryMiB, long reservedMiB, double tdpWatts,
                    double idleWatts, double maxSmClockMHz, double idleSmClockMHz, double memClockMHz,
                    int nvlinkLinks, boolean migCapable, boolean rowRemapping, boolean memoryTemp,
                    double degCPerWatt) {

    static final GpuModelSpec H100_SXM_80GB = new GpuModelSpec("NVIDIA H100 80GB HBM3", "0x233010DE", 81559, 534,
            700, 72, 1980, 345, 2619, 18, true, true, true, 0.062);
    static final GpuModelSpec A100_SXM_80GB = new GpuModelSpec("NVIDIA A100-SXM4-80GB", "0x20B210DE", 81920, 566,
            400, 55, 1410, 210, 1593, 12, true, true, true, 0.095);
    static final GpuModelSpec L40S = new GpuModelSpec("NVIDIA L40S", "0x26B910DE", 46068, 520, 350, 34, 2520, 210,
            9001, 0, false, false, false, 0.11);
}
