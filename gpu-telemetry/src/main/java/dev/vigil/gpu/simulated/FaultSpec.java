package dev.vigil.gpu.simulated;

import dev.vigil.api.binding.InvalidValueException;

import java.time.Duration;

/**
 * A fault to inject into a simulated GPU, from config (at a time after start) or through the
 * agent's {@code POST /v1/faults}.
 *
 * @param at          when, counted from the start of the simulated node (config only; absent = now)
 * @param gpu         the GPU's index
 * @param kind        what goes wrong
 * @param xid         the XID, for kind {@code xid}
 * @param gpuInstance the MIG GPU instance an XID is attributed to, if any
 * @param links       for {@code nvlink-down}: how many links go down (default all of them)
 */
public record FaultSpec(Duration at, Integer gpu, FaultKind kind, Integer xid, Integer gpuInstance, Integer links) {
    public FaultSpec {
        InvalidValueException.required(gpu, "gpu", "the GPU's index");
        InvalidValueException.require(gpu >= 0, "gpu", gpu, "a GPU index, 0 or more");
        InvalidValueException.required(kind, "kind",
                "one of xid, ecc-dbe, row-remap-failure, thermal-runaway, nvlink-down, fallen-off-bus, power-brake,"
                        + " rogue-process, overreach-process");
        if (kind == FaultKind.XID) {
            InvalidValueException.required(xid, "xid", "the XID number, e.g. 79");
            InvalidValueException.require(xid > 0 && xid < 1000, "xid", xid, "an XID number from 1 to 999");
        } else {
            InvalidValueException.require(xid == null, "xid", xid, "only with kind xid");
        }
        if (links != null) {
            InvalidValueException.require(kind == FaultKind.NVLINK_DOWN, "links", links, "only with kind nvlink-down");
            InvalidValueException.require(links > 0, "links", links, "1 or more links");
        }
        if (at != null) {
            InvalidValueException.require(!at.isNegative(), "at", at, "a time after start, e.g. 30s");
        }
    }

    public static FaultSpec now(int gpu, FaultKind kind, Integer xid) {
        return new FaultSpec(null, gpu, kind, xid, null, null);
    }

    /** The fault as an operator would say it: {@code xid 79 on gpu 3}. */
    public String describe() {
        String what = kind == FaultKind.XID ? "xid " + xid : kind.name().toLowerCase().replace('_', '-');
        return what + " on gpu " + gpu + (gpuInstance != null ? " instance " + gpuInstance : "")
                + (links != null ? " (" + links + " links)" : "");
    }
}
