package dev.vigil.gpu.nvml;

import com.sun.jna.Pointer;

import java.util.List;

/**
 * What the backend keeps about one GPU between calls: its handle (cached at open) and the parts of
 * the last discovery that sampling and MIG changes need. Guarded by the backend's lock, except
 * {@link #handle}, {@link #index} and {@link #uuid}, which the event thread reads and which never change.
 */
final class NvmlGpu {
    /** A MIG device (one per compute instance) and the GPU instance it belongs to. */
    record MigDevice(int gpuInstanceId, Pointer handle) {
    }

    final int index;
    /** Null when NVML gave no handle at open (the GPU was already lost). */
    final Pointer handle;
    final String uuid;
    final String product;

    /** Links that answer nvmlDeviceGetNvLinkState (0 without NVLink), and how many were up. */
    int links;
    int linksUp;
    boolean migCapable;
    boolean migEnabled;
    /** One MIG device per GPU instance, for per-instance memory. */
    List<MigDevice> migDevices = List.of();
    /** The GPU-instance profiles the driver offers, read once MIG is on (they need MIG mode). */
    MigProfiles profiles;
    /** Whether the last sample found the GPU lost (for the XID 79 the backend reports once per loss). */
    boolean lost;

    NvmlGpu(int index, Pointer handle, String uuid, String product) {
        this.index = index;
        this.handle = handle;
        this.uuid = uuid;
        this.product = product;
    }
}
