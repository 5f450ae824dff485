package dev.vigil.controller.kubernetes;

import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.gpu.GpuDevice;
import dev.vigil.api.gpu.MigInstance;
import dev.vigil.api.jobs.Placement;
import dev.vigil.api.placement.JudgedProcess;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Which GPUs the device plugin gave a pod, as its node's agent sees them: Vigil binds a pod to a
 * node asking for N GPUs, and the device plugin, not Vigil, picks which N. The agent attributes
 * each GPU process to its pod ({@code pod:<uid>}); where a pod's processes run on GPUs other than
 * the placement's, the placement moves to them. A MIG slice moves to the GPU instance the pod's processes run in,
 * when it is of the same profile (the device plugin picks among the instances of the profile asked for).
 */
final class DevicePluginGpus {
    private static final String POD_OWNER = "pod:";

    private DevicePluginGpus() {
    }

    /**
     * The placement on the GPUs the pod's processes use, or null when they use none outside it (or
     * the node's report cannot say). A pod that uses only some of its GPUs keeps, for the others,
     * the placement's GPUs its processes do not use: the device plugin gave it that many, and which
     * ones is not known until a process runs there.
     *
     * @param podUid  the pod's uid
     * @param node    the node as last reported (its processes, its inventory)
     * @param ignored told why, when a MIG slice's pod runs in an instance it cannot move to
     */
    static Placement moved(Placement placement, String podUid, NodeRecord node, Consumer<String> ignored) {
        if (podUid == null || node == null || node.inventory() == null) {
            return null;
        }
        if (!placement.migInstances().isEmpty()) {
            return movedSlice(placement, podUid, node, ignored);
        }
        TreeSet<Integer> seen = new TreeSet<>();
        for (JudgedProcess process : node.processes()) {
            if ((POD_OWNER + podUid).equals(process.owner())) {
                seen.add(process.gpu());
            }
        }
        if (seen.isEmpty() || placement.gpus().containsAll(seen) || seen.size() > placement.gpus().size()) {
            return null;
        }
        TreeSet<Integer> gpus = new TreeSet<>(seen);
        for (int held : placement.gpus()) {
            if (gpus.size() < placement.gpus().size() && !seen.contains(held)) {
                gpus.add(held);
            }
        }
        List<String> uuids = new ArrayList<>();
        for (int gpu : gpus) {
            String uuid = node.inventory().gpus().stream().filter(d -> d.index() == gpu).map(GpuDevice::uuid)
                    .findFirst().orElse(null);
            if (uuid == null) {
                return null;   // a GPU the inventory does not have: a report of another layout
            }
            uuids.add(uuid);
        }
        return new Placement(placement.node(), List.copyOf(gpus), uuids, List.of(), placement.replica());
    }

    /** A one-slice placement in the one other instance of its profile the pod's processes run in, or null. */
    private static Placement movedSlice(Placement placement, String podUid, NodeRecord node, Consumer<String> ignored) {
        Set<List<Integer>> seen = new LinkedHashSet<>();
        for (JudgedProcess process : node.processes()) {
            if ((POD_OWNER + podUid).equals(process.owner()) && process.gpuInstance() != null) {
                seen.add(List.of(process.gpu(), process.gpuInstance()));
            }
        }
        List<Integer> held = List.of(placement.gpus().get(0), placement.migInstances().get(0));
        if (seen.size() != 1 || seen.contains(held)) {
            return null;   // not seen yet, where it was placed, or in several slices: not the device plugin's one pick
        }
        List<Integer> at = seen.iterator().next();
        MigInstance from = instance(node, held.get(0), held.get(1));
        MigInstance to = instance(node, at.get(0), at.get(1));
        if (to == null || from == null) {
            ignored.accept("GPU " + at.get(0) + " instance " + at.get(1) + " or the placement's GPU " + held.get(0)
                    + " instance " + held.get(1) + " is not in the node's inventory");
            return null;
        }
        if (!to.profile().equals(from.profile())) {
            ignored.accept("GPU " + at.get(0) + " instance " + at.get(1) + " is a " + to.profile() + " slice, the pod"
                    + " asked for " + from.profile());
            return null;
        }
        String uuid = node.inventory().gpus().stream().filter(d -> d.index() == at.get(0)).map(GpuDevice::uuid)
                .findFirst().orElseThrow();
        return new Placement(placement.node(), List.of(at.get(0)), List.of(uuid), List.of(at.get(1)),
                placement.replica());
    }

    private static MigInstance instance(NodeRecord node, int gpu, int gpuInstance) {
        for (GpuDevice device : node.inventory().gpus()) {
            if (device.index() == gpu && device.mig() != null) {
                for (MigInstance instance : device.mig().instances()) {
                    if (instance.gpuInstanceId() == gpuInstance) {
                        return instance;
                    }
                }
            }
        }
        return null;
    }
}
