package dev.vigil.gpu.dcgm;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.ptr.DoubleByReference;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import dev.vigil.gpu.fakes.FakeLibraries;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The test controls of the fake libdcgm.so.4 (src/test/c/fake_dcgm.c). It is the same loaded
 * library the backend binds, so these steer the engine the backend talks to.
 */
public interface FakeDcgm extends Library {
    int FE_GPU = 1;
    int FE_GPU_I = 4;
    int FE_GPU_CI = 5;

    static Path path() {
        return FakeLibraries.path("libdcgm.so.4");
    }

    static FakeDcgm load() {
        return Native.load(path().toString(), FakeDcgm.class);
    }

    void fake_dcgm_reset(int gpus);

    void fake_dcgm_set_order(int mode);

    int fake_dcgm_gpu_uuid(int gpu, byte[] out, int cap);

    void fake_dcgm_set_int(int entityGroup, int entityId, short field, long value);

    void fake_dcgm_set_double(int entityGroup, int entityId, short field, double value);

    void fake_dcgm_set_status(int entityGroup, int entityId, short field, int status);

    void fake_dcgm_clear_values();

    void fake_dcgm_set_gpu_lost(int gpu, int lost);

    int fake_dcgm_add_gpu_instance(int gpu, int entityId, int nvmlInstanceId, int profileId, int slices);

    int fake_dcgm_add_compute_instance(int gpuInstanceEntityId, int entityId, int nvmlComputeInstanceId);

    void fake_dcgm_clear_mig();

    long fake_dcgm_push_xid(int gpu, int xid, int gpuInstanceEntity, int computeInstanceEntity);

    int fake_dcgm_add_incident(int entityGroup, int entityId, int system, int health, String msg, int code);

    void fake_dcgm_clear_incidents();

    void fake_dcgm_fail_next(String function, int count, int code);

    void fake_dcgm_restart_engine();

    long fake_dcgm_calls(String function);

    long fake_dcgm_total_calls();

    int fake_dcgm_live(String what);

    int fake_dcgm_watch_info(int index, LongByReference freqUs, DoubleByReference keepAge, IntByReference keepSamples,
                             short[] fields, int cap);

    int fake_dcgm_group_info(int index, int[] entityGroups, int[] entityIds, int cap, IntByReference healthSystems);

    int fake_dcgm_last_connect(byte[] address, int cap, int[] params);

    int fake_dcgm_last_embedded_mode();

    long fake_dcgm_sizeof(String name);

    int fake_dcgm_version(String name);

    long fake_dcgm_offsetof(String type, String member);

    String errorString(int code);

    default String uuid(int gpu) {
        byte[] out = new byte[96];
        fake_dcgm_gpu_uuid(gpu, out, out.length);
        int length = 0;
        while (out[length] != 0) {
            length++;
        }
        return new String(out, 0, length, StandardCharsets.US_ASCII);
    }

    /** A live watch of the engine: interval, keep age and field ids. */
    record Watch(long freqUs, double keepAgeSeconds, int keepSamples, short[] fields) {
    }

    default java.util.List<Watch> watches() {
        java.util.List<Watch> watches = new java.util.ArrayList<>();
        for (int i = 0; ; i++) {
            LongByReference freq = new LongByReference();
            DoubleByReference age = new DoubleByReference();
            IntByReference samples = new IntByReference();
            short[] fields = new short[128];
            int n = fake_dcgm_watch_info(i, freq, age, samples, fields, fields.length);
            if (n < 0) {
                return watches;
            }
            watches.add(new Watch(freq.getValue(), age.getValue(), samples.getValue(), java.util.Arrays.copyOf(fields, n)));
        }
    }

    /** A live group of the engine: its entities as "group:id" and its health systems. */
    record Group(java.util.List<String> entities, int healthSystems) {
    }

    default java.util.List<Group> groups() {
        java.util.List<Group> groups = new java.util.ArrayList<>();
        for (int i = 0; ; i++) {
            int[] entityGroups = new int[512];
            int[] ids = new int[512];
            IntByReference health = new IntByReference();
            int n = fake_dcgm_group_info(i, entityGroups, ids, 512, health);
            if (n < 0) {
                return groups;
            }
            java.util.List<String> entities = new java.util.ArrayList<>();
            for (int k = 0; k < n; k++) {
                entities.add(entityGroups[k] + ":" + ids[k]);
            }
            groups.add(new Group(entities, health.getValue()));
        }
    }
}
