package dev.vigil.k8s;

import java.util.List;
import java.util.Map;

/**
 * A pod someone else made for Vigil to schedule ({@code schedulerName: vigil}) that no Vigil job
 * claims yet: unbound, not finished, not being deleted. Its annotations say what job it is.
 *
 * @param namespace        where it lives
 * @param name             its name
 * @param uid              its uid
 * @param annotations      its annotations ({@value VigilLabels#GANG}, {@value VigilLabels#GANG_SIZE}, …)
 * @param gpus             the GPU resources it asks for ({@code nvidia.com/gpu}, {@code nvidia.com/mig-…}),
 *                         as the kubelet counts them
 * @param otherGpuRequests resources it asks for that look like GPUs but that the NVIDIA device plugin does
 *                         not offer ({@code gpu}, {@code nvidia.com/GPU}, {@code amd.com/gpu})
 * @param image            its first container's image
 * @param refusal          the message of its {@value VigilLabels#CONDITION} condition when Vigil already refused
 *                         it, or null
 * @param nodeConstraints  what it asks of its node ({@code nodeSelector}, required node affinity) as a pod template
 *                         ({@link NodeSelection#of(String)} reads it; its job keeps it), or null when nothing
 */
public record UnclaimedPod(String namespace, String name, String uid, Map<String, String> annotations,
                           Map<String, Integer> gpus, List<String> otherGpuRequests, String image, String refusal,
                           String nodeConstraints) {
    public UnclaimedPod {
        annotations = Map.copyOf(annotations);
        gpus = Map.copyOf(gpus);
        otherGpuRequests = List.copyOf(otherGpuRequests);
    }

    /** A pod that asks nothing of its node. */
    public UnclaimedPod(String namespace, String name, String uid, Map<String, String> annotations,
                        Map<String, Integer> gpus, List<String> otherGpuRequests, String image, String refusal) {
        this(namespace, name, uid, annotations, gpus, otherGpuRequests, image, refusal, null);
    }
}
