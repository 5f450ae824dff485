package dev.vigil.gpu.nvml;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.vigil.gpu.backend.EntitySample;
import dev.vigil.gpu.backend.FieldStatus;
import dev.vigil.gpu.fields.Field;
import dev.vigil.gpu.fields.FieldCatalog;
import dev.vigil.gpu.fields.FieldSet;
import dev.vigil.gpu.nvml.NvmlStructs.FieldValue;
import dev.vigil.gpu.nvml.NvmlStructs.MemoryV2;
import dev.vigil.gpu.nvml.NvmlStructs.TemperatureV1;
import dev.vigil.gpu.nvml.NvmlStructs.Utilization;
import dev.vigil.gpu.nvml.NvmlStructs.ViolationTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads one sample's values from NVML into {@link EntitySample}s. Single-threaded (the backend's
 * lock), so every out-parameter and struct lives in one scratch block allocated once: a sample
 * allocates its samples and nothing per NVML call.
 *
 * <p>How NVML's answers become a field's status: SUCCESS gives the value in the catalog's unit;
 * NOT_SUPPORTED and NO_PERMISSION say so; NO_DATA and NOT_READY are NO_DATA; GPU_IS_LOST ends the
 * GPU's sample ({@link EntitySample#lost}); any other error is NO_DATA for that field and a log line,
 * once per GPU and field. Fields NVML cannot give at all (DCGM's profiling fields, NVLink bandwidth,
 * the vGPU license) stay NOT_SUPPORTED, the sample's default.
 */
final class NvmlSampler {
    private static final Logger LOG = LoggerFactory.getLogger(NvmlSampler.class);
    private static final double MIB = 1024.0 * 1024.0;
    private static final double TWO_TO_64 = 0x1p64;
    /** NVML_VALUE_NOT_AVAILABLE as an unsigned long long: no value, not a number. */
    private static final long VALUE_NOT_AVAILABLE = -1L;

    private final String node;
    private final NvmlLibrary library;
    private final NvmlEvents events;
    // One block for every out-parameter: four 8-byte slots, then a struct area.
    private final Memory scratch = new Memory(256);
    private final Pointer out0 = scratch.share(0, 8);
    private final Pointer out1 = scratch.share(8, 8);
    private final Pointer out2 = scratch.share(16, 8);
    private final Pointer out3 = scratch.share(24, 8);
    private final Pointer struct = scratch.share(32, 224);
    private final Set<Long> logged = new HashSet<>();
    private FieldSet planned;
    private Plan plan;

    // The entity being read: set per GPU or MIG device, so the helpers need no arguments for it.
    private EntitySample sample;
    private int gpu;
    private boolean lost;

    NvmlSampler(String node, NvmlLibrary library, NvmlEvents events) {
        this.node = node;
        this.library = library;
        this.events = events;
    }

    /** The slots of the fields NVML can give, -1 where the set does not ask for one; made once per field set. */
    private static final class Plan {
        final int size;
        final int gpuTemp;
        final int memoryTemp;
        final int recoveryAction;
        final int power;
        final int energy;
        final int powerLimit;
        final int[] utilization;
        final int encoder;
        final int decoder;
        final int smClock;
        final int memClock;
        final int clockReasons;
        /** total, free, used, reserved. */
        final int[] framebuffer;
        final int eccSbeVolatile;
        final int eccDbeVolatile;
        final int eccSbeAggregate;
        final int eccDbeAggregate;
        final int retiredSbe;
        final int retiredDbe;
        final int retiredPending;
        /** correctable, uncorrectable, pending, failure: nvmlDeviceGetRemappedRows' order. */
        final int[] remappedRows;
        final int pcieReplay;
        /** By nvmlNvLinkErrorCounter_t: replay, recovery, CRC flit, CRC data. */
        final int[] nvlink;
        /** By nvmlPerfPolicyType_t 0..5: power, thermal, sync boost, board limit, low utilization, reliability. */
        final int[] violations;
        final int pcieTx;
        final int pcieRx;
        final int xid;
        final boolean anyFramebuffer;
        final boolean anyNvlink;

        Plan(FieldSet fields) {
            size = fields.size();
            gpuTemp = fields.slot(FieldCatalog.GPU_TEMP);
            memoryTemp = fields.slot(FieldCatalog.MEMORY_TEMP);
            recoveryAction = fields.slot(FieldCatalog.GPU_RECOVERY_ACTION);
            power = fields.slot(FieldCatalog.POWER_USAGE);
            energy = fields.slot(FieldCatalog.TOTAL_ENERGY);
            powerLimit = fields.slot(FieldCatalog.ENFORCED_POWER_LIMIT);
            utilization = slots(fields, FieldCatalog.GPU_UTIL, FieldCatalog.MEM_COPY_UTIL);
            encoder = fields.slot(FieldCatalog.ENC_UTIL);
            decoder = fields.slot(FieldCatalog.DEC_UTIL);
            smClock = fields.slot(FieldCatalog.SM_CLOCK);
            memClock = fields.slot(FieldCatalog.MEM_CLOCK);
            clockReasons = fields.slot(FieldCatalog.CLOCKS_EVENT_REASONS);
            framebuffer = slots(fields, FieldCatalog.FB_TOTAL, FieldCatalog.FB_FREE, FieldCatalog.FB_USED,
                    FieldCatalog.FB_RESERVED);
            eccSbeVolatile = fields.slot(FieldCatalog.ECC_SBE_VOL_TOTAL);
            eccDbeVolatile = fields.slot(FieldCatalog.ECC_DBE_VOL_TOTAL);
            eccSbeAggregate = fields.slot(FieldCatalog.ECC_SBE_AGG_TOTAL);
            eccDbeAggregate = fields.slot(FieldCatalog.ECC_DBE_AGG_TOTAL);
            retiredSbe = fields.slot(FieldCatalog.RETIRED_SBE);
            retiredDbe = fields.slot(FieldCatalog.RETIRED_DBE);
            retiredPending = fields.slot(FieldCatalog.RETIRED_PENDING);
            remappedRows = slots(fields, FieldCatalog.CORRECTABLE_REMAPPED_ROWS,
                    FieldCatalog.UNCORRECTABLE_REMAPPED_ROWS, FieldCatalog.ROW_REMAP_PENDING,
                    FieldCatalog.ROW_REMAP_FAILURE);
            pcieReplay = fields.slot(FieldCatalog.PCIE_REPLAY);
            nvlink = slots(fields, FieldCatalog.NVLINK_REPLAY_ERRORS, FieldCatalog.NVLINK_RECOVERY_ERRORS,
                    FieldCatalog.NVLINK_CRC_FLIT_ERRORS, FieldCatalog.NVLINK_CRC_DATA_ERRORS);
            violations = slots(fields, FieldCatalog.POWER_VIOLATION, FieldCatalog.THERMAL_VIOLATION,
                    FieldCatalog.SYNC_BOOST_VIOLATION, FieldCatalog.BOARD_LIMIT_VIOLATION,
                    FieldCatalog.LOW_UTIL_VIOLATION, FieldCatalog.RELIABILITY_VIOLATION);
            pcieTx = fields.slot(FieldCatalog.PROF_PCIE_TX_BYTES);
            pcieRx = fields.slot(FieldCatalog.PROF_PCIE_RX_BYTES);
            xid = fields.slot(FieldCatalog.XID_ERRORS);
            anyFramebuffer = any(framebuffer);
            anyNvlink = any(nvlink);
        }

        private static int[] slots(FieldSet fields, Field... wanted) {
            int[] slots = new int[wanted.length];
            for (int i = 0; i < wanted.length; i++) {
                slots[i] = fields.slot(wanted[i]);
            }
            return slots;
        }

        private static boolean any(int[] slots) {
            for (int slot : slots) {
                if (slot >= 0) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Outcome flags of {@link #sampleGpu}. */
    boolean lost() {
        return lost;
    }

    /**
     * Reads one GPU and, into {@code instances}, its MIG GPU instances. Afterwards {@link #lost()}
     * says whether the GPU answered GPU_IS_LOST (then the returned sample is the lost one and no
     * instance was added).
     *
     * @param linksUp out: how many NVLink links are up now (-1 when not read)
     */
    EntitySample sampleGpu(NvmlGpu nvmlGpu, FieldSet fields, List<EntitySample> instances, int[] linksUp) {
        if (fields != planned) {
            plan = new Plan(fields);
            planned = fields;
        }
        Plan p = plan;
        gpu = nvmlGpu.index;
        lost = nvmlGpu.handle == null;
        linksUp[0] = -1;
        if (lost) {
            return EntitySample.lost(gpu, p.size);
        }
        sample = new EntitySample(gpu, null, p.size);
        Pointer device = nvmlGpu.handle;
        readGpu(device, p, nvmlGpu.links);
        if (!lost && nvmlGpu.links > 0) {
            linksUp[0] = linksUp(device, nvmlGpu.links);
        }
        if (lost) {
            return EntitySample.lost(gpu, p.size);
        }
        EntitySample gpuSample = sample;
        int added = 0;
        for (NvmlGpu.MigDevice mig : nvmlGpu.migDevices) {
            sample = new EntitySample(gpu, mig.gpuInstanceId(), p.size);
            if (p.anyFramebuffer) {
                memory(mig.handle(), p.framebuffer);
            }
            if (lost) {
                instances.subList(instances.size() - added, instances.size()).clear();
                return EntitySample.lost(gpu, p.size);
            }
            instances.add(sample);
            added++;
        }
        return gpuSample;
    }

    private void readGpu(Pointer device, Plan p, int links) {
        if (p.gpuTemp >= 0) {
            temperature(device, p.gpuTemp);
        }
        if (!lost && (p.memoryTemp >= 0 || p.recoveryAction >= 0)) {
            fieldValues(device, p.memoryTemp, p.recoveryAction);
        }
        if (!lost && p.power >= 0 && ok(Nvml.nvmlDeviceGetPowerUsage(device, out0), p.power)) {
            sample.set(p.power, unsignedInt(out0) / 1000.0);
        }
        if (!lost && p.energy >= 0 && ok(Nvml.nvmlDeviceGetTotalEnergyConsumption(device, out0), p.energy)) {
            sample.set(p.energy, unsignedLong(out0.getLong(0)));
        }
        if (!lost && p.powerLimit >= 0 && ok(Nvml.nvmlDeviceGetEnforcedPowerLimit(device, out0), p.powerLimit)) {
            sample.set(p.powerLimit, unsignedInt(out0) / 1000.0);
        }
        if (!lost && (p.utilization[0] >= 0 || p.utilization[1] >= 0)
                && all(Nvml.nvmlDeviceGetUtilizationRates(device, struct), p.utilization)) {
            set(p.utilization[0], Integer.toUnsignedLong(struct.getInt(Utilization.OFF_GPU)));
            set(p.utilization[1], Integer.toUnsignedLong(struct.getInt(Utilization.OFF_MEMORY)));
        }
        if (!lost && p.encoder >= 0 && ok(Nvml.nvmlDeviceGetEncoderUtilization(device, out0, out1), p.encoder)) {
            sample.set(p.encoder, unsignedInt(out0));
        }
        if (!lost && p.decoder >= 0 && ok(Nvml.nvmlDeviceGetDecoderUtilization(device, out0, out1), p.decoder)) {
            sample.set(p.decoder, unsignedInt(out0));
        }
        if (!lost && p.smClock >= 0 && ok(Nvml.nvmlDeviceGetClockInfo(device, Nvml.CLOCK_SM, out0), p.smClock)) {
            sample.set(p.smClock, unsignedInt(out0));
        }
        if (!lost && p.memClock >= 0 && ok(Nvml.nvmlDeviceGetClockInfo(device, Nvml.CLOCK_MEM, out0), p.memClock)) {
            sample.set(p.memClock, unsignedInt(out0));
        }
        if (!lost && p.clockReasons >= 0) {
            clockReasons(device, p.clockReasons);
        }
        if (!lost && p.anyFramebuffer) {
            memory(device, p.framebuffer);
        }
        if (!lost) {
            ecc(device, Nvml.MEMORY_ERROR_CORRECTED, Nvml.ECC_VOLATILE, p.eccSbeVolatile);
        }
        if (!lost) {
            ecc(device, Nvml.MEMORY_ERROR_UNCORRECTED, Nvml.ECC_VOLATILE, p.eccDbeVolatile);
        }
        if (!lost) {
            ecc(device, Nvml.MEMORY_ERROR_CORRECTED, Nvml.ECC_AGGREGATE, p.eccSbeAggregate);
        }
        if (!lost) {
            ecc(device, Nvml.MEMORY_ERROR_UNCORRECTED, Nvml.ECC_AGGREGATE, p.eccDbeAggregate);
        }
        if (!lost) {
            retiredPages(device, Nvml.RETIREMENT_MULTIPLE_SBE, p.retiredSbe);
        }
        if (!lost) {
            retiredPages(device, Nvml.RETIREMENT_DBE, p.retiredDbe);
        }
        if (!lost && p.retiredPending >= 0
                && ok(Nvml.nvmlDeviceGetRetiredPagesPendingStatus(device, out0), p.retiredPending)) {
            sample.set(p.retiredPending, out0.getInt(0) == 0 ? 0 : 1);
        }
        if (!lost && any(p.remappedRows)
                && all(Nvml.nvmlDeviceGetRemappedRows(device, out0, out1, out2, out3), p.remappedRows)) {
            set(p.remappedRows[0], unsignedInt(out0));
            set(p.remappedRows[1], unsignedInt(out1));
            set(p.remappedRows[2], out2.getInt(0) == 0 ? 0 : 1);
            set(p.remappedRows[3], out3.getInt(0) == 0 ? 0 : 1);
        }
        if (!lost && p.pcieReplay >= 0 && ok(Nvml.nvmlDeviceGetPcieReplayCounter(device, out0), p.pcieReplay)) {
            sample.set(p.pcieReplay, unsignedInt(out0));
        }
        if (!lost && p.anyNvlink && links > 0) {
            for (int counter = 0; counter < p.nvlink.length && !lost; counter++) {
                nvlinkErrors(device, links, counter, p.nvlink[counter]);
            }
        }
        for (int policy = 0; policy < p.violations.length && !lost; policy++) {
            int slot = p.violations[policy];
            if (slot >= 0 && ok(Nvml.nvmlDeviceGetViolationStatus(device, policy, struct), slot)) {
                sample.set(slot, unsignedLong(struct.getLong(ViolationTime.OFF_VIOLATION_TIME)));
            }
        }
        // KB/s (NVML counts 1 KB as 1024 bytes) to bytes/s, DCGM's unit.
        if (!lost && p.pcieTx >= 0 && ok(Nvml.nvmlDeviceGetPcieThroughput(device, Nvml.PCIE_TX_BYTES, out0), p.pcieTx)) {
            sample.set(p.pcieTx, unsignedInt(out0) * 1024.0);
        }
        if (!lost && p.pcieRx >= 0 && ok(Nvml.nvmlDeviceGetPcieThroughput(device, Nvml.PCIE_RX_BYTES, out0), p.pcieRx)) {
            sample.set(p.pcieRx, unsignedInt(out0) * 1024.0);
        }
        if (!lost && p.xid >= 0) {
            sample.set(p.xid, events.lastXid(gpu));
        }
    }

    /** nvmlDeviceGetTemperatureV where the driver has it, else the deprecated nvmlDeviceGetTemperature. */
    private void temperature(Pointer device, int slot) {
        if (library.has(NvmlLibrary.Optional.TEMPERATURE_V)) {
            struct.setInt(TemperatureV1.OFF_VERSION, TemperatureV1.VERSION);
            struct.setInt(TemperatureV1.OFF_SENSOR_TYPE, Nvml.TEMPERATURE_GPU);
            if (ok(Nvml.TemperatureV.nvmlDeviceGetTemperatureV(device, struct), slot)) {
                sample.set(slot, struct.getInt(TemperatureV1.OFF_TEMPERATURE));
            }
        } else if (ok(Nvml.nvmlDeviceGetTemperature(device, Nvml.TEMPERATURE_GPU, out0), slot)) {
            sample.set(slot, unsignedInt(out0));
        }
    }

    /**
     * Memory temperature and the driver's recovery action have no function of their own: they are
     * NVML field values 82 and 230, read in one call, each with its own return code.
     */
    private void fieldValues(Pointer device, int memoryTempSlot, int recoverySlot) {
        int count = 0;
        struct.clear(2L * FieldValue.SIZE);
        if (memoryTempSlot >= 0) {
            struct.setInt(FieldValue.OFF_FIELD_ID, Nvml.FIELD_MEMORY_TEMP);
            count++;
        }
        if (recoverySlot >= 0) {
            struct.setInt((long) count * FieldValue.SIZE + FieldValue.OFF_FIELD_ID, Nvml.FIELD_GPU_RECOVERY_ACTION);
            count++;
        }
        int rc = Nvml.nvmlDeviceGetFieldValues(device, count, struct);
        int entry = 0;
        if (memoryTempSlot >= 0) {
            fieldValue(rc, entry++, memoryTempSlot);
        }
        if (!lost && recoverySlot >= 0) {
            fieldValue(rc, entry, recoverySlot);
        }
    }

    private void fieldValue(int callRc, int entry, int slot) {
        long base = (long) entry * FieldValue.SIZE;
        if (!ok(callRc, slot) || !ok(struct.getInt(base + FieldValue.OFF_RETURN), slot)) {
            return;
        }
        long value = base + FieldValue.OFF_VALUE;
        switch (struct.getInt(base + FieldValue.OFF_VALUE_TYPE)) {
            case Nvml.VALUE_TYPE_DOUBLE -> sample.set(slot, struct.getDouble(value));
            case Nvml.VALUE_TYPE_UNSIGNED_INT -> sample.set(slot, Integer.toUnsignedLong(struct.getInt(value)));
            case Nvml.VALUE_TYPE_UNSIGNED_LONG, Nvml.VALUE_TYPE_UNSIGNED_LONG_LONG ->
                    sample.set(slot, unsignedLong(struct.getLong(value)));
            case Nvml.VALUE_TYPE_SIGNED_LONG_LONG -> sample.set(slot, struct.getLong(value));
            case Nvml.VALUE_TYPE_SIGNED_INT -> sample.set(slot, struct.getInt(value));
            case Nvml.VALUE_TYPE_UNSIGNED_SHORT -> sample.set(slot, struct.getShort(value) & 0xFFFF);
            default -> ok(Nvml.ERROR_UNKNOWN, slot);
        }
    }

    /** The r535+ name when the driver has it, the deprecated one otherwise; neither: NOT_SUPPORTED. */
    private void clockReasons(Pointer device, int slot) {
        int rc;
        if (library.has(NvmlLibrary.Optional.CLOCKS_EVENT_REASONS)) {
            rc = Nvml.ClocksEventReasons.nvmlDeviceGetCurrentClocksEventReasons(device, out0);
        } else if (library.has(NvmlLibrary.Optional.CLOCKS_THROTTLE_REASONS)) {
            rc = Nvml.ClocksThrottleReasons.nvmlDeviceGetCurrentClocksThrottleReasons(device, out0);
        } else {
            return;
        }
        if (ok(rc, slot)) {
            sample.set(slot, unsignedLong(out0.getLong(0)));
        }
    }

    /**
     * Framebuffer in MiB: total, free, used, reserved. nvmlDeviceGetMemoryInfo_v2 reports the reserved
     * part; the v1 call of older drivers counts it in "used" and has no reserved figure (NOT_SUPPORTED).
     */
    private void memory(Pointer device, int[] slots) {
        if (library.has(NvmlLibrary.Optional.MEMORY_INFO_V2)) {
            struct.setInt(MemoryV2.OFF_VERSION, MemoryV2.VERSION);
            if (all(Nvml.MemoryInfoV2.nvmlDeviceGetMemoryInfo_v2(device, struct), slots)) {
                setMiB(slots[0], struct.getLong(MemoryV2.OFF_TOTAL));
                setMiB(slots[1], struct.getLong(MemoryV2.OFF_FREE));
                setMiB(slots[2], struct.getLong(MemoryV2.OFF_USED));
                setMiB(slots[3], struct.getLong(MemoryV2.OFF_RESERVED));
            }
        } else if (all(Nvml.nvmlDeviceGetMemoryInfo(device, struct), slots)) {
            setMiB(slots[0], struct.getLong(NvmlStructs.Memory.OFF_TOTAL));
            setMiB(slots[1], struct.getLong(NvmlStructs.Memory.OFF_FREE));
            setMiB(slots[2], struct.getLong(NvmlStructs.Memory.OFF_USED));
            if (slots[3] >= 0) {
                sample.mark(slots[3], FieldStatus.NOT_SUPPORTED);
            }
        }
    }

    private void ecc(Pointer device, int errorType, int counterType, int slot) {
        if (slot >= 0 && ok(Nvml.nvmlDeviceGetTotalEccErrors(device, errorType, counterType, out0), slot)) {
            sample.set(slot, unsignedLong(out0.getLong(0)));
        }
    }

    /** Count-first: pageCount 0 and no buffer returns the count (with SUCCESS or INSUFFICIENT_SIZE). */
    private void retiredPages(Pointer device, int cause, int slot) {
        if (slot < 0) {
            return;
        }
        out0.setInt(0, 0);
        int rc = Nvml.nvmlDeviceGetRetiredPages(device, cause, out0, null);
        if (ok(rc == Nvml.ERROR_INSUFFICIENT_SIZE ? Nvml.SUCCESS : rc, slot)) {
            sample.set(slot, unsignedInt(out0));
        }
    }

    /** Sums one error counter over the GPU's links; a link that cannot be read leaves the sum unknown. */
    private void nvlinkErrors(Pointer device, int links, int counter, int slot) {
        if (slot < 0) {
            return;
        }
        double sum = 0;
        for (int link = 0; link < links; link++) {
            if (!ok(Nvml.nvmlDeviceGetNvLinkErrorCounter(device, link, counter, out0), slot)) {
                return;
            }
            sum += unsignedLong(out0.getLong(0));
        }
        sample.set(slot, sum);
    }

    /** How many links are up now, or -1 when the GPU did not say; a change rebuilds the inventory. */
    private int linksUp(Pointer device, int links) {
        int up = 0;
        for (int link = 0; link < links; link++) {
            int rc = Nvml.nvmlDeviceGetNvLinkState(device, link, out0);
            if (rc == Nvml.ERROR_GPU_IS_LOST) {
                lost = true;
                return -1;
            }
            if (rc != Nvml.SUCCESS) {
                return -1;
            }
            up += out0.getInt(0) == 1 ? 1 : 0;
        }
        return up;
    }

    private void set(int slot, double value) {
        if (slot >= 0) {
            sample.set(slot, value);
        }
    }

    private void setMiB(int slot, long bytes) {
        if (slot >= 0) {
            // Integer MiB, as DCGM reports them; "not available" is no value at all.
            if (bytes == VALUE_NOT_AVAILABLE) {
                sample.mark(slot, FieldStatus.NO_DATA);
            } else {
                sample.set(slot, Math.floor(unsignedLong(bytes) / MIB));
            }
        }
    }

    private static boolean any(int[] slots) {
        for (int slot : slots) {
            if (slot >= 0) {
                return true;
            }
        }
        return false;
    }

    /** {@link #ok} for a call that fills several fields: the outcome applies to each one asked for. */
    private boolean all(int rc, int[] slots) {
        boolean ok = true;
        for (int slot : slots) {
            if (slot >= 0) {
                ok = ok(rc, slot);
            }
        }
        return ok;
    }

    /** True on SUCCESS; otherwise marks the field (or, for GPU_IS_LOST, the GPU) and returns false. */
    private boolean ok(int rc, int slot) {
        switch (rc) {
            case Nvml.SUCCESS:
                return true;
            case Nvml.ERROR_NOT_SUPPORTED:
                sample.mark(slot, FieldStatus.NOT_SUPPORTED);
                return false;
            case Nvml.ERROR_NO_PERMISSION:
                sample.mark(slot, FieldStatus.NO_PERMISSION);
                return false;
            case Nvml.ERROR_GPU_IS_LOST:
                lost = true;
                return false;
            case Nvml.ERROR_NO_DATA, Nvml.ERROR_NOT_READY:
                sample.mark(slot, FieldStatus.NO_DATA);
                return false;
            default:
                sample.mark(slot, FieldStatus.NO_DATA);
                logOnce(slot, rc);
                return false;
        }
    }

    private void logOnce(int slot, int rc) {
        Field field = planned.field(slot);
        if (logged.add(((long) gpu << 32) | field.id())) {
            LOG.atWarn().addKeyValue("node", node).addKeyValue("gpu", gpu).addKeyValue("field", field.name())
                    .addKeyValue("error", NvmlLibrary.describe(rc)).log("nvml_read_failed");
        }
    }

    private static double unsignedInt(Pointer out) {
        return Integer.toUnsignedLong(out.getInt(0));
    }

    private static double unsignedLong(long value) {
        return value >= 0 ? value : value + TWO_TO_64;
    }
}
