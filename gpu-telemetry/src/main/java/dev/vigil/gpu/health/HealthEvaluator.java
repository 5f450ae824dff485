package dev.vigil.gpu.health;

import dev.vigil.api.gpu.GpuDevice;
import dev.vigil.api.gpu.GpuEvent;
import dev.vigil.api.gpu.GpuHealth;
import dev.vigil.api.gpu.HealthReason;
import dev.vigil.api.gpu.HealthState;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.api.gpu.RepairAction;
import dev.vigil.gpu.backend.EntitySample;
import dev.vigil.gpu.backend.NodeSample;
import dev.vigil.gpu.fields.Field;
import dev.vigil.gpu.fields.FieldCatalog;
import dev.vigil.gpu.fields.FieldSet;
import dev.vigil.gpu.xid.Xid;
import dev.vigil.gpu.xid.XidCatalog;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns samples and events into each GPU's health: its state, the reasons with their numbers,
 * and the repair the reasons call for.
 *
 * <p>Reasons the backend reports itself (DCGM's health watches) are added as they come.
 *
 * <p>Sample-based conditions (ECC, row remapping, temperature, clock slowdowns, NVLink links, the
 * driver's recovery action) hold while the sample shows them. An XID that takes a GPU out of
 * service or points at NVLink holds until {@link #forget} is called for that GPU, i.e. until it
 * is repaired: a GPU reset needs every client of the GPU stopped, the agent included, so on real
 * hardware a restart of the agent after the repair is what clears it.
 *
 * <p>Not thread-safe except {@link #forget}: the sampling loop is its only caller.
 */
public final class HealthEvaluator {
    /** Fields the evaluation reads; the agent samples them even when /metrics does not export them. */
    public static final List<Field> REQUIRED_FIELDS = List.of(FieldCatalog.GPU_TEMP, FieldCatalog.CLOCKS_EVENT_REASONS,
            FieldCatalog.ECC_DBE_VOL_TOTAL, FieldCatalog.ROW_REMAP_FAILURE, FieldCatalog.ROW_REMAP_PENDING,
            FieldCatalog.RETIRED_PENDING, FieldCatalog.GPU_RECOVERY_ACTION);

    private static final int CLOCK_HW_SLOWDOWN = 0x8;
    private static final int CLOCK_THERMAL = 0x20 | 0x40;
    private static final int CLOCK_POWER_BRAKE = 0x80;

    private final HealthThresholds thresholds;
    private final FieldSet fields;
    private final Map<Integer, Map<Integer, HealthReason>> stickyXids = new HashMap<>();
    private final Map<String, Instant> firstSeen = new HashMap<>();
    private final Map<Integer, Integer> expectedLinks = new HashMap<>();
    private final Set<Integer> toForget = ConcurrentHashMap.newKeySet();

    public HealthEvaluator(HealthThresholds thresholds, FieldSet fields) {
        this.thresholds = thresholds;
        this.fields = fields;
    }

    /** Drops the held XID reasons of {@code gpu} at the next evaluation: it has been repaired. */
    public void forget(int gpu) {
        toForget.add(gpu);
    }

    /** The health of every GPU of {@code inventory} given the latest sample and the events since the last call. */
    public List<GpuHealth> evaluate(NodeInventory inventory, NodeSample sample, List<GpuEvent> events) {
        for (Integer gpu : toForget) {
            toForget.remove(gpu);
            stickyXids.remove(gpu);
            expectedLinks.remove(gpu);
        }
        for (GpuEvent event : events) {
            if (event.kind() == GpuEvent.Kind.XID && event.xid() != null) {
                Xid xid = XidCatalog.lookup(event.xid());
                if (xid.health() != HealthState.HEALTHY) {
                    stickyXids.computeIfAbsent(event.gpu(), g -> new LinkedHashMap<>()).putIfAbsent(xid.code(),
                            new HealthReason("xid", xid.health(), xid.describe(), xid.action(), xid.code(), event.time()));
                }
            }
        }
        Instant now = sample.time();
        List<GpuHealth> health = new ArrayList<>(inventory.gpus().size());
        Set<String> present = new HashSet<>();
        for (GpuDevice device : inventory.gpus()) {
            List<HealthReason> reasons = new ArrayList<>(stickyXids.getOrDefault(device.index(), Map.of()).values());
            reasons.addAll(sample.backendHealth().getOrDefault(device.index(), List.of()));
            Conditions conditions = new Conditions(device.index(), now, reasons, present);
            EntitySample gpu = sample.gpu(device.index());
            if (gpu == null || gpu.lost()) {
                conditions.add("gpu-lost", HealthState.FAILED, RepairAction.POWER_CYCLE,
                        "GPU does not answer (fallen off the bus): power-cycle the node");
            } else {
                fromSample(gpu, conditions);
            }
            int expected = expectedLinks.merge(device.index(), device.nvlinkLinks(), Math::max);
            if (device.nvlinkLinks() < expected) {
                conditions.add("nvlink-down", HealthState.DEGRADED, RepairAction.CHECK_NVLINK,
                        (expected - device.nvlinkLinks()) + " of " + expected + " NVLink links down");
            }
            health.add(GpuHealth.of(device.index(), device.uuid(), reasons));
        }
        firstSeen.keySet().retainAll(present);
        return health;
    }

    private void fromSample(EntitySample gpu, Conditions conditions) {
        double dbe = value(gpu, FieldCatalog.ECC_DBE_VOL_TOTAL);
        if (dbe > 0) {
            conditions.add("ecc-dbe", HealthState.FAILED, RepairAction.RESET_GPU,
                    (long) dbe + " uncorrectable (double-bit) ECC error(s) since the driver loaded");
        }
        if (value(gpu, FieldCatalog.ROW_REMAP_FAILURE) >= 1) {
            conditions.add("row-remap-failure", HealthState.FAILED, RepairAction.RMA,
                    "row remapping failed: the GPU can no longer repair its memory");
        }
        if (value(gpu, FieldCatalog.ROW_REMAP_PENDING) >= 1) {
            conditions.add("row-remap-pending", HealthState.DEGRADED, RepairAction.RESET_GPU,
                    "a memory row remap waits for a GPU reset");
        }
        double retiredPending = value(gpu, FieldCatalog.RETIRED_PENDING);
        if (retiredPending > 0) {
            conditions.add("retired-pages-pending", HealthState.DEGRADED, RepairAction.RESET_GPU,
                    (long) retiredPending + " page(s) wait to be retired at the next GPU reset");
        }
        double temp = value(gpu, FieldCatalog.GPU_TEMP);
        if (temp >= thresholds.gpuTempFailed()) {
            conditions.add("temperature", HealthState.FAILED, RepairAction.NONE, String.format(
                    "GPU at %.0f C (failed at %.0f C): check cooling", temp, thresholds.gpuTempFailed()));
        } else if (temp >= thresholds.gpuTempDegraded()) {
            conditions.add("temperature", HealthState.DEGRADED, RepairAction.NONE, String.format(
                    "GPU at %.0f C (degraded at %.0f C): check cooling", temp, thresholds.gpuTempDegraded()));
        }
        int clockReasons = (int) Math.max(0, value(gpu, FieldCatalog.CLOCKS_EVENT_REASONS));
        // HW slowdown is raised by heat and by the power brake alike: with the brake set, the brake explains it.
        boolean powerBrake = (clockReasons & CLOCK_POWER_BRAKE) != 0;
        if ((clockReasons & CLOCK_THERMAL) != 0 || (clockReasons & CLOCK_HW_SLOWDOWN) != 0 && !powerBrake) {
            conditions.add("thermal-slowdown", HealthState.DEGRADED, RepairAction.NONE,
                    String.format("clocks held down for temperature (clock event reasons 0x%x)", clockReasons));
        }
        if (powerBrake) {
            conditions.add("power-brake", HealthState.DEGRADED, RepairAction.NONE, String.format(
                    "hardware power brake asserted, clocks held down (clock event reasons 0x%x): check the node's"
                            + " power supplies", clockReasons));
        }
        switch ((int) Math.max(0, value(gpu, FieldCatalog.GPU_RECOVERY_ACTION))) {
            case 1 -> conditions.add("recovery-action", HealthState.FAILED, RepairAction.RESET_GPU,
                    "the driver asks for a GPU reset");
            case 2 -> conditions.add("recovery-action", HealthState.FAILED, RepairAction.REBOOT_NODE,
                    "the driver asks for a node reboot");
            case 3 -> conditions.add("recovery-action", HealthState.DEGRADED, RepairAction.RESET_GPU,
                    "the driver asks to drain peer-to-peer traffic, then reset");
            case 4 -> conditions.add("recovery-action", HealthState.FAILED, RepairAction.RESET_GPU,
                    "the driver asks to drain the GPU and reset it");
            default -> {
                // 0: nothing to recover from.
            }
        }
    }

    /** The field's value, or -1 when it is not sampled or has no value. */
    private double value(EntitySample sample, Field field) {
        int slot = fields.slot(field);
        return sample.has(slot) ? sample.value(slot) : -1;
    }

    /** Collects the sample-based reasons of one GPU, keeping the time each was first seen. */
    private final class Conditions {
        private final int gpu;
        private final Instant now;
        private final List<HealthReason> reasons;
        private final Set<String> present;

        Conditions(int gpu, Instant now, List<HealthReason> reasons, Set<String> present) {
            this.gpu = gpu;
            this.now = now;
            this.reasons = reasons;
            this.present = present;
        }

        void add(String code, HealthState state, RepairAction action, String message) {
            String key = gpu + "/" + code;
            present.add(key);
            Instant since = firstSeen.computeIfAbsent(key, k -> now);
            reasons.add(new HealthReason(code, state, message, action, null, since));
        }
    }
}
