package dev.vigil.controller.kubernetes;

import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.gpu.GpuDevice;
import dev.vigil.api.jobs.Placement;
import dev.vigil.api.placement.JudgedProcess;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Which GPUs the device plugin gave a pod, as its node's agent sees them: Vigil binds a pod to a
 * node asking for N GPUs, and the device plugin, not Vigil, picks which N. The agent attributes
 * each GPU process to its pod ({@code pod:<uid>}); where a pod's processes run on GPUs other than
 * the placement's, the placement moves to them.
 */
final class DevicePluginGpus {
    private static final String POD_OWNER = "pod:";

    private DevicePluginGpus() {
    }

    /**
     * The placement on the GPUs the pod's processes use, or null when they use none outside it (or
     * the node's report cannot say). A pod that uses only some of its GPUs keeps, for the others,
     * the placement's GPUs its processes do not use: the device plugin gave it that many, and which
     * ones is not known until a process runs there. A MIG slice stays where it is.
     *
     * @param podUid the pod's uid
     * @param node   the node as last reported (its processes, its inventory)
     */
    static Placement moved(Placement placement, String podUid, NodeRecord node) {
        if (podUid == null || node == null || node.inventory() == null || !placement.migInstances().isEmpty()) {
            return null;
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
}
