package dev.vigil.gpu.nvml;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.gpu.GpuEvent;
import dev.vigil.api.gpu.GpuProcess;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.gpu.backend.EntitySample;
import dev.vigil.gpu.backend.GpuBackend;
import dev.vigil.gpu.backend.GpuBackendException;
import dev.vigil.gpu.backend.GpuBackendException.Reason;
import dev.vigil.gpu.backend.NodeSample;
import dev.vigil.gpu.fields.FieldSet;
import dev.vigil.gpu.mig.MigGpuModel;
import dev.vigil.gpu.mig.MigLayoutValidator;
import dev.vigil.gpu.mig.MigPlacement;
import dev.vigil.gpu.nvml.NvmlStructs.ProcessInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code nvml} backend: NVIDIA's management library through JNA, for nodes without DCGM. It reads
 * what NVML has (no profiling fields: those are DCGM's), receives XIDs from NVML's event API, lists
 * processes and changes MIG layouts.
 *
 * <p>Threads: the agent's sampling loop calls {@link #sample} and {@link #drainEvents}; an event
 * thread waits for XIDs; other calls may come from anywhere. One lock serialises every use of the
 * cached handles (a MIG change invalidates MIG device handles), so a MIG change holds off sampling
 * until it is done.
 */
public final class NvmlBackend implements GpuBackend {
    private static final Logger LOG = LoggerFactory.getLogger(NvmlBackend.class);
    /** How long the event thread waits in NVML per call: the most {@link #close} waits for it. */
    static final int EVENT_WAIT_MS = 100;
    private static final long MIB = 1024L * 1024L;

    /** Test seams: optional NVML symbols to treat as absent (an older driver), and the event wait. */
    record Options(Set<String> hiddenSymbols, int eventWaitMs) {
        static Options defaults() {
            return new Options(Set.of(), EVENT_WAIT_MS);
        }
    }

    private final String node;
    private final NvmlLibrary library;
    private final Clock clock;
    private final NvmlGpu[] gpus;
    private final NvmlDiscovery discovery;
    private final NvmlEvents events;
    private final NvmlSampler sampler;
    private final NvmlMig mig;
    private final Object lock = new Object();
    private final int[] linksUp = new int[1];
    private volatile NodeInventory inventory;
    private boolean closed;

    private NvmlBackend(String node, NvmlLibrary library, Clock clock, NvmlGpu[] gpus, int eventWaitMs) {
        this.node = node;
        this.library = library;
        this.clock = clock;
        this.gpus = gpus;
        this.discovery = new NvmlDiscovery(node, library);
        this.inventory = discovery.discover(gpus);
        this.events = NvmlEvents.start(node, gpus, clock, eventWaitMs);
        this.sampler = new NvmlSampler(node, library, events);
        this.mig = new NvmlMig(node);
    }

    /**
     * Loads NVML, initialises it, takes every GPU's handle and builds the inventory.
     *
     * @throws GpuBackendException LIBRARY_MISSING when the library cannot be loaded or the driver is not
     *                             loaded, NO_PERMISSION when NVML refuses the agent, NO_GPUS when there is
     *                             no GPU, DRIVER_ERROR for other NVML failures
     */
    public static NvmlBackend open(String node, NvmlSettings settings, Clock clock) throws GpuBackendException {
        return open(node, settings, clock, Options.defaults());
    }

    static NvmlBackend open(String node, NvmlSettings settings, Clock clock, Options options)
            throws GpuBackendException {
        NvmlLibrary library = NvmlLibrary.load(settings.library(), options.hiddenSymbols());
        boolean initialised = false;
        try {
            int rc = Nvml.nvmlInit_v2();
            if (rc != Nvml.SUCCESS) {
                throw initFailure(rc, settings.library());
            }
            initialised = true;
            NvmlGpu[] gpus = handles(settings.library());
            NvmlBackend backend = new NvmlBackend(node, library, clock, gpus, options.eventWaitMs());
            LOG.atInfo().addKeyValue("node", node).addKeyValue("library", settings.library())
                    .addKeyValue("gpus", gpus.length).addKeyValue("driver", backend.inventory.driverVersion())
                    .log("nvml_opened");
            return backend;
        } catch (GpuBackendException | RuntimeException e) {
            if (initialised) {
                Nvml.nvmlShutdown();
            }
            library.release();
            throw e;
        }
    }

    private static GpuBackendException initFailure(int rc, String library) {
        return switch (rc) {
            case Nvml.ERROR_DRIVER_NOT_LOADED -> new GpuBackendException(Reason.LIBRARY_MISSING,
                    "the NVIDIA driver is not loaded (nvmlInit_v2 in " + library + ": " + NvmlLibrary.describe(rc)
                            + "); load the nvidia kernel module");
            case Nvml.ERROR_NO_PERMISSION -> new GpuBackendException(Reason.NO_PERMISSION,
                    "NVML refused the agent (nvmlInit_v2: " + NvmlLibrary.describe(rc)
                            + "); it needs read-write access to /dev/nvidiactl and /dev/nvidia*");
            default -> new GpuBackendException(Reason.DRIVER_ERROR, "nvmlInit_v2 in " + library + " failed: "
                    + NvmlLibrary.describe(rc));
        };
    }

    /** Every GPU's handle, UUID and product name: cached for the backend's life (they do not change). */
    private static NvmlGpu[] handles(String library) throws GpuBackendException {
        Memory out = new Memory(Native.POINTER_SIZE);
        int rc = Nvml.nvmlDeviceGetCount_v2(out);
        if (rc != Nvml.SUCCESS) {
            throw new GpuBackendException(Reason.DRIVER_ERROR, "nvmlDeviceGetCount_v2 failed: " + NvmlLibrary.describe(rc));
        }
        int count = out.getInt(0);
        if (count == 0) {
            throw new GpuBackendException(Reason.NO_GPUS, "NVML (" + library + ") sees no GPU on this node");
        }
        NvmlGpu[] gpus = new NvmlGpu[count];
        Memory text = new Memory(Math.max(Nvml.NAME_BUFFER, Nvml.UUID_BUFFER));
        for (int i = 0; i < count; i++) {
            rc = Nvml.nvmlDeviceGetHandleByIndex_v2(i, out);
            if (rc == Nvml.ERROR_GPU_IS_LOST) {
                // A GPU lost before the agent started still counts: it shows as lost, with XID 79.
                gpus[i] = new NvmlGpu(i, null, "", "");
                continue;
            }
            if (rc != Nvml.SUCCESS) {
                throw new GpuBackendException(rc == Nvml.ERROR_NO_PERMISSION ? Reason.NO_PERMISSION : Reason.DRIVER_ERROR,
                        "nvmlDeviceGetHandleByIndex_v2(" + i + ") failed: " + NvmlLibrary.describe(rc));
            }
            Pointer handle = out.getPointer(0);
            String uuid = Nvml.nvmlDeviceGetUUID(handle, text, Nvml.UUID_BUFFER) == Nvml.SUCCESS ? text.getString(0) : "";
            String name = Nvml.nvmlDeviceGetName(handle, text, Nvml.NAME_BUFFER) == Nvml.SUCCESS ? text.getString(0) : "";
            gpus[i] = new NvmlGpu(i, handle, uuid, name);
        }
        return gpus;
    }

    @Override
    public String name() {
        return "nvml";
    }

    @Override
    public NodeInventory inventory() {
        return inventory;
    }

    @Override
    public NodeSample sample(FieldSet fields) throws GpuBackendException {
        List<EntitySample> entities = new ArrayList<>(gpus.length * 2);
        List<EntitySample> instances = new ArrayList<>();
        Instant now;
        boolean rebuild = false;
        synchronized (lock) {
            requireOpen();
            now = clock.instant();
            for (NvmlGpu gpu : gpus) {
                entities.add(sampler.sampleGpu(gpu, fields, instances, linksUp));
                if (sampler.lost()) {
                    if (!gpu.lost) {
                        gpu.lost = true;
                        events.lost(gpu.index);
                    }
                    continue;
                }
                gpu.lost = false;
                rebuild |= linksUp[0] >= 0 && linksUp[0] != gpu.linksUp;
            }
            if (rebuild) {
                inventory = discovery.discover(gpus);
            }
        }
        entities.addAll(instances);
        return new NodeSample(now, entities);
    }

    @Override
    public List<GpuEvent> drainEvents() {
        return events.drain();
    }

    @Override
    public void onEvent(Runnable listener) {
        events.onEvent(listener);
    }

    /**
     * Compute processes on {@code gpu} (in MIG mode, of all its instances), by NVML's count-first
     * protocol. A lost GPU has none to report.
     */
    @Override
    public List<GpuProcess> processes(int gpu) throws GpuBackendException {
        NvmlGpu g = gpu(gpu);
        synchronized (lock) {
            requireOpen();
            return processes(g);
        }
    }

    private List<GpuProcess> processes(NvmlGpu g) throws GpuBackendException {
        if (g.handle == null) {
            return List.of();
        }
        Memory count = new Memory(4);
        count.setInt(0, 0);
        int rc = Nvml.nvmlDeviceGetComputeRunningProcesses_v3(g.handle, count, null);
        Memory infos = null;
        // Processes may start between the two calls: grow and ask again, a few times.
        for (int attempt = 0; rc == Nvml.ERROR_INSUFFICIENT_SIZE && attempt < 5; attempt++) {
            int capacity = count.getInt(0) + 8;
            infos = new Memory((long) capacity * ProcessInfo.SIZE);
            count.setInt(0, capacity);
            rc = Nvml.nvmlDeviceGetComputeRunningProcesses_v3(g.handle, count, infos);
        }
        if (rc == Nvml.ERROR_GPU_IS_LOST) {
            return List.of();
        }
        if (rc != Nvml.SUCCESS) {
            throw new GpuBackendException(rc == Nvml.ERROR_NO_PERMISSION ? Reason.NO_PERMISSION
                    : rc == Nvml.ERROR_NOT_SUPPORTED ? Reason.NOT_SUPPORTED : Reason.DRIVER_ERROR,
                    "GPU " + g.index + ": cannot list processes: " + NvmlLibrary.describe(rc));
        }
        int n = infos == null ? 0 : count.getInt(0);
        List<GpuProcess> processes = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long base = (long) i * ProcessInfo.SIZE;
            long used = infos.getLong(base + ProcessInfo.OFF_USED_GPU_MEMORY);
            processes.add(new GpuProcess(Integer.toUnsignedLong(infos.getInt(base + ProcessInfo.OFF_PID)), g.index,
                    instance(infos.getInt(base + ProcessInfo.OFF_GPU_INSTANCE_ID)),
                    instance(infos.getInt(base + ProcessInfo.OFF_COMPUTE_INSTANCE_ID)),
                    // NVML_VALUE_NOT_AVAILABLE (all ones) when the driver cannot tell: reported as 0 MiB.
                    used == -1L ? 0 : Long.divideUnsigned(used, MIB)));
        }
        return processes;
    }

    private static Integer instance(int id) {
        return id == Nvml.NO_INSTANCE ? null : id;
    }

    @Override
    public void applyMig(int gpu, boolean enabled, List<MigPlacement> placements) throws GpuBackendException {
        NvmlGpu g = gpu(gpu);
        synchronized (lock) {
            requireOpen();
            if (g.handle == null) {
                throw new GpuBackendException(Reason.DRIVER_ERROR, "GPU " + gpu + " does not answer (lost)");
            }
            if (!g.migCapable) {
                throw new GpuBackendException(Reason.NOT_SUPPORTED, "GPU " + gpu + " (" + g.product
                        + ") does not support MIG");
            }
            // Switching MIG off needs no geometry; a layout does, and only Vigil's tables know it.
            Optional<MigGpuModel> model = MigGpuModel.forProductName(g.product);
            if (enabled && model.isEmpty()) {
                throw new GpuBackendException(Reason.NOT_SUPPORTED, "GPU " + gpu + " (" + g.product
                        + "): Vigil does not know this GPU's MIG geometry (it knows " + knownModels() + ")");
            }
            List<GpuProcess> running = processes(g);
            if (!running.isEmpty()) {
                throw new GpuBackendException(Reason.REFUSED, "GPU " + gpu + " has " + running.size()
                        + " process(es) (pids " + running.stream().map(p -> String.valueOf(p.pid())).toList()
                        + "); stop them before changing its MIG layout");
            }
            List<MigPlacement> layout = enabled ? placements : List.of();
            List<String> problems = enabled ? MigLayoutValidator.problems(model.orElseThrow(), layout) : List.of();
            if (!problems.isEmpty()) {
                throw new GpuBackendException(Reason.REFUSED,
                        "GPU " + gpu + ": illegal MIG layout: " + String.join("; ", problems));
            }
            try {
                mig.apply(g, enabled, layout);
            } finally {
                inventory = discovery.discover(gpus);
            }
        }
    }

    private static String knownModels() {
        List<String> names = new ArrayList<>();
        for (MigGpuModel model : MigGpuModel.values()) {
            names.add(model.displayName());
        }
        return String.join(", ", names);
    }

    /** Stops the event thread, frees the event set and shuts NVML down. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            if (events.close()) {
                int rc = Nvml.nvmlShutdown();
                if (rc != Nvml.SUCCESS) {
                    LOG.atWarn().addKeyValue("node", node).addKeyValue("error", NvmlLibrary.describe(rc))
                            .log("nvml_shutdown_failed");
                }
                library.release();
            }
            LOG.atInfo().addKeyValue("node", node).log("nvml_closed");
        }
    }

    private void requireOpen() throws GpuBackendException {
        if (closed) {
            throw new GpuBackendException(Reason.DRIVER_ERROR, "the NVML backend is closed");
        }
    }

    private NvmlGpu gpu(int gpu) {
        InvalidValueException.require(gpu >= 0 && gpu < gpus.length, "gpu", gpu,
                "a GPU index from 0 to " + (gpus.length - 1));
        return gpus[gpu];
    }
}
