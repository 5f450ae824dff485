package dev.vigil.gpu.simulated;

import dev.vigil.api.gpu.MigInstance;
import dev.vigil.gpu.xid.XidCatalog;
import dev.vigil.gpu.backend.EntitySample;
import dev.vigil.gpu.backend.FieldStatus;
import dev.vigil.gpu.fields.Field;
import dev.vigil.gpu.fields.FieldSet;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One simulated GPU: a small physical model advanced one second at a time. Load comes from what
 * runs on it; power follows load, temperature follows power with a thermal time constant, clocks
 * follow power and temperature, counters integrate. Faults bend the model the way real faults
 * bend real telemetry.
 */
final class SimulatedGpu {
    static final int CLOCK_IDLE = 0x1;
    static final int CLOCK_SW_POWER_CAP = 0x4;
    static final int CLOCK_HW_SLOWDOWN = 0x8;
    static final int CLOCK_SW_THERMAL = 0x20;
    static final int CLOCK_HW_THERMAL = 0x40;
    static final int CLOCK_HW_POWER_BRAKE = 0x80;

    private static final double AMBIENT_C = 27;
    private static final double THERMAL_TAU_S = 45;
    private static final double SW_THERMAL_C = 88;
    private static final double HW_THERMAL_C = 95;
    /** After this long without a sample the model jumps ahead instead of replaying every second. */
    private static final long MAX_CATCH_UP_S = 900;

    final int index;
    final GpuModelSpec model;
    private final long seed;
    private final long key;
    /** Where a GPU sits in the chassis airflow: some run a few degrees warmer than others. */
    private final double coolingOffsetC;

    private Workload wholeGpu;
    private long wholeGpuSince;
    private final Map<Integer, Running> onInstances = new LinkedHashMap<>();
    private List<MigInstance> migInstances = List.of();
    private boolean migEnabled;
    private Boolean migPending;

    private long second = Long.MIN_VALUE;
    private double util;
    private double tensor;
    private double dram;
    private double occupancy;
    private double power;
    private double temp;
    private double smClock;
    private double energyMj;
    private double pcieBytes;
    private double nvlinkBytes;
    private double nvlinkCounter;
    private double powerViolationNs;
    private double thermalViolationNs;
    private double lowUtilViolationNs;
    private long pcieReplays;
    private int clockReasons;
    private double memUsedMiB;

    long sbeVolatile;
    long dbeVolatile;
    long sbeAggregate;
    long dbeAggregate;
    long retiredSbe;
    long retiredDbe;
    long retiredPending;
    long remappedUncorrectable;
    long remappedCorrectable;
    boolean remapFailure;
    boolean remapPending;
    long nvlinkCrcFlit;
    long nvlinkCrcData;
    long nvlinkReplay;
    long nvlinkRecovery;
    int lastXid;
    int recoveryAction;

    boolean lost;
    boolean thermalRunaway;
    boolean powerBrake;
    int linksDown;

    private record Running(Workload workload, long since) {
    }

    SimulatedGpu(int index, GpuModelSpec model, long seed, long nodeKey) {
        this.index = index;
        this.model = model;
        this.seed = seed;
        this.key = Noise.mix(nodeKey + index);
        this.coolingOffsetC = 3 * Noise.signed(seed, key, -4);
        // A fleet is not new: give each GPU a lifetime of corrected errors.
        this.sbeAggregate = (long) (Noise.unit(seed, key, -1) * 40);
        this.remappedCorrectable = model.rowRemapping() ? (long) (Noise.unit(seed, key, -2) * 3) : 0;
        this.retiredSbe = model.rowRemapping() ? 0 : (long) (Noise.unit(seed, key, -3) * 2);
    }

    void run(Workload workload, Integer gpuInstance, long now) {
        if (gpuInstance == null) {
            wholeGpu = workload;
            wholeGpuSince = now;
        } else {
            onInstances.put(gpuInstance, new Running(workload, now));
        }
    }

    void stop(Integer gpuInstance) {
        if (gpuInstance == null) {
            wholeGpu = null;
        } else {
            onInstances.remove(gpuInstance);
        }
    }

    /**
     * Ends what runs on the whole GPU, or on one MIG instance of it, as a crash would.
     *
     * @return where something ran and is now gone: the MIG instances' ids, and null for the whole GPU
     */
    List<Integer> crash(Integer gpuInstance) {
        List<Integer> ended = new ArrayList<>();
        if (gpuInstance == null && wholeGpu != null && wholeGpu.kind() != WorkloadKind.IDLE) {
            ended.add(null);
        }
        for (Map.Entry<Integer, Running> running : onInstances.entrySet()) {
            boolean hit = gpuInstance == null || gpuInstance.equals(running.getKey());
            if (hit && running.getValue().workload().kind() != WorkloadKind.IDLE) {
                ended.add(running.getKey());
            }
        }
        for (Integer slot : ended) {
            stop(slot);
        }
        return ended;
    }

    /** The faults a diagnostic finds on this GPU now, in words; empty for a sound GPU. */
    List<String> faults() {
        List<String> found = new ArrayList<>();
        if (lost) {
            found.add("fallen off the bus");
        }
        if (lastXid != 0 && XidCatalog.lookup(lastXid).action().takesGpuOutOfService()) {
            found.add("XID " + lastXid + " not repaired yet");
        }
        if (dbeVolatile > 0) {
            found.add(dbeVolatile + " uncorrectable ECC error(s)");
        }
        if (remapPending) {
            found.add("row remap pending");
        }
        if (remapFailure) {
            found.add("row remapping failed");
        }
        if (retiredPending > 0) {
            found.add(retiredPending + " page(s) pending retirement");
        }
        if (linksDown > 0) {
            found.add(linksDown + " NVLink link(s) down");
        }
        if (thermalRunaway) {
            found.add("thermal runaway");
        }
        if (powerBrake) {
            found.add("power brake asserted");
        }
        return found;
    }

    boolean busy() {
        return wholeGpu != null || !onInstances.isEmpty();
    }

    Workload wholeGpuWorkload() {
        return wholeGpu;
    }

    Workload instanceWorkload(int gpuInstance) {
        Running running = onInstances.get(gpuInstance);
        return running == null ? null : running.workload();
    }

    /** The mode and instances as of now; a mode set now supersedes one that was pending. */
    void setMig(boolean enabled, List<MigInstance> instances) {
        migEnabled = enabled;
        migPending = null;
        migInstances = List.copyOf(instances);
        onInstances.keySet().retainAll(instances.stream().map(MigInstance::gpuInstanceId).toList());
    }

    boolean migEnabled() {
        return migEnabled;
    }

    /** A MIG mode switch the driver took but that waits for a reset: instances go now, the mode at the reset. */
    void pendMigMode(boolean enabled) {
        setMig(migEnabled, List.of());
        migPending = enabled;
    }

    /** MIG instances are not kept across a reboot (the mode is). */
    void dropMigInstances() {
        setMig(migEnabled, List.of());
    }

    List<MigInstance> migInstances() {
        return migInstances;
    }

    int linksUp() {
        return Math.max(0, model.nvlinkLinks() - linksDown);
    }

    /** Advances the model to {@code target} (epoch second), one second at a time. */
    void advanceTo(long target) {
        if (second == Long.MIN_VALUE || target - second > MAX_CATCH_UP_S) {
            second = target - 1;
            step(target, true);
            second = target;
            return;
        }
        while (second < target) {
            second++;
            step(second, false);
        }
    }

    private void step(long s, boolean settle) {
        double utilSum = 0;
        double tensorSum = 0;
        double dramSum = 0;
        double occupancySum = 0;
        double pcieSum = 0;
        double nvlinkSum = 0;
        double memory = 0;
        if (wholeGpu != null && !migEnabled) {
            double u = LoadShape.utilization(wholeGpu, s - wholeGpuSince, seed, key);
            utilSum = u;
            tensorSum = u * LoadShape.tensorPerUtil(wholeGpu.kind());
            dramSum = u * LoadShape.dramPerUtil(wholeGpu.kind());
            occupancySum = u * LoadShape.occupancyPerUtil(wholeGpu.kind());
            pcieSum = u * LoadShape.pcieBytesPerUtil(wholeGpu.kind());
            nvlinkSum = u * LoadShape.nvlinkBytesPerUtil(wholeGpu.kind());
            memory = wholeGpu.typicalMemory() * (model.memoryMiB() - model.reservedMiB());
        }
        for (MigInstance instance : migInstances) {
            Running running = onInstances.get(instance.gpuInstanceId());
            if (running == null) {
                continue;
            }
            double share = computeShare(instance);
            double u = LoadShape.utilization(running.workload(), s - running.since(), seed,
                    key ^ instance.gpuInstanceId());
            WorkloadKind kind = running.workload().kind();
            utilSum += u * share;
            tensorSum += u * share * LoadShape.tensorPerUtil(kind);
            dramSum += u * share * LoadShape.dramPerUtil(kind);
            occupancySum += u * share * LoadShape.occupancyPerUtil(kind);
            pcieSum += u * share * LoadShape.pcieBytesPerUtil(kind);
            memory += running.workload().typicalMemory() * instance.memoryMiB();
        }
        util = utilSum;
        tensor = tensorSum;
        dram = dramSum;
        occupancy = occupancySum;
        memUsedMiB = Math.round(memory * (1 + 0.004 * Noise.signed(seed, key ^ 0x1234, s)));
        clockReasons = 0;

        double headroom = model.tdpWatts() - model.idleWatts();
        double demand = model.idleWatts() + headroom * Math.pow(util, 0.9);
        if (util > 0) {
            demand += 0.015 * model.tdpWatts() * Noise.signed(seed, key ^ 0x77, s);
        } else {
            demand += Noise.signed(seed, key ^ 0x77, s);
        }
        power = Math.min(demand, model.tdpWatts());
        if (demand > model.tdpWatts() * 0.985) {
            clockReasons |= CLOCK_SW_POWER_CAP;
            powerViolationNs += 0.4e9;
        }
        if (powerBrake) {
            power = model.idleWatts() * 1.4;
            clockReasons |= CLOCK_HW_POWER_BRAKE | CLOCK_HW_SLOWDOWN;
        }

        double steady = AMBIENT_C + coolingOffsetC + model.degCPerWatt() * power;
        if (settle) {
            temp = steady;
        } else {
            temp += (steady - temp) * (1 - Math.exp(-1 / THERMAL_TAU_S));
        }
        if (thermalRunaway) {
            temp = Math.min(105, temp + 1.5);
        }

        if (util <= 0) {
            smClock = model.idleSmClockMHz();
            clockReasons |= CLOCK_IDLE;
            lowUtilViolationNs += 1e9;
        } else {
            boolean capped = (clockReasons & CLOCK_SW_POWER_CAP) != 0;
            smClock = model.maxSmClockMHz() * (capped ? 0.93 : 1.0) - 15 * Noise.unit(seed, key ^ 0x99, s);
        }
        if (temp >= SW_THERMAL_C) {
            clockReasons |= CLOCK_SW_THERMAL;
            smClock *= Math.max(0.45, 1 - (temp - SW_THERMAL_C) * 0.05);
            thermalViolationNs += 1e9;
        }
        if (temp >= HW_THERMAL_C) {
            clockReasons |= CLOCK_HW_THERMAL | CLOCK_HW_SLOWDOWN;
        }
        if (powerBrake) {
            smClock = model.maxSmClockMHz() * 0.3;
        }
        smClock = Math.round(smClock);

        energyMj += power * 1000;
        pcieBytes = Math.max(2e6, pcieSum * (1 + 0.2 * Noise.signed(seed, key ^ 0x55, s)));
        double linkShare = model.nvlinkLinks() == 0 ? 0 : (double) linksUp() / model.nvlinkLinks();
        nvlinkBytes = nvlinkSum * linkShare * (1 + 0.1 * Noise.signed(seed, key ^ 0x66, s));
        nvlinkCounter += 2 * nvlinkBytes;
        if (linksDown > 0) {
            nvlinkCrcFlit += 40L * linksDown;
            nvlinkCrcData += 3L * linksDown;
            nvlinkReplay += 7L * linksDown;
        }
        if (Noise.unit(seed, key ^ 0xabc, s) < 0.0005) {
            pcieReplays++;
        }
        if (Noise.unit(seed, key ^ 0xdef, s) < 0.0002) {
            sbeVolatile++;
            sbeAggregate++;
        }
    }

    private static double computeShare(MigInstance instance) {
        // A profile named Ng.* has N of the GPU's 7 compute slices.
        String profile = instance.profile();
        int g = profile.indexOf('g');
        int slices = g > 0 ? Integer.parseInt(profile.substring(0, g)) : 7;
        return slices / 7.0;
    }

    /** Fills a whole-GPU sample. */
    void fill(EntitySample sample, FieldSet fields) {
        for (int slot = 0; slot < fields.size(); slot++) {
            double value = gpuValue(fields.field(slot));
            if (Double.isNaN(value)) {
                sample.mark(slot, FieldStatus.NOT_SUPPORTED);
            } else {
                sample.set(slot, value);
            }
        }
    }

    /** Fills a MIG GPU instance's sample: only per-instance fields have values. */
    void fillInstance(EntitySample sample, FieldSet fields, MigInstance instance) {
        Running running = onInstances.get(instance.gpuInstanceId());
        double u = running == null ? 0 : LoadShape.utilization(running.workload(), second - running.since(), seed,
                key ^ instance.gpuInstanceId());
        WorkloadKind kind = running == null ? WorkloadKind.IDLE : running.workload().kind();
        double used = running == null ? 0 : Math.round(running.workload().typicalMemory() * instance.memoryMiB());
        for (int slot = 0; slot < fields.size(); slot++) {
            Field field = fields.field(slot);
            double value = !field.perMigInstance() ? Double.NaN : switch (field.name()) {
                case "DCGM_FI_DEV_FB_TOTAL" -> instance.memoryMiB();
                case "DCGM_FI_DEV_FB_USED" -> used;
                case "DCGM_FI_DEV_FB_FREE" -> instance.memoryMiB() - used;
                case "DCGM_FI_DEV_FB_RESERVED" -> 0;
                case "DCGM_FI_PROF_GR_ENGINE_ACTIVE" -> u;
                case "DCGM_FI_PROF_SM_ACTIVE" -> u * 0.92;
                case "DCGM_FI_PROF_SM_OCCUPANCY" -> u * LoadShape.occupancyPerUtil(kind);
                case "DCGM_FI_PROF_PIPE_TENSOR_ACTIVE" -> u * LoadShape.tensorPerUtil(kind);
                case "DCGM_FI_PROF_DRAM_ACTIVE" -> u * LoadShape.dramPerUtil(kind);
                case "DCGM_FI_PROF_PIPE_FP64_ACTIVE" -> u * 0.01;
                case "DCGM_FI_PROF_PIPE_FP32_ACTIVE" -> u * 0.12;
                case "DCGM_FI_PROF_PIPE_FP16_ACTIVE" -> u * LoadShape.tensorPerUtil(kind) * 0.4;
                default -> Double.NaN;
            };
            if (Double.isNaN(value)) {
                sample.mark(slot, FieldStatus.NOT_SUPPORTED);
            } else {
                sample.set(slot, value);
            }
        }
    }

    /** The GPU-level value of {@code field}, or NaN when this GPU does not support it. */
    private double gpuValue(Field field) {
        boolean nvlink = model.nvlinkLinks() > 0;
        return switch (field.name()) {
            case "DCGM_FI_DEV_SM_CLOCK" -> smClock;
            case "DCGM_FI_DEV_MEM_CLOCK" -> model.memClockMHz();
            case "DCGM_FI_DEV_CLOCKS_EVENT_REASONS" -> clockReasons;
            case "DCGM_FI_DEV_MEMORY_TEMP" -> model.memoryTemp() ? Math.round(temp + 4) : Double.NaN;
            case "DCGM_FI_DEV_GPU_TEMP" -> Math.round(temp);
            case "DCGM_FI_DEV_POWER_USAGE" -> Math.round(power * 1000) / 1000.0;
            case "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION" -> Math.floor(energyMj);
            case "DCGM_FI_DEV_ENFORCED_POWER_LIMIT" -> model.tdpWatts();
            case "DCGM_FI_DEV_PCIE_REPLAY_COUNTER" -> pcieReplays;
            // NVML has no utilization for a GPU in MIG mode; use DCGM_FI_PROF_GR_ENGINE_ACTIVE there.
            case "DCGM_FI_DEV_GPU_UTIL" -> migEnabled ? Double.NaN : Math.round(util * 100);
            case "DCGM_FI_DEV_MEM_COPY_UTIL" -> migEnabled ? Double.NaN : Math.round(dram * 85);
            case "DCGM_FI_DEV_ENC_UTIL", "DCGM_FI_DEV_DEC_UTIL" -> 0;
            case "DCGM_FI_DEV_XID_ERRORS" -> lastXid;
            case "DCGM_FI_DEV_POWER_VIOLATION" -> Math.floor(powerViolationNs);
            case "DCGM_FI_DEV_THERMAL_VIOLATION" -> Math.floor(thermalViolationNs);
            case "DCGM_FI_DEV_LOW_UTIL_VIOLATION" -> Math.floor(lowUtilViolationNs);
            case "DCGM_FI_DEV_SYNC_BOOST_VIOLATION", "DCGM_FI_DEV_BOARD_LIMIT_VIOLATION",
                 "DCGM_FI_DEV_RELIABILITY_VIOLATION" -> 0;
            case "DCGM_FI_DEV_FB_TOTAL" -> model.memoryMiB();
            case "DCGM_FI_DEV_FB_USED" -> memUsedMiB;
            case "DCGM_FI_DEV_FB_RESERVED" -> model.reservedMiB();
            case "DCGM_FI_DEV_FB_FREE" -> model.memoryMiB() - model.reservedMiB() - memUsedMiB;
            case "DCGM_FI_DEV_ECC_SBE_VOL_TOTAL" -> sbeVolatile;
            case "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL" -> dbeVolatile;
            case "DCGM_FI_DEV_ECC_SBE_AGG_TOTAL" -> sbeAggregate;
            case "DCGM_FI_DEV_ECC_DBE_AGG_TOTAL" -> dbeAggregate;
            // HBM GPUs remap rows instead of retiring pages; NVML reports retirement as not supported there.
            case "DCGM_FI_DEV_RETIRED_SBE" -> model.rowRemapping() ? Double.NaN : retiredSbe;
            case "DCGM_FI_DEV_RETIRED_DBE" -> model.rowRemapping() ? Double.NaN : retiredDbe;
            case "DCGM_FI_DEV_RETIRED_PENDING" -> model.rowRemapping() ? Double.NaN : retiredPending;
            case "DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS" -> model.rowRemapping() ? remappedUncorrectable : Double.NaN;
            case "DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS" -> model.rowRemapping() ? remappedCorrectable : Double.NaN;
            case "DCGM_FI_DEV_ROW_REMAP_FAILURE" -> model.rowRemapping() ? (remapFailure ? 1 : 0) : Double.NaN;
            case "DCGM_FI_DEV_ROW_REMAP_PENDING" -> model.rowRemapping() ? (remapPending ? 1 : 0) : Double.NaN;
            case "DCGM_FI_DEV_NVLINK_CRC_FLIT_ERROR_COUNT_TOTAL" -> nvlink ? nvlinkCrcFlit : Double.NaN;
            case "DCGM_FI_DEV_NVLINK_CRC_DATA_ERROR_COUNT_TOTAL" -> nvlink ? nvlinkCrcData : Double.NaN;
            case "DCGM_FI_DEV_NVLINK_REPLAY_ERROR_COUNT_TOTAL" -> nvlink ? nvlinkReplay : Double.NaN;
            case "DCGM_FI_DEV_NVLINK_RECOVERY_ERROR_COUNT_TOTAL" -> nvlink ? nvlinkRecovery : Double.NaN;
            case "DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL" -> nvlink ? Math.floor(nvlinkCounter) : Double.NaN;
            case "DCGM_FI_PROF_GR_ENGINE_ACTIVE" -> util;
            case "DCGM_FI_PROF_SM_ACTIVE" -> util * 0.92;
            case "DCGM_FI_PROF_SM_OCCUPANCY" -> occupancy;
            case "DCGM_FI_PROF_PIPE_TENSOR_ACTIVE" -> tensor;
            case "DCGM_FI_PROF_DRAM_ACTIVE" -> dram;
            case "DCGM_FI_PROF_PIPE_FP64_ACTIVE" -> util * 0.01;
            case "DCGM_FI_PROF_PIPE_FP32_ACTIVE" -> util * 0.12;
            case "DCGM_FI_PROF_PIPE_FP16_ACTIVE" -> tensor * 0.4;
            case "DCGM_FI_PROF_PCIE_TX_BYTES" -> Math.floor(pcieBytes * 0.4);
            case "DCGM_FI_PROF_PCIE_RX_BYTES" -> Math.floor(pcieBytes);
            case "DCGM_FI_PROF_NVLINK_TX_BYTES", "DCGM_FI_PROF_NVLINK_RX_BYTES" ->
                    nvlink ? Math.floor(nvlinkBytes) : Double.NaN;
            case "DCGM_FI_DEV_GPU_RECOVERY_ACTION" -> recoveryAction;
            // Bare metal: there is no vGPU license to report.
            default -> Double.NaN;
        };
    }

    /** A GPU reset: volatile counters and pending states clear, faults that a reset fixes are gone. */
    void reset() {
        lost = false;
        thermalRunaway = false;
        powerBrake = false;
        linksDown = 0;
        sbeVolatile = 0;
        dbeVolatile = 0;
        lastXid = 0;
        recoveryAction = 0;
        remapPending = false;
        retiredPending = 0;
        if (migPending != null) {
            setMig(migPending, List.of());
        }
    }

    /** A new GPU in this one's place: a reset's worth, and no lifetime of errors behind it. */
    void replaced() {
        reset();
        remapFailure = false;
        sbeAggregate = 0;
        dbeAggregate = 0;
        retiredSbe = 0;
        retiredDbe = 0;
        remappedUncorrectable = 0;
        remappedCorrectable = 0;
        nvlinkCrcFlit = 0;
        nvlinkCrcData = 0;
        nvlinkReplay = 0;
        nvlinkRecovery = 0;
    }
}
