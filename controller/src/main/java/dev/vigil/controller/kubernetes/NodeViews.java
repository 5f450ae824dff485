package dev.vigil.controller.kubernetes;

import dev.vigil.api.cluster.ExecutionNode;
import dev.vigil.api.gpu.GpuDevice;
import dev.vigil.api.gpu.MigInstance;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.api.jobs.Allocation;
import dev.vigil.controller.config.BackendName;
import dev.vigil.k8s.GpuPod;
import dev.vigil.k8s.KubeNode;
import dev.vigil.k8s.VigilLabels;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A Kubernetes node as Vigil records it ({@link ExecutionNode}): whether Vigil may bind work
 * there, whose cordon keeps it from that, and the GPU pods other schedulers put on it.
 */
final class NodeViews {
    private NodeViews() {
    }

    /**
     * @param foreign     the pods other schedulers put on this node that hold GPUs
     * @param allocations what Vigil runs on the node: the GPUs it holds are not counted twice
     * @param inventory   the node's GPUs as its agent reported them (their MIG slices), or null before that
     */
    static ExecutionNode of(KubeNode node, List<GpuPod> foreign, List<Allocation> allocations,
                            NodeInventory inventory) {
        List<String> othersTaints = node.taints().stream()
                .filter(t -> !t.startsWith(VigilLabels.UNHEALTHY_TAINT + ":")
                        && !t.startsWith(VigilLabels.UNHEALTHY_TAINT + "="))
                .filter(t -> t.endsWith(":NoSchedule") || t.endsWith(":NoExecute")).toList();
        boolean ready = Boolean.TRUE.equals(node.ready());
        boolean cordonedByOthers = node.unschedulable() && !node.cordonedByVigil();
        boolean available = ready && !node.unschedulable() && othersTaints.isEmpty() && !node.taintedByVigil();
        boolean byVigil = !available && ready && !cordonedByOthers && othersTaints.isEmpty() && node.taintedByVigil();
        String state = (node.ready() == null ? "unknown" : ready ? "ready" : "notready")
                + (node.unschedulable() ? "+cordoned" : "");
        return new ExecutionNode(BackendName.KUBERNETES, state, available, byVigil,
                available ? null : reason(node, cordonedByOthers, othersTaints), null, null,
                foreignJobs(node, foreign, allocations, inventory), false, !ready);
    }

    private static String reason(KubeNode node, boolean cordonedByOthers, List<String> othersTaints) {
        List<String> why = new ArrayList<>();
        if (node.ready() == null) {
            why.add("its kubelet stopped reporting (Ready Unknown)");
        } else if (!node.ready()) {
            why.add("its kubelet is NotReady");
        }
        if (cordonedByOthers) {
            why.add("cordoned outside Vigil (spec.unschedulable)");
        }
        if (!othersTaints.isEmpty()) {
            why.add("tainted " + String.join(", ", othersTaints));
        }
        return why.isEmpty() ? "cordoned by Vigil" : String.join("; ", why);
    }

    /**
     * Other schedulers' GPU pods, each holding as many GPUs as it asks for. The kubelet, not Vigil,
     * knows which: the count is right, the indices are the node's highest that Vigil does not hold.
     * Likewise a pod asking for {@code nvidia.com/mig-<profile>} holds that many slices of the
     * profile: the node's highest (by GPU, then instance) that Vigil does not hold.
     */
    private static List<ExecutionNode.ForeignJob> foreignJobs(KubeNode node, List<GpuPod> foreign,
                                                              List<Allocation> allocations, NodeInventory inventory) {
        Set<Integer> taken = new HashSet<>();
        Set<ExecutionNode.ForeignJob.Slice> slicesTaken = new HashSet<>();
        for (Allocation allocation : allocations) {
            if (allocation.migInstances().isEmpty()) {
                taken.addAll(allocation.gpus());
            } else {
                allocation.migInstances().forEach(instance -> slicesTaken.add(
                        new ExecutionNode.ForeignJob.Slice(allocation.gpus().get(0), instance)));
            }
        }
        int next = node.gpusAllocatable().getOrDefault(VigilLabels.GPU_RESOURCE, 0) - 1;
        List<ExecutionNode.ForeignJob> jobs = new ArrayList<>();
        for (GpuPod pod : foreign) {
            List<Integer> gpus = new ArrayList<>();
            for (int wanted = pod.resources().getOrDefault(VigilLabels.GPU_RESOURCE, 0); wanted > 0 && next >= 0;
                 next--) {
                if (taken.add(next)) {
                    gpus.add(next);
                    wanted--;
                }
            }
            jobs.add(new ExecutionNode.ForeignJob(pod.namespace() + "/" + pod.name(), pod.name(), pod.namespace(),
                    gpus, slices(pod, inventory, slicesTaken)));
        }
        return jobs;
    }

    /** The slices a pod holds, of the profiles it asks for, taken from {@code taken}'s complement (and added to it). */
    private static List<ExecutionNode.ForeignJob.Slice> slices(GpuPod pod, NodeInventory inventory,
                                                               Set<ExecutionNode.ForeignJob.Slice> taken) {
        List<ExecutionNode.ForeignJob.Slice> held = new ArrayList<>();
        if (inventory == null) {
            return held;
        }
        List<GpuDevice> highestFirst = inventory.gpus().stream()
                .sorted(Comparator.comparingInt(GpuDevice::index).reversed()).toList();
        pod.resources().forEach((resource, count) -> {
            if (!resource.startsWith(VigilLabels.MIG_RESOURCE_PREFIX)) {
                return;
            }
            String profile = resource.substring(VigilLabels.MIG_RESOURCE_PREFIX.length());
            int wanted = count;
            for (GpuDevice gpu : highestFirst) {
                if (gpu.mig() == null || !gpu.mig().enabled()) {
                    continue;
                }
                List<MigInstance> instances = gpu.mig().instances().stream()
                        .sorted(Comparator.comparingInt(MigInstance::gpuInstanceId).reversed()).toList();
                for (MigInstance instance : instances) {
                    ExecutionNode.ForeignJob.Slice slice = new ExecutionNode.ForeignJob.Slice(gpu.index(),
                            instance.gpuInstanceId());
                    if (wanted > 0 && profile.equals(instance.profile()) && taken.add(slice)) {
                        held.add(slice);
                        wanted--;
                    }
                }
            }
        });
        return held;
    }
}
