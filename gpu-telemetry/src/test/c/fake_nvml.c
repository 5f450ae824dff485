/*
 * The fake libnvidia-ml.so.1 the NVML backend is tested against (see NvmlBackendTest).
 *
 * It exports every NVML function dev.vigil.gpu.nvml binds, with NVML's return codes, enum values and
 * struct layouts (declared below in the project's own words: only what the binding uses), and models a
 * node of N GPUs: telemetry, NVLink, PCIe/NUMA topology, processes, XID events and MIG (modes, GPU and
 * compute instances, placements). Tests steer it through the fake_nvml_* functions at the end: values,
 * scripted return codes per (GPU, function), lost GPUs, events, processes, and read back what it was
 * asked to do (MIG state, call counts, live handles, and the struct sizes it was compiled with).
 *
 * One mutex guards all state; nvmlEventSetWait_v2 waits on a condition variable of that mutex, so the
 * binding's event thread and its sampling thread may call in at the same time, as they do on real NVML.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EXPORT __attribute__((visibility("default")))

/* ---------------------------------------------------------------------------------------------
 * ABI: return codes, constants and structs, as NVML defines their values and layouts.
 * --------------------------------------------------------------------------------------------- */

typedef int nvmlReturn_t; /* a C enum: int-sized */

enum {
    NVML_SUCCESS = 0,
    NVML_ERROR_UNINITIALIZED = 1,
    NVML_ERROR_INVALID_ARGUMENT = 2,
    NVML_ERROR_NOT_SUPPORTED = 3,
    NVML_ERROR_NO_PERMISSION = 4,
    NVML_ERROR_NOT_FOUND = 6,
    NVML_ERROR_INSUFFICIENT_SIZE = 7,
    NVML_ERROR_DRIVER_NOT_LOADED = 9,
    NVML_ERROR_TIMEOUT = 10,
    NVML_ERROR_GPU_IS_LOST = 15,
    NVML_ERROR_RESET_REQUIRED = 16,
    NVML_ERROR_IN_USE = 19,
    NVML_ERROR_NO_DATA = 21,
    NVML_ERROR_INSUFFICIENT_RESOURCES = 23,
    NVML_ERROR_ARGUMENT_VERSION_MISMATCH = 25,
    NVML_ERROR_NOT_READY = 27,
    NVML_ERROR_UNKNOWN = 999
};

enum { TOPOLOGY_SINGLE = 10, TOPOLOGY_NODE = 40, TOPOLOGY_SYSTEM = 50 };
enum { NVLINK_REMOTE_GPU = 0, NVLINK_REMOTE_SWITCH = 2 };
enum { CLOCK_SM = 1, CLOCK_MEM = 2 };
enum { FIELD_MEMORY_TEMP = 82, FIELD_GPU_RECOVERY_ACTION = 230 };
enum { VALUE_TYPE_UNSIGNED_INT = 1 };
#define EVENT_XID_CRITICAL 0x8ULL
#define NO_INSTANCE 0xFFFFFFFFu
#define STRUCT_VERSION(type, ver) ((unsigned int)(sizeof(type) | ((unsigned int)(ver) << 24)))

/* Opaque handles: pointers to the fake's own objects. */
typedef struct fake_device *nvmlDevice_t;
typedef struct fake_gi *nvmlGpuInstance_t;
typedef struct fake_ci *nvmlComputeInstance_t;
typedef struct fake_event_set *nvmlEventSet_t;

typedef struct {
    char busIdLegacy[16];
    unsigned int domain;
    unsigned int bus;
    unsigned int device;
    unsigned int pciDeviceId;
    unsigned int pciSubSystemId;
    char busId[32];
} nvmlPciInfo_t;

typedef struct {
    unsigned long long total;
    unsigned long long free;
    unsigned long long used;
} nvmlMemory_t;

typedef struct {
    unsigned int version;
    unsigned long long total;
    unsigned long long reserved;
    unsigned long long free;
    unsigned long long used;
} nvmlMemory_v2_t;

typedef struct {
    unsigned int version;
    int sensorType;
    int temperature;
} nvmlTemperature_v1_t;

typedef struct {
    unsigned int gpu;
    unsigned int memory;
} nvmlUtilization_t;

typedef struct {
    unsigned int pid;
    unsigned long long usedGpuMemory;
    unsigned int gpuInstanceId;
    unsigned int computeInstanceId;
} nvmlProcessInfo_t;

typedef struct {
    nvmlDevice_t device;
    unsigned long long eventType;
    unsigned long long eventData;
    unsigned int gpuInstanceId;
    unsigned int computeInstanceId;
} nvmlEventData_t;

typedef struct {
    unsigned long long referenceTime;
    unsigned long long violationTime;
} nvmlViolationTime_t;

typedef union {
    double dVal;
    int siVal;
    unsigned int uiVal;
    unsigned long ulVal;
    unsigned long long ullVal;
    long long sllVal;
    unsigned short usVal;
} nvmlValue_t;

typedef struct {
    unsigned int fieldId;
    unsigned int scopeId;
    long long timestamp;
    long long latencyUsec;
    int valueType;
    nvmlReturn_t nvmlReturn;
    nvmlValue_t value;
} nvmlFieldValue_t;

typedef struct {
    unsigned int id;
    unsigned int isP2pSupported;
    unsigned int sliceCount;
    unsigned int instanceCount;
    unsigned int multiprocessorCount;
    unsigned int copyEngineCount;
    unsigned int decoderCount;
    unsigned int encoderCount;
    unsigned int jpegCount;
    unsigned int ofaCount;
    unsigned long long memorySizeMB;
} nvmlGpuInstanceProfileInfo_t;

typedef struct {
    unsigned int start;
    unsigned int size;
} nvmlGpuInstancePlacement_t;

typedef struct {
    nvmlDevice_t device;
    unsigned int id;
    unsigned int profileId;
    nvmlGpuInstancePlacement_t placement;
} nvmlGpuInstanceInfo_t;

typedef struct {
    unsigned int id;
    unsigned int sliceCount;
    unsigned int instanceCount;
    unsigned int multiprocessorCount;
    unsigned int sharedCopyEngineCount;
    unsigned int sharedDecoderCount;
    unsigned int sharedEncoderCount;
    unsigned int sharedJpegCount;
    unsigned int sharedOfaCount;
} nvmlComputeInstanceProfileInfo_t;

/* ---------------------------------------------------------------------------------------------
 * The model.
 * --------------------------------------------------------------------------------------------- */

#define MAX_GPUS 16
#define MAX_LINKS 36   /* NVML_NVLINK_MAX_LINKS in NVML 13 */
#define MAX_GIS 8
#define MAX_CIS 8
#define MAX_PROCS 64
#define MAX_SETS 16
#define QUEUE_CAP 4096
#define MAX_SCRIPTS 64
#define MAX_FUNCS 128
#define AFFINITY_WORDS 64  /* 4096 CPUs */
#define MIB (1024ULL * 1024ULL)

/* Scalar telemetry per GPU, in NVML's units, each settable by name with fake_nvml_set. */
#define QUANTITIES(X)                                                  \
    X(GPU_TEMP, "gpu_temp")                 /* C */                    \
    X(MEMORY_TEMP, "memory_temp")           /* C, field value 82 */    \
    X(POWER_MW, "power_mw")                                            \
    X(ENERGY_MJ, "energy_mj")                                          \
    X(POWER_LIMIT_MW, "power_limit_mw")                                \
    X(UTIL_GPU, "util_gpu")                 /* % */                    \
    X(UTIL_MEMORY, "util_memory")                                      \
    X(ENC_UTIL, "enc_util")                                            \
    X(DEC_UTIL, "dec_util")                                            \
    X(SM_CLOCK, "sm_clock")                 /* MHz */                  \
    X(MEM_CLOCK, "mem_clock")                                          \
    X(CLOCK_REASONS, "clocks_event_reasons")                           \
    X(FB_TOTAL, "fb_total")                 /* bytes */                \
    X(FB_RESERVED, "fb_reserved")                                      \
    X(FB_USED, "fb_used")                                              \
    X(ECC_SBE_VOLATILE, "ecc_sbe_volatile")                            \
    X(ECC_DBE_VOLATILE, "ecc_dbe_volatile")                            \
    X(ECC_SBE_AGGREGATE, "ecc_sbe_aggregate")                          \
    X(ECC_DBE_AGGREGATE, "ecc_dbe_aggregate")                          \
    X(RETIRED_SBE, "retired_sbe")           /* pages */                \
    X(RETIRED_DBE, "retired_dbe")                                      \
    X(RETIRED_PENDING, "retired_pending")   /* 0/1 */                  \
    X(REMAPPED_CORRECTABLE, "remapped_correctable")                    \
    X(REMAPPED_UNCORRECTABLE, "remapped_uncorrectable")                \
    X(REMAP_PENDING, "remap_pending")                                  \
    X(REMAP_FAILURE, "remap_failure")                                  \
    X(PCIE_REPLAY, "pcie_replay")                                      \
    X(VIOLATION_POWER, "violation_power")   /* ns */                   \
    X(VIOLATION_THERMAL, "violation_thermal")                          \
    X(VIOLATION_SYNC_BOOST, "violation_sync_boost")                    \
    X(VIOLATION_BOARD_LIMIT, "violation_board_limit")                  \
    X(VIOLATION_LOW_UTIL, "violation_low_util")                        \
    X(VIOLATION_RELIABILITY, "violation_reliability")                  \
    X(PCIE_TX_KBS, "pcie_tx_kbs")           /* KB/s */                 \
    X(PCIE_RX_KBS, "pcie_rx_kbs")                                      \
    X(RECOVERY_ACTION, "recovery_action")                              \
    X(NUMA_NODE, "numa_node")               /* -1: not reported */     \
    X(PCIE_SWITCH, "pcie_switch")           /* -1: on a root port */   \
    X(MIG_ACTIVATION, "mig_activation")     /* status SetMigMode reports next */

#define AS_ENUM(name, text) Q_##name,
#define AS_NAME(name, text) text,
enum quantity { QUANTITIES(AS_ENUM) Q_COUNT };
static const char *const QUANTITY_NAMES[] = { QUANTITIES(AS_NAME) };

struct product {
    const char *name;
    unsigned int device_id;
    unsigned long long memory_mib;
    int links;         /* NVLink links, all to NVSwitches */
    int mig;
    int row_remap;     /* HBM parts remap rows; the others retire pages */
    int memory_temp;
    unsigned long long mig_mib[4]; /* GPU instance memory for 1, 2, 4 and 8 memory slices */
};

static const struct product PRODUCTS[] = {
    { "NVIDIA H100 80GB HBM3", 0x233010DE, 81559, 18, 1, 1, 1, { 9984, 20096, 40448, 81152 } },
    { "NVIDIA A100-SXM4-80GB", 0x20B210DE, 81920, 12, 1, 1, 1, { 9984, 20096, 40448, 81152 } },
    { "NVIDIA A100-SXM4-40GB", 0x20B010DE, 40960, 12, 1, 1, 1, { 4864, 9856, 19968, 40192 } },
    { "NVIDIA H200", 0x233510DE, 143771, 18, 1, 1, 1, { 18432, 35840, 72704, 144384 } },
    { "NVIDIA L40S", 0x26B910DE, 46068, 0, 0, 0, 0, { 0, 0, 0, 0 } },
};
static const struct product GENERIC = { NULL, 0x000010DE, 24576, 0, 0, 0, 0, { 0, 0, 0, 0 } };

/* GPU instance profiles, by NVML's profile index (NVML_GPU_INSTANCE_PROFILE_*). */
struct gi_profile {
    unsigned int index, id, compute_slices, memory_slices, max_count;
    unsigned int starts[7];
    unsigned int start_count;
};

static const struct gi_profile GI_PROFILES[] = {
    { 0x0, 19, 1, 1, 7, { 0, 1, 2, 3, 4, 5, 6 }, 7 }, /* 1_SLICE: 1g */
    { 0x7, 20, 1, 1, 1, { 0, 1, 2, 3, 4, 5, 6 }, 7 }, /* 1_SLICE_REV1: 1g+me */
    { 0x9, 15, 1, 2, 4, { 0, 2, 4, 6 }, 4 },          /* 1_SLICE_REV2: 1g with two memory slices */
    { 0x1, 14, 2, 2, 3, { 0, 2, 4 }, 3 },             /* 2_SLICE */
    { 0x2, 9, 3, 4, 2, { 0, 4 }, 2 },                 /* 3_SLICE */
    { 0x3, 5, 4, 4, 1, { 0 }, 1 },                    /* 4_SLICE */
    { 0x4, 0, 7, 8, 1, { 0 }, 1 },                    /* 7_SLICE */
};
#define GI_PROFILE_COUNT (sizeof GI_PROFILES / sizeof GI_PROFILES[0])

/* Compute instance profiles by index (NVML_COMPUTE_INSTANCE_PROFILE_*): slices; the id equals the index. */
static const unsigned int CI_SLICES[] = { 1, 2, 3, 4, 7 };
#define CI_PROFILE_COUNT (sizeof CI_SLICES / sizeof CI_SLICES[0])

struct fake_device {   /* a GPU's handle, or a MIG device's (one per compute instance) */
    int gpu;
    int gi_slot;       /* -1 for the whole GPU */
    int ci_slot;
};

struct fake_ci {
    struct fake_device mig;
    int used;
    unsigned int id;
    unsigned int profile_index;
    char uuid[96];
};

struct fake_gi {
    int used;
    int gpu;
    int slot;
    unsigned int id;
    const struct gi_profile *profile;
    unsigned int start;
    struct fake_ci cis[MAX_CIS];
};

struct link {
    int up;
    int remote_type;
    int remote_gpu;  /* for NVLINK_REMOTE_GPU; -1 when the link is not connected */
    unsigned long long counters[4]; /* replay, recovery, CRC flit, CRC data (nvmlNvLinkErrorCounter_t order) */
};

struct process {
    unsigned int pid;
    unsigned long long used;
    unsigned int gi, ci;
};

struct fake_gpu {
    struct fake_device handle;
    const struct product *product;
    char name[96];
    char uuid[96];
    unsigned int domain, bus, device;
    long long q[Q_COUNT];
    int link_count;
    struct link links[MAX_LINKS];
    unsigned long long affinity[AFFINITY_WORDS];
    int lost;
    unsigned int mig_current, mig_pending;
    struct fake_gi gis[MAX_GIS];
    struct process procs[MAX_PROCS];
    int proc_count;
};

struct event {
    int gpu;
    unsigned long long xid;
    unsigned int gi, ci;
};

struct fake_event_set {
    unsigned long long mask[MAX_GPUS];
    struct event queue[QUEUE_CAP];
    unsigned int head, length;
};

struct script {
    int gpu;             /* -1: any GPU and the functions without one */
    char function[64];   /* an NVML function name, or "field:<id>" for one entry of nvmlDeviceGetFieldValues */
    nvmlReturn_t rc;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t event_posted;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static struct fake_gpu gpus[MAX_GPUS];
static int gpu_count;
static int init_count;
static char driver_version[80];
static struct fake_event_set *sets[MAX_SETS];
static struct script scripts[MAX_SCRIPTS];
static int script_count;
static struct { const char *name; long calls; } functions[MAX_FUNCS];
static int function_count;

static void setup_once(void)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&event_posted, &attr);
    pthread_condattr_destroy(&attr);
}

static const struct product *product_named(const char *name)
{
    for (size_t i = 0; i < sizeof PRODUCTS / sizeof PRODUCTS[0]; i++) {
        if (strcmp(PRODUCTS[i].name, name) == 0) {
            return &PRODUCTS[i];
        }
    }
    return &GENERIC;
}

/* HGX H100's bus ids for the first eight GPUs, then made up. */
static const unsigned int BUSES[] = { 0x18, 0x2A, 0x3A, 0x5D, 0x9A, 0xAB, 0xBA, 0xDB };

static void reset_gpu(int i, const char *product_name, int count)
{
    struct fake_gpu *g = &gpus[i];
    memset(g, 0, sizeof *g);
    g->handle.gpu = i;
    g->handle.gi_slot = -1;
    g->product = product_named(product_name);
    snprintf(g->name, sizeof g->name, "%s", product_name);
    snprintf(g->uuid, sizeof g->uuid, "GPU-5f6e%04x-0000-4000-8000-00000000%04x", (unsigned) i, (unsigned) i);
    g->bus = i < 8 ? BUSES[i] : (unsigned) (0x10 + i * 0x10) & 0xFF;
    int numa = count > 1 && i >= count / 2 ? 1 : 0;
    long long *q = g->q;
    q[Q_GPU_TEMP] = 34 + i;
    q[Q_MEMORY_TEMP] = 41 + i;
    q[Q_POWER_MW] = 112250 + 1000LL * i;
    q[Q_ENERGY_MJ] = 987654321LL + i;
    q[Q_POWER_LIMIT_MW] = 700000;
    q[Q_UTIL_GPU] = 37;
    q[Q_UTIL_MEMORY] = 12;
    q[Q_SM_CLOCK] = 1980;
    q[Q_MEM_CLOCK] = 2619;
    q[Q_CLOCK_REASONS] = 0x1;
    q[Q_FB_TOTAL] = (long long) (g->product->memory_mib * MIB);
    q[Q_FB_RESERVED] = 534 * (long long) MIB;
    q[Q_FB_USED] = 4 * (long long) MIB;
    q[Q_PCIE_TX_KBS] = 1000;
    q[Q_PCIE_RX_KBS] = 3000;
    q[Q_NUMA_NODE] = numa;
    q[Q_PCIE_SWITCH] = i / 2;
    /* NUMA node k: CPUs 56k..56k+55 and 112+56k..112+56k+55, as on a two-socket 224-thread host. */
    for (int cpu = 0; cpu < 56; cpu++) {
        int a = 56 * numa + cpu, b = 112 + 56 * numa + cpu;
        g->affinity[a / 64] |= 1ULL << (a % 64);
        g->affinity[b / 64] |= 1ULL << (b % 64);
    }
    g->link_count = g->product->links;
    for (int l = 0; l < g->link_count; l++) {
        g->links[l].up = 1;
        g->links[l].remote_type = NVLINK_REMOTE_SWITCH;
        g->links[l].remote_gpu = -1;
    }
}

/* ---------------------------------------------------------------------------------------------
 * Call bookkeeping: every NVML entry point locks, counts itself, and answers a scripted code first.
 * --------------------------------------------------------------------------------------------- */

struct target {
    struct fake_gpu *gpu;
    struct fake_gi *gi;   /* set for a MIG device handle */
    struct fake_ci *ci;
};

static int function_slot(const char *name)
{
    for (int i = 0; i < function_count; i++) {
        if (strcmp(functions[i].name, name) == 0) {
            return i;
        }
    }
    if (function_count == MAX_FUNCS) {
        return -1;
    }
    functions[function_count].name = name;
    functions[function_count].calls = 0;
    return function_count++;
}

static nvmlReturn_t scripted(int gpu, const char *function)
{
    for (int i = 0; i < script_count; i++) {
        if ((scripts[i].gpu == -1 || scripts[i].gpu == gpu) && strcmp(scripts[i].function, function) == 0) {
            return scripts[i].rc;
        }
    }
    return NVML_SUCCESS;
}

/* Locks and counts the call; the caller must end with leave(). */
static void enter(const char *function, int *slot)
{
    pthread_once(&once, setup_once);
    pthread_mutex_lock(&lock);
    if (*slot < 0) {
        *slot = function_slot(function);
    }
    if (*slot >= 0) {
        functions[*slot].calls++;
    }
}

static nvmlReturn_t leave(nvmlReturn_t rc)
{
    pthread_mutex_unlock(&lock);
    return rc;
}

/* For functions without a device: initialised, and no scripted failure. */
static nvmlReturn_t enter_global(const char *function, int *slot)
{
    enter(function, slot);
    if (init_count == 0) {
        return NVML_ERROR_UNINITIALIZED;
    }
    return scripted(-1, function);
}

static int resolve(nvmlDevice_t handle, struct target *t)
{
    memset(t, 0, sizeof *t);
    for (int i = 0; i < gpu_count; i++) {
        if (handle == &gpus[i].handle) {
            t->gpu = &gpus[i];
            return 1;
        }
    }
    /* A MIG device handle lives inside gpus[]: check the address before reading through it. */
    const char *p = (const char *) handle;
    if (p < (const char *) gpus || p >= (const char *) (gpus + MAX_GPUS)) {
        return 0;
    }
    int gpu = handle->gpu, gi = handle->gi_slot, ci = handle->ci_slot;
    if (gpu < 0 || gpu >= gpu_count || gi < 0 || gi >= MAX_GIS || ci < 0 || ci >= MAX_CIS) {
        return 0;
    }
    struct fake_gi *g = &gpus[gpu].gis[gi];
    if (handle != &g->cis[ci].mig || !g->used || !g->cis[ci].used) {
        return 0;
    }
    t->gpu = &gpus[gpu];
    t->gi = g;
    t->ci = &g->cis[ci];
    return 1;
}

static nvmlReturn_t enter_device(const char *function, int *slot, nvmlDevice_t handle, struct target *t)
{
    nvmlReturn_t rc = enter_global(function, slot);
    if (rc != NVML_SUCCESS) {
        return rc;
    }
    if (!resolve(handle, t)) {
        return NVML_ERROR_INVALID_ARGUMENT;
    }
    if (t->gpu->lost) {
        return NVML_ERROR_GPU_IS_LOST;
    }
    return scripted(t->gpu->handle.gpu, function);
}

static nvmlReturn_t enter_gpu_instance(const char *function, int *slot, nvmlGpuInstance_t gi)
{
    nvmlReturn_t rc = enter_global(function, slot);
    if (rc != NVML_SUCCESS) {
        return rc;
    }
    const char *p = (const char *) gi;
    if (p < (const char *) gpus || p >= (const char *) (gpus + MAX_GPUS) || gi->gpu < 0 || gi->gpu >= gpu_count
        || gi->slot < 0 || gi->slot >= MAX_GIS || gi != &gpus[gi->gpu].gis[gi->slot] || !gi->used) {
        return NVML_ERROR_INVALID_ARGUMENT;
    }
    if (gpus[gi->gpu].lost) {
        return NVML_ERROR_GPU_IS_LOST;
    }
    return scripted(gi->gpu, function);
}

/* The three common shapes of an entry point. */
#define GLOBAL_CALL() \
    static int slot_ = -1; \
    nvmlReturn_t rc = enter_global(__func__, &slot_)
#define DEVICE_CALL(handle) \
    static int slot_ = -1; \
    struct target t; \
    nvmlReturn_t rc = enter_device(__func__, &slot_, (handle), &t); \
    struct fake_gpu *g = t.gpu; \
    (void) g
#define WHOLE_GPU_CALL(handle) \
    DEVICE_CALL(handle); \
    if (rc == NVML_SUCCESS && t.gi != NULL) rc = NVML_ERROR_NOT_SUPPORTED

/* ---------------------------------------------------------------------------------------------
 * Init, errors, enumeration.
 * --------------------------------------------------------------------------------------------- */

EXPORT nvmlReturn_t nvmlInit_v2(void)
{
    static int slot_ = -1;
    enter(__func__, &slot_);
    nvmlReturn_t rc = scripted(-1, __func__);
    if (rc == NVML_SUCCESS) {
        init_count++;
    }
    return leave(rc);
}

EXPORT nvmlReturn_t nvmlShutdown(void)
{
    GLOBAL_CALL();
    if (rc == NVML_SUCCESS) {
        init_count--;
    }
    return leave(rc);
}

EXPORT const char *nvmlErrorString(nvmlReturn_t result)
{
    switch (result) {
    case NVML_SUCCESS: return "success";
    case NVML_ERROR_UNINITIALIZED: return "NVML is not initialized";
    case NVML_ERROR_INVALID_ARGUMENT: return "invalid argument";
    case NVML_ERROR_NOT_SUPPORTED: return "not supported on this device";
    case NVML_ERROR_NO_PERMISSION: return "insufficient permissions";
    case NVML_ERROR_NOT_FOUND: return "not found";
    case NVML_ERROR_INSUFFICIENT_SIZE: return "buffer too small";
    case NVML_ERROR_DRIVER_NOT_LOADED: return "the NVIDIA driver is not running";
    case NVML_ERROR_TIMEOUT: return "timed out";
    case NVML_ERROR_GPU_IS_LOST: return "the GPU has fallen off the bus";
    case NVML_ERROR_RESET_REQUIRED: return "the GPU needs a reset";
    case NVML_ERROR_IN_USE: return "the GPU is in use";
    case NVML_ERROR_NO_DATA: return "no data";
    case NVML_ERROR_INSUFFICIENT_RESOURCES: return "not enough free resources";
    case NVML_ERROR_ARGUMENT_VERSION_MISMATCH: return "struct version mismatch";
    case NVML_ERROR_NOT_READY: return "not ready";
    default: return "unknown error";
    }
}

EXPORT nvmlReturn_t nvmlSystemGetDriverVersion(char *version, unsigned int length)
{
    GLOBAL_CALL();
    if (rc == NVML_SUCCESS) {
        if (version == NULL || length <= strlen(driver_version)) {
            rc = NVML_ERROR_INSUFFICIENT_SIZE;
        } else {
            strcpy(version, driver_version);
        }
    }
    return leave(rc);
}

EXPORT nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *count)
{
    GLOBAL_CALL();
    if (rc == NVML_SUCCESS) {
        *count = (unsigned) gpu_count;
    }
    return leave(rc);
}

EXPORT nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device)
{
    GLOBAL_CALL();
    if (rc == NVML_SUCCESS) {
        if (index >= (unsigned) gpu_count || device == NULL) {
            rc = NVML_ERROR_INVALID_ARGUMENT;
        } else if (gpus[index].lost) {
            rc = NVML_ERROR_GPU_IS_LOST;
        } else {
            rc = scripted((int) index, __func__);
            if (rc == NVML_SUCCESS) {
                *device = &gpus[index].handle;
            }
        }
    }
    return leave(rc);
}

static nvmlReturn_t copy_string(const char *value, char *out, unsigned int length)
{
    if (out == NULL || length <= strlen(value)) {
        return NVML_ERROR_INSUFFICIENT_SIZE;
    }
    strcpy(out, value);
    return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char *name, unsigned int length)
{
    DEVICE_CALL(device);
    if (rc == NVML_SUCCESS) {
        rc = copy_string(g->name, name, length);
    }
    return leave(rc);
}

EXPORT nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t device, char *uuid, unsigned int length)
{
    DEVICE_CALL(device);
    if (rc == NVML_SUCCESS) {
        rc = copy_string(t.ci != NULL ? t.ci->uuid : g->uuid, uuid, length);
    }
    return leave(rc);
}

static void fill_pci(const struct fake_gpu *g, nvmlPciInfo_t *pci)
{
    memset(pci, 0, sizeof *pci);
    pci->domain = g->domain;
    pci->bus = g->bus;
    pci->device = g->device;
    pci->pciDeviceId = g->product->device_id;
    pci->pciSubSystemId = 0x16C110DE;
    snprintf(pci->busIdLegacy, sizeof pci->busIdLegacy, "%04X:%02X:%02X.0", g->domain & 0xFFFF, g->bus, g->device);
    snprintf(pci->busId, sizeof pci->busId, "%08X:%02X:%02X.0", g->domain, g->bus, g->device);
}

EXPORT nvmlReturn_t nvmlDeviceGetPciInfo_v3(nvmlDevice_t device, nvmlPciInfo_t *pci)
{
    WHOLE_GPU_CALL(device);
    if (rc == NVML_SUCCESS) {
        fill_pci(g, pci);
    }
    return leave(rc);
}

/* ---------------------------------------------------------------------------------------------
 * Memory, topology, NVLink.
 * --------------------------------------------------------------------------------------------- */

static unsigned long long instance_used(const struct fake_gpu *g, unsigned int gi_id)
{
    unsigned long long used = 0;
    for (int i = 0; i < g->proc_count; i++) {
        if (g->procs[i].gi == gi_id) {
            used += g->procs[i].used;
        }
    }
    return used;
}

/* total, reserved, used, free of a GPU or of a MIG device's GPU instance. */
static void memory_of(const struct target *t, unsigned long long out[4])
{
    if (t->gi != NULL) {
        const struct gi_profile *p = t->gi->profile;
        int size_class = p->memory_slices == 1 ? 0 : p->memory_slices == 2 ? 1 : p->memory_slices == 4 ? 2 : 3;
        out[0] = t->gpu->product->mig_mib[size_class] * MIB;
        out[1] = 0;
        out[2] = instance_used(t->gpu, t->gi->id);
    } else {
        out[0] = (unsigned long long) t->gpu->q[Q_FB_TOTAL];
        out[1] = (unsigned long long) t->gpu->q[Q_FB_RESERVED];
        out[2] = (unsigned long long) t->gpu->q[Q_FB_USED];
    }
    out[3] = out[0] - out[1] - out[2];
}

/* v1: what older drivers report, "used" including the reserved memory. */
EXPORT nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t device, nvmlMemory_t *memory)
{
    DEVICE_CALL(device);
    if (rc == NVML_SUCCESS) {
        unsigned long long m[4];
        memory_of(&t, m);
        memory->total = m[0];
        memory->used = m[1] + m[2];
        memory->free = m[3];
    }
    return leave(rc);
}

EXPORT nvmlReturn_t nvmlDeviceGetMemoryInfo_v2(nvmlDevice_t device, nvmlMemory_v2_t *memory)
{
    DEVICE_CALL(device);
    if (rc == NVML_SUCCESS && memory->version != STRUCT_VERSION(nvmlMemory_v2_t, 2)) {
        rc = NVML_ERROR_ARGUMENT_VERSION_MISMATCH;
    }
    if (rc == NVML_SUCCESS) {
        unsigned long long m[4];
        memory_of(&t, m);
        memory->total = m[0];
        memory->reserved = m[1];
        memory->used = m[2];
        memory->free = m[3];
    }
    return leave(rc);
}

EXPORT nvmlReturn_t nvmlDeviceGetNumaNodeId(nvmlDevice_t device, unsigned int *node)
{
    WHOLE_GPU_CALL(device);
    if (rc == NVML_SUCCESS) {
        if (g->q[Q_NUMA_NODE] < 0) {
            rc = NVML_ERROR_NOT_SUPPORTED;
        } else {
            *node = (unsigned) g->q[Q_NUMA_NODE];
        }
    }
    return leave(rc);
}

EXPORT nvmlReturn_t nvmlDeviceGetCpuAffinity(nvmlDevice_t device, unsigned int cpuSetSize, unsigned long *cpuSet)
{
    WHOLE_GPU_CALL(device);
    if (rc == NVML_SUCCESS) {
        if (cpuSet == NULL || cpuSetSize == 0) {
            rc = NVML_ERROR_INVALID_ARGUMENT;
        } else {
            for (unsigned int w = 0; w < cpuSetSize; w++) {
                cpuSet[w] = w < AFFINITY_WORDS ? (unsigned long) g->affinity[w] : 0;
            }
        }
    }
    return leave(rc);
}

EXPORT nvmlReturn_t nvmlDeviceGetTopologyCommonAncestor(nvmlDevice_t device1, nvmlDevice_t device2, int *level)
{
    DEVICE_CALL(device1);
    struct target other;
    if (rc == NVML_SUCCESS && (!resolve(device2, &other) || other.gpu == g || t.gi != NULL || other.gi != NULL)) {
        rc = NVML_ERROR_INVALID_ARGUMENT;
    }
    if (rc == NVML_SUCCESS) {
        long long sa = g->q[Q_PCIE_SWITCH], sb = other.gpu->q[Q_PCIE_SWITCH];
        if (sa >= 0 && sa == sb) {
            *level = TOPOLOGY_SINGLE;
        } else if (g->q[Q_NUMA_NODE] == other.gpu->q[Q_NUMA_NODE]) {
            *level = TOPOLOGY_NODE;
        } else {
            *level = TOPOLOGY_SYSTEM;
        }
    }
    return leave(rc);
}

/* NOT_SUPPORTED on a GPU without NVLink, INVALID_ARGUMENT past its last link: where the binding stops. */
static nvmlReturn_t check_link(const struct fake_gpu *g, unsigned int link)
{
    if (g->link_count == 0) {
        return NVML_ERROR_NOT_SUPPORTED;
    }
    return link < (unsigned) g->link_count ? NVML_SUCCESS : NVML_ERROR_INVALID_ARGUMENT;
}

EXPORT nvmlReturn_t nvmlDeviceGetNvLinkState(nvmlDevice_t device, unsigned int link, int *isActive)
{
    WHOLE_GPU_CALL(device);
    if (rc == NVML_SUCCESS && (rc = check_link(g, link)) == NVML_SUCCESS) {
        *isActive = g->links[link].up;
    }
    return leave(rc);
}

EXPORT nvmlReturn_t nvmlDeviceGetNvLinkRemoteDeviceType(nvmlDevice_t device, unsigned int link, int *type)
{
    WHOLE_GPU_CALL(device);
    if (rc == NVML_SUCCESS && (rc = check_link(g, link)) == NVML_SUCCESS) {
        *type = g->links[link].remote_type;
    }
    return leave(rc);
}

EXPORT nvmlReturn_t nvmlDeviceGetNvLinkRemotePciInfo_v2(nvmlDevice_t device, unsigned int link, nvmlPciInfo_t *pci)
{
    WHOLE_GPU_CALL(device);
    if (rc == NVML_SUCCESS && (rc = check_link(g, link)) == NVML_SUCCESS) {
        const struct link *l = &g->links[link];
        if (l->remote_type == NVLINK_REMOTE_GPU && l->remote_gpu >= 0) {
            fill_pci(&gpus[l->remote_gpu], pci);
        } else if (l->remote_type == NVLINK_REMOTE_SWITCH) {
            /* Four NVSwitches on bus 0xC1..0xC4 of domain 1, as on an HGX board. */
            struct fake_gpu nvswitch;
            memset(&nvswitch, 0, sizeof nvswitch);
            nvswitch.product = &GENERIC;
            nvswitch.domain = 1;
            nvswitch.bus = 0xC1 + link % 4;
            fill_pci(&nvswitch, pci);
            pci->pciDeviceId = 0x22A310DE;
        } else {
            rc = NVML_ERROR_NOT_FOUND;
        }
    }
    return leave(rc);
}

EXPORT nvmlReturn_t nvmlDeviceGetNvLinkErrorCounter(nvmlDevice_t device, unsigned int link, int counter,
                                                    unsigned long long *value)
{
    WHOLE_GPU_CALL(device);
    if (rc == NVML_SUCCESS && (rc = check_link(g, link)) == NVML_SUCCESS) {
        if (counter < 0 || counter > 3) {
            rc = NVML_ERROR_NOT_SUPPORTED;
        } else {
            *value = g->links[link].counters[counter];
        }
    }
    return leave(rc);
}

/* ---------------------------------------------------------------------------------------------
 * Telemetry.
 * --------------------------------------------------------------------------------------------- */

/* A whole-GPU scalar read: one quantity into an unsigned int or unsigned long long. */
#define READ_U32(handle, out, quantity) \
    WHOLE_GPU_CALL(handle); \
    if (rc == NVML_SUCCESS) *(out) = (unsigned int) g->q[quantity]; \
    return leave(rc)
#define READ_U64(handle, out, quantity) \
    WHOLE_GPU_CALL(handle); \
    if (rc == NVML_SUCCESS) *(out) = (unsigned long long) g->q[quantity]; \
    return leave(rc)

EXPORT nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t device, int sensorType, unsigned int *temp)
{
    WHOLE_GPU_CALL(device);
    if (rc == NVML_SUCCESS && sensorType != 0) {
        rc = NVML_ERROR_INVALID_ARGUMENT;
    }
    if (rc == NVML_SUCCESS) {
        *temp = (unsigned) g->q[Q_GPU_TEMP];
    }
    return leave(rc);
}

EXPORT nvmlReturn_t nvmlDeviceGetTemperatureV(nvmlDevice_t device, nvmlTemperature_v1_t *temperature)
{
    WHOLE_GPU_CALL(device);
    if (rc == NVML_SUCCESS && temperature->version != STRUCT_VERSION(nvmlTemperature_v1_t, 1)) {
        rc = NVML_ERROR_ARGUMENT_VERSION_MISMATCH;
    }
    if (rc == NVML_SUCCESS && temperature->sensorType != 0) {
        rc = NVML_ERROR_INVALID_ARGUMENT;
    }
    if (rc == NVML_SUCCESS) {
        temperature->temperature = (int) g->q[Q_GPU_TEMP];
    }
    return leave(rc);
}

EXPORT nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t device, unsigned int *power)
{
    READ_U32(device, power, Q_POWER_MW);
}

EXPORT nvmlReturn_t nvmlDeviceGetTotalEnergyConsumption(nvmlDevice_t device, unsigned long long *energy)
{
    READ_U64(device, energy, Q_ENERGY_MJ);
}

EXPORT nvmlReturn_t nvmlDeviceGetEnforcedPowerLimit(nvmlDevice_t device, unsigned int *limit)
{
    READ_U32(device, limit, Q_POWER_LIMIT_MW);
}

EXPORT nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t device, nvmlUtilization_t *utilization)
{
    WHOLE_GPU_CALL(device);
    if (rc == NVML_SUCCESS && g->mig_current) {
        rc = NVML_ERROR_NOT_SUPPORTED; /* NVML has no utilization for a GPU in MIG mode */
    }
    if (rc == NVML_SUCCESS) {
        utilization->gpu = (unsigned) g->q[Q_UTIL_GPU];
        utilization->memory = (unsigned) g->q[Q_UTIL_MEMORY];
    }
    return leave(rc);
}

EXPORT nvmlReturn_t nvmlDeviceGetEncoderUtilization(nvmlDevice_t device, unsigned int *utilization,
                                                    unsigned int *samplingPeriodUs)
{
    WHOLE_GPU_CALL(device);
    if (rc == NVML_SUCCESS) {
        *utilization = (unsigned) g->q[Q_ENC_UTIL];
        *samplingPeriodUs = 167000;
    }
    return leave(rc);
}

EXPORT nvmlReturn_t nvmlDeviceGetDecoderUtilization(nvmlDevice_t device, unsigned int *utilization,
                                                    unsigned int *samplingPeriodUs)
{
    WHOLE_GPU_CALL(device);
    if (rc == NVML_SUCCESS) {
        *utilization = (unsigned) g->q[Q_DEC_UTIL];
        *samplingPeriodUs = 167000;
    }
    return leave(rc);
}

EXPORT nvmlReturn_t nvmlDeviceGetClockInfo(nvmlDevice_t device, int type, unsigned int *clock)
{
    WHOLE_GPU_CALL(device);
    if (rc == NVML_SUCCESS) {
        if (type == CLOCK_SM) {
            *clock = (unsigned) g->q[Q_SM_CLOCK];
        } else if (type == CLOCK_MEM) {
            *clock = (unsigned) g->q[Q_MEM_CLOCK];
        } else {
            rc = NVML_ERROR_INVALID_ARGUMENT;
        }
    }
    return leave(rc);
}

EXPORT nvmlReturn_t nvmlDeviceGetCurrentClocksEventReasons(nvmlDevice_t device, unsigned long long *reasons)
{
    READ_U64(device, reasons, Q_CLOCK_REASONS);
}

EXPORT nvmlReturn_t nvmlDeviceGetCurrentClocksThrottleReasons(nvmlDevice_t device, unsigned long long *reasons)
{
    READ_U64(device, reasons, Q_CLOCK_REASONS);
}

EXPORT nvmlReturn_t nvmlDeviceGetTotalEccErrors(nvmlDevice_t device, int errorType, int counterType,
                                                unsigned long long *count)
{
    WHOLE_GPU_CALL(device);
    if (rc == NVML_SUCCESS) {
        if (errorType < 0 || errorType > 1 || counterType < 0 || counterType > 1) {
            rc = NVML_ERROR_INVALID_ARGUMENT;
        } else {
            /* errorType 0 corrected, 1 uncorrected; counterType 0 volatile, 1 aggregate */
            static const enum quantity table[2][2] = {
                { Q_ECC_SBE_VOLATILE, Q_ECC_SBE_AGGREGATE }, { Q_ECC_DBE_VOLATILE, Q_ECC_DBE_AGGREGATE } };
            *count = (unsigned long long) g->q[table[errorType][counterType]];
        }
    }
    return leave(rc);
}

/* Page retirement: only where rows are not remapped. Count-first: pageCount 0 asks for the count. */
EXPORT nvmlReturn_t nvmlDeviceGetRetiredPages(nvmlDevice_t device, int cause, unsigned int *pageCount,
                                              unsigned long long *addresses)
{
    WHOLE_GPU_CALL(device);
    if (rc == NVML_SUCCESS && g->product->row_remap) {
        rc = NVML_ERROR_NOT_SUPPORTED;
    }
    if (rc == NVML_SUCCESS && (cause < 0 || cause > 1 || pageCount == NULL)) {
        rc = NVML_ERROR_INVALID_ARGUMENT;
    }
    if (rc == NVML_SUCCESS) {
        unsigned int pages = (unsigned) g->q[cause == 0 ? Q_RETIRED_SBE : Q_RETIRED_DBE];
        if (*pageCount < pages) {
            rc = NVML_ERROR_INSUFFICIENT_SIZE;
        } else if (addresses != NULL) {
            for (unsigned int i = 0; i < pages; i++) {
                addresses[i] = 0x1000ULL * (i + 1);
            }
        }
        *pageCount = pages;
    }
    return leave(rc);
}

EXPORT nvmlReturn_t nvmlDeviceGetRetiredPagesPendingStatus(nvmlDevice_t device, int *isPending)
{
    WHOLE_GPU_CALL(device);
    if (rc == NVML_SUCCESS && g->product->row_remap) {
        rc = NVML_ERROR_NOT_SUPPORTED;
    }
    if (rc == NVML_SUCCESS) {
        *isPending = g->q[Q_RETIRED_PENDING] != 0;
    }
    return leave(rc);
}

EXPORT nvmlReturn_t nvmlDeviceGetRemappedRows(nvmlDevice_t device, unsigned int *corrRows, unsigned int *uncRows,
                                              unsigned int *isPending, unsigned int *failureOccurred)
{
    WHOLE_GPU_CALL(device);
    if (rc == NVML_SUCCESS && !g->product->row_remap) {
        rc = NVML_ERROR_NOT_SUPPORTED;
    }
    if (rc == NVML_SUCCESS) {
        *corrRows = (unsigned) g->q[Q_REMAPPED_CORRECTABLE];
        *uncRows = (unsigned) g->q[Q_REMAPPED_UNCORRECTABLE];
        *isPending = g->q[Q_REMAP_PENDING] != 0;
        *failureOccurred = g->q[Q_REMAP_FAILURE] != 0;
    }
    return leave(rc);
}

EXPORT nvmlReturn_t nvmlDeviceGetPcieReplayCounter(nvmlDevice_t device, unsigned int *value)
{
    READ_U32(device, value, Q_PCIE_REPLAY);
}

EXPORT nvmlReturn_t nvmlDeviceGetViolationStatus(nvmlDevice_t device, int policy, nvmlViolationTime_t *violation)
{
    WHOLE_GPU_CALL(device);
    if (rc == NVML_SUCCESS) {
        if (policy < 0 || policy > 5) {
            rc = NVML_ERROR_INVALID_ARGUMENT;
        } else {
            struct timespec now;
            clock_gettime(CLOCK_REALTIME, &now);
            violation->referenceTime = (unsigned long long) now.tv_sec * 1000000ULL + (unsigned long long) now.tv_nsec / 1000;
            violation->violationTime = (unsigned long long) g->q[Q_VIOLATION_POWER + policy];
        }
    }
    return leave(rc);
}

EXPORT nvmlReturn_t nvmlDeviceGetPcieThroughput(nvmlDevice_t device, int counter, unsigned int *value)
{
    WHOLE_GPU_CALL(device);
    if (rc == NVML_SUCCESS) {
        if (counter < 0 || counter > 1) {
            rc = NVML_ERROR_INVALID_ARGUMENT;
        } else {
            *value = (unsigned) g->q[counter == 0 ? Q_PCIE_TX_KBS : Q_PCIE_RX_KBS];
        }
    }
    return leave(rc);
}

EXPORT nvmlReturn_t nvmlDeviceGetFieldValues(nvmlDevice_t device, int valuesCount, nvmlFieldValue_t *values)
{
    WHOLE_GPU_CALL(device);
    if (rc == NVML_SUCCESS && (valuesCount < 0 || values == NULL)) {
        rc = NVML_ERROR_INVALID_ARGUMENT;
    }
    for (int i = 0; rc == NVML_SUCCESS && i < valuesCount; i++) {
        nvmlFieldValue_t *v = &values[i];
        char name[32];
        snprintf(name, sizeof name, "field:%u", v->fieldId);
        v->timestamp = 0;
        v->latencyUsec = 0;
        v->valueType = VALUE_TYPE_UNSIGNED_INT;
        v->nvmlReturn = scripted(g->handle.gpu, name);
        if (v->nvmlReturn != NVML_SUCCESS) {
            continue;
        }
        if (v->fieldId == FIELD_MEMORY_TEMP && g->product->memory_temp) {
            v->value.uiVal = (unsigned) g->q[Q_MEMORY_TEMP];
        } else if (v->fieldId == FIELD_GPU_RECOVERY_ACTION) {
            v->value.uiVal = (unsigned) g->q[Q_RECOVERY_ACTION];
        } else {
            v->nvmlReturn = NVML_ERROR_NOT_SUPPORTED;
        }
    }
    return leave(rc);
}

/* ---------------------------------------------------------------------------------------------
 * Processes.
 * --------------------------------------------------------------------------------------------- */

EXPORT nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t device, unsigned int *infoCount,
                                                            nvmlProcessInfo_t *infos)
{
    DEVICE_CALL(device);
    if (rc == NVML_SUCCESS && infoCount == NULL) {
        rc = NVML_ERROR_INVALID_ARGUMENT;
    }
    if (rc == NVML_SUCCESS) {
        unsigned int n = 0;
        for (int i = 0; i < g->proc_count; i++) {
            if (t.gi == NULL || g->procs[i].gi == t.gi->id) {
                n++;
            }
        }
        if (*infoCount < n) {
            rc = NVML_ERROR_INSUFFICIENT_SIZE;
        } else if (n > 0 && infos == NULL) {
            rc = NVML_ERROR_INVALID_ARGUMENT;
        } else {
            unsigned int k = 0;
            for (int i = 0; i < g->proc_count; i++) {
                if (t.gi == NULL || g->procs[i].gi == t.gi->id) {
                    infos[k].pid = g->procs[i].pid;
                    infos[k].usedGpuMemory = g->procs[i].used;
                    infos[k].gpuInstanceId = g->procs[i].gi;
                    infos[k].computeInstanceId = g->procs[i].ci;
                    k++;
                }
            }
        }
        *infoCount = n;
    }
    return leave(rc);
}

/* ---------------------------------------------------------------------------------------------
 * Events.
 * --------------------------------------------------------------------------------------------- */

static int live_set(const struct fake_event_set *set)
{
    for (int i = 0; i < MAX_SETS; i++) {
        if (set != NULL && sets[i] == set) {
            return 1;
        }
    }
    return 0;
}

EXPORT nvmlReturn_t nvmlEventSetCreate(nvmlEventSet_t *set)
{
    GLOBAL_CALL();
    if (rc == NVML_SUCCESS) {
        int free_slot = -1;
        for (int i = 0; i < MAX_SETS && free_slot < 0; i++) {
            if (sets[i] == NULL) {
                free_slot = i;
            }
        }
        struct fake_event_set *created = free_slot < 0 ? NULL : calloc(1, sizeof *created);
        if (created == NULL) {
            rc = NVML_ERROR_UNKNOWN;
        } else {
            sets[free_slot] = created;
            *set = created;
        }
    }
    return leave(rc);
}

EXPORT nvmlReturn_t nvmlDeviceRegisterEvents(nvmlDevice_t device, unsigned long long eventTypes, nvmlEventSet_t set)
{
    WHOLE_GPU_CALL(device);
    if (rc == NVML_SUCCESS && !live_set(set)) {
        rc = NVML_ERROR_INVALID_ARGUMENT;
    }
    if (rc == NVML_SUCCESS && (eventTypes & ~EVENT_XID_CRITICAL) != 0) {
        rc = NVML_ERROR_NOT_SUPPORTED; /* the fake only raises XIDs */
    }
    if (rc == NVML_SUCCESS) {
        set->mask[g->handle.gpu] |= eventTypes;
    }
    return leave(rc);
}

static void add_ns(struct timespec *ts, long long ns)
{
    ts->tv_sec += ns / 1000000000LL;
    ts->tv_nsec += ns % 1000000000LL;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

EXPORT nvmlReturn_t nvmlEventSetWait_v2(nvmlEventSet_t set, nvmlEventData_t *data, unsigned int timeoutms)
{
    GLOBAL_CALL();
    if (rc == NVML_SUCCESS && (!live_set(set) || data == NULL)) {
        rc = NVML_ERROR_INVALID_ARGUMENT;
    }
    if (rc == NVML_SUCCESS) {
        struct timespec deadline;
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        add_ns(&deadline, (long long) timeoutms * 1000000LL);
        int timed_out = 0;
        while (live_set(set) && set->length == 0 && !timed_out && init_count > 0) {
            timed_out = pthread_cond_timedwait(&event_posted, &lock, &deadline) != 0;
        }
        if (!live_set(set) || init_count == 0) {
            rc = NVML_ERROR_UNINITIALIZED; /* freed or shut down under a waiting thread: a binding bug */
        } else if (set->length == 0) {
            rc = NVML_ERROR_TIMEOUT;
        } else {
            struct event e = set->queue[set->head];
            set->head = (set->head + 1) % QUEUE_CAP;
            set->length--;
            memset(data, 0, sizeof *data);
            data->device = &gpus[e.gpu].handle;
            data->eventType = EVENT_XID_CRITICAL;
            data->eventData = e.xid;
            data->gpuInstanceId = e.gi;
            data->computeInstanceId = e.ci;
        }
    }
    return leave(rc);
}

EXPORT nvmlReturn_t nvmlEventSetFree(nvmlEventSet_t set)
{
    GLOBAL_CALL();
    if (rc == NVML_SUCCESS && !live_set(set)) {
        rc = NVML_ERROR_INVALID_ARGUMENT;
    }
    if (rc == NVML_SUCCESS) {
        for (int i = 0; i < MAX_SETS; i++) {
            if (sets[i] == set) {
                sets[i] = NULL;
            }
        }
        free(set);
        pthread_cond_broadcast(&event_posted);
    }
    return leave(rc);
}

/* ---------------------------------------------------------------------------------------------
 * MIG.
 * --------------------------------------------------------------------------------------------- */

static const struct gi_profile *profile_by_index(unsigned int index)
{
    for (size_t i = 0; i < GI_PROFILE_COUNT; i++) {
        if (GI_PROFILES[i].index == index) {
            return &GI_PROFILES[i];
        }
    }
    return NULL;
}

static const struct gi_profile *profile_by_id(unsigned int id)
{
    for (size_t i = 0; i < GI_PROFILE_COUNT; i++) {
        if (GI_PROFILES[i].id == id) {
            return &GI_PROFILES[i];
        }
    }
    return NULL;
}

static int has_instances(const struct fake_gpu *g)
{
    for (int i = 0; i < MAX_GIS; i++) {
        if (g->gis[i].used) {
            return 1;
        }
    }
    return 0;
}

EXPORT nvmlReturn_t nvmlDeviceGetMigMode(nvmlDevice_t device, unsigned int *currentMode, unsigned int *pendingMode)
{
    WHOLE_GPU_CALL(device);
    if (rc == NVML_SUCCESS && !g->product->mig) {
        rc = NVML_ERROR_NOT_SUPPORTED;
    }
    if (rc == NVML_SUCCESS) {
        *currentMode = g->mig_current;
        *pendingMode = g->mig_pending;
    }
    return leave(rc);
}

/* The mode becomes pending; it takes effect at once unless "mig_activation" scripts IN_USE or RESET_REQUIRED. */
EXPORT nvmlReturn_t nvmlDeviceSetMigMode(nvmlDevice_t device, unsigned int mode, nvmlReturn_t *activationStatus)
{
    WHOLE_GPU_CALL(device);
    if (rc == NVML_SUCCESS && !g->product->mig) {
        rc = NVML_ERROR_NOT_SUPPORTED;
    }
    if (rc == NVML_SUCCESS && (mode > 1 || activationStatus == NULL)) {
        rc = NVML_ERROR_INVALID_ARGUMENT;
    }
    if (rc == NVML_SUCCESS && has_instances(g)) {
        rc = NVML_ERROR_IN_USE;
    }
    if (rc == NVML_SUCCESS) {
        g->mig_pending = mode;
        *activationStatus = (nvmlReturn_t) g->q[Q_MIG_ACTIVATION];
        if (*activationStatus == NVML_SUCCESS) {
            g->mig_current = mode;
        }
    }
    return leave(rc);
}

/* MIG queries need MIG mode on, as on the real driver. */
static nvmlReturn_t require_mig(const struct target *t)
{
    if (t->gi != NULL) {
        return NVML_ERROR_INVALID_ARGUMENT;
    }
    return t->gpu->product->mig && t->gpu->mig_current ? NVML_SUCCESS : NVML_ERROR_NOT_SUPPORTED;
}

static unsigned long long profile_mib(const struct fake_gpu *g, const struct gi_profile *p)
{
    int size_class = p->memory_slices == 1 ? 0 : p->memory_slices == 2 ? 1 : p->memory_slices == 4 ? 2 : 3;
    return g->product->mig_mib[size_class];
}

EXPORT nvmlReturn_t nvmlDeviceGetGpuInstanceProfileInfo(nvmlDevice_t device, unsigned int profile,
                                                        nvmlGpuInstanceProfileInfo_t *info)
{
    DEVICE_CALL(device);
    if (rc == NVML_SUCCESS) {
        rc = require_mig(&t);
    }
    const struct gi_profile *p = profile_by_index(profile);
    if (rc == NVML_SUCCESS && p == NULL) {
        rc = profile < 0x12 ? NVML_ERROR_NOT_SUPPORTED : NVML_ERROR_INVALID_ARGUMENT;
    }
    if (rc == NVML_SUCCESS) {
        memset(info, 0, sizeof *info);
        info->id = p->id;
        info->isP2pSupported = 1;
        info->sliceCount = p->compute_slices;
        info->instanceCount = p->max_count;
        info->multiprocessorCount = p->compute_slices == 7 ? 132 : 16 * p->compute_slices;
        info->copyEngineCount = p->memory_slices;
        info->decoderCount = p->compute_slices;
        info->jpegCount = p->compute_slices;
        info->ofaCount = p->compute_slices == 7 || p->index == 0x7;
        info->memorySizeMB = profile_mib(g, p);
    }
    return leave(rc);
}

EXPORT nvmlReturn_t nvmlDeviceGetGpuInstancePossiblePlacements_v2(nvmlDevice_t device, unsigned int profileId,
                                                                  nvmlGpuInstancePlacement_t *placements,
                                                                  unsigned int *count)
{
    DEVICE_CALL(device);
    if (rc == NVML_SUCCESS) {
        rc = require_mig(&t);
    }
    const struct gi_profile *p = profile_by_id(profileId);
    if (rc == NVML_SUCCESS && (p == NULL || count == NULL)) {
        rc = NVML_ERROR_INVALID_ARGUMENT;
    }
    if (rc == NVML_SUCCESS) {
        if (placements != NULL) {
            if (*count < p->start_count) {
                rc = NVML_ERROR_INSUFFICIENT_SIZE;
            } else {
                for (unsigned int i = 0; i < p->start_count; i++) {
                    placements[i].start = p->starts[i];
                    placements[i].size = p->memory_slices;
                }
            }
        }
        *count = p->start_count;
    }
    return leave(rc);
}

static unsigned int mask_of(unsigned int start, unsigned int size)
{
    return ((1u << size) - 1u) << start;
}

/* Creates a GPU instance as NVML does: a legal start, no shared memory slice, at most 7 compute slices. */
static nvmlReturn_t create_gpu_instance(struct fake_gpu *g, const struct gi_profile *p, unsigned int start,
                                        struct fake_gi **created)
{
    int legal = 0;
    for (unsigned int i = 0; i < p->start_count; i++) {
        legal |= p->starts[i] == start;
    }
    if (!legal) {
        return NVML_ERROR_INVALID_ARGUMENT;
    }
    unsigned int memory = 0, compute = 0, same = 0;
    int free_slot = -1;
    for (int i = 0; i < MAX_GIS; i++) {
        const struct fake_gi *other = &g->gis[i];
        if (!other->used) {
            if (free_slot < 0) {
                free_slot = i;
            }
            continue;
        }
        memory |= mask_of(other->start, other->profile->memory_slices);
        compute += other->profile->compute_slices;
        same += other->profile == p;
    }
    if ((memory & mask_of(start, p->memory_slices)) != 0 || compute + p->compute_slices > 7
        || same >= p->max_count || free_slot < 0) {
        return NVML_ERROR_INSUFFICIENT_RESOURCES;
    }
    unsigned int id = 1; /* GPU instance ids: the lowest unused, from 1 */
    for (int again = 1; again;) {
        again = 0;
        for (int i = 0; i < MAX_GIS; i++) {
            if (g->gis[i].used && g->gis[i].id == id) {
                id++;
                again = 1;
            }
        }
    }
    struct fake_gi *gi = &g->gis[free_slot];
    memset(gi, 0, sizeof *gi);
    gi->used = 1;
    gi->gpu = g->handle.gpu;
    gi->slot = free_slot;
    gi->id = id;
    gi->profile = p;
    gi->start = start;
    *created = gi;
    return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceCreateGpuInstanceWithPlacement(nvmlDevice_t device, unsigned int profileId,
                                                             const nvmlGpuInstancePlacement_t *placement,
                                                             nvmlGpuInstance_t *gpuInstance)
{
    DEVICE_CALL(device);
    if (rc == NVML_SUCCESS) {
        rc = require_mig(&t);
    }
    const struct gi_profile *p = profile_by_id(profileId);
    if (rc == NVML_SUCCESS && (p == NULL || placement == NULL || gpuInstance == NULL
                               || placement->size != p->memory_slices)) {
        rc = NVML_ERROR_INVALID_ARGUMENT;
    }
    if (rc == NVML_SUCCESS) {
        rc = create_gpu_instance(g, p, placement->start, gpuInstance);
    }
    return leave(rc);
}

EXPORT nvmlReturn_t nvmlDeviceGetGpuInstances(nvmlDevice_t device, unsigned int profileId,
                                              nvmlGpuInstance_t *gpuInstances, unsigned int *count)
{
    DEVICE_CALL(device);
    if (rc == NVML_SUCCESS) {
        rc = require_mig(&t);
    }
    const struct gi_profile *p = profile_by_id(profileId);
    if (rc == NVML_SUCCESS && (p == NULL || count == NULL || gpuInstances == NULL)) {
        rc = NVML_ERROR_INVALID_ARGUMENT;
    }
    if (rc == NVML_SUCCESS) {
        unsigned int n = 0;
        for (int i = 0; i < MAX_GIS; i++) {
            if (g->gis[i].used && g->gis[i].profile == p) {
                gpuInstances[n++] = &g->gis[i]; /* the caller sized it with the profile's instanceCount */
            }
        }
        *count = n;
    }
    return leave(rc);
}

EXPORT nvmlReturn_t nvmlGpuInstanceGetInfo(nvmlGpuInstance_t gpuInstance, nvmlGpuInstanceInfo_t *info)
{
    static int slot_ = -1;
    nvmlReturn_t rc = enter_gpu_instance(__func__, &slot_, gpuInstance);
    if (rc == NVML_SUCCESS) {
        memset(info, 0, sizeof *info);
        info->device = &gpus[gpuInstance->gpu].handle;
        info->id = gpuInstance->id;
        info->profileId = gpuInstance->profile->id;
        info->placement.start = gpuInstance->start;
        info->placement.size = gpuInstance->profile->memory_slices;
    }
    return leave(rc);
}

static int gi_busy(const struct fake_gpu *g, unsigned int gi_id)
{
    for (int i = 0; i < g->proc_count; i++) {
        if (g->procs[i].gi == gi_id) {
            return 1;
        }
    }
    return 0;
}

EXPORT nvmlReturn_t nvmlGpuInstanceDestroy(nvmlGpuInstance_t gpuInstance)
{
    static int slot_ = -1;
    nvmlReturn_t rc = enter_gpu_instance(__func__, &slot_, gpuInstance);
    if (rc == NVML_SUCCESS) {
        int cis = 0;
        for (int i = 0; i < MAX_CIS; i++) {
            cis += gpuInstance->cis[i].used;
        }
        if (cis > 0 || gi_busy(&gpus[gpuInstance->gpu], gpuInstance->id)) {
            rc = NVML_ERROR_IN_USE;
        } else {
            gpuInstance->used = 0;
        }
    }
    return leave(rc);
}

static unsigned int ci_slices_used(const struct fake_gi *gi)
{
    unsigned int used = 0;
    for (int i = 0; i < MAX_CIS; i++) {
        if (gi->cis[i].used) {
            used += CI_SLICES[gi->cis[i].profile_index];
        }
    }
    return used;
}

EXPORT nvmlReturn_t nvmlGpuInstanceGetComputeInstanceProfileInfo(nvmlGpuInstance_t gpuInstance, unsigned int profile,
                                                                 unsigned int engProfile,
                                                                 nvmlComputeInstanceProfileInfo_t *info)
{
    static int slot_ = -1;
    nvmlReturn_t rc = enter_gpu_instance(__func__, &slot_, gpuInstance);
    if (rc == NVML_SUCCESS && (engProfile != 0 || info == NULL)) {
        rc = NVML_ERROR_INVALID_ARGUMENT;
    }
    if (rc == NVML_SUCCESS && (profile >= CI_PROFILE_COUNT
                               || CI_SLICES[profile] > gpuInstance->profile->compute_slices)) {
        rc = profile < 0x8 ? NVML_ERROR_NOT_SUPPORTED : NVML_ERROR_INVALID_ARGUMENT;
    }
    if (rc == NVML_SUCCESS) {
        memset(info, 0, sizeof *info);
        info->id = profile;
        info->sliceCount = CI_SLICES[profile];
        info->instanceCount = gpuInstance->profile->compute_slices / CI_SLICES[profile];
        info->multiprocessorCount = 16 * CI_SLICES[profile];
    }
    return leave(rc);
}

static nvmlReturn_t create_compute_instance(struct fake_gi *gi, unsigned int profile, struct fake_ci **created)
{
    int free_slot = -1;
    for (int i = 0; i < MAX_CIS && free_slot < 0; i++) {
        if (!gi->cis[i].used) {
            free_slot = i;
        }
    }
    if (free_slot < 0 || ci_slices_used(gi) + CI_SLICES[profile] > gi->profile->compute_slices) {
        return NVML_ERROR_INSUFFICIENT_RESOURCES;
    }
    unsigned int id = 0; /* compute instance ids: the lowest unused, from 0 */
    for (int again = 1; again;) {
        again = 0;
        for (int i = 0; i < MAX_CIS; i++) {
            if (gi->cis[i].used && gi->cis[i].id == id) {
                id++;
                again = 1;
            }
        }
    }
    struct fake_ci *ci = &gi->cis[free_slot];
    memset(ci, 0, sizeof *ci);
    ci->used = 1;
    ci->id = id;
    ci->profile_index = profile;
    ci->mig.gpu = gi->gpu;
    ci->mig.gi_slot = gi->slot;
    ci->mig.ci_slot = free_slot;
    snprintf(ci->uuid, sizeof ci->uuid, "MIG-7a3c%04x-%04x-4000-8000-0000000000%02x", (unsigned) gi->gpu, gi->id, id);
    *created = ci;
    return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlGpuInstanceCreateComputeInstance(nvmlGpuInstance_t gpuInstance, unsigned int profileId,
                                                         nvmlComputeInstance_t *computeInstance)
{
    static int slot_ = -1;
    nvmlReturn_t rc = enter_gpu_instance(__func__, &slot_, gpuInstance);
    if (rc == NVML_SUCCESS && (profileId >= CI_PROFILE_COUNT || computeInstance == NULL
                               || CI_SLICES[profileId] > gpuInstance->profile->compute_slices)) {
        rc = NVML_ERROR_INVALID_ARGUMENT;
    }
    if (rc == NVML_SUCCESS) {
        rc = create_compute_instance(gpuInstance, profileId, computeInstance);
    }
    return leave(rc);
}

EXPORT nvmlReturn_t nvmlGpuInstanceGetComputeInstances(nvmlGpuInstance_t gpuInstance, unsigned int profileId,
                                                       nvmlComputeInstance_t *computeInstances, unsigned int *count)
{
    static int slot_ = -1;
    nvmlReturn_t rc = enter_gpu_instance(__func__, &slot_, gpuInstance);
    if (rc == NVML_SUCCESS && (profileId >= CI_PROFILE_COUNT || computeInstances == NULL || count == NULL)) {
        rc = NVML_ERROR_INVALID_ARGUMENT;
    }
    if (rc == NVML_SUCCESS) {
        unsigned int n = 0;
        for (int i = 0; i < MAX_CIS; i++) {
            if (gpuInstance->cis[i].used && gpuInstance->cis[i].profile_index == profileId) {
                computeInstances[n++] = &gpuInstance->cis[i];
            }
        }
        *count = n;
    }
    return leave(rc);
}

EXPORT nvmlReturn_t nvmlComputeInstanceDestroy(nvmlComputeInstance_t computeInstance)
{
    static int slot_ = -1;
    nvmlReturn_t rc = enter_global(__func__, &slot_);
    struct target t;
    if (rc == NVML_SUCCESS && (computeInstance == NULL || !resolve(&computeInstance->mig, &t))) {
        rc = NVML_ERROR_INVALID_ARGUMENT;
    }
    if (rc == NVML_SUCCESS && t.gpu->lost) {
        rc = NVML_ERROR_GPU_IS_LOST;
    }
    if (rc == NVML_SUCCESS) {
        rc = scripted(t.gpu->handle.gpu, __func__);
    }
    if (rc == NVML_SUCCESS) {
        for (int i = 0; i < t.gpu->proc_count; i++) {
            if (t.gpu->procs[i].gi == t.gi->id && t.gpu->procs[i].ci == computeInstance->id) {
                rc = NVML_ERROR_IN_USE;
            }
        }
    }
    if (rc == NVML_SUCCESS) {
        computeInstance->used = 0;
    }
    return leave(rc);
}

EXPORT nvmlReturn_t nvmlDeviceGetMaxMigDeviceCount(nvmlDevice_t device, unsigned int *count)
{
    WHOLE_GPU_CALL(device);
    if (rc == NVML_SUCCESS && !g->product->mig) {
        rc = NVML_ERROR_NOT_SUPPORTED;
    }
    if (rc == NVML_SUCCESS) {
        *count = 7;
    }
    return leave(rc);
}

/* MIG devices (one per compute instance) in GPU instance slot order, then compute instance slot order. */
EXPORT nvmlReturn_t nvmlDeviceGetMigDeviceHandleByIndex(nvmlDevice_t device, unsigned int index,
                                                        nvmlDevice_t *migDevice)
{
    WHOLE_GPU_CALL(device);
    if (rc == NVML_SUCCESS) {
        rc = require_mig(&t);
    }
    if (rc == NVML_SUCCESS && (index >= 7 || migDevice == NULL)) {
        rc = NVML_ERROR_INVALID_ARGUMENT;
    }
    if (rc == NVML_SUCCESS) {
        unsigned int k = 0;
        rc = NVML_ERROR_NOT_FOUND;
        for (int i = 0; i < MAX_GIS && rc == NVML_ERROR_NOT_FOUND; i++) {
            for (int c = 0; c < MAX_CIS && g->gis[i].used; c++) {
                if (g->gis[i].cis[c].used && k++ == index) {
                    *migDevice = &g->gis[i].cis[c].mig;
                    rc = NVML_SUCCESS;
                    break;
                }
            }
        }
    }
    return leave(rc);
}

EXPORT nvmlReturn_t nvmlDeviceGetGpuInstanceId(nvmlDevice_t device, unsigned int *id)
{
    DEVICE_CALL(device);
    if (rc == NVML_SUCCESS && t.gi == NULL) {
        rc = NVML_ERROR_INVALID_ARGUMENT;
    }
    if (rc == NVML_SUCCESS) {
        *id = t.gi->id;
    }
    return leave(rc);
}

/* ---------------------------------------------------------------------------------------------
 * Test controls. Return 0 on success and -1 for an unknown GPU or name.
 * --------------------------------------------------------------------------------------------- */

static int valid_gpu(int gpu)
{
    return gpu >= 0 && gpu < gpu_count;
}

/* Back to defaults: `count` GPUs of `product`, nothing scripted, no events, no processes, MIG off. */
EXPORT void fake_nvml_reset(int count, const char *product)
{
    pthread_once(&once, setup_once);
    pthread_mutex_lock(&lock);
    gpu_count = count < 0 ? 0 : count > MAX_GPUS ? MAX_GPUS : count;
    for (int i = 0; i < MAX_GPUS; i++) {
        reset_gpu(i, product == NULL ? PRODUCTS[0].name : product, gpu_count);
    }
    init_count = 0;
    for (int i = 0; i < MAX_SETS; i++) {
        free(sets[i]);
        sets[i] = NULL;
    }
    script_count = 0;
    for (int i = 0; i < function_count; i++) {
        functions[i].calls = 0;
    }
    snprintf(driver_version, sizeof driver_version, "%s", "570.133.20");
    pthread_cond_broadcast(&event_posted);
    pthread_mutex_unlock(&lock);
}

EXPORT int fake_nvml_set(int gpu, const char *quantity, long long value)
{
    int result = -1;
    pthread_mutex_lock(&lock);
    for (int q = 0; q < Q_COUNT && valid_gpu(gpu); q++) {
        if (strcmp(QUANTITY_NAMES[q], quantity) == 0) {
            gpus[gpu].q[q] = value;
            result = 0;
        }
    }
    pthread_mutex_unlock(&lock);
    return result;
}

/* "name" or "uuid" of a GPU; "driver_version" with gpu -1. */
EXPORT int fake_nvml_set_string(int gpu, const char *what, const char *value)
{
    int result = -1;
    pthread_mutex_lock(&lock);
    if (gpu == -1 && strcmp(what, "driver_version") == 0) {
        snprintf(driver_version, sizeof driver_version, "%s", value);
        result = 0;
    } else if (valid_gpu(gpu) && strcmp(what, "name") == 0) {
        snprintf(gpus[gpu].name, sizeof gpus[gpu].name, "%s", value);
        result = 0;
    } else if (valid_gpu(gpu) && strcmp(what, "uuid") == 0) {
        snprintf(gpus[gpu].uuid, sizeof gpus[gpu].uuid, "%s", value);
        result = 0;
    }
    pthread_mutex_unlock(&lock);
    return result;
}

/*
 * Makes `function` (an NVML name, or "field:<id>" for one nvmlDeviceGetFieldValues entry) return `rc`
 * on `gpu` (-1: every GPU, and the functions that take none, such as nvmlInit_v2). rc 0 removes it.
 */
EXPORT int fake_nvml_set_return(int gpu, const char *function, int rc)
{
    int result = -1;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < script_count; i++) {
        if (scripts[i].gpu == gpu && strcmp(scripts[i].function, function) == 0) {
            scripts[i] = scripts[--script_count];
            break;
        }
    }
    if (rc == NVML_SUCCESS) {
        result = 0;
    } else if (script_count < MAX_SCRIPTS && strlen(function) < sizeof scripts[0].function) {
        scripts[script_count].gpu = gpu;
        snprintf(scripts[script_count].function, sizeof scripts[0].function, "%s", function);
        scripts[script_count].rc = rc;
        script_count++;
        result = 0;
    }
    pthread_mutex_unlock(&lock);
    return result;
}

/* A lost GPU answers GPU_IS_LOST to everything, as after XID 79. */
EXPORT int fake_nvml_set_lost(int gpu, int lost)
{
    pthread_mutex_lock(&lock);
    int result = valid_gpu(gpu) ? 0 : -1;
    if (result == 0) {
        gpus[gpu].lost = lost;
    }
    pthread_mutex_unlock(&lock);
    return result;
}

EXPORT int fake_nvml_set_pci(int gpu, unsigned int domain, unsigned int bus, unsigned int device)
{
    pthread_mutex_lock(&lock);
    int result = valid_gpu(gpu) ? 0 : -1;
    if (result == 0) {
        gpus[gpu].domain = domain;
        gpus[gpu].bus = bus;
        gpus[gpu].device = device;
    }
    pthread_mutex_unlock(&lock);
    return result;
}

/* Gives a GPU `count` NVLink links, all up to NVSwitches (to_switch) or all down and unconnected. */
EXPORT int fake_nvml_set_links(int gpu, int count, int to_switch)
{
    pthread_mutex_lock(&lock);
    int result = valid_gpu(gpu) && count >= 0 && count <= MAX_LINKS ? 0 : -1;
    if (result == 0) {
        struct fake_gpu *g = &gpus[gpu];
        memset(g->links, 0, sizeof g->links);
        g->link_count = count;
        for (int l = 0; l < count; l++) {
            g->links[l].up = to_switch != 0;
            g->links[l].remote_type = to_switch ? NVLINK_REMOTE_SWITCH : NVLINK_REMOTE_GPU;
            g->links[l].remote_gpu = -1;
        }
    }
    pthread_mutex_unlock(&lock);
    return result;
}

/* A direct NVLink (a bridge) between link_a of gpu_a and link_b of gpu_b, up. */
EXPORT int fake_nvml_connect(int gpu_a, int link_a, int gpu_b, int link_b)
{
    pthread_mutex_lock(&lock);
    int result = valid_gpu(gpu_a) && valid_gpu(gpu_b) && link_a >= 0 && link_a < gpus[gpu_a].link_count
                 && link_b >= 0 && link_b < gpus[gpu_b].link_count ? 0 : -1;
    if (result == 0) {
        struct link *a = &gpus[gpu_a].links[link_a], *b = &gpus[gpu_b].links[link_b];
        a->up = b->up = 1;
        a->remote_type = b->remote_type = NVLINK_REMOTE_GPU;
        a->remote_gpu = gpu_b;
        b->remote_gpu = gpu_a;
    }
    pthread_mutex_unlock(&lock);
    return result;
}

/* One link's "up" state or error counter: "replay", "recovery", "crc_flit", "crc_data". */
EXPORT int fake_nvml_set_link(int gpu, int link, const char *what, long long value)
{
    static const char *const COUNTERS[] = { "replay", "recovery", "crc_flit", "crc_data" };
    int result = -1;
    pthread_mutex_lock(&lock);
    if (valid_gpu(gpu) && link >= 0 && link < gpus[gpu].link_count) {
        struct link *l = &gpus[gpu].links[link];
        if (strcmp(what, "up") == 0) {
            l->up = value != 0;
            result = 0;
        }
        for (int c = 0; c < 4; c++) {
            if (strcmp(what, COUNTERS[c]) == 0) {
                l->counters[c] = (unsigned long long) value;
                result = 0;
            }
        }
    }
    pthread_mutex_unlock(&lock);
    return result;
}

/* One 64-CPU word of a GPU's CPU affinity; word -1 clears them all. */
EXPORT int fake_nvml_set_affinity(int gpu, int word, unsigned long long mask)
{
    pthread_mutex_lock(&lock);
    int result = valid_gpu(gpu) && word >= -1 && word < AFFINITY_WORDS ? 0 : -1;
    if (result == 0 && word == -1) {
        memset(gpus[gpu].affinity, 0, sizeof gpus[gpu].affinity);
    } else if (result == 0) {
        gpus[gpu].affinity[word] = mask;
    }
    pthread_mutex_unlock(&lock);
    return result;
}

/* Raises an XID on a GPU (gi/ci 0xFFFFFFFF when not attributable); returns how many event sets got it. */
EXPORT int fake_nvml_push_xid(int gpu, unsigned long long xid, unsigned int gi, unsigned int ci)
{
    int delivered = 0;
    pthread_once(&once, setup_once);
    pthread_mutex_lock(&lock);
    for (int i = 0; i < MAX_SETS && valid_gpu(gpu); i++) {
        struct fake_event_set *set = sets[i];
        if (set != NULL && (set->mask[gpu] & EVENT_XID_CRITICAL) && set->length < QUEUE_CAP) {
            set->queue[(set->head + set->length) % QUEUE_CAP] = (struct event) { gpu, xid, gi, ci };
            set->length++;
            delivered++;
        }
    }
    pthread_cond_broadcast(&event_posted);
    pthread_mutex_unlock(&lock);
    return valid_gpu(gpu) ? delivered : -1;
}

/* A compute process on a GPU (gi/ci 0xFFFFFFFF outside MIG). */
EXPORT int fake_nvml_add_process(int gpu, unsigned int pid, unsigned long long used_bytes, unsigned int gi,
                                 unsigned int ci)
{
    pthread_mutex_lock(&lock);
    int result = valid_gpu(gpu) && gpus[gpu].proc_count < MAX_PROCS ? 0 : -1;
    if (result == 0) {
        struct fake_gpu *g = &gpus[gpu];
        g->procs[g->proc_count++] = (struct process) { pid, used_bytes, gi, ci };
    }
    pthread_mutex_unlock(&lock);
    return result;
}

EXPORT int fake_nvml_remove_process(int gpu, unsigned int pid)
{
    int result = -1;
    pthread_mutex_lock(&lock);
    for (int i = 0; valid_gpu(gpu) && i < gpus[gpu].proc_count; i++) {
        if (gpus[gpu].procs[i].pid == pid) {
            gpus[gpu].procs[i] = gpus[gpu].procs[--gpus[gpu].proc_count];
            result = 0;
            break;
        }
    }
    pthread_mutex_unlock(&lock);
    return result;
}

/* Sets MIG mode directly, as a reboot with MIG configured would leave it; off removes every instance. */
EXPORT int fake_nvml_set_mig(int gpu, int enabled)
{
    pthread_mutex_lock(&lock);
    int result = valid_gpu(gpu) && gpus[gpu].product->mig ? 0 : -1;
    if (result == 0) {
        gpus[gpu].mig_current = gpus[gpu].mig_pending = enabled != 0;
        if (!enabled) {
            memset(gpus[gpu].gis, 0, sizeof gpus[gpu].gis);
        }
    }
    pthread_mutex_unlock(&lock);
    return result;
}

/* Adds a GPU instance of `profile_id` at `start` with one compute instance spanning it; returns its id or -1. */
EXPORT int fake_nvml_add_instance(int gpu, unsigned int profile_id, unsigned int start)
{
    pthread_mutex_lock(&lock);
    const struct gi_profile *p = profile_by_id(profile_id);
    struct fake_gi *gi = NULL;
    struct fake_ci *ci = NULL;
    int result = -1;
    if (valid_gpu(gpu) && gpus[gpu].mig_current && p != NULL
        && create_gpu_instance(&gpus[gpu], p, start, &gi) == NVML_SUCCESS) {
        unsigned int profile = 0;
        for (unsigned int i = 0; i < CI_PROFILE_COUNT; i++) {
            if (CI_SLICES[i] == p->compute_slices) {
                profile = i;
            }
        }
        if (create_compute_instance(gi, profile, &ci) == NVML_SUCCESS) {
            result = (int) gi->id;
        }
    }
    pthread_mutex_unlock(&lock);
    return result;
}

/*
 * The GPU's instances, "profileId@start+size/computeInstances" by start, ";"-separated
 * (e.g. "9@0+4/1;14@4+2/1"), or "" when there are none. Returns the MIG mode, or -1 for an unknown GPU.
 */
EXPORT int fake_nvml_describe_mig(int gpu, char *out, size_t length)
{
    pthread_mutex_lock(&lock);
    int result = valid_gpu(gpu) ? (int) gpus[gpu].mig_current : -1;
    size_t used = 0;
    if (length > 0) {
        out[0] = '\0';
    }
    for (unsigned int start = 0; result >= 0 && start < 8; start++) {
        for (int i = 0; i < MAX_GIS; i++) {
            const struct fake_gi *gi = &gpus[gpu].gis[i];
            if (!gi->used || gi->start != start) {
                continue;
            }
            int cis = 0;
            for (int c = 0; c < MAX_CIS; c++) {
                cis += gi->cis[c].used;
            }
            if (used >= length) {
                continue; /* out of room: the description is cut short */
            }
            int n = snprintf(out + used, length - used, "%s%u@%u+%u/%d", used ? ";" : "", gi->profile->id,
                             gi->start, gi->profile->memory_slices, cis);
            used += n > 0 ? (size_t) n : 0;
        }
    }
    pthread_mutex_unlock(&lock);
    return result;
}

/* How often an NVML function was called since the last reset. */
EXPORT long fake_nvml_calls(const char *function)
{
    long calls = 0;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < function_count; i++) {
        if (strcmp(functions[i].name, function) == 0) {
            calls = functions[i].calls;
        }
    }
    pthread_mutex_unlock(&lock);
    return calls;
}

/* What a client holds: NVML initialisations not shut down, plus event sets not freed. */
EXPORT int fake_nvml_live(void)
{
    pthread_mutex_lock(&lock);
    int live = init_count;
    for (int i = 0; i < MAX_SETS; i++) {
        live += sets[i] != NULL;
    }
    pthread_mutex_unlock(&lock);
    return live;
}

/* The layouts this file was compiled with, for the binding's Structure tests. */
#define SIZE_OF(type) { #type, NULL, sizeof(type) }
#define OFFSET_OF(type, field) { #type, #field, offsetof(type, field) }
static const struct { const char *type, *field; size_t value; } LAYOUT[] = {
    SIZE_OF(nvmlPciInfo_t), OFFSET_OF(nvmlPciInfo_t, busIdLegacy), OFFSET_OF(nvmlPciInfo_t, domain),
    OFFSET_OF(nvmlPciInfo_t, bus), OFFSET_OF(nvmlPciInfo_t, device), OFFSET_OF(nvmlPciInfo_t, pciDeviceId),
    OFFSET_OF(nvmlPciInfo_t, pciSubSystemId), OFFSET_OF(nvmlPciInfo_t, busId),
    SIZE_OF(nvmlMemory_t), OFFSET_OF(nvmlMemory_t, total), OFFSET_OF(nvmlMemory_t, free),
    OFFSET_OF(nvmlMemory_t, used),
    SIZE_OF(nvmlMemory_v2_t), OFFSET_OF(nvmlMemory_v2_t, version), OFFSET_OF(nvmlMemory_v2_t, total),
    OFFSET_OF(nvmlMemory_v2_t, reserved), OFFSET_OF(nvmlMemory_v2_t, free), OFFSET_OF(nvmlMemory_v2_t, used),
    SIZE_OF(nvmlTemperature_v1_t), OFFSET_OF(nvmlTemperature_v1_t, version),
    OFFSET_OF(nvmlTemperature_v1_t, sensorType), OFFSET_OF(nvmlTemperature_v1_t, temperature),
    SIZE_OF(nvmlUtilization_t), OFFSET_OF(nvmlUtilization_t, gpu), OFFSET_OF(nvmlUtilization_t, memory),
    SIZE_OF(nvmlProcessInfo_t), OFFSET_OF(nvmlProcessInfo_t, pid), OFFSET_OF(nvmlProcessInfo_t, usedGpuMemory),
    OFFSET_OF(nvmlProcessInfo_t, gpuInstanceId), OFFSET_OF(nvmlProcessInfo_t, computeInstanceId),
    SIZE_OF(nvmlEventData_t), OFFSET_OF(nvmlEventData_t, device), OFFSET_OF(nvmlEventData_t, eventType),
    OFFSET_OF(nvmlEventData_t, eventData), OFFSET_OF(nvmlEventData_t, gpuInstanceId),
    OFFSET_OF(nvmlEventData_t, computeInstanceId),
    SIZE_OF(nvmlViolationTime_t), OFFSET_OF(nvmlViolationTime_t, referenceTime),
    OFFSET_OF(nvmlViolationTime_t, violationTime),
    SIZE_OF(nvmlFieldValue_t), OFFSET_OF(nvmlFieldValue_t, fieldId), OFFSET_OF(nvmlFieldValue_t, scopeId),
    OFFSET_OF(nvmlFieldValue_t, timestamp), OFFSET_OF(nvmlFieldValue_t, latencyUsec),
    OFFSET_OF(nvmlFieldValue_t, valueType), OFFSET_OF(nvmlFieldValue_t, nvmlReturn),
    OFFSET_OF(nvmlFieldValue_t, value),
    SIZE_OF(nvmlGpuInstanceProfileInfo_t), OFFSET_OF(nvmlGpuInstanceProfileInfo_t, id),
    OFFSET_OF(nvmlGpuInstanceProfileInfo_t, isP2pSupported), OFFSET_OF(nvmlGpuInstanceProfileInfo_t, sliceCount),
    OFFSET_OF(nvmlGpuInstanceProfileInfo_t, instanceCount),
    OFFSET_OF(nvmlGpuInstanceProfileInfo_t, multiprocessorCount),
    OFFSET_OF(nvmlGpuInstanceProfileInfo_t, copyEngineCount), OFFSET_OF(nvmlGpuInstanceProfileInfo_t, decoderCount),
    OFFSET_OF(nvmlGpuInstanceProfileInfo_t, encoderCount), OFFSET_OF(nvmlGpuInstanceProfileInfo_t, jpegCount),
    OFFSET_OF(nvmlGpuInstanceProfileInfo_t, ofaCount), OFFSET_OF(nvmlGpuInstanceProfileInfo_t, memorySizeMB),
    SIZE_OF(nvmlGpuInstancePlacement_t), OFFSET_OF(nvmlGpuInstancePlacement_t, start),
    OFFSET_OF(nvmlGpuInstancePlacement_t, size),
    SIZE_OF(nvmlGpuInstanceInfo_t), OFFSET_OF(nvmlGpuInstanceInfo_t, device), OFFSET_OF(nvmlGpuInstanceInfo_t, id),
    OFFSET_OF(nvmlGpuInstanceInfo_t, profileId), OFFSET_OF(nvmlGpuInstanceInfo_t, placement),
    SIZE_OF(nvmlComputeInstanceProfileInfo_t), OFFSET_OF(nvmlComputeInstanceProfileInfo_t, id),
    OFFSET_OF(nvmlComputeInstanceProfileInfo_t, sliceCount),
    OFFSET_OF(nvmlComputeInstanceProfileInfo_t, instanceCount),
    OFFSET_OF(nvmlComputeInstanceProfileInfo_t, multiprocessorCount),
    OFFSET_OF(nvmlComputeInstanceProfileInfo_t, sharedCopyEngineCount),
    OFFSET_OF(nvmlComputeInstanceProfileInfo_t, sharedDecoderCount),
    OFFSET_OF(nvmlComputeInstanceProfileInfo_t, sharedEncoderCount),
    OFFSET_OF(nvmlComputeInstanceProfileInfo_t, sharedJpegCount),
    OFFSET_OF(nvmlComputeInstanceProfileInfo_t, sharedOfaCount),
};

/* sizeof(type), or 0 for a type this file does not declare. */
EXPORT size_t fake_nvml_sizeof(const char *type)
{
    for (size_t i = 0; i < sizeof LAYOUT / sizeof LAYOUT[0]; i++) {
        if (LAYOUT[i].field == NULL && strcmp(LAYOUT[i].type, type) == 0) {
            return LAYOUT[i].value;
        }
    }
    return 0;
}

/* offsetof(type, field), or (size_t) -1 for one this file does not declare. */
EXPORT size_t fake_nvml_offsetof(const char *type, const char *field)
{
    for (size_t i = 0; i < sizeof LAYOUT / sizeof LAYOUT[0]; i++) {
        if (LAYOUT[i].field != NULL && strcmp(LAYOUT[i].type, type) == 0 && strcmp(LAYOUT[i].field, field) == 0) {
            return LAYOUT[i].value;
        }
    }
    return (size_t) -1;
}

/* The version word the fake demands in a versioned struct (NVML_STRUCT_VERSION), or 0. */
EXPORT unsigned int fake_nvml_struct_version(const char *type)
{
    if (strcmp(type, "nvmlMemory_v2_t") == 0) {
        return STRUCT_VERSION(nvmlMemory_v2_t, 2);
    }
    if (strcmp(type, "nvmlTemperature_v1_t") == 0) {
        return STRUCT_VERSION(nvmlTemperature_v1_t, 1);
    }
    return 0;
}

/* Loaded: the state of fake_nvml_reset(8, H100). */
__attribute__((constructor)) static void loaded(void)
{
    fake_nvml_reset(8, PRODUCTS[0].name);
}
