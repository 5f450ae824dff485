package dev.vigil.gpu.nvml;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import dev.vigil.gpu.backend.GpuBackendException;
import dev.vigil.gpu.fakes.FakeLibraries;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;

/**
 * The fake libnvidia-ml.so.1's test controls (fake_nvml.c, "Test controls"), and how tests open a
 * backend on it. The fake is one process-wide state: every test starts with {@link #reset}.
 */
public interface FakeNvml extends Library {
    int NO_INSTANCE = 0xFFFFFFFF;
    long MIB = 1024L * 1024L;
    /** What tests give the backend as the time: events carry it. */
    Instant NOW = Instant.parse("2026-11-22T08:57:45Z");

    void fake_nvml_reset(int gpus, String product);

    int fake_nvml_set(int gpu, String quantity, long value);

    int fake_nvml_set_string(int gpu, String what, String value);

    int fake_nvml_set_return(int gpu, String function, int rc);

    int fake_nvml_set_lost(int gpu, int lost);

    int fake_nvml_set_pci(int gpu, int domain, int bus, int device);

    int fake_nvml_set_links(int gpu, int count, int toSwitch);

    int fake_nvml_connect(int gpuA, int linkA, int gpuB, int linkB);

    int fake_nvml_set_link(int gpu, int link, String what, long value);

    int fake_nvml_set_affinity(int gpu, int word, long mask);

    int fake_nvml_push_xid(int gpu, long xid, int gpuInstance, int computeInstance);

    int fake_nvml_add_process(int gpu, int pid, long usedBytes, int gpuInstance, int computeInstance);

    int fake_nvml_remove_process(int gpu, int pid);

    int fake_nvml_set_mig(int gpu, int enabled);

    int fake_nvml_add_instance(int gpu, int profileId, int start);

    int fake_nvml_describe_mig(int gpu, byte[] out, long length);

    NativeLong fake_nvml_calls(String function);

    int fake_nvml_live();

    long fake_nvml_sizeof(String type);

    long fake_nvml_offsetof(String type, String field);

    int fake_nvml_struct_version(String type);

    /** The fake, reset to {@code gpus} GPUs of {@code product}; skips the test when gcc did not build it. */
    static FakeNvml reset(int gpus, String product) {
        FakeNvml fake = Holder.get();
        fake.fake_nvml_reset(gpus, product);
        return fake;
    }

    /** Eight H100s, the fake's default. */
    static FakeNvml reset() {
        return reset(8, "NVIDIA H100 80GB HBM3");
    }

    static String path() {
        return FakeLibraries.path("libnvidia-ml.so.1").toString();
    }

    /** A backend on the fake, with a short event wait so closing is quick. */
    static NvmlBackend open() throws GpuBackendException {
        return open(Set.of());
    }

    /** A backend that sees the fake as an older driver without the given optional functions. */
    static NvmlBackend open(Set<String> hiddenSymbols) throws GpuBackendException {
        return NvmlBackend.open("node-1", new NvmlSettings(path()), Clock.fixed(NOW, ZoneOffset.UTC),
                new NvmlBackend.Options(hiddenSymbols, 10));
    }

    default void set(int gpu, String quantity, long value) {
        if (fake_nvml_set(gpu, quantity, value) != 0) {
            throw new IllegalArgumentException("fake NVML has no quantity " + quantity + " on GPU " + gpu);
        }
    }

    default void fail(int gpu, String function, int rc) {
        if (fake_nvml_set_return(gpu, function, rc) != 0) {
            throw new IllegalStateException("fake NVML cannot script " + function);
        }
    }

    default long calls(String function) {
        return fake_nvml_calls(function).longValue();
    }

    /** {@code profileId@start+size/computeInstances;...} by start, as fake_nvml_describe_mig writes it. */
    default String mig(int gpu) {
        byte[] out = new byte[512];
        fake_nvml_describe_mig(gpu, out, out.length);
        int end = 0;
        while (end < out.length && out[end] != 0) {
            end++;
        }
        return new String(out, 0, end, StandardCharsets.US_ASCII);
    }

    /** Loads the fake once per JVM (the backend's loads of the same path share its state). */
    final class Holder {
        private static FakeNvml fake;

        private Holder() {
        }

        public static synchronized FakeNvml get() {
            String path = path();
            if (fake == null) {
                fake = Native.load(path, FakeNvml.class);
            }
            return fake;
        }
    }
}
