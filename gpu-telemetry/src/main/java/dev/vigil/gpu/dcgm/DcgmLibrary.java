package dev.vigil.gpu.dcgm;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import dev.vigil.gpu.backend.GpuBackendException;
import dev.vigil.gpu.backend.LoaderMessages;

import java.util.ArrayList;
import java.util.List;

/**
 * The libdcgm functions Vigil calls (dcgm_agent.h), mapped by JNA. Every function returns a
 * {@code dcgmReturn_t}. Handles and group ids are {@code uintptr_t}, passed as {@code long}:
 * DCGM ships for 64-bit Linux only. Arguments on the sampling path are preallocated native
 * buffers ({@link Pointer}); arrays, strings and by-reference values (which JNA copies into
 * fresh native memory on each call) appear only on calls made at open, re-watch and reconnect.
 */
interface DcgmLibrary extends Library {
    int OPERATION_MODE_AUTO = 1;
    int GROUP_EMPTY = 1;
    int FV_FLAG_LIVE_DATA = 1;
    int MAX_NUM_DEVICES = 32;

    int dcgmInit();

    int dcgmShutdown();

    int dcgmStartEmbedded(int opMode, LongByReference handle);

    int dcgmStopEmbedded(long handle);

    int dcgmConnect_v2(String address, DcgmStructs.ConnectV2Params params, LongByReference handle);

    int dcgmDisconnect(long handle);

    int dcgmGetAllSupportedDevices(long handle, int[] gpuIds, IntByReference count);

    int dcgmGetGpuInstanceHierarchy(long handle, Pointer hierarchy);

    int dcgmGroupCreate(long handle, int type, String name, LongByReference groupId);

    int dcgmGroupAddEntity(long handle, long groupId, int entityGroupId, int entityId);

    int dcgmGroupDestroy(long handle, long groupId);

    int dcgmFieldGroupCreate(long handle, int numFieldIds, short[] fieldIds, String name, LongByReference fieldGroupId);

    int dcgmFieldGroupDestroy(long handle, long fieldGroupId);

    int dcgmWatchFields(long handle, long groupId, long fieldGroupId, long updateFreqUs, double maxKeepAgeSeconds,
                        int maxKeepSamples);

    int dcgmUnwatchFields(long handle, long groupId, long fieldGroupId);

    int dcgmUpdateAllFields(long handle, int waitForUpdate);

    int dcgmEntitiesGetLatestValues(long handle, Pointer entities, int entityCount, Pointer fieldIds, int fieldCount,
                                    int flags, Pointer values);

    int dcgmGetValuesSince_v2(long handle, long groupId, long fieldGroupId, long sinceTimestampUs,
                              Pointer nextSinceTimestampUs, EntityValues callback, Pointer userData);

    int dcgmHealthSet(long handle, long groupId, int systems);

    int dcgmHealthCheck(long handle, long groupId, Pointer response);

    /** DCGM's text for a return code. */
    String errorString(int code);

    /**
     * {@code dcgmFieldValueEntityEnumeration_f}: called with a run of {@code dcgmFieldValue_v1}
     * of one entity; the values are only valid during the call. A negative return stops the
     * enumeration.
     */
    interface EntityValues extends Callback {
        int invoke(int entityGroupId, int entityId, Pointer values, int numValues, Pointer userData);
    }

    /** The first of {@code names} that loads; otherwise LIBRARY_MISSING naming each with the loader's reason. */
    static Loaded load(List<String> names) throws GpuBackendException {
        List<String> failures = new ArrayList<>();
        for (String name : names) {
            try {
                return new Loaded(name, Native.load(name, DcgmLibrary.class));
            } catch (UnsatisfiedLinkError e) {
                failures.add(name + " (" + LoaderMessages.reason(name, e) + ")");
            }
        }
        throw new GpuBackendException(GpuBackendException.Reason.LIBRARY_MISSING,
                "DCGM is not installed or cannot be loaded; tried " + String.join(", ", failures)
                        + ". Install datacenter-gpu-manager-4 (libdcgm.so.4) or use the nvml backend");
    }

    /** A loaded library and the name it was loaded by. */
    record Loaded(String name, DcgmLibrary library) {
    }
}
