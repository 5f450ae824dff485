package dev.vigil.gpu.dcgm;

import com.sun.jna.Structure;
import com.sun.jna.Union;

/**
 * The libdcgm structs the binding passes, as JNA structures with DCGM's field order, and the
 * offsets the hot paths read them at. DCGM refuses a versioned struct whose size is off by a
 * byte ({@code DCGM_ST_VER_MISMATCH}), so the version constants are computed from the JNA size
 * the way {@code MAKE_DCGM_VERSION} computes them from {@code sizeof}; tests compare every size
 * and offset with the C compiler's and with the sizes measured from DCGM 4.6's headers.
 *
 * <p>The sampling path never reads values through these classes ({@code Structure.read} of a
 * 4,128-byte struct per value would cost allocations and microseconds): it reads native buffers
 * at the offsets below, which are taken from the structures themselves so there is one layout.
 */
final class DcgmStructs {
    /** Longest error message of a health incident ({@code DCGM_ERR_MSG_LENGTH}). */
    static final int ERROR_MESSAGE_LENGTH = 1024;
    /** Health incidents one response holds ({@code DCGM_HEALTH_WATCH_MAX_INCIDENTS}). */
    static final int MAX_INCIDENTS = 1024;
    /** Entries of the MIG hierarchy ({@code DCGM_MAX_HIERARCHY_INFO}: 32 GPUs x 14 instances). */
    static final int MAX_HIERARCHY_INFO = 32 * 14;

    static final int VALUE_V1_SIZE;
    static final int VALUE_V1_FIELD_ID;
    static final int VALUE_V1_FIELD_TYPE;
    static final int VALUE_V1_STATUS;
    static final int VALUE_V1_TS;
    static final int VALUE_V1_VALUE;

    static final int VALUE_V2_SIZE;
    static final int VALUE_V2_ENTITY_GROUP;
    static final int VALUE_V2_ENTITY_ID;
    static final int VALUE_V2_FIELD_ID;
    static final int VALUE_V2_FIELD_TYPE;
    static final int VALUE_V2_STATUS;
    static final int VALUE_V2_TS;
    static final int VALUE_V2_VALUE;

    static final int PAIR_SIZE;

    static final int HIERARCHY_INFO_SIZE;
    static final int HIERARCHY_INFO_ENTITY;
    static final int HIERARCHY_INFO_PARENT;
    static final int HIERARCHY_INFO_GPU_UUID;
    static final int HIERARCHY_INFO_INSTANCE_ID;
    static final int HIERARCHY_INFO_COMPUTE_INSTANCE_ID;
    static final int HIERARCHY_COUNT = 4;
    static final int HIERARCHY_ENTRIES = 8;
    static final int HIERARCHY_SIZE;

    static final int INCIDENT_SIZE;
    static final int INCIDENT_SYSTEM;
    static final int INCIDENT_HEALTH;
    static final int INCIDENT_MESSAGE;
    static final int INCIDENT_CODE;
    static final int INCIDENT_ENTITY;
    static final int HEALTH_INCIDENT_COUNT = 8;
    static final int HEALTH_INCIDENTS = 12;
    static final int HEALTH_RESPONSE_SIZE;

    static final int VALUE_V1_VERSION;
    static final int VALUE_V2_VERSION;
    static final int CONNECT_PARAMS_VERSION;
    static final int HIERARCHY_VERSION;
    static final int HEALTH_RESPONSE_VERSION;

    static {
        FieldValueV1 v1 = new FieldValueV1();
        VALUE_V1_SIZE = v1.size();
        VALUE_V1_FIELD_ID = v1.offsetOf("fieldId");
        VALUE_V1_FIELD_TYPE = v1.offsetOf("fieldType");
        VALUE_V1_STATUS = v1.offsetOf("status");
        VALUE_V1_TS = v1.offsetOf("ts");
        VALUE_V1_VALUE = v1.offsetOf("value");

        FieldValueV2 v2 = new FieldValueV2();
        VALUE_V2_SIZE = v2.size();
        VALUE_V2_ENTITY_GROUP = v2.offsetOf("entityGroupId");
        VALUE_V2_ENTITY_ID = v2.offsetOf("entityId");
        VALUE_V2_FIELD_ID = v2.offsetOf("fieldId");
        VALUE_V2_FIELD_TYPE = v2.offsetOf("fieldType");
        VALUE_V2_STATUS = v2.offsetOf("status");
        VALUE_V2_TS = v2.offsetOf("ts");
        VALUE_V2_VALUE = v2.offsetOf("value");

        PAIR_SIZE = new GroupEntityPair().size();

        MigHierarchyInfoV2 info = new MigHierarchyInfoV2();
        MigEntityInfo entityInfo = new MigEntityInfo();
        HIERARCHY_INFO_SIZE = info.size();
        HIERARCHY_INFO_ENTITY = info.offsetOf("entity");
        HIERARCHY_INFO_PARENT = info.offsetOf("parent");
        int infoBlock = info.offsetOf("info");
        HIERARCHY_INFO_GPU_UUID = infoBlock + entityInfo.offsetOf("gpuUuid");
        HIERARCHY_INFO_INSTANCE_ID = infoBlock + entityInfo.offsetOf("nvmlInstanceId");
        HIERARCHY_INFO_COMPUTE_INSTANCE_ID = infoBlock + entityInfo.offsetOf("nvmlComputeInstanceId");
        HIERARCHY_SIZE = HIERARCHY_ENTRIES + MAX_HIERARCHY_INFO * HIERARCHY_INFO_SIZE;

        HealthIncident incident = new HealthIncident();
        INCIDENT_SIZE = incident.size();
        INCIDENT_SYSTEM = incident.offsetOf("system");
        INCIDENT_HEALTH = incident.offsetOf("health");
        INCIDENT_MESSAGE = incident.offsetOf("error") + new DiagErrorDetail().offsetOf("msg");
        INCIDENT_CODE = incident.offsetOf("error") + new DiagErrorDetail().offsetOf("code");
        INCIDENT_ENTITY = incident.offsetOf("entityInfo");
        HEALTH_RESPONSE_SIZE = HEALTH_INCIDENTS + MAX_INCIDENTS * INCIDENT_SIZE;

        VALUE_V1_VERSION = version(VALUE_V1_SIZE, 1);
        VALUE_V2_VERSION = version(VALUE_V2_SIZE, 2);
        CONNECT_PARAMS_VERSION = version(new ConnectV2Params().size(), 2);
        HIERARCHY_VERSION = version(HIERARCHY_SIZE, 2);
        HEALTH_RESPONSE_VERSION = version(HEALTH_RESPONSE_SIZE, 5);
    }

    private DcgmStructs() {
    }

    /** {@code MAKE_DCGM_VERSION}: the struct's size in the low 24 bits, its version above. */
    static int version(int size, int version) {
        return size | version << 24;
    }

    /** A structure that tells where its fields are, so the hot paths can read raw buffers. */
    abstract static class Layout extends Structure {
        int offsetOf(String field) {
            return fieldOffset(field);
        }

        /** The C member names in declaration order. */
        java.util.List<String> fieldNames() {
            return getFieldOrder();
        }
    }

    /** {@code dcgmGroupEntityPair_t}. */
    @Structure.FieldOrder({"entityGroupId", "entityId"})
    public static class GroupEntityPair extends Layout {
        public int entityGroupId;
        public int entityId;
    }

    /** The value union of a field value: int64, double, string or blob. */
    public static class Value extends Union {
        public long i64;
        public double dbl;
        public byte[] str = new byte[256];
        public byte[] blob = new byte[4096];
    }

    /** {@code dcgmFieldValue_v1}: what values-since callbacks receive. */
    @Structure.FieldOrder({"version", "fieldId", "fieldType", "status", "ts", "value"})
    public static class FieldValueV1 extends Layout {
        public int version;
        public short fieldId;
        public short fieldType;
        public int status;
        public long ts;
        public Value value;
    }

    /** {@code dcgmFieldValue_v2}: what {@code dcgmEntitiesGetLatestValues} writes. */
    @Structure.FieldOrder({"version", "entityGroupId", "entityId", "fieldId", "fieldType", "status", "unused", "ts",
            "value"})
    public static class FieldValueV2 extends Layout {
        public int version;
        public int entityGroupId;
        public int entityId;
        public short fieldId;
        public short fieldType;
        public int status;
        public int unused;
        public long ts;
        public Value value;
    }

    /** {@code dcgmConnectV2Params_v2}. */
    @Structure.FieldOrder({"version", "persistAfterDisconnect", "timeoutMs", "addressIsUnixSocket"})
    public static class ConnectV2Params extends Layout {
        public int version;
        public int persistAfterDisconnect;
        public int timeoutMs;
        public int addressIsUnixSocket;
    }

    /** {@code dcgmMigEntityInfo_t}. */
    @Structure.FieldOrder({"gpuUuid", "nvmlGpuIndex", "nvmlInstanceId", "nvmlComputeInstanceId", "nvmlMigProfileId",
            "nvmlProfileSlices"})
    public static class MigEntityInfo extends Layout {
        public byte[] gpuUuid = new byte[128];
        public int nvmlGpuIndex;
        public int nvmlInstanceId;
        public int nvmlComputeInstanceId;
        public int nvmlMigProfileId;
        public int nvmlProfileSlices;
    }

    /** {@code dcgmMigHierarchyInfo_v2}. */
    @Structure.FieldOrder({"entity", "parent", "info"})
    public static class MigHierarchyInfoV2 extends Layout {
        public GroupEntityPair entity;
        public GroupEntityPair parent;
        public MigEntityInfo info;
    }

    /** {@code dcgmMigHierarchy_v2}; the binding reads it from a raw buffer of {@link #HIERARCHY_SIZE} bytes. */
    @Structure.FieldOrder({"version", "count", "entityList"})
    public static class MigHierarchyV2 extends Layout {
        public int version;
        public int count;
        public MigHierarchyInfoV2[] entityList = new MigHierarchyInfoV2[MAX_HIERARCHY_INFO];
    }

    /** {@code dcgmDiagErrorDetail_t}. */
    @Structure.FieldOrder({"msg", "code"})
    public static class DiagErrorDetail extends Layout {
        public byte[] msg = new byte[ERROR_MESSAGE_LENGTH];
        public int code;
    }

    /** {@code dcgmIncidentInfo_t}. */
    @Structure.FieldOrder({"system", "health", "error", "entityInfo"})
    public static class HealthIncident extends Layout {
        public int system;
        public int health;
        public DiagErrorDetail error;
        public GroupEntityPair entityInfo;
    }

    /** {@code dcgmHealthResponse_v5}; the binding reads it from a raw buffer of {@link #HEALTH_RESPONSE_SIZE} bytes. */
    @Structure.FieldOrder({"version", "overallHealth", "incidentCount", "incidents"})
    public static class HealthResponseV5 extends Layout {
        public int version;
        public int overallHealth;
        public int incidentCount;
        public HealthIncident[] incidents = new HealthIncident[MAX_INCIDENTS];
    }
}
