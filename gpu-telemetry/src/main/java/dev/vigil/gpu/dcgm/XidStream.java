package dev.vigil.gpu.dcgm;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.vigil.api.gpu.GpuEvent;
import dev.vigil.gpu.xid.XidCatalog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

import static dev.vigil.gpu.dcgm.DcgmStructs.VALUE_V1_FIELD_ID;
import static dev.vigil.gpu.dcgm.DcgmStructs.VALUE_V1_FIELD_TYPE;
import static dev.vigil.gpu.dcgm.DcgmStructs.VALUE_V1_SIZE;
import static dev.vigil.gpu.dcgm.DcgmStructs.VALUE_V1_STATUS;
import static dev.vigil.gpu.dcgm.DcgmStructs.VALUE_V1_TS;
import static dev.vigil.gpu.dcgm.DcgmStructs.VALUE_V1_VALUE;

/**
 * XIDs as events, from {@code dcgmGetValuesSince_v2} on the XID field: every value DCGM recorded
 * since the timestamp the previous call returned, so none is missed and none is seen twice
 * between two polls, however many arrive. The timestamp outlives a reconnect: the new engine's
 * XIDs come after it.
 */
final class XidStream implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DcgmBackend.class);
    private static final int FIELD_XID = 230;

    /** Held here for as long as the stream lives: JNA only keeps a weak reference to a callback. */
    private final DcgmLibrary.EntityValues callback = this::onValues;
    private final Memory nextSince;
    private long since;
    private EntityTable entities;
    private Collection<GpuEvent> sink;
    private int seen;
    private final Set<Integer> fallenOffBus = new HashSet<>();

    XidStream(NativeMemory memory) {
        this.nextSince = memory.allocate(8);
    }

    /**
     * Skips what DCGM recorded before the agent started: a fatal XID holds a GPU failed until it
     * is repaired, and repairing a GPU restarts the agent, so old XIDs must not come back.
     */
    int skipHistory(Session session) throws DcgmCallException {
        since = 0;
        return poll(session, null);
    }

    /** Adds the XIDs since the last poll to {@code out} (oldest first, null: drop them); returns how many there were. */
    int poll(Session session, Collection<GpuEvent> out) throws DcgmCallException {
        entities = session.entities();
        sink = out;
        seen = 0;
        try {
            session.check("dcgmGetValuesSince_v2", session.lib().dcgmGetValuesSince_v2(session.handle(),
                    session.group(), session.xidFieldGroup(), since, nextSince, callback, null));
            since = Math.max(since, nextSince.getLong(0));
        } finally {
            sink = null;
        }
        return seen;
    }

    /** Whether the stream reported XID 79 (fallen off the bus) for {@code gpu} since it last answered. */
    boolean sawFallenOffBus(int gpu) {
        return fallenOffBus.contains(gpu);
    }

    /** The GPU answers again: a later loss is a new one. */
    void gpuAnswers(int gpu) {
        fallenOffBus.remove(gpu);
    }

    private int onValues(int entityGroupId, int entityId, Pointer values, int numValues, Pointer userData) {
        try {
            EntityTable.Attribution at = entities.attribution(entityGroupId, entityId);
            for (int i = 0; i < numValues; i++) {
                long base = (long) i * VALUE_V1_SIZE;
                if ((values.getShort(base + VALUE_V1_FIELD_ID) & 0xffff) != FIELD_XID
                        || values.getInt(base + VALUE_V1_STATUS) != DcgmCodes.OK
                        || values.getShort(base + VALUE_V1_FIELD_TYPE) != 'i') {
                    continue;
                }
                long xid = values.getLong(base + VALUE_V1_VALUE);
                if (xid <= 0 || xid >= DcgmCodes.INT64_BLANK || xid > Integer.MAX_VALUE) {
                    continue;
                }
                if (at == null) {
                    LOG.atWarn().addKeyValue("entityGroup", entityGroupId).addKeyValue("entity", entityId)
                            .addKeyValue("xid", xid).log("dcgm_xid_of_unknown_entity");
                    continue;
                }
                seen++;
                if (sink != null) {
                    if (xid == 79) {
                        fallenOffBus.add(at.gpu());
                    }
                    long us = values.getLong(base + VALUE_V1_TS);
                    Instant time = Instant.ofEpochSecond(Math.floorDiv(us, 1_000_000L), Math.floorMod(us, 1_000_000L) * 1000);
                    sink.add(XidCatalog.lookup((int) xid).event(time, at.gpu(), entities.uuid(at.gpu()),
                            at.gpuInstanceId(), at.computeInstanceId()));
                }
            }
            return 0;
        } catch (RuntimeException e) {
            // An exception must not unwind through libdcgm's frames; stop this enumeration instead.
            LOG.atError().setCause(e).log("dcgm_xid_callback_failed");
            return -1;
        }
    }

    @Override
    public void close() {
        NativeMemory.free(nextSince);
    }
}
