package dev.vigil.gpu.nvml;

import com.sun.jna.Function;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import dev.vigil.gpu.backend.GpuBackendException;
import dev.vigil.gpu.backend.LoaderMessages;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Loads libnvidia-ml and binds {@link Nvml}'s natives to it. Direct mapping binds a class, not an
 * object, so the binding is process-wide: the first library that loads is bound, and another one
 * may replace it only while no backend uses NVML (a process talks to one driver anyway).
 *
 * <p>Optional functions are probed once per load ({@code getFunction} in a try/catch): a backend uses
 * one only when the library has it, so a driver that predates it still works.
 */
final class NvmlLibrary {
    /** The functions an older driver may lack, and the holder class that binds each. */
    enum Optional {
        TEMPERATURE_V("nvmlDeviceGetTemperatureV", Nvml.TemperatureV.class),
        MEMORY_INFO_V2("nvmlDeviceGetMemoryInfo_v2", Nvml.MemoryInfoV2.class),
        CLOCKS_EVENT_REASONS("nvmlDeviceGetCurrentClocksEventReasons", Nvml.ClocksEventReasons.class),
        CLOCKS_THROTTLE_REASONS("nvmlDeviceGetCurrentClocksThrottleReasons", Nvml.ClocksThrottleReasons.class),
        NUMA_NODE_ID("nvmlDeviceGetNumaNodeId", Nvml.NumaNodeId.class);

        final String symbol;
        final Class<?> holder;

        Optional(String symbol, Class<?> holder) {
            this.symbol = symbol;
            this.holder = holder;
        }
    }

    private static final Object LOCK = new Object();
    private static NativeLibrary bound;
    private static final Set<Optional> BOUND_OPTIONAL = EnumSet.noneOf(Optional.class);
    private static int users;

    private final String name;
    private final Set<Optional> available;
    private boolean released;

    private NvmlLibrary(String name, Set<Optional> available) {
        this.name = name;
        this.available = available;
    }

    /**
     * Loads {@code library} (a file name for the dynamic linker, or a path) and binds it.
     *
     * @param hidden optional symbols to treat as absent, as an older driver would (tests use it)
     * @throws GpuBackendException LIBRARY_MISSING when the library cannot be loaded or lacks a
     *                             function the binding needs; REFUSED when another NVML library is
     *                             bound and in use in this process
     */
    static NvmlLibrary load(String library, Set<String> hidden) throws GpuBackendException {
        NativeLibrary lib;
        try {
            lib = NativeLibrary.getInstance(library);
        } catch (UnsatisfiedLinkError e) {
            throw new GpuBackendException(GpuBackendException.Reason.LIBRARY_MISSING, "cannot load NVML library "
                    + library + ": " + LoaderMessages.reason(library, e) + " (is the NVIDIA driver installed?)", e);
        }
        synchronized (LOCK) {
            if (bound != lib) {
                if (bound != null && users > 0) {
                    throw new GpuBackendException(GpuBackendException.Reason.REFUSED, "NVML library "
                            + bound.getFile() + " is already in use in this process; cannot also load " + library);
                }
                bindRequired(lib, library);
            }
            Set<Optional> available = EnumSet.noneOf(Optional.class);
            for (Optional optional : Optional.values()) {
                if (!hidden.contains(optional.symbol) && has(lib, optional.symbol)) {
                    if (BOUND_OPTIONAL.add(optional)) {
                        Native.register(optional.holder, lib);
                    }
                    available.add(optional);
                }
            }
            users++;
            return new NvmlLibrary(library, available);
        }
    }

    /** Probes every required symbol first, so a missing one is named and nothing is half-bound. */
    private static void bindRequired(NativeLibrary lib, String library) throws GpuBackendException {
        List<String> missing = new ArrayList<>();
        for (Method method : Nvml.class.getDeclaredMethods()) {
            if (Modifier.isNative(method.getModifiers()) && !has(lib, method.getName())) {
                missing.add(method.getName());
            }
        }
        if (!missing.isEmpty()) {
            throw new GpuBackendException(GpuBackendException.Reason.LIBRARY_MISSING, "NVML library " + library
                    + " lacks " + String.join(", ", missing) + ": the NVIDIA driver is too old (R510 or newer needed)");
        }
        if (bound != null) {
            Native.unregister(Nvml.class);
            for (Optional optional : BOUND_OPTIONAL) {
                Native.unregister(optional.holder);
            }
            BOUND_OPTIONAL.clear();
        }
        Native.register(Nvml.class, lib);
        bound = lib;
    }

    private static boolean has(NativeLibrary lib, String symbol) {
        try {
            Function function = lib.getFunction(symbol);
            return function != null;
        } catch (UnsatisfiedLinkError e) {
            return false;
        }
    }

    String name() {
        return name;
    }

    boolean has(Optional optional) {
        return available.contains(optional);
    }

    /** NVML's words for a return code, with the code. */
    static String describe(int rc) {
        String text;
        try {
            text = Nvml.nvmlErrorString(rc);
        } catch (UnsatisfiedLinkError e) {
            text = null;
        }
        return (text == null || text.isBlank() ? "error" : text) + " (NVML " + rc + ")";
    }

    /** The backend no longer calls NVML; another library may be bound after the last release. */
    void release() {
        synchronized (LOCK) {
            if (!released) {
                released = true;
                users--;
            }
        }
    }
}
