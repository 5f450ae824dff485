package dev.vigil.k8s;

import java.util.List;
import java.util.Map;

/**
 * One pod Vigil creates for a job: created unbound with {@code schedulerName: vigil}, then bound
 * by {@link Kubernetes#bind}.
 *
 * @param namespace     where it lives
 * @param name          its name, a DNS label
 * @param job           the Vigil job ({@value VigilLabels#JOB} label)
 * @param attempt       which start of the job
 * @param gang          the gang it is part of, or null for an inference replica
 * @param gangSize      how many pods the gang has (1 for a replica)
 * @param replica       the inference replica it is, or null for a gang's pod
 * @param tenant        who pays, or null
 * @param priorityClass the job's priority class, or null
 * @param image         the container image
 * @param command       what the container runs; empty: the image's entrypoint
 * @param env           environment variables
 * @param gpus          whole GPUs ({@code nvidia.com/gpu}), 0 when it asks for a MIG slice
 * @param migProfile    a MIG slice ({@code nvidia.com/mig-<profile>: 1}), e.g. {@code 1g.10gb}, or null
 * @param restart       restart the container when it exits (an inference replica); a gang's pods run once
 * @param index         a gang's pod: its place in the gang, 0 up (its rank, {@code JOB_COMPLETION_INDEX}); null for a
 *                      replica
 * @param template      a manifest's pod template ({@link Manifests}) the pod is made from, Vigil's parts on top; null:
 *                      a pod of one container from {@code image}, {@code command} and {@code env}
 */
public record PodRequest(String namespace, String name, String job, int attempt, String gang, int gangSize,
                         Integer replica, String tenant, String priorityClass, String image, List<String> command,
                         Map<String, String> env, int gpus, String migProfile, boolean restart, Integer index,
                         String template) {
    /** A pod of one container, from no template, with no index. */
    public PodRequest(String namespace, String name, String job, int attempt, String gang, int gangSize,
                      Integer replica, String tenant, String priorityClass, String image, List<String> command,
                      Map<String, String> env, int gpus, String migProfile, boolean restart) {
        this(namespace, name, job, attempt, gang, gangSize, replica, tenant, priorityClass, image, command, env, gpus,
                migProfile, restart, null, null);
    }

    public PodRequest {
        command = command == null ? List.of() : List.copyOf(command);
        env = env == null ? Map.of() : Map.copyOf(env);
        if (image == null || image.isBlank()) {
            throw new IllegalArgumentException("pod " + name + ": image is required");
        }
        if ((gpus > 0) == (migProfile != null)) {
            throw new IllegalArgumentException("pod " + name + ": whole GPUs or one MIG slice, not "
                    + gpus + " GPUs and slice " + migProfile);
        }
    }

    /** The extended resource it asks for and how many. */
    public Map.Entry<String, Integer> gpuResource() {
        return migProfile != null ? Map.entry(VigilLabels.MIG_RESOURCE_PREFIX + migProfile, 1)
                : Map.entry(VigilLabels.GPU_RESOURCE, gpus);
    }
}
