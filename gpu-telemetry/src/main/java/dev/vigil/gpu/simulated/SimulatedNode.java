package dev.vigil.gpu.simulated;

import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.gpu.GpuDevice;
import dev.vigil.api.gpu.GpuEvent;
import dev.vigil.api.gpu.GpuProcess;
import dev.vigil.api.gpu.MigInstance;
import dev.vigil.api.gpu.MigStatus;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.api.gpu.NodeTopology;
import dev.vigil.api.gpu.NvlinkPeer;
import dev.vigil.api.gpu.RepairAction;
import dev.vigil.api.gpu.Severity;
import dev.vigil.gpu.backend.EntitySample;
import dev.vigil.gpu.backend.GpuBackend;
import dev.vigil.gpu.backend.GpuBackendException;
import dev.vigil.gpu.backend.NodeSample;
import dev.vigil.gpu.fields.FieldSet;
import dev.vigil.gpu.mig.MigGpuModel;
import dev.vigil.gpu.mig.MigPlacement;
import dev.vigil.gpu.mig.MigProfile;
import dev.vigil.gpu.mig.MigLayoutValidator;
import dev.vigil.gpu.xid.XidCatalog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * A simulated GPU server: the {@code simulated} backend. It is a real backend, not a mock: the
 * agent samples it through the same port as DCGM and NVML, and the simulated executor runs
 * workloads on it whose load shows in its telemetry. Faults come from the spec at their time
 * or from {@link #inject} at run time. A fault that crashes an application (an XID whose repair
 * takes the GPU out of service, or an application XID) ends the workload it hits, as on a real GPU.
 */
public final class SimulatedNode implements GpuBackend {
    /**
     * A workload a fault ended.
     *
     * @param gpu         the GPU
     * @param gpuInstance the MIG GPU instance it ran on, or null for the whole GPU
     * @param xid         the XID that ended it
     */
    public record Crash(int gpu, Integer gpuInstance, int xid) {
    }

    /**
     * Whose a process on a simulated GPU is, for the agent's placement checks (a real node asks /proc).
     *
     * @param command     its command name
     * @param uid         the user it runs as
     * @param gpu         the GPU whose workload it belongs to, or null for a process of no workload
     * @param gpuInstance the MIG GPU instance of that workload, or null for a whole GPU
     */
    public record ProcessOrigin(String command, int uid, Integer gpu, Integer gpuInstance) {
    }

    /** A process a fault put on a GPU, outside the workloads. */
    private record StrayProcess(int gpu, Integer gpuInstance, ProcessOrigin origin) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(SimulatedNode.class);
    /** Workloads run as this user; stray processes as another one. */
    private static final int WORKLOAD_UID = 1000;
    private static final int STRAY_UID = 1001;
    private static final long STRAY_MEMORY_MIB = 1024;
    private static final long FIRST_STRAY_PID = 30_000;

    private final String node;
    private final SimulatedSpec spec;
    private final NodeProfile profile;
    private final Clock clock;
    private final Instant start;
    private final SimulatedGpu[] gpus;
    private final String[] uuids;
    private final Object lock = new Object();
    private final ArrayDeque<GpuEvent> events = new ArrayDeque<>();
    private final ArrayDeque<FaultSpec> scheduled;
    private volatile Runnable listener = () -> { };
    /** Until the simulated executor registers (and names the job), a crash is logged here. */
    private volatile Consumer<Crash> crashListener = crash -> LOG.atWarn().addKeyValue("node", node())
            .addKeyValue("gpu", crash.gpuInstance() == null ? String.valueOf(crash.gpu())
                    : crash.gpu() + "/" + crash.gpuInstance())
            .addKeyValue("xid", crash.xid()).log("simulated_workload_crashed");
    /** Crashes found under the lock, told to the crash listener once it is released. */
    private final List<Crash> crashes = new ArrayList<>();
    private volatile NodeInventory inventory;
    private final Map<Long, StrayProcess> strays = new TreeMap<>();
    private long nextStrayPid = FIRST_STRAY_PID;

    public SimulatedNode(String node, SimulatedSpec spec, Clock clock) {
        this.node = node;
        this.spec = spec;
        this.profile = spec.profile();
        this.clock = clock;
        this.start = clock.instant();
        long nodeKey = Noise.key(node);
        this.gpus = new SimulatedGpu[profile.gpuCount()];
        this.uuids = new String[profile.gpuCount()];
        for (int i = 0; i < gpus.length; i++) {
            gpus[i] = new SimulatedGpu(i, profile.model(), spec.seed(), nodeKey);
            uuids[i] = "GPU-" + UUID.nameUUIDFromBytes((node + "/gpu/" + i).getBytes());
        }
        for (MigSpec mig : spec.mig()) {
            List<MigPlacement> placements = SimulatedSpec.migPlacements(profile, mig, "mig");
            for (int gpu : mig.gpus()) {
                setMig(gpu, true, placements);
            }
        }
        long now = start.getEpochSecond();
        for (Workload workload : spec.workloads()) {
            for (int gpu : workload.gpus() == null ? IntStream.range(0, gpus.length).boxed().toList() : workload.gpus()) {
                gpus[gpu].run(workload, workload.gpuInstance(), now);
            }
        }
        this.scheduled = new ArrayDeque<>(spec.faults().stream()
                .sorted(Comparator.comparing(FaultSpec::at, Comparator.nullsFirst(Comparator.naturalOrder())))
                .toList());
        this.inventory = buildInventory();
    }

    @Override
    public String name() {
        return "simulated";
    }

    public String node() {
        return node;
    }

    public NodeProfile profile() {
        return profile;
    }

    /** What the node was made from, its repair delays included. */
    public SimulatedSpec spec() {
        return spec;
    }

    @Override
    public NodeInventory inventory() {
        return inventory;
    }

    @Override
    public NodeSample sample(FieldSet fields) {
        List<EntitySample> entities = new ArrayList<>(gpus.length);
        Instant now;
        boolean fired;
        synchronized (lock) {
            now = clock.instant();
            fired = fireDueFaults(now);
            long second = now.getEpochSecond();
            List<EntitySample> instances = new ArrayList<>();
            for (SimulatedGpu gpu : gpus) {
                if (gpu.lost) {
                    entities.add(EntitySample.lost(gpu.index, fields.size()));
                    continue;
                }
                gpu.advanceTo(second);
                EntitySample sample = new EntitySample(gpu.index, null, fields.size());
                gpu.fill(sample, fields);
                entities.add(sample);
                for (MigInstance instance : gpu.migInstances()) {
                    EntitySample instanceSample = new EntitySample(gpu.index, instance.gpuInstanceId(), fields.size());
                    gpu.fillInstance(instanceSample, fields, instance);
                    instances.add(instanceSample);
                }
            }
            entities.addAll(instances);
        }
        if (fired) {
            listener.run();
            tellCrashes();
        }
        return new NodeSample(now, entities);
    }

    @Override
    public List<GpuEvent> drainEvents() {
        List<GpuEvent> drained;
        synchronized (lock) {
            fireDueFaults(clock.instant());
            drained = new ArrayList<>(events);
            events.clear();
        }
        tellCrashes();
        return drained;
    }

    @Override
    public void onEvent(Runnable listener) {
        this.listener = listener;
    }

    /** Registers the callback told of each workload a fault ends (the simulated executor's hook), instead of the log line. */
    public void onCrash(Consumer<Crash> listener) {
        this.crashListener = listener;
    }

    @Override
    public List<GpuProcess> processes(int gpu) {
        requireGpu(gpu, "gpu");
        synchronized (lock) {
            SimulatedGpu g = gpus[gpu];
            List<GpuProcess> processes = new ArrayList<>();
            if (g.lost) {
                return processes;
            }
            Workload whole = g.wholeGpuWorkload();
            if (whole != null && whole.kind() != WorkloadKind.IDLE) {
                long memory = Math.round(whole.typicalMemory() * (g.model.memoryMiB() - g.model.reservedMiB()));
                processes.add(new GpuProcess(pid(gpu, null), gpu, null, null, memory));
            }
            for (MigInstance instance : g.migInstances()) {
                Workload workload = g.instanceWorkload(instance.gpuInstanceId());
                if (workload != null && workload.kind() != WorkloadKind.IDLE) {
                    processes.add(new GpuProcess(pid(gpu, instance.gpuInstanceId()), gpu, instance.gpuInstanceId(),
                            0, Math.round(workload.typicalMemory() * instance.memoryMiB())));
                }
            }
            strays.forEach((pid, stray) -> {
                if (stray.gpu() == gpu) {
                    processes.add(new GpuProcess(pid, gpu, stray.gpuInstance(), stray.gpuInstance() == null ? null : 0,
                            STRAY_MEMORY_MIB));
                }
            });
            return processes;
        }
    }

    /**
     * Ends a stray process (one a {@code rogue-process} or {@code overreach-process} fault put on a GPU), as a
     * signal would end a real one; false when no stray process has that PID.
     */
    public boolean endStray(long pid) {
        synchronized (lock) {
            return strays.remove(pid) != null;
        }
    }

    /** Whose process {@code pid} is, or empty when no such process runs on this node's GPUs. */
    public Optional<ProcessOrigin> origin(long pid) {
        synchronized (lock) {
            StrayProcess stray = strays.get(pid);
            if (stray != null) {
                return Optional.of(stray.origin());
            }
            for (SimulatedGpu g : gpus) {
                if (g.lost) {
                    continue;
                }
                Workload whole = g.wholeGpuWorkload();
                if (pid == pid(g.index, null) && whole != null && whole.kind() != WorkloadKind.IDLE) {
                    return Optional.of(workloadOrigin(whole, g.index, null));
                }
                for (MigInstance instance : g.migInstances()) {
                    Workload workload = g.instanceWorkload(instance.gpuInstanceId());
                    if (pid == pid(g.index, instance.gpuInstanceId()) && workload != null
                            && workload.kind() != WorkloadKind.IDLE) {
                        return Optional.of(workloadOrigin(workload, g.index, instance.gpuInstanceId()));
                    }
                }
            }
            return Optional.empty();
        }
    }

    private static ProcessOrigin workloadOrigin(Workload workload, int gpu, Integer gpuInstance) {
        return new ProcessOrigin(workload.kind().name().toLowerCase(), WORKLOAD_UID, gpu, gpuInstance);
    }

    @Override
    public void applyMig(int gpu, boolean enabled, List<MigPlacement> placements) throws GpuBackendException {
        requireGpu(gpu, "gpu");
        if (!profile.model().migCapable()) {
            throw new GpuBackendException(GpuBackendException.Reason.NOT_SUPPORTED,
                    "GPU " + gpu + " (" + profile.model().product() + ") does not support MIG");
        }
        List<GpuProcess> running = processes(gpu);
        if (!running.isEmpty()) {
            throw new GpuBackendException(GpuBackendException.Reason.REFUSED, "GPU " + gpu + " has "
                    + running.size() + " process(es) (pids " + running.stream().map(p -> String.valueOf(p.pid()))
                    .toList() + "); stop them before changing its MIG layout");
        }
        List<String> problems = MigLayoutValidator.problems(migModel(gpu), placements);
        if (!problems.isEmpty()) {
            throw new GpuBackendException(GpuBackendException.Reason.REFUSED,
                    "GPU " + gpu + ": illegal MIG layout: " + String.join("; ", problems));
        }
        synchronized (lock) {
            if (enabled != gpus[gpu].migEnabled() && modeSwitchWaitsForReset(gpu)) {
                gpus[gpu].pendMigMode(enabled);
                inventory = buildInventory();
                throw new GpuBackendException(GpuBackendException.Reason.RESET_REQUIRED, "GPU " + gpu + ": MIG "
                        + (enabled ? "on" : "off") + " is pending: a GPU reset is needed to apply it (nvidia-smi -r -i "
                        + gpu + ", or reboot the node)");
            }
        }
        setMig(gpu, enabled, enabled ? placements : List.of());
        inventory = buildInventory();
    }

    /**
     * Whether switching {@code gpu}'s MIG mode waits for a GPU reset, as NVML's activation status says on
     * real GPUs: on an A100 the new mode is pending until the GPU is reset; a Hopper (H100, H200) switches
     * at once, its MIG mode being held by the driver (reference note: "Hopper MIG enablement is
     * driver-held").
     */
    private boolean modeSwitchWaitsForReset(int gpu) {
        MigGpuModel model = migModel(gpu);
        return model == MigGpuModel.A100_40GB || model == MigGpuModel.A100_80GB;
    }

    /** Starts {@code workload} on a GPU (or one of its MIG instances); the simulated executor's hook. */
    public void run(int gpu, Integer gpuInstance, Workload workload) {
        requireGpu(gpu, "gpu");
        synchronized (lock) {
            gpus[gpu].run(workload, gpuInstance, clock.instant().getEpochSecond());
        }
    }

    /** Stops what runs on a GPU (or one of its MIG instances). */
    public void stop(int gpu, Integer gpuInstance) {
        requireGpu(gpu, "gpu");
        synchronized (lock) {
            gpus[gpu].stop(gpuInstance);
        }
    }

    /** Injects a fault now; throws {@link InvalidValueException} when it cannot apply to this node. */
    public void inject(FaultSpec fault) {
        validate(fault);
        synchronized (lock) {
            apply(fault, clock.instant());
        }
        listener.run();
        tellCrashes();
    }

    private void tellCrashes() {
        List<Crash> told;
        synchronized (lock) {
            told = List.copyOf(crashes);
            crashes.clear();
        }
        told.forEach(crashListener);
    }

    /** The faults a diagnostic of {@code gpu} finds now, in words; empty for a sound GPU. */
    public List<String> faults(int gpu) {
        requireGpu(gpu, "gpu");
        synchronized (lock) {
            return gpus[gpu].faults();
        }
    }

    /**
     * The node back from a reboot: every workload gone, every GPU reset (a lost GPU answers
     * again, a pending MIG mode takes effect) and its MIG instances gone, the mode kept, as on real
     * GPUs. A row-remap failure stays, as after {@link #clearFaults}.
     *
     * @return what the reboot could not clear, one line per GPU
     */
    public List<String> reboot() {
        return repair(null, "node reboot", true);
    }

    /**
     * Repairs GPUs as a GPU reset would: faults gone, volatile counters cleared, a pending MIG mode
     * switched to (with no instances). A row-remap
     * failure stays: that GPU needs an RMA ({@link #replace}). {@code gpu} null repairs every GPU.
     *
     * @return what the reset could not clear, one line per GPU ("gpu 2: row remapping failed ..."); empty when
     *         nothing is left
     */
    public List<String> clearFaults(Integer gpu) {
        return repair(gpu, "GPU reset", false);
    }

    private List<String> repair(Integer gpu, String how, boolean endWork) {
        if (gpu != null) {
            requireGpu(gpu, "gpu");
        }
        Instant now = clock.instant();
        List<String> remaining = new ArrayList<>();
        synchronized (lock) {
            for (SimulatedGpu g : gpus) {
                if (gpu == null || g.index == gpu) {
                    if (endWork) {
                        g.crash(null);
                    }
                    g.reset();
                    strays.values().removeIf(stray -> stray.gpu() == g.index);
                    if (endWork) {
                        g.dropMigInstances();
                    }
                    events.add(new GpuEvent(0, now, g.index, uuids[g.index], null, null, GpuEvent.Kind.FAULT, null,
                            Severity.INFO, RepairAction.NONE, "faults cleared on gpu " + g.index + " (" + how + ")"));
                    if (g.remapFailure) {
                        remaining.add("gpu " + g.index + ": row remapping failed, which a reset does not clear:"
                                + " the GPU needs an RMA (replace=true simulates the new GPU)");
                    }
                }
            }
            inventory = buildInventory();
        }
        listener.run();
        return remaining;
    }

    /**
     * The GPU swapped for a new one, as after an RMA: nothing of the old one's faults or lifetime
     * counters is left. It keeps its UUID, so that the rest of the simulation still knows it.
     */
    public void replace(int gpu) {
        requireGpu(gpu, "gpu");
        Instant now = clock.instant();
        synchronized (lock) {
            gpus[gpu].replaced();
            events.add(new GpuEvent(0, now, gpu, uuids[gpu], null, null, GpuEvent.Kind.FAULT, null,
                    Severity.INFO, RepairAction.NONE, "gpu " + gpu + " replaced (RMA)"));
            inventory = buildInventory();
        }
        listener.run();
    }

    @Override
    public void close() {
        // Nothing to release: the simulator holds no native resources.
    }

    private boolean fireDueFaults(Instant now) {
        boolean fired = false;
        while (!scheduled.isEmpty()) {
            FaultSpec next = scheduled.peek();
            Instant due = next.at() == null ? start : start.plus(next.at());
            if (due.isAfter(now)) {
                break;
            }
            scheduled.poll();
            validate(next);
            apply(next, due);
            fired = true;
        }
        return fired;
    }

    private void validate(FaultSpec fault) {
        requireGpu(fault.gpu(), "gpu");
        SimulatedGpu g = gpus[fault.gpu()];
        if (fault.kind() == FaultKind.NVLINK_DOWN) {
            InvalidValueException.require(g.model.nvlinkLinks() > 0, "kind", "nvlink-down",
                    "a fault this GPU can have: GPU " + fault.gpu() + " (" + g.model.product() + ") has no NVLink");
            if (fault.links() != null) {
                InvalidValueException.require(fault.links() <= g.model.nvlinkLinks(), "links", fault.links(),
                        "1 to " + g.model.nvlinkLinks());
            }
        }
        if (fault.kind() == FaultKind.OVERREACH_PROCESS) {
            synchronized (lock) {
                InvalidValueException.require(overreachFrom(fault.gpu()).isPresent(), "kind", "overreach-process",
                        "a fault with a workload to overreach from: no other GPU of this node runs one");
            }
        }
        if (fault.gpuInstance() != null) {
            boolean exists = g.migInstances().stream().anyMatch(m -> m.gpuInstanceId() == fault.gpuInstance());
            InvalidValueException.require(exists, "gpuInstance", fault.gpuInstance(), "a MIG GPU instance of GPU "
                    + fault.gpu() + ": " + g.migInstances().stream().map(MigInstance::gpuInstanceId).toList());
        }
    }

    private void apply(FaultSpec fault, Instant at) {
        SimulatedGpu g = gpus[fault.gpu()];
        events.add(new GpuEvent(0, at, g.index, uuids[g.index], fault.gpuInstance(), null, GpuEvent.Kind.FAULT, null,
                Severity.INFO, RepairAction.NONE, "injected fault: " + fault.describe()));
        FaultKind kind = fault.kind();
        if (kind == FaultKind.XID && fault.xid() == 79) {
            kind = FaultKind.FALLEN_OFF_BUS;
        } else if (kind == FaultKind.XID && fault.xid() == 48) {
            kind = FaultKind.ECC_DBE;
        }
        switch (kind) {
            case XID -> xid(g, fault.xid(), fault.gpuInstance(), at);
            case ECC_DBE -> {
                g.dbeVolatile++;
                g.dbeAggregate++;
                if (g.model.rowRemapping()) {
                    g.remappedUncorrectable++;
                    g.remapPending = true;
                } else {
                    g.retiredDbe++;
                    g.retiredPending++;
                }
                g.recoveryAction = 1;
                xid(g, 48, fault.gpuInstance(), at);
            }
            case ROW_REMAP_FAILURE -> {
                g.remapFailure = true;
                xid(g, 64, fault.gpuInstance(), at);
            }
            case THERMAL_RUNAWAY -> g.thermalRunaway = true;
            case NVLINK_DOWN -> {
                int down = fault.links() == null ? g.model.nvlinkLinks() : fault.links();
                g.linksDown = Math.max(g.linksDown, down);
                g.nvlinkRecovery += down;
                xid(g, 74, null, at);
                inventory = buildInventory();
            }
            case FALLEN_OFF_BUS -> {
                xid(g, 79, null, at);
                g.lost = true;
            }
            case POWER_BRAKE -> g.powerBrake = true;
            case ROGUE_PROCESS -> strays.put(nextStrayPid++, new StrayProcess(g.index, fault.gpuInstance(),
                    new ProcessOrigin("rogue", STRAY_UID, null, null)));
            case OVERREACH_PROCESS -> overreachFrom(g.index).ifPresent(origin ->
                    strays.put(nextStrayPid++, new StrayProcess(g.index, fault.gpuInstance(), origin)));
        }
    }

    /** The workload on another GPU that an overreaching process on {@code gpu} belongs to: the first one found. */
    private Optional<ProcessOrigin> overreachFrom(int gpu) {
        for (SimulatedGpu other : gpus) {
            if (other.index == gpu || other.lost) {
                continue;
            }
            Workload whole = other.wholeGpuWorkload();
            if (whole != null && whole.kind() != WorkloadKind.IDLE) {
                return Optional.of(workloadOrigin(whole, other.index, null));
            }
            for (MigInstance instance : other.migInstances()) {
                Workload workload = other.instanceWorkload(instance.gpuInstanceId());
                if (workload != null && workload.kind() != WorkloadKind.IDLE) {
                    return Optional.of(workloadOrigin(workload, other.index, instance.gpuInstanceId()));
                }
            }
        }
        return Optional.empty();
    }

    private void xid(SimulatedGpu g, int code, Integer gpuInstance, Instant at) {
        g.lastXid = code;
        RepairAction action = XidCatalog.lookup(code).action();
        events.add(XidCatalog.lookup(code).event(at, g.index, uuids[g.index], gpuInstance, gpuInstance == null ? null : 0));
        // An application XID ends the application it names; a GPU out of service ends everything on it.
        if (action == RepairAction.RESTART_APP || action.takesGpuOutOfService()) {
            Integer hit = action == RepairAction.RESTART_APP ? gpuInstance : null;
            for (Integer slot : g.crash(hit)) {
                crashes.add(new Crash(g.index, slot, code));
            }
        }
    }

    private void setMig(int gpu, boolean enabled, List<MigPlacement> placements) {
        MigGpuModel model = migModel(gpu);
        List<MigInstance> instances = new ArrayList<>();
        int id = 1;
        for (MigPlacement placement : placements) {
            MigProfile migProfile = model.profile(placement.profile()).orElseThrow();
            instances.add(new MigInstance(id, migProfile.name(), placement.start(), migProfile.memorySlices(),
                    "MIG-" + UUID.nameUUIDFromBytes((uuids[gpu] + "/gi/" + id).getBytes()), migProfile.memoryMiB()));
            id++;
        }
        synchronized (lock) {
            gpus[gpu].setMig(enabled, instances);
        }
    }

    private MigGpuModel migModel(int gpu) {
        return MigGpuModel.forProductName(gpus[gpu].model.product()).orElseThrow(() -> new InvalidValueException("gpu",
                gpu, "a MIG-capable GPU; " + gpus[gpu].model.product() + " has no MIG"));
    }

    private NodeInventory buildInventory() {
        List<GpuDevice> devices = new ArrayList<>(gpus.length);
        boolean nvswitch = profile.nvlink().equals("nvswitch");
        for (SimulatedGpu g : gpus) {
            List<NvlinkPeer> peers = new ArrayList<>();
            if (nvswitch && g.linksUp() > 0) {
                for (SimulatedGpu other : gpus) {
                    if (other != g && other.linksUp() > 0) {
                        peers.add(new NvlinkPeer(other.index, Math.min(g.linksUp(), other.linksUp())));
                    }
                }
            }
            MigStatus mig = g.model.migCapable()
                    ? new MigStatus(true, g.migEnabled(), g.migInstances()) : MigStatus.notCapable();
            NodeTopology.NumaNode numa = profile.numaOf(g.index);
            devices.add(new GpuDevice(g.index, uuids[g.index], g.model.product(), profile.busId(g.index),
                    g.model.pciDeviceId(), g.model.memoryMiB(), numa.id(), numa.cpus(), g.linksUp(), peers, mig));
        }
        List<List<Integer>> domains = nvswitch
                ? List.of(IntStream.range(0, gpus.length).boxed().toList()) : List.of();
        return new NodeInventory(node, name(), NodeProfile.DRIVER_VERSION, devices,
                new NodeTopology(profile.nvlink(), domains, profile.pcieSwitches(), profile.numaNodes()));
    }

    private void requireGpu(Integer gpu, String field) {
        InvalidValueException.require(gpu != null && gpu >= 0 && gpu < gpus.length, field, gpu,
                "a GPU index from 0 to " + (gpus.length - 1));
    }

    private static long pid(int gpu, Integer gpuInstance) {
        return 20_000L + gpu * 100L + (gpuInstance == null ? 0 : gpuInstance + 1);
    }
}
