package dev.vigil.gpu.xid;

import dev.vigil.api.gpu.RepairAction;
import dev.vigil.api.gpu.Severity;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

import static dev.vigil.api.gpu.RepairAction.CHECK_NVLINK;
import static dev.vigil.api.gpu.RepairAction.NONE;
import static dev.vigil.api.gpu.RepairAction.POWER_CYCLE;
import static dev.vigil.api.gpu.RepairAction.RESET_GPU;
import static dev.vigil.api.gpu.RepairAction.RESTART_APP;
import static dev.vigil.api.gpu.Severity.CRITICAL;
import static dev.vigil.api.gpu.Severity.INFO;
import static dev.vigil.api.gpu.Severity.WARNING;

/**
 * The operationally important XIDs of NVIDIA's XID catalog with the catalog's immediate action
 * ("resolution bucket") mapped to Vigil's repair actions: IGNORE → none, RESTART_APP → restart app,
 * RESET_GPU → reset GPU, RESTART_BM → power cycle, the NVLink workflows → check NVLink, and the
 * XID 48 workflow (reset, then check the SRAM threshold) → reset GPU. Fatal XIDs are critical,
 * application faults warnings, informational ones info.
 */
public final class XidCatalog {
    private static final Map<Integer, Xid> BY_CODE = new TreeMap<>();

    static {
        add(13, "ROBUST_CHANNEL_GR_EXCEPTION", "graphics engine exception, usually an application's out-of-bounds access",
                WARNING, RESTART_APP);
        add(31, "FIFO_ERROR_MMU_ERR_FLT", "GPU memory page fault, usually an application's illegal address", WARNING,
                RESTART_APP);
        add(32, "PBDMA_ERROR", "invalid or corrupted push buffer stream", WARNING, RESTART_APP);
        add(43, "RESETCHANNEL_VERIF_ERROR", "GPU stopped processing an application's channel; the GPU is healthy",
                INFO, NONE);
        add(45, "PREEMPTIVE_REMOVAL", "channels cleaned up after an earlier error or an application exit", INFO, NONE);
        add(46, "GPU_TIMEOUT_ERROR", "GPU stopped processing", CRITICAL, RESET_GPU);
        add(48, "GPU_ECC_DBE", "double-bit ECC error: reset, then check the SRAM error threshold (RMA if exceeded)",
                CRITICAL, RESET_GPU);
        add(54, "AUX_POWER_ERROR", "auxiliary power is not connected: check the power connectors", CRITICAL,
                POWER_CYCLE);
        add(61, "PMU_BREAKPOINT", "internal micro-controller breakpoint", CRITICAL, RESET_GPU);
        add(62, "PMU_HALT_ERROR", "internal micro-controller halt", CRITICAL, RESET_GPU);
        add(63, "INFOROM_DRAM_RETIREMENT_EVENT", "page retirement or row remap recorded", INFO, NONE);
        add(64, "INFOROM_DRAM_RETIREMENT_FAILURE", "recording a page retirement or row remap failed", CRITICAL,
                RESET_GPU);
        add(68, "NVDEC0_EXCEPTION", "video decoder exception", WARNING, RESTART_APP);
        add(69, "GR_CLASS_ERROR", "graphics engine class error", WARNING, RESTART_APP);
        add(74, "NVLINK_ERROR", "NVLink error", CRITICAL, CHECK_NVLINK);
        add(79, "GPU_HAS_FALLEN_OFF_THE_BUS", "GPU has fallen off the bus: unreachable on PCIe", CRITICAL, POWER_CYCLE);
        add(92, "EXCESSIVE_SBE_INTERRUPTS", "high rate of single-bit ECC errors", INFO, NONE);
        add(94, "CONTAINED_ERROR", "contained ECC error: the application using the memory must restart", WARNING,
                RESTART_APP);
        add(95, "UNCONTAINED_ERROR", "uncontained ECC error", CRITICAL, RESET_GPU);
        add(109, "CTXSW_TIMEOUT_ERROR", "context switch timeout", CRITICAL, RESET_GPU);
        add(119, "GSP_RPC_TIMEOUT", "GSP firmware did not answer in time", CRITICAL, RESET_GPU);
        add(120, "GSP_ERROR", "GSP firmware error", CRITICAL, RESET_GPU);
        add(121, "C2C_ERROR", "corrected C2C link error", INFO, NONE);
        add(136, "ALI_TRAINING_FAIL", "NVLink link training failed", CRITICAL, RESET_GPU);
        add(140, "UNRECOVERABLE_ECC_ERROR_ESCAPE", "unrecoverable ECC error escaped containment", CRITICAL, RESET_GPU);
        add(143, "GPU_INIT_ERROR", "GPU initialization failed", CRITICAL, RESET_GPU);
        add(144, "NVLINK_SAW_ERROR", "NVLink (SAW) error", CRITICAL, CHECK_NVLINK);
        add(145, "NVLINK_RLW_ERROR", "NVLink (RLW) error", CRITICAL, CHECK_NVLINK);
        add(146, "NVLINK_TLW_ERROR", "NVLink (TLW) error", CRITICAL, CHECK_NVLINK);
        add(147, "NVLINK_TREX_ERROR", "NVLink (TREX) error", CRITICAL, CHECK_NVLINK);
        add(148, "NVLINK_NVLPW_CTRL_ERROR", "NVLink power control error", CRITICAL, CHECK_NVLINK);
        add(149, "NVLINK_NETIR_ERROR", "NVLink network error", CRITICAL, CHECK_NVLINK);
        add(150, "NVLINK_MSE_ERROR", "NVLink management engine error", CRITICAL, CHECK_NVLINK);
        add(154, "GPU_RECOVERY_ACTION_CHANGED", "the driver changed its recommended recovery action; "
                + "see DCGM_FI_DEV_GPU_RECOVERY_ACTION", WARNING, NONE);
        add(155, "NVLINK_SW_DEFINED", "software-defined NVLink error", CRITICAL, RESET_GPU);
        add(156, "RESOURCE_RETIREMENT_EVENT", "resource retirement event", CRITICAL, RESET_GPU);
        add(158, "GPU_FATAL_TIMEOUT", "fatal GPU timeout", CRITICAL, RESET_GPU);
    }

    private XidCatalog() {
    }

    /**
     * The catalog entry for {@code code}. An XID the catalog does not list is a warning with no
     * automatic action: visible, never cordoning on a guess.
     */
    public static Xid lookup(int code) {
        Xid known = BY_CODE.get(code);
        return known != null ? known : new Xid(code, "UNKNOWN",
                "XID " + code + " is not in Vigil's catalog; look it up in NVIDIA's XID catalog", WARNING, NONE);
    }

    public static boolean isKnown(int code) {
        return BY_CODE.containsKey(code);
    }

    public static Collection<Xid> all() {
        return BY_CODE.values();
    }

    private static void add(int code, String mnemonic, String meaning, Severity severity, RepairAction action) {
        BY_CODE.put(code, new Xid(code, mnemonic, meaning, severity, action));
    }
}
