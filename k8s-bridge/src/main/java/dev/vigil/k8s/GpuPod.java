package dev.vigil.k8s;

import java.util.Map;

/**
 * A pod someone else scheduled that holds GPUs on a node: Vigil counts them as used.
 *
 * @param namespace where it lives
 * @param name      its name
 * @param node      the node it runs on
 * @param resources GPU resources it holds ({@code nvidia.com/gpu}, {@code nvidia.com/mig-…}) and how many,
 *                  as the kubelet counts them (the larger of the containers' sum and any init container's)
 */
public record GpuPod(String namespace, String name, String node, Map<String, Integer> resources) {
    public GpuPod {
        resources = Map.copyOf(resources);
    }
}
