/*
 * The fake libdcgm.so.4 the DCGM binding (dev.vigil.gpu.dcgm) is tested against: see DcgmBackendTest.
 *
 * It models one host engine with N GPUs (8 by default), optional MIG GPU and compute instances, XIDs
 * with timestamps, and health incidents, and exports every libdcgm function the binding calls with
 * DCGM's ABI. The declarations below are this project's own, written from the facts collected in
 * shared/reference/gpu-telemetry.md section 3: handles are uintptr_t, versioned structs carry
 * sizeof | version << 24 in their first member, return codes are negative ints. The measured sizes
 * of the real structs are asserted at compile time, so a layout mistake here fails the test build.
 *
 * Tests steer it through the fake_dcgm_* functions at the end of the file. Differences from the
 * real library, on purpose:
 *  - values are made up on request (and change from one request to the next) instead of being
 *    sampled by a background thread; a value whose status is not OK still carries a plausible
 *    number, so a binding that ignores the status shows it;
 *  - dcgmShutdown() does not release leaked groups, field groups, watches or connections: they
 *    stay counted so that tests see what the binding forgot to release;
 *  - a field read without the live-data flag must be watched (by any watch), otherwise its value
 *    comes back with status NOT_WATCHED, so tests see a read of something never watched.
 * Every exported function takes one mutex, so the binding's threads can call it concurrently.
 */
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- The ABI: types, codes and structs as libdcgm declares them ------------------------------ */

typedef uintptr_t handle_t; /* dcgmHandle_t, dcgmGpuGrp_t and dcgmFieldGrp_t are all uintptr_t */
typedef int ret_t;          /* dcgmReturn_t */

enum {
    ST_OK = 0,
    ST_BADPARAM = -1,
    ST_GENERIC_ERROR = -3,
    ST_NOT_CONFIGURED = -5,
    ST_NOT_SUPPORTED = -6,
    ST_INIT_ERROR = -7,
    ST_UNINITIALIZED = -10,
    ST_VER_MISMATCH = -12,
    ST_NO_DATA = -14,
    ST_STALE_DATA = -15,
    ST_NOT_WATCHED = -16,
    ST_NO_PERMISSION = -17,
    ST_GPU_IS_LOST = -18,
    ST_CONNECTION_NOT_VALID = -21,
    ST_MAX_LIMIT = -24,
    ST_REQUIRES_ROOT = -29,
};

/* Entity groups (dcgm_field_entity_group_t, an int-sized enum). */
enum { FE_GPU = 1, FE_GPU_I = 4, FE_GPU_CI = 5 };

enum { GROUP_EMPTY = 1 };
enum { MODE_AUTO = 1, MODE_MANUAL = 2 };
enum { FV_FLAG_LIVE_DATA = 1 };
enum { HEALTH_PASS = 0, HEALTH_WARN = 10, HEALTH_FAIL = 20 };
enum { FIELD_UUID = 54, FIELD_XID = 230 };

#define INT64_BLANK 0x7ffffffffffffff0LL
#define MAX_DEVICES 32
#define MAX_FIELDS_PER_GROUP 128
#define MAX_HIERARCHY_INFO (32 * 14)
#define MAX_INCIDENTS 1024

#define MAKE_VERSION(type, ver) ((unsigned int)(sizeof(type) | ((unsigned int)(ver) << 24)))

typedef struct {
    int entityGroupId;
    unsigned int entityId;
} entity_pair; /* dcgmGroupEntityPair_t */

typedef union {
    int64_t i64;
    double dbl;
    char str[256];
    char blob[4096];
} value_union;

typedef struct {
    unsigned int version;
    unsigned short fieldId;
    unsigned short fieldType;
    int status;
    int64_t ts;
    value_union value;
} field_value_v1; /* dcgmFieldValue_v1 */

typedef struct {
    unsigned int version;
    int entityGroupId;
    unsigned int entityId;
    unsigned short fieldId;
    unsigned short fieldType;
    int status;
    unsigned int unused;
    int64_t ts;
    value_union value;
} field_value_v2; /* dcgmFieldValue_v2 */

typedef struct {
    unsigned int version;
    unsigned int persistAfterDisconnect;
    unsigned int timeoutMs;
    unsigned int addressIsUnixSocket;
} connect_params_v2; /* dcgmConnectV2Params_v2 */

typedef struct {
    char gpuUuid[128];
    unsigned int nvmlGpuIndex;
    unsigned int nvmlInstanceId;
    unsigned int nvmlComputeInstanceId;
    unsigned int nvmlMigProfileId;
    unsigned int nvmlProfileSlices;
} mig_entity_info; /* dcgmMigEntityInfo_t */

typedef struct {
    entity_pair entity;
    entity_pair parent;
    mig_entity_info info;
} mig_hierarchy_info_v2; /* dcgmMigHierarchyInfo_v2 */

typedef struct {
    unsigned int version;
    unsigned int count;
    mig_hierarchy_info_v2 entityList[MAX_HIERARCHY_INFO];
} mig_hierarchy_v2; /* dcgmMigHierarchy_v2 */

typedef struct {
    char msg[1024];
    unsigned int code;
} diag_error; /* dcgmDiagErrorDetail_t */

typedef struct {
    int system; /* dcgmHealthSystems_t */
    int health; /* dcgmHealthWatchResults_t */
    diag_error error;
    entity_pair entityInfo;
} health_incident; /* dcgmIncidentInfo_t */

typedef struct {
    unsigned int version;
    int overallHealth;
    unsigned int incidentCount;
    health_incident incidents[MAX_INCIDENTS];
} health_response_v5; /* dcgmHealthResponse_v5 */

/* dcgmFieldValueEntityEnumeration_f */
typedef int (*entity_values_cb)(int entityGroupId, unsigned int entityId, field_value_v1 *values, int numValues,
                                void *userData);

/* The sizes measured from DCGM 4.6.0's headers (reference section 3.3). */
_Static_assert(sizeof(entity_pair) == 8, "dcgmGroupEntityPair_t");
_Static_assert(sizeof(field_value_v1) == 4120, "dcgmFieldValue_v1");
_Static_assert(sizeof(field_value_v2) == 4128, "dcgmFieldValue_v2");
_Static_assert(sizeof(connect_params_v2) == 16, "dcgmConnectV2Params_v2");
_Static_assert(sizeof(mig_hierarchy_info_v2) == 164, "dcgmMigHierarchyInfo_v2");
_Static_assert(sizeof(mig_hierarchy_v2) == 73480, "dcgmMigHierarchy_v2");
_Static_assert(sizeof(health_incident) == 1044, "dcgmIncidentInfo_t");
_Static_assert(sizeof(health_response_v5) == 1069068, "dcgmHealthResponse_v5");

#define VERSION_VALUE_V1 MAKE_VERSION(field_value_v1, 1)
#define VERSION_VALUE_V2 MAKE_VERSION(field_value_v2, 2)
#define VERSION_CONNECT_V2 MAKE_VERSION(connect_params_v2, 2)
#define VERSION_HIERARCHY_V2 MAKE_VERSION(mig_hierarchy_v2, 2)
#define VERSION_HEALTH_V5 MAKE_VERSION(health_response_v5, 5)

/* ---- The modelled host engine ----------------------------------------------------------------- */

#define MAX_CONNECTIONS 256
#define MAX_GROUPS 64
#define MAX_GROUP_ENTITIES 512
#define MAX_FIELD_GROUPS 64
#define MAX_WATCHES 64
#define MAX_MIG 256
#define MAX_OVERRIDES 4096
#define MAX_XIDS 65536
#define MAX_STORED_INCIDENTS 256
#define MAX_NAMES 64
#define HANDLE_BASE 0xdc000

typedef struct {
    int live;       /* 1 until dcgmDisconnect / dcgmStopEmbedded */
    int generation; /* the engine it talks to; an older one is gone */
    int embedded;
} connection;

typedef struct {
    int live;
    handle_t id;
    int count;
    entity_pair entities[MAX_GROUP_ENTITIES];
    unsigned int healthSystems;
} group;

typedef struct {
    int live;
    handle_t id;
    int count;
    unsigned short ids[MAX_FIELDS_PER_GROUP];
} field_group;

typedef struct {
    int live;
    handle_t group;
    handle_t fieldGroup;
    long long freqUs;
    double keepAge;
    int keepSamples;
} watch;

typedef struct {
    entity_pair entity;
    entity_pair parent;
    unsigned int gpu;
    unsigned int nvmlInstanceId;
    unsigned int nvmlComputeInstanceId;
    unsigned int profileId;
    unsigned int slices;
} mig_entry;

typedef struct {
    entity_pair entity;
    unsigned short field;
    int hasValue;
    char type;
    int64_t i64;
    double dbl;
    int hasStatus;
    int status;
} override;

typedef struct {
    int64_t ts;
    entity_pair entity;
    int xid;
} xid_record;

typedef struct {
    entity_pair entity;
    int system;
    int health;
    char msg[1024];
    unsigned int code;
} stored_incident;

typedef struct {
    char name[64];
    long calls;
    int failRemaining;
    int failCode;
} function_state;

static struct {
    int gpuCount;
    int initialized;
    int generation;
    int order; /* 0 request order, 1 reversed, 2 scrambled */
    long tick;
    int64_t lastTs;
    handle_t nextId;
    connection connections[MAX_CONNECTIONS];
    int connectionCount;
    char lastAddress[256];
    connect_params_v2 lastParams;
    int connects;
    int lastEmbeddedMode;
    group groups[MAX_GROUPS];
    field_group fieldGroups[MAX_FIELD_GROUPS];
    watch watches[MAX_WATCHES];
    unsigned char watched[65536];
    mig_entry mig[MAX_MIG];
    int migCount;
    override overrides[MAX_OVERRIDES];
    int overrideCount;
    xid_record xids[MAX_XIDS];
    int xidCount;
    int lastXid[MAX_DEVICES];
    int lost[MAX_DEVICES];
    stored_incident incidents[MAX_STORED_INCIDENTS];
    int incidentCount;
    function_state functions[MAX_NAMES];
    int functionCount;
    long totalCalls;
} S = {.gpuCount = 8, .nextId = 100};

static pthread_mutex_t M = PTHREAD_MUTEX_INITIALIZER;

static int64_t now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static function_state *function(const char *name) {
    for (int i = 0; i < S.functionCount; i++) {
        if (strcmp(S.functions[i].name, name) == 0) {
            return &S.functions[i];
        }
    }
    if (S.functionCount == MAX_NAMES) {
        return NULL;
    }
    function_state *f = &S.functions[S.functionCount++];
    snprintf(f->name, sizeof f->name, "%s", name);
    return f;
}

/* Counts the call and answers an injected failure, if one is pending. Called with M held. */
static ret_t enter(const char *name) {
    S.totalCalls++;
    function_state *f = function(name);
    if (f == NULL) {
        return ST_OK;
    }
    f->calls++;
    if (f->failRemaining > 0) {
        f->failRemaining--;
        return f->failCode;
    }
    return ST_OK;
}

static ret_t check_handle(handle_t handle) {
    if (!S.initialized) {
        return ST_UNINITIALIZED;
    }
    size_t i = handle - HANDLE_BASE;
    if (handle < HANDLE_BASE || i >= (size_t)S.connectionCount || !S.connections[i].live) {
        return ST_BADPARAM;
    }
    return S.connections[i].generation == S.generation ? ST_OK : ST_CONNECTION_NOT_VALID;
}

static ret_t new_connection(int embedded, handle_t *out) {
    if (S.connectionCount == MAX_CONNECTIONS) {
        return ST_MAX_LIMIT;
    }
    int i = S.connectionCount++;
    S.connections[i] = (connection){.live = 1, .generation = S.generation, .embedded = embedded};
    *out = HANDLE_BASE + (handle_t)i;
    return ST_OK;
}

static group *find_group(handle_t id) {
    for (int i = 0; i < MAX_GROUPS; i++) {
        if (S.groups[i].live && S.groups[i].id == id) {
            return &S.groups[i];
        }
    }
    return NULL;
}

static field_group *find_field_group(handle_t id) {
    for (int i = 0; i < MAX_FIELD_GROUPS; i++) {
        if (S.fieldGroups[i].live && S.fieldGroups[i].id == id) {
            return &S.fieldGroups[i];
        }
    }
    return NULL;
}

static const mig_entry *find_mig(int entityGroup, unsigned int entityId) {
    for (int i = 0; i < S.migCount; i++) {
        if (S.mig[i].entity.entityGroupId == entityGroup && S.mig[i].entity.entityId == entityId) {
            return &S.mig[i];
        }
    }
    return NULL;
}

/* The GPU an entity belongs to, or -1 when the engine has no such entity. */
static int gpu_of(int entityGroup, unsigned int entityId) {
    if (entityGroup == FE_GPU) {
        return entityId < (unsigned int)S.gpuCount ? (int)entityId : -1;
    }
    const mig_entry *m = find_mig(entityGroup, entityId);
    return m == NULL ? -1 : (int)m->gpu;
}

static int group_has(const group *g, entity_pair e) {
    for (int i = 0; i < g->count; i++) {
        if (g->entities[i].entityGroupId == e.entityGroupId && g->entities[i].entityId == e.entityId) {
            return 1;
        }
    }
    return 0;
}

static int field_group_has(const field_group *fg, unsigned short field) {
    for (int i = 0; i < fg->count; i++) {
        if (fg->ids[i] == field) {
            return 1;
        }
    }
    return 0;
}

/* Recomputes which field ids some live watch covers. */
static void refresh_watched(void) {
    memset(S.watched, 0, sizeof S.watched);
    for (int i = 0; i < MAX_WATCHES; i++) {
        const field_group *fg = S.watches[i].live ? find_field_group(S.watches[i].fieldGroup) : NULL;
        for (int k = 0; fg != NULL && k < fg->count; k++) {
            S.watched[fg->ids[k]] = 1;
        }
    }
}

static void uuid_of(unsigned int gpu, char *out, size_t cap) {
    snprintf(out, cap, "GPU-5eed0000-0000-4000-8000-%012u", 4200 + gpu);
}

/* Whether a MIG instance has its own value of a field (framebuffer and profiling ratios). */
static int per_instance(unsigned short field) {
    return (field >= 250 && field <= 253) || (field >= 1001 && field <= 1008);
}

/*
 * A plausible value for every field the catalog has, changing with `tick`. Returns the status.
 * Unknown fields answer DCGM's NOT_SUPPORTED blank, as DCGM does for a field a GPU lacks.
 */
static int default_value(int entityGroup, unsigned int gpu, unsigned short field, long tick, char *type,
                         int64_t *i64, double *dbl, char *str, size_t strCap) {
    int instance = entityGroup != FE_GPU;
    *type = 'i';
    *i64 = 0;
    *dbl = 0;
    if (instance && !per_instance(field)) {
        *i64 = 42;
        return ST_NOT_SUPPORTED;
    }
    switch (field) {
        case 1:
            *type = 's';
            snprintf(str, strCap, "%s", "550.54.15");
            return ST_OK;
        case 50:
            *type = 's';
            snprintf(str, strCap, "%s", "NVIDIA H100 80GB HBM3");
            return ST_OK;
        case FIELD_UUID:
            *type = 's';
            uuid_of(gpu, str, strCap);
            return ST_OK;
        case 100: *i64 = 1980 - (tick % 7) * 15; return ST_OK;
        case 101: *i64 = 2619; return ST_OK;
        case 112: *i64 = 0; return ST_OK;
        case 140: *i64 = 50 + gpu % 4 + tick % 3; return ST_OK;
        case 150: *i64 = 40 + gpu + tick % 5; return ST_OK;
        case 155:
        case 157:
            *type = 'd';
            *dbl = 350.25 + gpu * 10 + (double)(tick % 10) * 1.5;
            return ST_OK;
        case 156: *i64 = 1000000 + tick * 350000 + gpu; return ST_OK;
        case 164:
            *type = 'd';
            *dbl = 700.0;
            return ST_OK;
        case 202: *i64 = tick / 100; return ST_OK;
        case 203: *i64 = (tick * 7 + gpu * 11) % 101; return ST_OK;
        case 204: *i64 = (tick * 3 + gpu) % 101; return ST_OK;
        case FIELD_XID: *i64 = gpu < MAX_DEVICES ? S.lastXid[gpu] : 0; return ST_OK;
        case 240: case 241: case 242: case 243: case 244: case 245:
            *i64 = tick * 1000 * (field - 239);
            return ST_OK;
        case 250: *i64 = instance ? 9984 : 81559; return ST_OK;
        case 251: *i64 = (instance ? 9984 : 81559) - (instance ? 1000 : 20000) - tick % 100; return ST_OK;
        case 252: *i64 = (instance ? 1000 : 20000) + tick % 100; return ST_OK;
        case 253: *i64 = instance ? 0 : 530; return ST_OK;
        case 449: *i64 = tick * 1000; return ST_OK;
        case 1009: case 1010: case 1011: case 1012:
            *i64 = 1000000000LL + tick * 1000 + gpu;
            return ST_OK;
        default:
            if (field >= 1001 && field <= 1008) {
                *type = 'd';
                *dbl = (double)((tick + gpu + field) % 100) / 100.0;
                return ST_OK;
            }
            if (field == 206 || field == 207 || field == 526 || field == 1523 || (field >= 300 && field <= 313)
                || (field >= 390 && field <= 396) || (field >= 409 && field <= 439)) {
                *i64 = 0;
                return ST_OK;
            }
            *i64 = INT64_BLANK + 2;
            return ST_OK;
    }
}

static const override *find_override(entity_pair e, unsigned short field) {
    for (int i = 0; i < S.overrideCount; i++) {
        const override *o = &S.overrides[i];
        if (o->field == field && o->entity.entityGroupId == e.entityGroupId && o->entity.entityId == e.entityId) {
            return o;
        }
    }
    return NULL;
}

static override *override_for(int entityGroup, unsigned int entityId, unsigned short field) {
    entity_pair e = {entityGroup, entityId};
    override *o = (override *)find_override(e, field);
    if (o != NULL || S.overrideCount == MAX_OVERRIDES) {
        return o;
    }
    o = &S.overrides[S.overrideCount++];
    memset(o, 0, sizeof *o);
    o->entity = e;
    o->field = field;
    return o;
}

/* Fills one value (common to the v1 and v2 layouts): status, type and value. */
static void fill_value(entity_pair e, unsigned short field, int live, unsigned short *fieldType, int *status,
                       value_union *value) {
    char type;
    int64_t i64;
    double dbl;
    char str[128] = "";
    int gpu = gpu_of(e.entityGroupId, e.entityId);
    int st;
    if (gpu < 0) {
        type = 'i';
        i64 = 42;
        dbl = 0;
        st = ST_NO_DATA;
    } else {
        st = default_value(e.entityGroupId, (unsigned int)gpu, field, S.tick, &type, &i64, &dbl, str, sizeof str);
        const override *o = find_override(e, field);
        if (o != NULL && o->hasValue) {
            type = o->type;
            i64 = o->i64;
            dbl = o->dbl;
            st = ST_OK;
        }
        if (o != NULL && o->hasStatus) {
            st = o->status;
        }
        if (!live && !S.watched[field]) {
            st = ST_NOT_WATCHED;
        }
        if (S.lost[gpu]) {
            st = ST_GPU_IS_LOST;
        }
    }
    *fieldType = (unsigned short)type;
    *status = st;
    if (type == 's') {
        snprintf(value->str, sizeof value->str, "%s", str);
    } else if (type == 'd') {
        value->dbl = dbl;
    } else {
        value->i64 = i64;
    }
}

/* Where the k-th of n requested values goes: in order, reversed, or scrambled (a bijection). */
static unsigned int position(unsigned int k, unsigned int n) {
    switch (S.order) {
        case 1: return n - 1 - k;
        case 2: return (unsigned int)(((uint64_t)k * 1000003u + 7u) % n); /* 1000003 is prime and > n */
        default: return k;
    }
}

static void forget_engine_state(void) {
    memset(S.groups, 0, sizeof S.groups);
    memset(S.fieldGroups, 0, sizeof S.fieldGroups);
    memset(S.watches, 0, sizeof S.watches);
    S.xidCount = 0;
    refresh_watched();
}

/* ---- libdcgm's API --------------------------------------------------------------------------- */

#define API_BEGIN()                 \
    pthread_mutex_lock(&M);         \
    ret_t rc_ = enter(__func__);    \
    if (rc_ != ST_OK) {             \
        pthread_mutex_unlock(&M);   \
        return rc_;                 \
    }
#define API_RETURN(value)           \
    do {                            \
        rc_ = (value);              \
        pthread_mutex_unlock(&M);   \
        return rc_;                 \
    } while (0)
#define API_CHECK_HANDLE(h)                                  \
    do {                                                     \
        ret_t handleRc_ = check_handle(h);                   \
        if (handleRc_ != ST_OK) API_RETURN(handleRc_);       \
    } while (0)

const char *errorString(ret_t code) {
    switch (code) {
        case ST_OK: return "Success";
        case ST_BADPARAM: return "Bad parameter passed to function";
        case ST_GENERIC_ERROR: return "Generic unspecified error";
        case ST_NOT_CONFIGURED: return "Setting not configured";
        case ST_NOT_SUPPORTED: return "Feature not supported";
        case ST_INIT_ERROR: return "DCGM Library Initialization Error";
        case ST_UNINITIALIZED: return "DCGM was not initialized";
        case ST_VER_MISMATCH: return "Version mismatch between received and understood API";
        case ST_NO_DATA: return "No data is available";
        case ST_STALE_DATA: return "Only stale data is available";
        case ST_NOT_WATCHED: return "The given field is not being updated by the cache manager";
        case ST_NO_PERMISSION: return "Permission denied";
        case ST_GPU_IS_LOST: return "GPU is no longer reachable";
        case ST_CONNECTION_NOT_VALID: return "Host engine connection invalid/disconnected";
        case ST_MAX_LIMIT: return "Max limit reached for the object";
        case ST_REQUIRES_ROOT: return "This request is serviced by a module of DCGM that requires root";
        default: return "Unknown error";
    }
}

ret_t dcgmInit(void) {
    API_BEGIN();
    S.initialized = 1;
    API_RETURN(ST_OK);
}

ret_t dcgmShutdown(void) {
    API_BEGIN();
    S.initialized = 0;
    API_RETURN(ST_OK);
}

ret_t dcgmStartEmbedded(int opMode, handle_t *handle) {
    API_BEGIN();
    if (!S.initialized) API_RETURN(ST_UNINITIALIZED);
    if (handle == NULL || (opMode != MODE_AUTO && opMode != MODE_MANUAL)) API_RETURN(ST_BADPARAM);
    S.lastEmbeddedMode = opMode;
    API_RETURN(new_connection(1, handle));
}

ret_t dcgmStopEmbedded(handle_t handle) {
    API_BEGIN();
    size_t i = handle - HANDLE_BASE;
    if (handle < HANDLE_BASE || i >= (size_t)S.connectionCount || !S.connections[i].live
        || !S.connections[i].embedded) {
        API_RETURN(ST_BADPARAM);
    }
    S.connections[i].live = 0;
    API_RETURN(ST_OK);
}

ret_t dcgmConnect_v2(const char *address, connect_params_v2 *params, handle_t *handle) {
    API_BEGIN();
    if (!S.initialized) API_RETURN(ST_UNINITIALIZED);
    if (address == NULL || params == NULL || handle == NULL) API_RETURN(ST_BADPARAM);
    if (params->version != VERSION_CONNECT_V2) API_RETURN(ST_VER_MISMATCH);
    snprintf(S.lastAddress, sizeof S.lastAddress, "%s", address);
    S.lastParams = *params;
    S.connects++;
    API_RETURN(new_connection(0, handle));
}

ret_t dcgmDisconnect(handle_t handle) {
    API_BEGIN();
    size_t i = handle - HANDLE_BASE;
    if (handle < HANDLE_BASE || i >= (size_t)S.connectionCount || !S.connections[i].live
        || S.connections[i].embedded) {
        API_RETURN(ST_BADPARAM);
    }
    S.connections[i].live = 0; /* also for a connection to an engine that is gone: frees the client side */
    API_RETURN(ST_OK);
}

ret_t dcgmGetAllSupportedDevices(handle_t handle, unsigned int gpuIds[MAX_DEVICES], int *count) {
    API_BEGIN();
    API_CHECK_HANDLE(handle);
    if (gpuIds == NULL || count == NULL) API_RETURN(ST_BADPARAM);
    for (int i = 0; i < S.gpuCount; i++) {
        gpuIds[i] = (unsigned int)i;
    }
    *count = S.gpuCount;
    API_RETURN(ST_OK);
}

ret_t dcgmGetGpuInstanceHierarchy(handle_t handle, mig_hierarchy_v2 *hierarchy) {
    API_BEGIN();
    API_CHECK_HANDLE(handle);
    if (hierarchy == NULL) API_RETURN(ST_BADPARAM);
    if (hierarchy->version != VERSION_HIERARCHY_V2) API_RETURN(ST_VER_MISMATCH);
    memset(hierarchy, 0, sizeof *hierarchy);
    hierarchy->version = VERSION_HIERARCHY_V2;
    hierarchy->count = (unsigned int)S.migCount;
    for (int i = 0; i < S.migCount; i++) {
        const mig_entry *m = &S.mig[i];
        mig_hierarchy_info_v2 *info = &hierarchy->entityList[i];
        info->entity = m->entity;
        info->parent = m->parent;
        uuid_of(m->gpu, info->info.gpuUuid, sizeof info->info.gpuUuid);
        info->info.nvmlGpuIndex = m->gpu;
        info->info.nvmlInstanceId = m->nvmlInstanceId;
        info->info.nvmlComputeInstanceId = m->nvmlComputeInstanceId;
        info->info.nvmlMigProfileId = m->profileId;
        info->info.nvmlProfileSlices = m->slices;
    }
    API_RETURN(ST_OK);
}

ret_t dcgmGroupCreate(handle_t handle, int type, const char *name, handle_t *groupId) {
    API_BEGIN();
    API_CHECK_HANDLE(handle);
    if (name == NULL || groupId == NULL || type != GROUP_EMPTY) API_RETURN(ST_BADPARAM);
    for (int i = 0; i < MAX_GROUPS; i++) {
        if (!S.groups[i].live) {
            memset(&S.groups[i], 0, sizeof S.groups[i]);
            S.groups[i].live = 1;
            S.groups[i].id = S.nextId++;
            *groupId = S.groups[i].id;
            API_RETURN(ST_OK);
        }
    }
    API_RETURN(ST_MAX_LIMIT);
}

ret_t dcgmGroupAddEntity(handle_t handle, handle_t groupId, int entityGroupId, unsigned int entityId) {
    API_BEGIN();
    API_CHECK_HANDLE(handle);
    group *g = find_group(groupId);
    if (g == NULL) API_RETURN(ST_NOT_CONFIGURED);
    if (gpu_of(entityGroupId, entityId) < 0) API_RETURN(ST_BADPARAM);
    entity_pair e = {entityGroupId, entityId};
    if (group_has(g, e)) API_RETURN(ST_OK);
    if (g->count == MAX_GROUP_ENTITIES) API_RETURN(ST_MAX_LIMIT);
    g->entities[g->count++] = e;
    API_RETURN(ST_OK);
}

ret_t dcgmGroupDestroy(handle_t handle, handle_t groupId) {
    API_BEGIN();
    API_CHECK_HANDLE(handle);
    group *g = find_group(groupId);
    if (g == NULL) API_RETURN(ST_NOT_CONFIGURED);
    g->live = 0;
    for (int i = 0; i < MAX_WATCHES; i++) {
        if (S.watches[i].live && S.watches[i].group == groupId) {
            S.watches[i].live = 0; /* DCGM drops a destroyed group's watches */
        }
    }
    refresh_watched();
    API_RETURN(ST_OK);
}

ret_t dcgmFieldGroupCreate(handle_t handle, int numFieldIds, unsigned short *fieldIds, const char *name,
                           handle_t *fieldGroupId) {
    API_BEGIN();
    API_CHECK_HANDLE(handle);
    /* DCGM accepts 1 to 127 ids: it refuses numFieldIds >= DCGM_MAX_FIELD_IDS_PER_FIELD_GROUP. */
    if (numFieldIds < 1 || numFieldIds >= MAX_FIELDS_PER_GROUP || fieldIds == NULL || name == NULL || !name[0]
        || fieldGroupId == NULL) {
        API_RETURN(ST_BADPARAM);
    }
    for (int i = 0; i < MAX_FIELD_GROUPS; i++) {
        if (!S.fieldGroups[i].live) {
            field_group *fg = &S.fieldGroups[i];
            fg->live = 1;
            fg->id = S.nextId++;
            fg->count = numFieldIds;
            memcpy(fg->ids, fieldIds, sizeof(unsigned short) * (size_t)numFieldIds);
            *fieldGroupId = fg->id;
            API_RETURN(ST_OK);
        }
    }
    API_RETURN(ST_MAX_LIMIT);
}

ret_t dcgmFieldGroupDestroy(handle_t handle, handle_t fieldGroupId) {
    API_BEGIN();
    API_CHECK_HANDLE(handle);
    field_group *fg = find_field_group(fieldGroupId);
    if (fg == NULL) API_RETURN(ST_NOT_CONFIGURED);
    fg->live = 0;
    for (int i = 0; i < MAX_WATCHES; i++) {
        if (S.watches[i].live && S.watches[i].fieldGroup == fieldGroupId) {
            S.watches[i].live = 0;
        }
    }
    refresh_watched();
    API_RETURN(ST_OK);
}

ret_t dcgmWatchFields(handle_t handle, handle_t groupId, handle_t fieldGroupId, long long updateFreqUs,
                      double maxKeepAge, int maxKeepSamples) {
    API_BEGIN();
    API_CHECK_HANDLE(handle);
    if (find_group(groupId) == NULL || find_field_group(fieldGroupId) == NULL) API_RETURN(ST_NOT_CONFIGURED);
    if (updateFreqUs <= 0 || maxKeepAge < 0 || maxKeepSamples < 0) API_RETURN(ST_BADPARAM);
    for (int i = 0; i < MAX_WATCHES; i++) {
        if (!S.watches[i].live) {
            S.watches[i] = (watch){1, groupId, fieldGroupId, updateFreqUs, maxKeepAge, maxKeepSamples};
            refresh_watched();
            API_RETURN(ST_OK);
        }
    }
    API_RETURN(ST_MAX_LIMIT);
}

ret_t dcgmUnwatchFields(handle_t handle, handle_t groupId, handle_t fieldGroupId) {
    API_BEGIN();
    API_CHECK_HANDLE(handle);
    if (find_group(groupId) == NULL || find_field_group(fieldGroupId) == NULL) API_RETURN(ST_NOT_CONFIGURED);
    for (int i = 0; i < MAX_WATCHES; i++) {
        if (S.watches[i].live && S.watches[i].group == groupId && S.watches[i].fieldGroup == fieldGroupId) {
            S.watches[i].live = 0;
        }
    }
    refresh_watched();
    API_RETURN(ST_OK);
}

ret_t dcgmUpdateAllFields(handle_t handle, int waitForUpdate) {
    API_BEGIN();
    API_CHECK_HANDLE(handle);
    if (waitForUpdate != 0 && waitForUpdate != 1) API_RETURN(ST_BADPARAM);
    API_RETURN(ST_OK);
}

ret_t dcgmEntitiesGetLatestValues(handle_t handle, entity_pair entities[], unsigned int entityCount,
                                  unsigned short fields[], unsigned int fieldCount, unsigned int flags,
                                  field_value_v2 values[]) {
    API_BEGIN();
    API_CHECK_HANDLE(handle);
    if (entities == NULL || fields == NULL || values == NULL || entityCount == 0 || fieldCount == 0) {
        API_RETURN(ST_BADPARAM);
    }
    S.tick++;
    int64_t ts = now_us();
    unsigned int n = entityCount * fieldCount;
    for (unsigned int k = 0; k < n; k++) {
        entity_pair e = entities[k / fieldCount];
        unsigned short field = fields[k % fieldCount];
        field_value_v2 *v = &values[position(k, n)];
        v->version = VERSION_VALUE_V2;
        v->entityGroupId = e.entityGroupId;
        v->entityId = e.entityId;
        v->fieldId = field;
        v->unused = 0;
        v->ts = ts;
        fill_value(e, field, (flags & FV_FLAG_LIVE_DATA) != 0, &v->fieldType, &v->status, &v->value);
    }
    API_RETURN(ST_OK);
}

ret_t dcgmGetValuesSince_v2(handle_t handle, handle_t groupId, handle_t fieldGroupId, long long sinceTimestamp,
                            long long *nextSinceTimestamp, entity_values_cb callback, void *userData) {
    API_BEGIN();
    API_CHECK_HANDLE(handle);
    if (nextSinceTimestamp == NULL || callback == NULL) API_RETURN(ST_BADPARAM);
    const group *g = find_group(groupId);
    const field_group *fg = find_field_group(fieldGroupId);
    if (g == NULL || fg == NULL) API_RETURN(ST_NOT_CONFIGURED);
    /* Only XIDs have a history here. Copy them out, then call back without holding the lock. */
    field_value_v1 *found = NULL;
    entity_pair *owners = NULL;
    int count = 0;
    int64_t next = sinceTimestamp;
    if (field_group_has(fg, FIELD_XID)) {
        found = malloc(sizeof *found * (size_t)(S.xidCount > 0 ? S.xidCount : 1));
        owners = malloc(sizeof *owners * (size_t)(S.xidCount > 0 ? S.xidCount : 1));
        if (found == NULL || owners == NULL) {
            free(found);
            free(owners);
            API_RETURN(ST_GENERIC_ERROR);
        }
        for (int i = 0; i < S.xidCount; i++) {
            const xid_record *x = &S.xids[i];
            if (x->ts < sinceTimestamp || !group_has(g, x->entity)) {
                continue;
            }
            field_value_v1 *v = &found[count];
            v->version = VERSION_VALUE_V1;
            v->fieldId = FIELD_XID;
            v->fieldType = 'i';
            v->status = ST_OK;
            v->ts = x->ts;
            v->value.i64 = x->xid;
            owners[count++] = x->entity;
            if (x->ts + 1 > next) {
                next = x->ts + 1;
            }
        }
    }
    *nextSinceTimestamp = next;
    pthread_mutex_unlock(&M);
    /* One callback per run of values of the same entity, as DCGM may pass several at once. */
    for (int start = 0; start < count;) {
        int end = start + 1;
        while (end < count && owners[end].entityGroupId == owners[start].entityGroupId
               && owners[end].entityId == owners[start].entityId) {
            end++;
        }
        if (callback(owners[start].entityGroupId, owners[start].entityId, &found[start], end - start, userData) < 0) {
            break;
        }
        start = end;
    }
    free(found);
    free(owners);
    return ST_OK;
}

ret_t dcgmHealthSet(handle_t handle, handle_t groupId, unsigned int systems) {
    API_BEGIN();
    API_CHECK_HANDLE(handle);
    group *g = find_group(groupId);
    if (g == NULL) API_RETURN(ST_NOT_CONFIGURED);
    g->healthSystems = systems;
    API_RETURN(ST_OK);
}

ret_t dcgmHealthCheck(handle_t handle, handle_t groupId, health_response_v5 *response) {
    API_BEGIN();
    API_CHECK_HANDLE(handle);
    if (response == NULL) API_RETURN(ST_BADPARAM);
    if (response->version != VERSION_HEALTH_V5) API_RETURN(ST_VER_MISMATCH);
    const group *g = find_group(groupId);
    if (g == NULL) API_RETURN(ST_NOT_CONFIGURED);
    memset(response, 0, sizeof *response);
    response->version = VERSION_HEALTH_V5;
    /* Like DCGM (which checks the last minute of samples on every call), this is the current state. */
    for (int i = 0; i < S.incidentCount && response->incidentCount < MAX_INCIDENTS; i++) {
        const stored_incident *s = &S.incidents[i];
        if (!group_has(g, s->entity) || !(g->healthSystems & (unsigned int)s->system)) {
            continue;
        }
        health_incident *out = &response->incidents[response->incidentCount++];
        out->system = s->system;
        out->health = s->health;
        snprintf(out->error.msg, sizeof out->error.msg, "%s", s->msg);
        out->error.code = s->code;
        out->entityInfo = s->entity;
        if (s->health > response->overallHealth) {
            response->overallHealth = s->health;
        }
    }
    API_RETURN(ST_OK);
}

/* ---- Test controls ---------------------------------------------------------------------------- */

/* Back to a fresh process with `gpus` GPUs: nothing initialized, configured, counted or injected. */
void fake_dcgm_reset(int gpus) {
    pthread_mutex_lock(&M);
    memset(&S, 0, sizeof S);
    S.gpuCount = gpus < 0 ? 0 : gpus > MAX_DEVICES ? MAX_DEVICES : gpus;
    S.nextId = 100;
    pthread_mutex_unlock(&M);
}

/* 0: values in request order; 1: reversed; 2: scrambled. DCGM does not promise an order. */
void fake_dcgm_set_order(int mode) {
    pthread_mutex_lock(&M);
    S.order = mode;
    pthread_mutex_unlock(&M);
}

int fake_dcgm_gpu_uuid(unsigned int gpu, char *out, int cap) {
    if (out == NULL || cap <= 0) {
        return -1;
    }
    uuid_of(gpu, out, (size_t)cap);
    return 0;
}

void fake_dcgm_set_int(int entityGroup, unsigned int entityId, unsigned short field, long long value) {
    pthread_mutex_lock(&M);
    override *o = override_for(entityGroup, entityId, field);
    if (o != NULL) {
        o->hasValue = 1;
        o->type = 'i';
        o->i64 = value;
    }
    pthread_mutex_unlock(&M);
}

void fake_dcgm_set_double(int entityGroup, unsigned int entityId, unsigned short field, double value) {
    pthread_mutex_lock(&M);
    override *o = override_for(entityGroup, entityId, field);
    if (o != NULL) {
        o->hasValue = 1;
        o->type = 'd';
        o->dbl = value;
    }
    pthread_mutex_unlock(&M);
}

/* The per-value status DCGM reports for (entity, field); the value stays a plausible number. */
void fake_dcgm_set_status(int entityGroup, unsigned int entityId, unsigned short field, int status) {
    pthread_mutex_lock(&M);
    override *o = override_for(entityGroup, entityId, field);
    if (o != NULL) {
        o->hasStatus = 1;
        o->status = status;
    }
    pthread_mutex_unlock(&M);
}

void fake_dcgm_clear_values(void) {
    pthread_mutex_lock(&M);
    S.overrideCount = 0;
    pthread_mutex_unlock(&M);
}

/* A GPU that fell off the bus: every value of it and of its MIG instances has status GPU_IS_LOST. */
void fake_dcgm_set_gpu_lost(unsigned int gpu, int lost) {
    pthread_mutex_lock(&M);
    if (gpu < MAX_DEVICES) {
        S.lost[gpu] = lost;
    }
    pthread_mutex_unlock(&M);
}

int fake_dcgm_add_gpu_instance(unsigned int gpu, unsigned int entityId, unsigned int nvmlInstanceId,
                               unsigned int profileId, unsigned int slices) {
    pthread_mutex_lock(&M);
    int rc = -1;
    if (gpu < (unsigned int)S.gpuCount && S.migCount < MAX_MIG && find_mig(FE_GPU_I, entityId) == NULL) {
        S.mig[S.migCount++] = (mig_entry){{FE_GPU_I, entityId}, {FE_GPU, gpu}, gpu, nvmlInstanceId, 0xffffffffu,
                                          profileId, slices};
        rc = 0;
    }
    pthread_mutex_unlock(&M);
    return rc;
}

int fake_dcgm_add_compute_instance(unsigned int gpuInstanceEntityId, unsigned int entityId,
                                   unsigned int nvmlComputeInstanceId) {
    pthread_mutex_lock(&M);
    int rc = -1;
    const mig_entry *parent = find_mig(FE_GPU_I, gpuInstanceEntityId);
    if (parent != NULL && S.migCount < MAX_MIG && find_mig(FE_GPU_CI, entityId) == NULL) {
        S.mig[S.migCount++] = (mig_entry){{FE_GPU_CI, entityId}, {FE_GPU_I, gpuInstanceEntityId}, parent->gpu,
                                          parent->nvmlInstanceId, nvmlComputeInstanceId, parent->profileId,
                                          parent->slices};
        rc = 0;
    }
    pthread_mutex_unlock(&M);
    return rc;
}

void fake_dcgm_clear_mig(void) {
    pthread_mutex_lock(&M);
    S.migCount = 0;
    pthread_mutex_unlock(&M);
}

/*
 * The driver reports XID `xid` on GPU `gpu`, attributed to a compute instance entity (ciEntity >= 0),
 * else to a GPU instance entity (giEntity >= 0), else to the GPU. Returns its timestamp (usec), or -1.
 */
long long fake_dcgm_push_xid(unsigned int gpu, int xid, int giEntity, int ciEntity) {
    pthread_mutex_lock(&M);
    long long ts = -1;
    entity_pair e = {FE_GPU, gpu};
    if (ciEntity >= 0) {
        e = (entity_pair){FE_GPU_CI, (unsigned int)ciEntity};
    } else if (giEntity >= 0) {
        e = (entity_pair){FE_GPU_I, (unsigned int)giEntity};
    }
    if (gpu_of(e.entityGroupId, e.entityId) == (int)gpu && S.xidCount < MAX_XIDS) {
        int64_t now = now_us();
        ts = now > S.lastTs ? now : S.lastTs + 1; /* strictly increasing, as each XID is its own sample */
        S.lastTs = ts;
        S.xids[S.xidCount++] = (xid_record){ts, e, xid};
        S.lastXid[gpu] = xid;
    }
    pthread_mutex_unlock(&M);
    return ts;
}

int fake_dcgm_add_incident(int entityGroup, unsigned int entityId, int system, int health, const char *msg,
                           unsigned int code) {
    pthread_mutex_lock(&M);
    int rc = -1;
    if (S.incidentCount < MAX_STORED_INCIDENTS && gpu_of(entityGroup, entityId) >= 0) {
        stored_incident *s = &S.incidents[S.incidentCount++];
        s->entity = (entity_pair){entityGroup, entityId};
        s->system = system;
        s->health = health;
        snprintf(s->msg, sizeof s->msg, "%s", msg == NULL ? "" : msg);
        s->code = code;
        rc = 0;
    }
    pthread_mutex_unlock(&M);
    return rc;
}

void fake_dcgm_clear_incidents(void) {
    pthread_mutex_lock(&M);
    S.incidentCount = 0;
    pthread_mutex_unlock(&M);
}

/* The next `count` calls of `name` return `code` without doing anything. */
void fake_dcgm_fail_next(const char *name, int count, int code) {
    pthread_mutex_lock(&M);
    function_state *f = function(name);
    if (f != NULL) {
        f->failRemaining = count;
        f->failCode = code;
    }
    pthread_mutex_unlock(&M);
}

/*
 * nv-hostengine restarts: every handle of the old engine answers CONNECTION_NOT_VALID from now on,
 * and the new engine has no groups, field groups, watches or XID history. dcgmConnect_v2 (or
 * dcgmStartEmbedded) gets a handle to the new engine.
 */
void fake_dcgm_restart_engine(void) {
    pthread_mutex_lock(&M);
    S.generation++;
    forget_engine_state();
    pthread_mutex_unlock(&M);
}

long fake_dcgm_calls(const char *name) {
    pthread_mutex_lock(&M);
    long calls = 0;
    for (int i = 0; i < S.functionCount; i++) {
        if (strcmp(S.functions[i].name, name) == 0) {
            calls = S.functions[i].calls;
        }
    }
    pthread_mutex_unlock(&M);
    return calls;
}

long fake_dcgm_total_calls(void) {
    pthread_mutex_lock(&M);
    long calls = S.totalCalls;
    pthread_mutex_unlock(&M);
    return calls;
}

/* Live objects: "groups", "field_groups", "watches" or "connections"; -1 for another name. */
int fake_dcgm_live(const char *what) {
    pthread_mutex_lock(&M);
    int n = 0;
    if (strcmp(what, "groups") == 0) {
        for (int i = 0; i < MAX_GROUPS; i++) n += S.groups[i].live;
    } else if (strcmp(what, "field_groups") == 0) {
        for (int i = 0; i < MAX_FIELD_GROUPS; i++) n += S.fieldGroups[i].live;
    } else if (strcmp(what, "watches") == 0) {
        for (int i = 0; i < MAX_WATCHES; i++) n += S.watches[i].live;
    } else if (strcmp(what, "connections") == 0) {
        for (int i = 0; i < S.connectionCount; i++) n += S.connections[i].live;
    } else {
        n = -1;
    }
    pthread_mutex_unlock(&M);
    return n;
}

/* The index-th live watch: frequency, keep age and samples, and its field ids; returns their count or -1. */
int fake_dcgm_watch_info(int index, long long *freqUs, double *keepAge, int *keepSamples, unsigned short *fields,
                         int cap) {
    pthread_mutex_lock(&M);
    int n = -1;
    for (int i = 0, seen = 0; i < MAX_WATCHES; i++) {
        if (!S.watches[i].live || seen++ != index) {
            continue;
        }
        const field_group *fg = find_field_group(S.watches[i].fieldGroup);
        *freqUs = S.watches[i].freqUs;
        *keepAge = S.watches[i].keepAge;
        *keepSamples = S.watches[i].keepSamples;
        n = fg == NULL ? 0 : fg->count;
        for (int k = 0; k < n && k < cap; k++) {
            fields[k] = fg->ids[k];
        }
        break;
    }
    pthread_mutex_unlock(&M);
    return n;
}

/* The entities of the index-th live group and its health systems; returns their count or -1. */
int fake_dcgm_group_info(int index, int *entityGroups, unsigned int *entityIds, int cap, unsigned int *healthSystems) {
    pthread_mutex_lock(&M);
    int n = -1;
    for (int i = 0, seen = 0; i < MAX_GROUPS; i++) {
        if (!S.groups[i].live || seen++ != index) {
            continue;
        }
        n = S.groups[i].count;
        for (int k = 0; k < n && k < cap; k++) {
            entityGroups[k] = S.groups[i].entities[k].entityGroupId;
            entityIds[k] = S.groups[i].entities[k].entityId;
        }
        *healthSystems = S.groups[i].healthSystems;
        break;
    }
    pthread_mutex_unlock(&M);
    return n;
}

/* The last dcgmConnect_v2: address and the four params; returns how many connects there were. */
int fake_dcgm_last_connect(char *address, int cap, unsigned int *params) {
    pthread_mutex_lock(&M);
    snprintf(address, (size_t)cap, "%s", S.lastAddress);
    params[0] = S.lastParams.version;
    params[1] = S.lastParams.persistAfterDisconnect;
    params[2] = S.lastParams.timeoutMs;
    params[3] = S.lastParams.addressIsUnixSocket;
    int connects = S.connects;
    pthread_mutex_unlock(&M);
    return connects;
}

int fake_dcgm_last_embedded_mode(void) {
    pthread_mutex_lock(&M);
    int mode = S.lastEmbeddedMode;
    pthread_mutex_unlock(&M);
    return mode;
}

#define SIZE_OF(name, type) \
    if (strcmp(n, name) == 0) return sizeof(type)

/* sizeof of each struct declared here, by DCGM's name; (size_t)-1 for another name. */
size_t fake_dcgm_sizeof(const char *n) {
    SIZE_OF("dcgmGroupEntityPair_t", entity_pair);
    SIZE_OF("dcgmFieldValue_v1", field_value_v1);
    SIZE_OF("dcgmFieldValue_v2", field_value_v2);
    SIZE_OF("dcgmConnectV2Params_v2", connect_params_v2);
    SIZE_OF("dcgmMigEntityInfo_t", mig_entity_info);
    SIZE_OF("dcgmMigHierarchyInfo_v2", mig_hierarchy_info_v2);
    SIZE_OF("dcgmMigHierarchy_v2", mig_hierarchy_v2);
    SIZE_OF("dcgmDiagErrorDetail_t", diag_error);
    SIZE_OF("dcgmIncidentInfo_t", health_incident);
    SIZE_OF("dcgmHealthResponse_v5", health_response_v5);
    return (size_t)-1;
}

/* The version each versioned struct must carry, as the fake checks it; 0 for another name. */
unsigned int fake_dcgm_version(const char *n) {
    if (strcmp(n, "dcgmFieldValue_v1") == 0) return VERSION_VALUE_V1;
    if (strcmp(n, "dcgmFieldValue_v2") == 0) return VERSION_VALUE_V2;
    if (strcmp(n, "dcgmConnectV2Params_v2") == 0) return VERSION_CONNECT_V2;
    if (strcmp(n, "dcgmMigHierarchy_v2") == 0) return VERSION_HIERARCHY_V2;
    if (strcmp(n, "dcgmHealthResponse_v5") == 0) return VERSION_HEALTH_V5;
    return 0;
}

#define OFFSET_OF(name, type, member) \
    if (strcmp(t, name) == 0 && strcmp(m, #member) == 0) return offsetof(type, member)

/* offsetof a member of a struct declared here, by DCGM's names; (size_t)-1 when there is none. */
size_t fake_dcgm_offsetof(const char *t, const char *m) {
    OFFSET_OF("dcgmGroupEntityPair_t", entity_pair, entityGroupId);
    OFFSET_OF("dcgmGroupEntityPair_t", entity_pair, entityId);
    OFFSET_OF("dcgmFieldValue_v1", field_value_v1, version);
    OFFSET_OF("dcgmFieldValue_v1", field_value_v1, fieldId);
    OFFSET_OF("dcgmFieldValue_v1", field_value_v1, fieldType);
    OFFSET_OF("dcgmFieldValue_v1", field_value_v1, status);
    OFFSET_OF("dcgmFieldValue_v1", field_value_v1, ts);
    OFFSET_OF("dcgmFieldValue_v1", field_value_v1, value);
    OFFSET_OF("dcgmFieldValue_v2", field_value_v2, version);
    OFFSET_OF("dcgmFieldValue_v2", field_value_v2, entityGroupId);
    OFFSET_OF("dcgmFieldValue_v2", field_value_v2, entityId);
    OFFSET_OF("dcgmFieldValue_v2", field_value_v2, fieldId);
    OFFSET_OF("dcgmFieldValue_v2", field_value_v2, fieldType);
    OFFSET_OF("dcgmFieldValue_v2", field_value_v2, status);
    OFFSET_OF("dcgmFieldValue_v2", field_value_v2, unused);
    OFFSET_OF("dcgmFieldValue_v2", field_value_v2, ts);
    OFFSET_OF("dcgmFieldValue_v2", field_value_v2, value);
    OFFSET_OF("dcgmConnectV2Params_v2", connect_params_v2, version);
    OFFSET_OF("dcgmConnectV2Params_v2", connect_params_v2, persistAfterDisconnect);
    OFFSET_OF("dcgmConnectV2Params_v2", connect_params_v2, timeoutMs);
    OFFSET_OF("dcgmConnectV2Params_v2", connect_params_v2, addressIsUnixSocket);
    OFFSET_OF("dcgmMigEntityInfo_t", mig_entity_info, gpuUuid);
    OFFSET_OF("dcgmMigEntityInfo_t", mig_entity_info, nvmlGpuIndex);
    OFFSET_OF("dcgmMigEntityInfo_t", mig_entity_info, nvmlInstanceId);
    OFFSET_OF("dcgmMigEntityInfo_t", mig_entity_info, nvmlComputeInstanceId);
    OFFSET_OF("dcgmMigEntityInfo_t", mig_entity_info, nvmlMigProfileId);
    OFFSET_OF("dcgmMigEntityInfo_t", mig_entity_info, nvmlProfileSlices);
    OFFSET_OF("dcgmMigHierarchyInfo_v2", mig_hierarchy_info_v2, entity);
    OFFSET_OF("dcgmMigHierarchyInfo_v2", mig_hierarchy_info_v2, parent);
    OFFSET_OF("dcgmMigHierarchyInfo_v2", mig_hierarchy_info_v2, info);
    OFFSET_OF("dcgmMigHierarchy_v2", mig_hierarchy_v2, version);
    OFFSET_OF("dcgmMigHierarchy_v2", mig_hierarchy_v2, count);
    OFFSET_OF("dcgmMigHierarchy_v2", mig_hierarchy_v2, entityList);
    OFFSET_OF("dcgmDiagErrorDetail_t", diag_error, msg);
    OFFSET_OF("dcgmDiagErrorDetail_t", diag_error, code);
    OFFSET_OF("dcgmIncidentInfo_t", health_incident, system);
    OFFSET_OF("dcgmIncidentInfo_t", health_incident, health);
    OFFSET_OF("dcgmIncidentInfo_t", health_incident, error);
    OFFSET_OF("dcgmIncidentInfo_t", health_incident, entityInfo);
    OFFSET_OF("dcgmHealthResponse_v5", health_response_v5, version);
    OFFSET_OF("dcgmHealthResponse_v5", health_response_v5, overallHealth);
    OFFSET_OF("dcgmHealthResponse_v5", health_response_v5, incidentCount);
    OFFSET_OF("dcgmHealthResponse_v5", health_response_v5, incidents);
    return (size_t)-1;
}
