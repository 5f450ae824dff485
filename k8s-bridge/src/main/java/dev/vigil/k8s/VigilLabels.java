package dev.vigil.k8s;

/** The names Vigil puts on (and reads from) Kubernetes objects. */
public final class VigilLabels {
    /** {@code spec.schedulerName} of the pods Vigil places: the default scheduler leaves them alone. */
    public static final String SCHEDULER_NAME = "vigil";
    /** Label: the Vigil job a pod belongs to. */
    public static final String JOB = "vigil.dev/job";
    /** Label: which start of the job (a requeued gang starts again with new pods). */
    public static final String ATTEMPT = "vigil.dev/attempt";
    /** Label: the gang a pod belongs to; its pods are bound together or not at all. */
    public static final String GANG = "vigil.dev/gang";
    /** Label: the inference replica a pod is (absent on a training gang's pods). */
    public static final String REPLICA = "vigil.dev/replica";
    /** Annotation: how many pods the gang has. */
    public static final String GANG_SIZE = "vigil.dev/gang-size";
    /** Annotation: the tenant who pays. */
    public static final String TENANT = "vigil.dev/tenant";
    /** Annotation: the job's priority class. */
    public static final String PRIORITY_CLASS = "vigil.dev/priority-class";
    /** Annotation: the tenant's queue the job waits in. */
    public static final String QUEUE = "vigil.dev/queue";
    /** Annotation: {@code "true"}: the job may be preempted for more urgent work. */
    public static final String PREEMPTIBLE = "vigil.dev/preemptible";
    /**
     * Annotation, on a manifest or a pod made by others:
     * how close its gang's GPUs must be ({@code same-leaf}, {@code max-leaves=2}).
     */
    public static final String TOPOLOGY = "vigil.dev/topology";
    /** Label: the pod was made by someone else and claimed by a Vigil job; Vigil binds it but never makes it again. */
    public static final String CLAIMED = "vigil.dev/claimed";
    /** The pod condition where Vigil says why it does not schedule a pod ({@code False}, with a reason). */
    public static final String CONDITION = "VigilScheduled";
    /** The taint a cordon by Vigil puts on a node ({@code NoSchedule}). */
    public static final String UNHEALTHY_TAINT = "vigil.dev/gpu-unhealthy";
    /**
     * Annotation on a node whose {@code spec.unschedulable} Vigil set: only then does Vigil's
     * uncordon clear it, so a cordon made by someone else is never undone.
     */
    public static final String CORDONED_BY_VIGIL = "vigil.dev/cordoned";
    /**
     * Annotation on a volume claim: the node its volume must be made for, which a scheduler sets
     * when the claim's StorageClass waits for the first consumer (Kubernetes' own name).
     */
    public static final String SELECTED_NODE = "volume.kubernetes.io/selected-node";
    /** Whole GPUs, as NVIDIA's device plugin offers them. */
    public static final String GPU_RESOURCE = "nvidia.com/gpu";
    /** MIG slices under the device plugin's mixed strategy: {@code nvidia.com/mig-1g.10gb}. */
    public static final String MIG_RESOURCE_PREFIX = "nvidia.com/mig-";

    private VigilLabels() {
    }

    /** Whether a resource name is a GPU or a MIG slice of one. */
    public static boolean isGpuResource(String resource) {
        return GPU_RESOURCE.equals(resource) || resource.startsWith(MIG_RESOURCE_PREFIX);
    }
}
