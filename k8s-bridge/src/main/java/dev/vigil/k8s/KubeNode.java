package dev.vigil.k8s;

import java.util.List;
import java.util.Map;

/**
 * A node as the API server shows it.
 *
 * @param name             its name (Vigil's node name: the agent reports under the same one)
 * @param ready            its Ready condition: true, false, or null when unknown (the kubelet went silent)
 * @param unschedulable    {@code spec.unschedulable}: cordoned, by Vigil or by someone else
 * @param cordonedByVigil  Vigil set {@code spec.unschedulable}; false for someone else's cordon
 * @param taints           its taints as {@code key=value:Effect} ({@code key:Effect} without a value)
 * @param gpusAllocatable  GPU resources the kubelet offers ({@code nvidia.com/gpu}, {@code nvidia.com/mig-…})
 * @param labels           its labels (what a pod's nodeSelector and node affinity match)
 */
public record KubeNode(String name, Boolean ready, boolean unschedulable, boolean cordonedByVigil,
                       List<String> taints, Map<String, Integer> gpusAllocatable, Map<String, String> labels) {
    public KubeNode {
        taints = List.copyOf(taints);
        gpusAllocatable = Map.copyOf(gpusAllocatable);
        labels = Map.copyOf(labels);
    }

    /** A node without labels. */
    public KubeNode(String name, Boolean ready, boolean unschedulable, boolean cordonedByVigil, List<String> taints,
                    Map<String, Integer> gpusAllocatable) {
        this(name, ready, unschedulable, cordonedByVigil, taints, gpusAllocatable, Map.of());
    }

    /** Whether Vigil's own taint is on it. */
    public boolean taintedByVigil() {
        return taints.stream().anyMatch(t -> t.startsWith(VigilLabels.UNHEALTHY_TAINT + "=")
                || t.startsWith(VigilLabels.UNHEALTHY_TAINT + ":"));
    }
}
