package dev.vigil.controller.kubernetes;

import dev.vigil.api.cluster.ExecutionNode;
import dev.vigil.api.jobs.Allocation;
import dev.vigil.controller.config.BackendName;
import dev.vigil.k8s.GpuPod;
import dev.vigil.k8s.KubeNode;
import dev.vigil.k8s.VigilLabels;

import java.util.ArrayList;
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
     */
    static ExecutionNode of(KubeNode node, List<GpuPod> foreign, List<Allocation> allocations) {
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
                foreignJobs(node, foreign, allocations), false, !ready);
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
     * MIG slices are listed without GPUs.
     */
    private static List<ExecutionNode.ForeignJob> foreignJobs(KubeNode node, List<GpuPod> foreign,
                                                              List<Allocation> allocations) {
        Set<Integer> taken = new HashSet<>();
        allocations.forEach(a -> taken.addAll(a.gpus()));
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
                    gpus));
        }
        return jobs;
    }
}
