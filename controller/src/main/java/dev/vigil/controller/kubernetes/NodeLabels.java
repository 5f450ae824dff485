package dev.vigil.controller.kubernetes;

import dev.vigil.k8s.NodeSelection;
import dev.vigil.scheduler.placement.NodeConstraint;

import java.util.Map;
import java.util.function.Function;

/**
 * A pod's nodeSelector and required node affinity, held against the nodes' Kubernetes labels as
 * the backend last listed them: the scheduler places its job only where the kubelet would admit
 * the pod. A node whose labels are not known yet (before the first listing) is not used.
 *
 * @param labelsOf a node's labels, or null when not known; the backend's one lookup, so that jobs
 *                 asking the same are equal
 */
record NodeLabels(NodeSelection selection, Function<String, Map<String, String>> labelsOf)
        implements NodeConstraint {
    @Override
    public boolean allows(String node) {
        Map<String, String> labels = labelsOf.apply(node);
        return labels != null && selection.matches(node, labels);
    }

    @Override
    public String why(String node) {
        Map<String, String> labels = labelsOf.apply(node);
        return labels == null ? "its Kubernetes labels are not known yet" : selection.why(node, labels);
    }

    @Override
    public String describe() {
        return selection.describe();
    }
}
