package dev.vigil.gpu.fields;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import static dev.vigil.gpu.fields.MetricType.COUNTER;
import static dev.vigil.gpu.fields.MetricType.GAUGE;
import static dev.vigil.gpu.fields.MetricType.LABEL;

/**
 * Every field Vigil can read: DCGM field id, dcgm-exporter metric name, type, unit and help.
 * Ids and names follow DCGM 4.x (ids have not changed since 3.x; 4.6 renamed some fields and
 * kept the old names as aliases, and these are the names dashboards use).
 *
 * <p>{@link #DEFAULTS} is dcgm-exporter's default set plus the health signals it leaves off by
 * default (ECC, retired pages, row remapping, NVLink errors, throttle violations, clock event
 * reasons, SM activity and occupancy): the on-call person needs those before they need anything.
 */
public final class FieldCatalog {
    public static final Field DRIVER_VERSION = label(1, "DCGM_FI_DRIVER_VERSION", "Driver version.");

    public static final Field SM_CLOCK = gauge(100, "DCGM_FI_DEV_SM_CLOCK", "MHz", "SM clock frequency (MHz).");
    public static final Field MEM_CLOCK = gauge(101, "DCGM_FI_DEV_MEM_CLOCK", "MHz", "Memory clock frequency (MHz).");
    public static final Field CLOCKS_EVENT_REASONS = gauge(112, "DCGM_FI_DEV_CLOCKS_EVENT_REASONS", "",
            "Why clocks are held below their maximum, a bitmask: 0x1 idle, 0x2 application clocks setting, "
                    + "0x4 SW power cap, 0x8 HW slowdown, 0x10 sync boost, 0x20 SW thermal, 0x40 HW thermal, "
                    + "0x80 HW power brake, 0x100 display clocks.");
    public static final Field MEMORY_TEMP = gauge(140, "DCGM_FI_DEV_MEMORY_TEMP", "C", "Memory temperature (C).");
    public static final Field GPU_TEMP = gauge(150, "DCGM_FI_DEV_GPU_TEMP", "C", "GPU temperature (C).");
    public static final Field POWER_USAGE = gauge(155, "DCGM_FI_DEV_POWER_USAGE", "W", "Power draw (W).");
    public static final Field TOTAL_ENERGY = counter(156, "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", "mJ",
            "Energy consumed since the driver was last loaded (mJ).");
    public static final Field ENFORCED_POWER_LIMIT = gauge(164, "DCGM_FI_DEV_ENFORCED_POWER_LIMIT", "W",
            "Power limit the driver enforces (W).");
    public static final Field PCIE_REPLAY = counter(202, "DCGM_FI_DEV_PCIE_REPLAY_COUNTER", "count",
            "PCIe replays (link-level retries).");
    public static final Field GPU_UTIL = gauge(203, "DCGM_FI_DEV_GPU_UTIL", "%",
            "GPU utilization (%): share of time a kernel ran. Not available on MIG instances.");
    public static final Field MEM_COPY_UTIL = gauge(204, "DCGM_FI_DEV_MEM_COPY_UTIL", "%",
            "Memory utilization (%): share of time memory was read or written.");
    public static final Field ENC_UTIL = gauge(206, "DCGM_FI_DEV_ENC_UTIL", "%", "Video encoder utilization (%).");
    public static final Field DEC_UTIL = gauge(207, "DCGM_FI_DEV_DEC_UTIL", "%", "Video decoder utilization (%).");
    public static final Field XID_ERRORS = gauge(230, "DCGM_FI_DEV_XID_ERRORS", "",
            "The last XID the GPU raised (0 when none since the agent started); "
                    + "see DCGM_EXP_XID_ERRORS_COUNT for how many.");
    public static final Field POWER_VIOLATION = counter(240, "DCGM_FI_DEV_POWER_VIOLATION", "ns",
            "Time clocks were held down by the power limit (ns).");
    public static final Field THERMAL_VIOLATION = counter(241, "DCGM_FI_DEV_THERMAL_VIOLATION", "ns",
            "Time clocks were held down by temperature (ns).");
    public static final Field SYNC_BOOST_VIOLATION = counter(242, "DCGM_FI_DEV_SYNC_BOOST_VIOLATION", "ns",
            "Time clocks were held down by sync boost (ns).");
    public static final Field BOARD_LIMIT_VIOLATION = counter(243, "DCGM_FI_DEV_BOARD_LIMIT_VIOLATION", "ns",
            "Time clocks were held down by the board limit (ns).");
    public static final Field LOW_UTIL_VIOLATION = counter(244, "DCGM_FI_DEV_LOW_UTIL_VIOLATION", "ns",
            "Time clocks were held down by low utilization (ns).");
    public static final Field RELIABILITY_VIOLATION = counter(245, "DCGM_FI_DEV_RELIABILITY_VIOLATION", "ns",
            "Time clocks were held down by the board's reliability limit (ns).");
    public static final Field FB_TOTAL = gauge(250, "DCGM_FI_DEV_FB_TOTAL", "MiB", "Framebuffer memory total (MiB).",
            true);
    public static final Field FB_FREE = gauge(251, "DCGM_FI_DEV_FB_FREE", "MiB", "Framebuffer memory free (MiB).",
            true);
    public static final Field FB_USED = gauge(252, "DCGM_FI_DEV_FB_USED", "MiB", "Framebuffer memory used (MiB).",
            true);
    public static final Field FB_RESERVED = gauge(253, "DCGM_FI_DEV_FB_RESERVED", "MiB",
            "Framebuffer memory reserved by the driver (MiB).", true);
    public static final Field ECC_SBE_VOL_TOTAL = counter(310, "DCGM_FI_DEV_ECC_SBE_VOL_TOTAL", "count",
            "Single-bit (corrected) ECC errors since the last driver load.");
    public static final Field ECC_DBE_VOL_TOTAL = counter(311, "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL", "count",
            "Double-bit (uncorrectable) ECC errors since the last driver load.");
    public static final Field ECC_SBE_AGG_TOTAL = counter(312, "DCGM_FI_DEV_ECC_SBE_AGG_TOTAL", "count",
            "Single-bit ECC errors over the GPU's lifetime.");
    public static final Field ECC_DBE_AGG_TOTAL = counter(313, "DCGM_FI_DEV_ECC_DBE_AGG_TOTAL", "count",
            "Double-bit ECC errors over the GPU's lifetime.");
    public static final Field RETIRED_SBE = counter(390, "DCGM_FI_DEV_RETIRED_SBE", "count",
            "Pages retired for single-bit errors.");
    public static final Field RETIRED_DBE = counter(391, "DCGM_FI_DEV_RETIRED_DBE", "count",
            "Pages retired for double-bit errors.");
    public static final Field RETIRED_PENDING = gauge(392, "DCGM_FI_DEV_RETIRED_PENDING", "count",
            "Pages waiting to be retired at the next GPU reset.");
    public static final Field UNCORRECTABLE_REMAPPED_ROWS = counter(393, "DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS",
            "count", "Memory rows remapped for uncorrectable errors.");
    public static final Field CORRECTABLE_REMAPPED_ROWS = counter(394, "DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS",
            "count", "Memory rows remapped for correctable errors.");
    public static final Field ROW_REMAP_FAILURE = gauge(395, "DCGM_FI_DEV_ROW_REMAP_FAILURE", "",
            "1 when a row remapping failed: the GPU cannot repair its memory any more.");
    public static final Field ROW_REMAP_PENDING = gauge(396, "DCGM_FI_DEV_ROW_REMAP_PENDING", "",
            "1 when a row remapping waits for a GPU reset.");
    public static final Field NVLINK_CRC_FLIT_ERRORS = counter(409, "DCGM_FI_DEV_NVLINK_CRC_FLIT_ERROR_COUNT_TOTAL",
            "count", "NVLink flow-control CRC errors, all links.");
    public static final Field NVLINK_CRC_DATA_ERRORS = counter(419, "DCGM_FI_DEV_NVLINK_CRC_DATA_ERROR_COUNT_TOTAL",
            "count", "NVLink data CRC errors, all links.");
    public static final Field NVLINK_REPLAY_ERRORS = counter(429, "DCGM_FI_DEV_NVLINK_REPLAY_ERROR_COUNT_TOTAL",
            "count", "NVLink replays, all links.");
    public static final Field NVLINK_RECOVERY_ERRORS = counter(439,
            "DCGM_FI_DEV_NVLINK_RECOVERY_ERROR_COUNT_TOTAL", "count", "NVLink link recoveries, all links.");
    public static final Field NVLINK_BANDWIDTH_TOTAL = counter(449, "DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL", "count",
            "NVLink bandwidth counter, all links.");
    public static final Field VGPU_LICENSE_STATUS = gauge(526, "DCGM_FI_DEV_VGPU_LICENSE_STATUS", "",
            "vGPU license status (vGPU guests only).");
    public static final Field PROF_GR_ENGINE_ACTIVE = gauge(1001, "DCGM_FI_PROF_GR_ENGINE_ACTIVE", "ratio",
            "Share of time the graphics/compute engine was active (0-1).", true);
    public static final Field PROF_SM_ACTIVE = gauge(1002, "DCGM_FI_PROF_SM_ACTIVE", "ratio",
            "Share of cycles an SM had at least one warp resident, averaged over SMs (0-1).", true);
    public static final Field PROF_SM_OCCUPANCY = gauge(1003, "DCGM_FI_PROF_SM_OCCUPANCY", "ratio",
            "Resident warps relative to the SMs' maximum, averaged over SMs (0-1).", true);
    public static final Field PROF_PIPE_TENSOR_ACTIVE = gauge(1004, "DCGM_FI_PROF_PIPE_TENSOR_ACTIVE", "ratio",
            "Share of cycles the tensor (HMMA) pipe was active (0-1).", true);
    public static final Field PROF_DRAM_ACTIVE = gauge(1005, "DCGM_FI_PROF_DRAM_ACTIVE", "ratio",
            "Share of cycles the memory interface was busy (0-1).", true);
    public static final Field PROF_PIPE_FP64_ACTIVE = gauge(1006, "DCGM_FI_PROF_PIPE_FP64_ACTIVE", "ratio",
            "Share of cycles the FP64 pipe was active (0-1).", true);
    public static final Field PROF_PIPE_FP32_ACTIVE = gauge(1007, "DCGM_FI_PROF_PIPE_FP32_ACTIVE", "ratio",
            "Share of cycles the FP32 pipe was active (0-1).", true);
    public static final Field PROF_PIPE_FP16_ACTIVE = gauge(1008, "DCGM_FI_PROF_PIPE_FP16_ACTIVE", "ratio",
            "Share of cycles the FP16 pipe was active (0-1).", true);
    public static final Field PROF_PCIE_TX_BYTES = gauge(1009, "DCGM_FI_PROF_PCIE_TX_BYTES", "B/s",
            "PCIe transmit rate, header and payload (bytes/s).");
    public static final Field PROF_PCIE_RX_BYTES = gauge(1010, "DCGM_FI_PROF_PCIE_RX_BYTES", "B/s",
            "PCIe receive rate, header and payload (bytes/s).");
    public static final Field PROF_NVLINK_TX_BYTES = gauge(1011, "DCGM_FI_PROF_NVLINK_TX_BYTES", "B/s",
            "NVLink transmit rate (bytes/s).");
    public static final Field PROF_NVLINK_RX_BYTES = gauge(1012, "DCGM_FI_PROF_NVLINK_RX_BYTES", "B/s",
            "NVLink receive rate (bytes/s).");
    public static final Field GPU_RECOVERY_ACTION = gauge(1523, "DCGM_FI_DEV_GPU_RECOVERY_ACTION", "",
            "The driver's recommended recovery: 0 none, 1 GPU reset, 2 node reboot, 3 drain P2P, "
                    + "4 drain and reset.");

    /** Every field, in id order. */
    public static final List<Field> ALL = List.of(DRIVER_VERSION, SM_CLOCK, MEM_CLOCK, CLOCKS_EVENT_REASONS,
            MEMORY_TEMP, GPU_TEMP, POWER_USAGE, TOTAL_ENERGY, ENFORCED_POWER_LIMIT, PCIE_REPLAY, GPU_UTIL,
            MEM_COPY_UTIL, ENC_UTIL, DEC_UTIL, XID_ERRORS, POWER_VIOLATION, THERMAL_VIOLATION, SYNC_BOOST_VIOLATION,
            BOARD_LIMIT_VIOLATION, LOW_UTIL_VIOLATION, RELIABILITY_VIOLATION, FB_TOTAL, FB_FREE, FB_USED,
            FB_RESERVED, ECC_SBE_VOL_TOTAL, ECC_DBE_VOL_TOTAL, ECC_SBE_AGG_TOTAL, ECC_DBE_AGG_TOTAL, RETIRED_SBE,
            RETIRED_DBE, RETIRED_PENDING, UNCORRECTABLE_REMAPPED_ROWS, CORRECTABLE_REMAPPED_ROWS, ROW_REMAP_FAILURE,
            ROW_REMAP_PENDING, NVLINK_CRC_FLIT_ERRORS, NVLINK_CRC_DATA_ERRORS, NVLINK_REPLAY_ERRORS,
            NVLINK_RECOVERY_ERRORS, NVLINK_BANDWIDTH_TOTAL, VGPU_LICENSE_STATUS, PROF_GR_ENGINE_ACTIVE,
            PROF_SM_ACTIVE, PROF_SM_OCCUPANCY, PROF_PIPE_TENSOR_ACTIVE, PROF_DRAM_ACTIVE, PROF_PIPE_FP64_ACTIVE,
            PROF_PIPE_FP32_ACTIVE, PROF_PIPE_FP16_ACTIVE, PROF_PCIE_TX_BYTES, PROF_PCIE_RX_BYTES,
            PROF_NVLINK_TX_BYTES, PROF_NVLINK_RX_BYTES, GPU_RECOVERY_ACTION);

    /** dcgm-exporter's default counters (etc/default-counters.csv). */
    public static final List<Field> DCGM_EXPORTER_DEFAULTS = List.of(SM_CLOCK, MEM_CLOCK, MEMORY_TEMP, GPU_TEMP,
            POWER_USAGE, TOTAL_ENERGY, PCIE_REPLAY, GPU_UTIL, MEM_COPY_UTIL, ENC_UTIL, DEC_UTIL, XID_ERRORS, FB_FREE,
            FB_USED, FB_RESERVED, NVLINK_BANDWIDTH_TOTAL, VGPU_LICENSE_STATUS, UNCORRECTABLE_REMAPPED_ROWS,
            CORRECTABLE_REMAPPED_ROWS, ROW_REMAP_FAILURE, DRIVER_VERSION, PROF_GR_ENGINE_ACTIVE,
            PROF_PIPE_TENSOR_ACTIVE, PROF_DRAM_ACTIVE, PROF_PCIE_TX_BYTES, PROF_PCIE_RX_BYTES);

    /** What the agent reads unless told otherwise: dcgm-exporter's defaults plus the health signals. */
    public static final List<Field> DEFAULTS = inIdOrder(DCGM_EXPORTER_DEFAULTS, List.of(
            CLOCKS_EVENT_REASONS, POWER_VIOLATION, THERMAL_VIOLATION, ECC_SBE_VOL_TOTAL, ECC_DBE_VOL_TOTAL,
            ECC_SBE_AGG_TOTAL, ECC_DBE_AGG_TOTAL, RETIRED_SBE, RETIRED_DBE, RETIRED_PENDING, ROW_REMAP_PENDING,
            NVLINK_CRC_FLIT_ERRORS, NVLINK_CRC_DATA_ERRORS, NVLINK_REPLAY_ERRORS, NVLINK_RECOVERY_ERRORS,
            PROF_SM_ACTIVE, PROF_SM_OCCUPANCY, GPU_RECOVERY_ACTION));

    private static final Map<String, Field> BY_NAME = ALL.stream()
            .collect(Collectors.toMap(Field::name, Function.identity(), (a, b) -> a, LinkedHashMap::new));
    private static final Map<Integer, Field> BY_ID = ALL.stream()
            .collect(Collectors.toMap(Field::id, Function.identity()));

    private FieldCatalog() {
    }

    public static Optional<Field> byName(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    public static Optional<Field> byId(int id) {
        return Optional.ofNullable(BY_ID.get(id));
    }

    /** The names of every field, for "allowed:" in error messages. */
    public static List<String> names() {
        return List.copyOf(BY_NAME.keySet());
    }

    @SafeVarargs
    private static List<Field> inIdOrder(List<Field>... lists) {
        return Arrays.stream(lists).flatMap(List::stream).distinct()
                .sorted((a, b) -> Integer.compare(a.id(), b.id())).toList();
    }

    private static Field gauge(int id, String name, String unit, String help) {
        return new Field(id, name, GAUGE, unit, help, false);
    }

    private static Field gauge(int id, String name, String unit, String help, boolean perMigInstance) {
        return new Field(id, name, GAUGE, unit, help, perMigInstance);
    }

    private static Field counter(int id, String name, String unit, String help) {
        return new Field(id, name, COUNTER, unit, help, false);
    }

    private static Field label(int id, String name, String help) {
        return new Field(id, name, LABEL, "", help, false);
    }
}
