package dev.vigil.gpu.dcgm;

import com.sun.jna.Memory;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import dev.vigil.gpu.backend.GpuBackendException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.vigil.gpu.dcgm.DcgmStructs.HIERARCHY_COUNT;
import static dev.vigil.gpu.dcgm.DcgmStructs.HIERARCHY_ENTRIES;
import static dev.vigil.gpu.dcgm.DcgmStructs.HIERARCHY_INFO_COMPUTE_INSTANCE_ID;
import static dev.vigil.gpu.dcgm.DcgmStructs.HIERARCHY_INFO_ENTITY;
import static dev.vigil.gpu.dcgm.DcgmStructs.HIERARCHY_INFO_INSTANCE_ID;
import static dev.vigil.gpu.dcgm.DcgmStructs.HIERARCHY_INFO_PARENT;
import static dev.vigil.gpu.dcgm.DcgmStructs.HIERARCHY_INFO_SIZE;
import static dev.vigil.gpu.dcgm.DcgmStructs.PAIR_SIZE;
import static dev.vigil.gpu.dcgm.DcgmStructs.VALUE_V2_ENTITY_ID;
import static dev.vigil.gpu.dcgm.DcgmStructs.VALUE_V2_FIELD_TYPE;
import static dev.vigil.gpu.dcgm.DcgmStructs.VALUE_V2_SIZE;
import static dev.vigil.gpu.dcgm.DcgmStructs.VALUE_V2_STATUS;
import static dev.vigil.gpu.dcgm.DcgmStructs.VALUE_V2_VALUE;

/**
 * One connection to a host engine (embedded or nv-hostengine) and the DCGM objects Vigil made
 * on it: one group with every GPU, MIG GPU instance and compute instance; a field group with
 * the XID field, watched for the event stream; the health watches on the group; and, once the
 * agent's field set is known, a field group with the sampled fields, watched at the sampling
 * interval. A new host engine knows none of these, so a reconnect makes a new session.
 */
final class Session {
    private static final Logger LOG = LoggerFactory.getLogger(DcgmBackend.class);
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static final long NONE = -1;
    private static final short FIELD_UUID = 54;
    private static final short FIELD_XID = 230;
    /** XIDs are rare and precious: DCGM keeps an hour of them, so a slow reader misses none. */
    static final double XID_KEEP_AGE_SECONDS = 3600;

    private final DcgmLibrary lib;
    private final boolean embedded;
    private final long handle;
    private final String names = "vigil-" + ProcessHandle.current().pid() + "-" + NAMES.incrementAndGet();
    private EntityTable entities;
    private long group = NONE;
    private long xidFieldGroup = NONE;
    private long sampledFieldGroup = NONE;
    private int healthSystems;

    private Session(DcgmLibrary lib, boolean embedded, long handle) {
        this.lib = lib;
        this.embedded = embedded;
        this.handle = handle;
    }

    /** Connects (or starts the embedded engine), reads the GPUs and MIG hierarchy, and sets up group, XID watch and health watches. */
    static Session open(DcgmLibrary lib, DcgmSettings settings, Map<String, Integer> indexByUuid, String companion,
                        NativeMemory memory, long intervalUs) throws DcgmCallException, GpuBackendException {
        boolean embedded = settings.mode() == DcgmSettings.Mode.EMBEDDED;
        Session session = new Session(lib, embedded, connect(lib, settings));
        try {
            session.setUp(indexByUuid, companion, memory, intervalUs);
            return session;
        } catch (DcgmCallException | GpuBackendException | RuntimeException e) {
            session.close();
            throw e;
        }
    }

    private static long connect(DcgmLibrary lib, DcgmSettings settings) throws DcgmCallException {
        LongByReference handle = new LongByReference();
        if (settings.mode() == DcgmSettings.Mode.EMBEDDED) {
            check(lib, "dcgmStartEmbedded", lib.dcgmStartEmbedded(DcgmLibrary.OPERATION_MODE_AUTO, handle));
            return handle.getValue();
        }
        DcgmStructs.ConnectV2Params params = new DcgmStructs.ConnectV2Params();
        params.version = DcgmStructs.CONNECT_PARAMS_VERSION;
        params.persistAfterDisconnect = 0; // the engine drops our groups and watches when we go
        params.timeoutMs = (int) Math.min(Integer.MAX_VALUE, settings.connectTimeout().toMillis());
        params.addressIsUnixSocket = settings.unixSocket() ? 1 : 0;
        String address = settings.unixSocket() ? settings.address().substring("unix://".length()) : settings.address();
        check(lib, "dcgmConnect_v2", lib.dcgmConnect_v2(address, params, handle));
        return handle.getValue();
    }

    /** (Re)creates the group and its watches for the GPUs and MIG instances DCGM reports now. */
    void setUp(Map<String, Integer> indexByUuid, String companion, NativeMemory memory, long intervalUs)
            throws DcgmCallException, GpuBackendException {
        int[] gpuIds = supportedGpus();
        entities = EntityTable.build(gpuIds, uuids(gpuIds, memory), indexByUuid, companion, hierarchy(memory));
        LongByReference id = new LongByReference();
        check("dcgmGroupCreate", lib.dcgmGroupCreate(handle, DcgmLibrary.GROUP_EMPTY, names, id));
        group = id.getValue();
        for (EntityTable.Gpu gpu : entities.gpus()) {
            check("dcgmGroupAddEntity", lib.dcgmGroupAddEntity(handle, group, EntityTable.FE_GPU, gpu.dcgmId()));
        }
        for (List<EntityTable.Mig> migs : List.of(entities.gpuInstances(), entities.computeInstances())) {
            for (EntityTable.Mig mig : migs) {
                check("dcgmGroupAddEntity", lib.dcgmGroupAddEntity(handle, group, mig.entityGroup(), mig.entityId()));
            }
        }
        check("dcgmFieldGroupCreate", lib.dcgmFieldGroupCreate(handle, 1, new short[] {FIELD_XID}, names + "-xid", id));
        xidFieldGroup = id.getValue();
        check("dcgmWatchFields", lib.dcgmWatchFields(handle, group, xidFieldGroup, intervalUs, XID_KEEP_AGE_SECONDS, 0));
        healthSystems = setHealthWatches();
    }

    /**
     * Health watches on the group. DCGM 3.x predates the driver system, so a refusal of the full
     * set is retried without it; a host engine without the health module still gives telemetry.
     */
    private int setHealthWatches() throws DcgmCallException {
        int systems = HealthWatch.SYSTEMS;
        int rc = lib.dcgmHealthSet(handle, group, systems);
        if (rc == DcgmCodes.BADPARAM) {
            systems &= ~HealthWatch.DRIVER;
            rc = lib.dcgmHealthSet(handle, group, systems);
        }
        if (rc == DcgmCodes.CONNECTION_NOT_VALID) {
            check("dcgmHealthSet", rc);
        }
        if (rc != DcgmCodes.OK) {
            LOG.atWarn().addKeyValue("error", new DcgmCallException("dcgmHealthSet", rc, text(lib, rc)).getMessage())
                    .log("dcgm_health_watches_unavailable");
            return 0;
        }
        return systems;
    }

    private int[] supportedGpus() throws DcgmCallException, GpuBackendException {
        int[] ids = new int[DcgmLibrary.MAX_NUM_DEVICES];
        IntByReference count = new IntByReference();
        check("dcgmGetAllSupportedDevices", lib.dcgmGetAllSupportedDevices(handle, ids, count));
        int n = Math.max(0, Math.min(count.getValue(), ids.length));
        if (n == 0) {
            throw new GpuBackendException(GpuBackendException.Reason.NO_GPUS,
                    "DCGM reports no supported GPU on this node (is the NVIDIA driver loaded?)");
        }
        int[] result = new int[n];
        System.arraycopy(ids, 0, result, 0, n);
        return result;
    }

    /** DCGM_FI_DEV_UUID of each GPU, read live: the field is not watched. */
    private String[] uuids(int[] gpuIds, NativeMemory memory) throws DcgmCallException, GpuBackendException {
        Memory pairs = memory.allocate((long) gpuIds.length * PAIR_SIZE);
        Memory field = memory.allocate(2);
        Memory values = memory.allocate((long) gpuIds.length * VALUE_V2_SIZE);
        try {
            for (int i = 0; i < gpuIds.length; i++) {
                pairs.setInt((long) i * PAIR_SIZE, EntityTable.FE_GPU);
                pairs.setInt((long) i * PAIR_SIZE + 4, gpuIds[i]);
            }
            field.setShort(0, FIELD_UUID);
            check("dcgmEntitiesGetLatestValues", lib.dcgmEntitiesGetLatestValues(handle, pairs, gpuIds.length, field, 1,
                    DcgmLibrary.FV_FLAG_LIVE_DATA, values));
            String[] uuids = new String[gpuIds.length];
            for (int i = 0; i < gpuIds.length; i++) {
                long base = (long) i * VALUE_V2_SIZE;
                int entity = values.getInt(base + VALUE_V2_ENTITY_ID);
                int position = indexOf(gpuIds, entity);
                int status = values.getInt(base + VALUE_V2_STATUS);
                if (position < 0 || status != DcgmCodes.OK || values.getShort(base + VALUE_V2_FIELD_TYPE) != 's') {
                    throw new GpuBackendException(GpuBackendException.Reason.DRIVER_ERROR,
                            "cannot read the UUID of DCGM GPU " + entity + ": " + text(lib, status));
                }
                uuids[position] = cString(values, base + VALUE_V2_VALUE, 256);
            }
            return uuids;
        } finally {
            NativeMemory.free(pairs);
            NativeMemory.free(field);
            NativeMemory.free(values);
        }
    }

    private List<EntityTable.HierarchyEntry> hierarchy(NativeMemory memory) throws DcgmCallException {
        Memory buffer = memory.allocate(DcgmStructs.HIERARCHY_SIZE);
        try {
            buffer.setInt(0, DcgmStructs.HIERARCHY_VERSION);
            int rc = lib.dcgmGetGpuInstanceHierarchy(handle, buffer);
            if (rc == DcgmCodes.NOT_SUPPORTED) {
                return List.of(); // no MIG-capable GPU
            }
            check("dcgmGetGpuInstanceHierarchy", rc);
            int count = Math.max(0, Math.min(buffer.getInt(HIERARCHY_COUNT), DcgmStructs.MAX_HIERARCHY_INFO));
            List<EntityTable.HierarchyEntry> entries = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                long base = HIERARCHY_ENTRIES + (long) i * HIERARCHY_INFO_SIZE;
                entries.add(new EntityTable.HierarchyEntry(buffer.getInt(base + HIERARCHY_INFO_ENTITY),
                        buffer.getInt(base + HIERARCHY_INFO_ENTITY + 4), buffer.getInt(base + HIERARCHY_INFO_PARENT),
                        buffer.getInt(base + HIERARCHY_INFO_PARENT + 4), buffer.getInt(base + HIERARCHY_INFO_INSTANCE_ID),
                        buffer.getInt(base + HIERARCHY_INFO_COMPUTE_INSTANCE_ID)));
            }
            return entries;
        } finally {
            NativeMemory.free(buffer);
        }
    }

    /** Creates the field group of the sampled fields and watches it; the first values are there on return. */
    void watchSampled(short[] fieldIds, long intervalUs, double keepAgeSeconds) throws DcgmCallException {
        LongByReference id = new LongByReference();
        check("dcgmFieldGroupCreate", lib.dcgmFieldGroupCreate(handle, fieldIds.length, fieldIds, names + "-sampled", id));
        sampledFieldGroup = id.getValue();
        check("dcgmWatchFields", lib.dcgmWatchFields(handle, group, sampledFieldGroup, intervalUs, keepAgeSeconds, 0));
        // In auto mode the first values would come at the next update cycle; ask for them now.
        check("dcgmUpdateAllFields", lib.dcgmUpdateAllFields(handle, 1));
    }

    /** Stops watching the sampled fields and destroys their field group. */
    void unwatchSampled() throws DcgmCallException {
        if (sampledFieldGroup == NONE) {
            return;
        }
        long fieldGroup = sampledFieldGroup;
        sampledFieldGroup = NONE;
        check("dcgmUnwatchFields", lib.dcgmUnwatchFields(handle, group, fieldGroup));
        check("dcgmFieldGroupDestroy", lib.dcgmFieldGroupDestroy(handle, fieldGroup));
    }

    /** Releases every DCGM object of this session, best effort (the engine may be gone). */
    void tearDown() {
        if (sampledFieldGroup != NONE) {
            lib.dcgmUnwatchFields(handle, group, sampledFieldGroup);
            lib.dcgmFieldGroupDestroy(handle, sampledFieldGroup);
            sampledFieldGroup = NONE;
        }
        if (xidFieldGroup != NONE) {
            lib.dcgmUnwatchFields(handle, group, xidFieldGroup);
            lib.dcgmFieldGroupDestroy(handle, xidFieldGroup);
            xidFieldGroup = NONE;
        }
        if (group != NONE) {
            lib.dcgmGroupDestroy(handle, group);
            group = NONE;
        }
        healthSystems = 0;
    }

    /** Frees the client side of a connection whose engine is gone, without talking to it. */
    void abandon() {
        if (embedded) {
            lib.dcgmStopEmbedded(handle);
        } else {
            lib.dcgmDisconnect(handle);
        }
    }

    void close() {
        tearDown();
        abandon();
    }

    DcgmLibrary lib() {
        return lib;
    }

    long handle() {
        return handle;
    }

    long group() {
        return group;
    }

    long xidFieldGroup() {
        return xidFieldGroup;
    }

    EntityTable entities() {
        return entities;
    }

    /** The health systems DCGM watches for the group, 0 when it has no health watches. */
    int healthSystems() {
        return healthSystems;
    }

    void check(String function, int rc) throws DcgmCallException {
        check(lib, function, rc);
    }

    static void check(DcgmLibrary lib, String function, int rc) throws DcgmCallException {
        if (rc != DcgmCodes.OK) {
            throw new DcgmCallException(function, rc, text(lib, rc));
        }
    }

    /** DCGM's own words for a code. */
    static String text(DcgmLibrary lib, int code) {
        String text = lib.errorString(code);
        return text == null || text.isBlank() ? "unknown error" : text;
    }

    /** A NUL-terminated string of at most {@code max} bytes. */
    static String cString(Memory memory, long offset, int max) {
        byte[] bytes = memory.getByteArray(offset, max);
        int length = 0;
        while (length < bytes.length && bytes[length] != 0) {
            length++;
        }
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }

    private static int indexOf(int[] values, int value) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] == value) {
                return i;
            }
        }
        return -1;
    }
}
