package dev.vigil.gpu.nvml;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dev.vigil.api.gpu.CpuList;
import dev.vigil.api.gpu.GpuDevice;
import dev.vigil.api.gpu.MigInstance;
import dev.vigil.api.gpu.MigStatus;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.api.gpu.NodeTopology;
import dev.vigil.gpu.nvml.NvmlStructs.GpuInstanceInfo;
import dev.vigil.gpu.nvml.NvmlStructs.PciInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Builds the node's inventory from NVML: per GPU its PCI identity, memory, NUMA node, CPU affinity,
 * NVLink links and MIG state, and for the node the NVLink fabric, the PCIe switches and the NUMA
 * nodes. It runs at open and again after a MIG change or an NVLink link going up or down, never
 * per sample. A call that fails leaves that fact unknown (null, none) and is logged once.
 */
final class NvmlDiscovery {
    private static final Logger LOG = LoggerFactory.getLogger(NvmlDiscovery.class);
    private static final long MIB = 1024L * 1024L;
    /** CPU affinity words asked for: 4096 CPUs. */
    private static final int AFFINITY_WORDS = 64;

    private final String node;
    private final NvmlLibrary library;
    private final Set<String> logged = new HashSet<>();

    NvmlDiscovery(String node, NvmlLibrary library) {
        this.node = node;
        this.library = library;
    }

    /** What one GPU reported. */
    private record Found(String busId, String pciDeviceId, long memoryMiB, Integer numa, long[] cpus,
                         List<NvlinkTopology.Link> links, MigStatus mig) {
        static Found unknown() {
            return new Found("", "", 0, null, null, List.of(), MigStatus.notCapable());
        }
    }

    /** Reads everything again and updates each {@link NvmlGpu}'s link and MIG state. */
    NodeInventory discover(NvmlGpu[] gpus) {
        Memory out = new Memory(16);
        List<Found> found = new ArrayList<>(gpus.length);
        for (NvmlGpu gpu : gpus) {
            found.add(gpu.handle == null ? Found.unknown() : discover(gpu, out));
        }
        NvlinkTopology nvlink = NvlinkTopology.of(found.stream().map(Found::busId).toList(),
                found.stream().map(Found::links).toList());
        List<GpuDevice> devices = new ArrayList<>(gpus.length);
        for (NvmlGpu gpu : gpus) {
            Found f = found.get(gpu.index);
            gpu.links = f.links().size();
            gpu.linksUp = nvlink.linksUp(gpu.index);
            devices.add(new GpuDevice(gpu.index, gpu.uuid, gpu.product, f.busId(), f.pciDeviceId(), f.memoryMiB(),
                    f.numa(), f.cpus() == null ? null : CpuList.format(f.cpus()), gpu.linksUp,
                    nvlink.peers(gpu.index), f.mig()));
        }
        NodeTopology topology = new NodeTopology(nvlink.fabric(), nvlink.domains(), pcieSwitches(gpus, out),
                numaNodes(found));
        return new NodeInventory(node, "nvml", driverVersion(), devices, topology);
    }

    private Found discover(NvmlGpu gpu, Memory out) {
        Pointer device = gpu.handle;
        PciInfo pci = new PciInfo();
        String busId = "";
        String pciDeviceId = "";
        if (ok(Nvml.nvmlDeviceGetPciInfo_v3(device, pci.getPointer()), gpu, "nvmlDeviceGetPciInfo_v3")) {
            pci.read();
            busId = busId(pci);
            pciDeviceId = String.format("0x%08X", pci.pciDeviceId);
        }
        long memoryMiB = 0;
        Memory memory = new Memory(NvmlStructs.Memory.SIZE);
        if (ok(Nvml.nvmlDeviceGetMemoryInfo(device, memory), gpu, "nvmlDeviceGetMemoryInfo")) {
            memoryMiB = memory.getLong(NvmlStructs.Memory.OFF_TOTAL) / MIB;
        }
        Integer numa = null;
        if (library.has(NvmlLibrary.Optional.NUMA_NODE_ID)
                && ok(Nvml.NumaNodeId.nvmlDeviceGetNumaNodeId(device, out), gpu, "nvmlDeviceGetNumaNodeId")) {
            numa = out.getInt(0);
        }
        long[] cpus = null;
        Memory affinity = new Memory((long) AFFINITY_WORDS * Native.LONG_SIZE);
        if (ok(Nvml.nvmlDeviceGetCpuAffinity(device, AFFINITY_WORDS, affinity), gpu, "nvmlDeviceGetCpuAffinity")) {
            cpus = new long[AFFINITY_WORDS * Native.LONG_SIZE / Long.BYTES];
            for (int i = 0; i < cpus.length; i++) {
                cpus[i] = affinity.getLong((long) i * Long.BYTES);
            }
        }
        return new Found(busId, pciDeviceId, memoryMiB, numa, cpus, links(gpu, out), mig(gpu, out));
    }

    /** DCGM's form, {@code 00000000:18:00.0}: 8-digit domain, upper-case hex. */
    static String busId(PciInfo pci) {
        return String.format("%08X:%02X:%02X.0", pci.domain, pci.bus, pci.device);
    }

    /** Links 0.. until the GPU says there are no more (NOT_SUPPORTED without NVLink, INVALID_ARGUMENT past the last). */
    private List<NvlinkTopology.Link> links(NvmlGpu gpu, Memory out) {
        List<NvlinkTopology.Link> links = new ArrayList<>();
        PciInfo remote = new PciInfo();
        for (int link = 0; link < Nvml.NVLINK_MAX_LINKS; link++) {
            int rc = Nvml.nvmlDeviceGetNvLinkState(gpu.handle, link, out);
            if (rc == Nvml.ERROR_NOT_SUPPORTED || rc == Nvml.ERROR_INVALID_ARGUMENT || !ok(rc, gpu, "nvmlDeviceGetNvLinkState")) {
                break;
            }
            boolean up = out.getInt(0) == 1;
            int type = -1;
            String remoteBus = null;
            if (up && ok(Nvml.nvmlDeviceGetNvLinkRemoteDeviceType(gpu.handle, link, out), gpu,
                    "nvmlDeviceGetNvLinkRemoteDeviceType")) {
                type = out.getInt(0);
            }
            if (up && ok(Nvml.nvmlDeviceGetNvLinkRemotePciInfo_v2(gpu.handle, link, remote.getPointer()), gpu,
                    "nvmlDeviceGetNvLinkRemotePciInfo_v2")) {
                remote.read();
                remoteBus = busId(remote);
            }
            links.add(new NvlinkTopology.Link(up, type, remoteBus));
        }
        return links;
    }

    private MigStatus mig(NvmlGpu gpu, Memory out) {
        int rc = Nvml.nvmlDeviceGetMigMode(gpu.handle, out, out.share(4));
        gpu.migDevices = List.of();
        if (rc == Nvml.ERROR_NOT_SUPPORTED || !ok(rc, gpu, "nvmlDeviceGetMigMode")) {
            gpu.migCapable = false;
            gpu.migEnabled = false;
            return MigStatus.notCapable();
        }
        gpu.migCapable = true;
        gpu.migEnabled = out.getInt(0) == Nvml.MIG_ENABLE;
        if (!gpu.migEnabled) {
            return new MigStatus(true, false, List.of());
        }
        try {
            return new MigStatus(true, true, instances(gpu));
        } catch (NvmlException e) {
            ok(e.rc(), gpu, e.step());
            return new MigStatus(true, true, List.of());
        }
    }

    /** GPU instances with their placement, and the first MIG device of each (its UUID and memory). */
    private List<MigInstance> instances(NvmlGpu gpu) throws NvmlException {
        if (gpu.profiles == null) {
            gpu.profiles = MigProfiles.read(gpu.handle, gpu.product);
        }
        Memory count = new Memory(4);
        List<GpuInstanceInfo> infos = new ArrayList<>();
        for (MigProfiles.Profile profile : gpu.profiles.all()) {
            Memory handles = new Memory((long) Math.max(1, profile.instanceCount()) * Native.POINTER_SIZE);
            NvmlException.check(Nvml.nvmlDeviceGetGpuInstances(gpu.handle, profile.id(), handles, count),
                    "list GPU instances of " + profile.name());
            for (int i = 0; i < count.getInt(0); i++) {
                GpuInstanceInfo info = new GpuInstanceInfo();
                NvmlException.check(Nvml.nvmlGpuInstanceGetInfo(handles.getPointer((long) i * Native.POINTER_SIZE),
                        info.getPointer()), "read GPU instance info");
                info.read();
                infos.add(info);
            }
        }
        Map<Integer, NvmlGpu.MigDevice> devices = new LinkedHashMap<>();
        Map<Integer, String> uuids = new TreeMap<>();
        NvmlException.check(Nvml.nvmlDeviceGetMaxMigDeviceCount(gpu.handle, count), "count MIG devices");
        int max = count.getInt(0);
        Memory handle = new Memory(Native.POINTER_SIZE);
        Memory uuid = new Memory(Nvml.UUID_BUFFER);
        for (int i = 0; i < max; i++) {
            int rc = Nvml.nvmlDeviceGetMigDeviceHandleByIndex(gpu.handle, i, handle);
            if (rc == Nvml.ERROR_NOT_FOUND) {
                continue;
            }
            NvmlException.check(rc, "get MIG device " + i);
            Pointer mig = handle.getPointer(0);
            NvmlException.check(Nvml.nvmlDeviceGetGpuInstanceId(mig, count), "read GPU instance id of MIG device " + i);
            int gi = count.getInt(0);
            if (!devices.containsKey(gi)) {
                devices.put(gi, new NvmlGpu.MigDevice(gi, mig));
                if (Nvml.nvmlDeviceGetUUID(mig, uuid, Nvml.UUID_BUFFER) == Nvml.SUCCESS) {
                    uuids.put(gi, uuid.getString(0));
                }
            }
        }
        gpu.migDevices = List.copyOf(devices.values());
        List<MigInstance> instances = new ArrayList<>();
        for (GpuInstanceInfo gi : infos) {
            MigProfiles.Profile profile = gpu.profiles.withId(gi.profileId).orElseThrow();
            instances.add(new MigInstance(gi.id, profile.name(), gi.placement.start, gi.placement.size,
                    uuids.get(gi.id), profile.memoryMiB()));
        }
        instances.sort(Comparator.comparingInt(MigInstance::start));
        return instances;
    }

    /** GPUs whose nearest common PCIe ancestor is a switch (one or several, short of the host bridge). */
    private List<List<Integer>> pcieSwitches(NvmlGpu[] gpus, Memory out) {
        int[] parent = new int[gpus.length];
        for (int i = 0; i < parent.length; i++) {
            parent[i] = i;
        }
        for (int i = 0; i < gpus.length; i++) {
            for (int j = i + 1; j < gpus.length; j++) {
                if (gpus[i].handle == null || gpus[j].handle == null) {
                    continue;
                }
                int rc = Nvml.nvmlDeviceGetTopologyCommonAncestor(gpus[i].handle, gpus[j].handle, out);
                if (ok(rc, gpus[i], "nvmlDeviceGetTopologyCommonAncestor") && out.getInt(0) <= Nvml.TOPOLOGY_MULTIPLE) {
                    NvlinkTopology.union(parent, i, j);
                }
            }
        }
        return NvlinkTopology.groups(parent, 2);
    }

    /** NUMA nodes the GPUs report, with the CPUs of their GPUs' affinity. */
    private static List<NodeTopology.NumaNode> numaNodes(List<Found> found) {
        Map<Integer, long[]> cpus = new TreeMap<>();
        Map<Integer, List<Integer>> members = new TreeMap<>();
        for (int gpu = 0; gpu < found.size(); gpu++) {
            Found f = found.get(gpu);
            if (f.numa() == null) {
                continue;
            }
            members.computeIfAbsent(f.numa(), k -> new ArrayList<>()).add(gpu);
            long[] union = cpus.computeIfAbsent(f.numa(), k -> new long[0]);
            if (f.cpus() != null) {
                long[] merged = Arrays.copyOf(union, Math.max(union.length, f.cpus().length));
                for (int w = 0; w < f.cpus().length; w++) {
                    merged[w] |= f.cpus()[w];
                }
                cpus.put(f.numa(), merged);
            }
        }
        List<NodeTopology.NumaNode> nodes = new ArrayList<>();
        members.forEach((id, gpus) -> nodes.add(new NodeTopology.NumaNode(id, CpuList.format(cpus.get(id)), gpus)));
        return nodes;
    }

    private String driverVersion() {
        Memory version = new Memory(Nvml.DRIVER_VERSION_BUFFER);
        int rc = Nvml.nvmlSystemGetDriverVersion(version, Nvml.DRIVER_VERSION_BUFFER);
        if (rc != Nvml.SUCCESS) {
            logOnce(-1, "nvmlSystemGetDriverVersion", rc);
            return "";
        }
        return version.getString(0);
    }

    /** True on SUCCESS; NOT_SUPPORTED is an answer (the fact does not exist); anything else is logged once. */
    private boolean ok(int rc, NvmlGpu gpu, String call) {
        if (rc == Nvml.SUCCESS) {
            return true;
        }
        if (rc != Nvml.ERROR_NOT_SUPPORTED) {
            logOnce(gpu.index, call, rc);
        }
        return false;
    }

    private void logOnce(int gpu, String call, int rc) {
        if (logged.add(gpu + "/" + call + "/" + rc)) {
            LOG.atWarn().addKeyValue("node", node).addKeyValue("gpu", gpu).addKeyValue("call", call)
                    .addKeyValue("error", NvmlLibrary.describe(rc)).log("nvml_discovery_failed");
        }
    }
}
