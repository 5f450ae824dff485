package dev.vigil.gpu.mig;

import java.util.Objects;

/**
 * What the MIG planner needs to know about one GPU of a node; callers adapt their own inventory
 * type to it.
 *
 * @param index       the driver's GPU index, what mig-parted's {@code devices:} lists
 * @param productName the product name as NVML reports it, e.g. {@code NVIDIA H100 80GB HBM3}
 * @param pciDeviceId the PCI device and vendor id as mig-parted's {@code device-filter} writes it,
 *                    e.g. {@code 0x233010DE}; a value not of that form matches no {@code device-filter}
 *                    and leaves model recognition to the product name
 */
public record NodeGpu(int index, String productName, String pciDeviceId) {
    public NodeGpu {
        if (index < 0) {
            throw new IllegalArgumentException("GPU index must be 0 or more, got " + index);
        }
        Objects.requireNonNull(productName, "productName");
        Objects.requireNonNull(pciDeviceId, "pciDeviceId");
    }

    /** {@code GPU 3 (NVIDIA H100 80GB HBM3)}, how messages name a GPU. */
    @Override
    public String toString() {
        return "GPU " + index + " (" + productName + ")";
    }
}
