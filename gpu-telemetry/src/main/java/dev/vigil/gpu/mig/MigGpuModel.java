package dev.vigil.gpu.mig;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/**
 * The MIG-capable GPUs whose geometry Vigil knows. All four split memory into 8 slices and SMs
 * into 7 (MIG User Guide, "Supported MIG Profiles"); they differ only in profile names and sizes.
 *
 * <p>Recognition: by PCI device id first (exact), then by NVML product name. The device ids are the
 * ones NVIDIA's mig-parted {@code config-default.yaml} groups under each profile family, which is
 * why the A800/H800 variants map onto the A100/H100 tables. H100 NVL (94 GB), H100 96 GB, GH200,
 * A30 and Blackwell have other tables and are deliberately not recognised.
 *
 * <p>{@link MigProfile#memoryMiB()} is informational: A100-40GB and H100-80GB figures are
 * {@code nvidia-smi mig -lgip} outputs captured on real GPUs (4.75/9.75/19.62/39.50 GiB and
 * 9.75/19.62/39.50/79.25 GiB); A100-80GB reuses the H100-80GB figures (same 80 GB in 8 slices) and
 * H200 takes go-nvml's mock table. Neither of the last two is confirmed; NVML's own
 * {@code memorySizeMB} is the truth on a live GPU.
 */
public enum MigGpuModel {
    A100_40GB("A100-40GB", new Size(5, 4864), new Size(10, 9984), new Size(20, 20096), new Size(40, 40448),
            List.of("A100-SXM4-40GB", "A100-PCIE-40GB"),
            List.of("0x20B010DE", "0x20B110DE", "0x20F110DE", "0x20F610DE")),
    A100_80GB("A100-80GB", new Size(10, 9984), new Size(20, 20096), new Size(40, 40448), new Size(80, 81152),
            List.of("A100-SXM4-80GB", "A100 80GB PCIe"),
            List.of("0x20B210DE", "0x20B510DE", "0x20F310DE", "0x20F510DE")),
    H100_80GB("H100-80GB", new Size(10, 9984), new Size(20, 20096), new Size(40, 40448), new Size(80, 81152),
            List.of("H100 80GB HBM3", "H100 PCIe", "H800 80GB HBM3", "H800 PCIe"),
            List.of("0x233010DE", "0x233110DE", "0x232210DE", "0x232410DE")),
    H200_141GB("H200-141GB", new Size(18, 18432), new Size(35, 35840), new Size(71, 72704), new Size(141, 144384),
            List.of("H200", "H200 NVL"),
            List.of("0x233510DE", "0x233B10DE"));

    /** Memory slices of every supported GPU; a placement's start and size count in these. */
    public static final int MEMORY_SLICES = 8;
    /** SM slices of every supported GPU. */
    public static final int COMPUTE_SLICES = 7;

    private static final Map<String, MigGpuModel> BY_PRODUCT = new HashMap<>();
    private static final Map<Long, MigGpuModel> BY_DEVICE_ID = new HashMap<>();

    static {
        for (MigGpuModel model : values()) {
            model.productNames.forEach(name -> BY_PRODUCT.put(normalizedProduct(name), model));
            model.deviceIds.forEach(id -> BY_DEVICE_ID.put(deviceId(id).orElseThrow(), model));
        }
    }

    private final String displayName;
    private final List<MigProfile> profiles;
    private final List<String> productNames;
    private final List<String> deviceIds;

    /** A profile's memory as its name writes it (GB) and as NVML reports it (MiB). */
    private record Size(int gb, long mib) {
    }

    MigGpuModel(String displayName, Size oneSlice, Size twoSlices, Size fourSlices, Size wholeGpu,
                List<String> productNames, List<String> deviceIds) {
        this.displayName = displayName;
        this.productNames = productNames;
        this.deviceIds = deviceIds;
        List<Integer> anySlice = List.of(0, 1, 2, 3, 4, 5, 6); // slice 7 never starts a 1-slice instance
        // Table order follows the guide: 1g, 1g+me, the double-memory 1g, 2g, 3g, 4g, 7g.
        this.profiles = List.of(
                new MigProfile("1g." + oneSlice.gb() + "gb", 19, 1, 1, 7, anySlice, oneSlice.mib(), false),
                new MigProfile("1g." + oneSlice.gb() + "gb+me", 20, 1, 1, 1, anySlice, oneSlice.mib(), true),
                new MigProfile("1g." + twoSlices.gb() + "gb", 15, 2, 1, 4, List.of(0, 2, 4, 6), twoSlices.mib(), false),
                new MigProfile("2g." + twoSlices.gb() + "gb", 14, 2, 2, 3, List.of(0, 2, 4), twoSlices.mib(), false),
                new MigProfile("3g." + fourSlices.gb() + "gb", 9, 4, 3, 2, List.of(0, 4), fourSlices.mib(), false),
                new MigProfile("4g." + fourSlices.gb() + "gb", 5, 4, 4, 1, List.of(0), fourSlices.mib(), false),
                new MigProfile("7g." + wholeGpu.gb() + "gb", 0, 8, 7, 1, List.of(0), wholeGpu.mib(), false));
    }

    /** {@code H100-80GB}, how messages name the model. */
    public String displayName() {
        return displayName;
    }

    /** A GPU of this model as NVML and mig-parted name it: its first product name and PCI device id. */
    public NodeGpu representative(int index) {
        return new NodeGpu(index, "NVIDIA " + productNames.get(0), deviceIds.get(0));
    }

    /** Every GPU-instance profile, smallest first. */
    public List<MigProfile> profiles() {
        return profiles;
    }

    /** The profile named exactly {@code name} ({@code 1g.10gb+me}); names are model-specific. */
    public Optional<MigProfile> profile(String name) {
        return profiles.stream().filter(profile -> profile.name().equals(name)).findFirst();
    }

    /** The model of a GPU as NVML names it ({@code NVIDIA A100-SXM4-40GB}); empty for a GPU without a known MIG table. */
    public static Optional<MigGpuModel> forProductName(String productName) {
        return productName == null ? Optional.empty() : Optional.ofNullable(BY_PRODUCT.get(normalizedProduct(productName)));
    }

    /** The model for a PCI device id as mig-parted writes it ({@code 0x233010DE}, case and {@code 0x} optional). */
    public static Optional<MigGpuModel> forPciDeviceId(String pciDeviceId) {
        OptionalLong id = deviceId(pciDeviceId);
        return id.isPresent() ? Optional.ofNullable(BY_DEVICE_ID.get(id.getAsLong())) : Optional.empty();
    }

    /** The device id decides when it is known (it is exact); the product name is the fallback. */
    public static Optional<MigGpuModel> of(NodeGpu gpu) {
        return forPciDeviceId(gpu.pciDeviceId()).or(() -> forProductName(gpu.productName()));
    }

    @Override
    public String toString() {
        return displayName;
    }

    /** The sentence every layer uses for a name this model does not have. */
    String unknownProfile(String name) {
        return "unknown profile " + name + " on " + displayName + " (profiles: "
                + profiles.stream().map(MigProfile::name).collect(Collectors.joining(", ")) + ")";
    }

    /** The known models, for messages. */
    static String supportedModels() {
        return Arrays.stream(values()).map(MigGpuModel::displayName).collect(Collectors.joining(", "));
    }

    /** Parses {@code 0x20B010DE} (device id in the high half, vendor in the low half) into a number. */
    static OptionalLong deviceId(String text) {
        if (text == null) {
            return OptionalLong.empty();
        }
        String hex = text.trim();
        if (hex.startsWith("0x") || hex.startsWith("0X")) {
            hex = hex.substring(2);
        }
        if (!hex.matches("[0-9a-fA-F]{8}")) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Long.parseLong(hex, 16));
    }

    /**
     * NVML writes {@code NVIDIA A100 80GB PCIe}, GFD labels write {@code NVIDIA-A100-80GB-PCIe}, older
     * drivers drop the vendor: compare upper case, with spaces, dashes and underscores alike.
     */
    private static String normalizedProduct(String name) {
        String normalized = name.trim().toUpperCase(Locale.ROOT).replaceAll("[\\s_-]+", "-");
        return normalized.startsWith("NVIDIA-") ? normalized.substring("NVIDIA-".length()) : normalized;
    }
}
