package dev.vigil.api.gpu;

import java.time.Instant;

/**
 * Something that happened to a GPU: an XID from the driver, a health change, or (on simulated
 * GPUs) an injected or cleared fault.
 *
 * @param seq               a per-agent sequence number, increasing, for {@code ?since=}
 * @param time              when the backend saw it
 * @param gpu               the GPU's index
 * @param uuid              the GPU's UUID
 * @param gpuInstanceId     the MIG GPU instance it is attributed to, or null
 * @param computeInstanceId the MIG compute instance it is attributed to, or null
 * @param kind              what kind of event
 * @param xid               the XID, for {@link Kind#XID}
 * @param severity          how urgent
 * @param action            what the XID catalog (or health evaluation) says to do
 * @param message           what happened, in words
 */
public record GpuEvent(long seq, Instant time, int gpu, String uuid, Integer gpuInstanceId,
                       Integer computeInstanceId, Kind kind, Integer xid, Severity severity, RepairAction action,
                       String message) {

    public enum Kind {
        XID,
        HEALTH,
        FAULT
    }

    public GpuEvent withSeq(long newSeq) {
        return new GpuEvent(newSeq, time, gpu, uuid, gpuInstanceId, computeInstanceId, kind, xid, severity, action,
                message);
    }
}
