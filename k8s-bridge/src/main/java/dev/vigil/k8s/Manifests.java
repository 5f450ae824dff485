package dev.vigil.k8s;

import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.jobs.JobKind;
import dev.vigil.api.jobs.JobSpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Turns the manifests ML engineers already write into Vigil jobs: a {@code batch/v1} Job is a
 * training gang of {@code spec.parallelism} pods started together, an {@code apps/v1} Deployment
 * an inference service of {@code spec.replicas} replicas. The GPUs come from the one container
 * whose limits ask for {@code nvidia.com/gpu} (or one {@code nvidia.com/mig-<profile>} slice);
 * the pod template is kept whole in the job ({@link JobSpec#podTemplate()}) and each pod is made
 * from it with Vigil's parts on top (see {@link Kubernetes#create}).
 *
 * <p>What Vigil cannot honour is refused naming the manifest's field, its value and what is
 * allowed, e.g. {@code spec.template.spec.containers[1].resources.limits}. Vigil's own settings
 * are the manifest's annotations {@value VigilLabels#TENANT} and {@value VigilLabels#PRIORITY_CLASS}.
 */
public final class Manifests {
    /** The backend that runs a manifest's pods. */
    public static final String BACKEND = "kubernetes";
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final String SPEC = "spec";
    private static final String POD = "spec.template.spec";
    private static final String CONTAINERS = POD + ".containers";
    private static final String KINDS = "Job (batch/v1): a training gang, or Deployment (apps/v1): an inference service";
    private static final String WHOLE_GPUS = "nvidia.com/gpu: 1 to " + JobSpec.MAX_GPUS_PER_NODE;
    private static final String MIG_PROFILE = "\\d{1,2}g\\.\\d{1,4}gb(\\+me)?";

    private Manifests() {
    }

    /**
     * The job a manifest (YAML or JSON, one document) describes, to run on the {@value #BACKEND}
     * backend.
     *
     * @throws InvalidValueException naming the manifest's field when Vigil cannot honour it
     */
    public static JobSpec read(String manifest) {
        Object parsed;
        try {
            parsed = SERIALIZATION.unmarshal(manifest);
        } catch (RuntimeException e) {
            throw new InvalidValueException("manifest", unreadable(e), "one " + KINDS + ", in YAML or JSON");
        }
        if (!(parsed instanceof HasMetadata resource)) {
            throw new InvalidValueException("manifest", parsed instanceof List<?> list ? list.size() + " documents"
                    : parsed == null ? null : parsed.getClass().getSimpleName(), "one document: " + KINDS);
        }
        if (resource instanceof Job job && "batch/v1".equals(job.getApiVersion())) {
            return gang(job);
        }
        if (resource instanceof Deployment deployment && "apps/v1".equals(deployment.getApiVersion())) {
            return service(deployment);
        }
        if ("Job".equals(resource.getKind()) || "Deployment".equals(resource.getKind())) {
            throw new InvalidValueException("apiVersion", resource.getApiVersion(),
                    "batch/v1 for a Job, apps/v1 for a Deployment");
        }
        throw new InvalidValueException("kind", resource.getKind(), KINDS);
    }

    /** A stored pod template, as {@link #read} keeps it. */
    static PodTemplateSpec template(String json) {
        try {
            return SERIALIZATION.unmarshal(json, PodTemplateSpec.class);
        } catch (RuntimeException e) {
            throw new InvalidValueException("podTemplate", unreadable(e), "a core/v1 PodTemplateSpec as JSON");
        }
    }

    /** The parser's complaint on one line, with where it was: short enough for a terminal. */
    private static String unreadable(RuntimeException e) {
        String why = (e.getMessage() == null ? e.toString() : e.getMessage()).replaceAll("\\s+", " ").strip();
        return why.length() > 300 ? why.substring(0, 297) + "..." : why;
    }

    /**
     * The namespace a stored pod template asks for, null for any; refuses what is not a pod
     * template with a container (a REST client may send one of its own).
     */
    public static String namespace(String podTemplate) {
        PodTemplateSpec template = template(podTemplate);
        InvalidValueException.require(template.getSpec() != null && template.getSpec().getContainers() != null
                && !template.getSpec().getContainers().isEmpty(), "podTemplate", "(no containers)",
                "a pod template with at least one container");
        return template.getMetadata() == null ? null : template.getMetadata().getNamespace();
    }

    /**
     * What a pod someone else made asks of its node, as a pod template a job keeps (its first
     * container's name and image, its nodeSelector and required node affinity), or null when it asks
     * nothing.
     */
    static String nodeConstraints(PodSpec pod) {
        if (NodeSelection.of(pod) == null || pod.getContainers().isEmpty()) {
            return null;
        }
        Container first = pod.getContainers().get(0);
        PodTemplateSpec kept = new PodTemplateSpecBuilder().withNewSpec()
                .addNewContainer().withName(first.getName()).withImage(first.getImage()).endContainer()
                .withNodeSelector(pod.getNodeSelector())
                .withNewAffinity().withNewNodeAffinity().withRequiredDuringSchedulingIgnoredDuringExecution(
                        pod.getAffinity() == null || pod.getAffinity().getNodeAffinity() == null ? null
                                : pod.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution())
                .endNodeAffinity().endAffinity().endSpec().build();
        return SERIALIZATION.asJson(kept);
    }

    /** The volume claims a stored pod template mounts, by name. */
    static List<String> claims(String podTemplate) {
        PodSpec pod = template(podTemplate).getSpec();
        return pod == null || pod.getVolumes() == null ? List.of() : pod.getVolumes().stream()
                .filter(v -> v.getPersistentVolumeClaim() != null)
                .map(v -> v.getPersistentVolumeClaim().getClaimName()).distinct().toList();
    }

    /** The container Vigil gives the pod's GPUs to: the first whose resources name a GPU, else the first. */
    static int gpuContainer(PodSpec pod) {
        List<Container> containers = pod.getContainers();
        for (int i = 0; i < containers.size(); i++) {
            if (namesGpu(containers.get(i))) {
                return i;
            }
        }
        return 0;
    }

    private static JobSpec gang(Job job) {
        Meta meta = meta(job);
        io.fabric8.kubernetes.api.model.batch.v1.JobSpec spec = present(job.getSpec(), SPEC, "the Job's spec");
        unknown(SPEC, spec.getAdditionalProperties());
        int pods = spec.getParallelism() == null ? 1 : spec.getParallelism();
        InvalidValueException.require(pods >= 1 && pods <= 4096, "spec.parallelism", pods,
                "1 to 4096 pods, all started together (a gang)");
        InvalidValueException.require(spec.getCompletions() == null || spec.getCompletions() == pods,
                "spec.completions", spec.getCompletions(), "spec.parallelism (" + pods
                        + "), or leave it out: a gang runs all its pods at once, each to its end");
        String mode = spec.getCompletionMode();
        InvalidValueException.require(mode == null || mode.equals("Indexed") || mode.equals("NonIndexed"),
                "spec.completionMode", mode, "Indexed or NonIndexed (either way each pod finds its index in "
                        + "JOB_COMPLETION_INDEX)");
        InvalidValueException.require(!Boolean.TRUE.equals(spec.getSuspend()), "spec.suspend", spec.getSuspend(),
                "false, or leave it out: Vigil's queue decides when a job starts");
        Long deadline = spec.getActiveDeadlineSeconds();
        InvalidValueException.require(deadline == null || deadline > 0, "spec.activeDeadlineSeconds", deadline,
                "a positive number of seconds (Vigil's runtime limit)");
        Template template = template(spec.getTemplate(), meta.namespace);
        InvalidValueException.require(template.migProfile == null, template.limits(), template.migProfile == null ? null
                : VigilLabels.MIG_RESOURCE_PREFIX + template.migProfile, WHOLE_GPUS
                + " (a training gang takes whole GPUs; MIG slices are for Deployments)");
        Map<String, String> paths = Map.of("nodes", "spec.parallelism", "gpusPerNode", template.limits(),
                "runtimeLimit", "spec.activeDeadlineSeconds");
        JobAnnotations said = meta.annotations;
        return spec(paths, template, () -> new JobSpec(meta.name, JobKind.TRAINING, said.tenant(), said.queue(),
                said.priorityClass(), said.preemptible(), null, pods, template.gpus, null, null, null, null,
                said.topology(),
                deadline == null ? null : Duration.ofSeconds(deadline), null, null, BACKEND, null, template.image,
                null, null, null, template.json));
    }

    private static JobSpec service(Deployment deployment) {
        Meta meta = meta(deployment);
        DeploymentSpec spec = present(deployment.getSpec(), SPEC, "the Deployment's spec");
        unknown(SPEC, spec.getAdditionalProperties());
        int replicas = spec.getReplicas() == null ? 1 : spec.getReplicas();
        InvalidValueException.require(replicas >= 1 && replicas <= 10_000, "spec.replicas", replicas,
                "1 to 10000 replicas");
        Template template = template(spec.getTemplate(), meta.namespace);
        Map<String, String> paths = Map.of("replicas", "spec.replicas", "gpusPerNode", template.limits(),
                "migProfile", template.limits());
        JobAnnotations said = meta.annotations;
        return spec(paths, template, () -> new JobSpec(meta.name, JobKind.INFERENCE, said.tenant(), said.queue(),
                said.priorityClass(), said.preemptible(), null, null, template.migProfile == null ? template.gpus
                : null, null, template.migProfile, replicas, null, said.topology(), null, null, null, BACKEND, null,
                template.image, null, null, null, template.json));
    }

    /** The name, namespace and Vigil's annotations of the manifest. */
    private record Meta(String name, String namespace, JobAnnotations annotations) {
    }

    private static Meta meta(HasMetadata resource) {
        ObjectMeta meta = present(resource.getMetadata(), "metadata", "metadata with a name");
        String name = present(meta.getName(), "metadata.name", "a name for the job");
        Map<String, String> annotations = meta.getAnnotations() == null ? Map.of() : meta.getAnnotations();
        try {
            return new Meta(name, meta.getNamespace(), JobAnnotations.of(annotations));
        } catch (InvalidValueException e) {
            throw new InvalidValueException("metadata.annotations[\"" + e.field() + "\"]", e.value(), e.allowed());
        }
    }

    /**
     * What Vigil takes from a pod template, and the template kept as JSON.
     *
     * @param container the GPU container's path in the manifest
     */
    private record Template(String image, int gpus, String migProfile, String container, String json) {
        String limits() {
            return container + ".resources.limits";
        }
    }

    private static Template template(PodTemplateSpec template, String namespace) {
        present(template, "spec.template", "a pod template");
        PodSpec pod = present(template.getSpec(), POD, "a pod spec with containers");
        unknown(POD, pod.getAdditionalProperties());
        InvalidValueException.require(pod.getNodeName() == null, POD + ".nodeName", pod.getNodeName(),
                "nothing: Vigil binds each pod to the node it places it on");
        NodeSelection.check(pod, POD);
        List<Container> containers = pod.getContainers() == null ? List.of() : pod.getContainers();
        InvalidValueException.require(!containers.isEmpty(), CONTAINERS, null, "at least one container");
        Integer gpuContainer = null;
        for (int i = 0; i < containers.size(); i++) {
            Container container = containers.get(i);
            String path = CONTAINERS + "[" + i + "]";
            unknown(path, container.getAdditionalProperties());
            InvalidValueException.require(container.getImage() != null && !container.getImage().isBlank(),
                    path + ".image", container.getImage(), "a container image, e.g. nvcr.io/nvidia/pytorch:24.08-py3");
            if (!gpus(container, path).isEmpty()) {
                InvalidValueException.require(gpuContainer == null, path + ".resources.limits",
                        shown(container), "GPUs in one container of the pod only: containers["
                                + gpuContainer + "] has them");
                gpuContainer = i;
            }
        }
        List<Container> inits = pod.getInitContainers() == null ? List.of() : pod.getInitContainers();
        for (int i = 0; i < inits.size(); i++) {
            String path = POD + ".initContainers[" + i + "]";
            InvalidValueException.require(gpus(inits.get(i), path).isEmpty(), path + ".resources.limits",
                    shown(inits.get(i)),
                    "no GPUs: Vigil gives the pod's GPUs to its one GPU container");
        }
        String path = CONTAINERS + "[" + (gpuContainer == null ? 0 : gpuContainer) + "]";
        String limits = path + ".resources.limits";
        InvalidValueException.require(gpuContainer != null, limits, containers.size() == 1 ? shown(containers.get(0))
                : null, WHOLE_GPUS + ", or nvidia.com/mig-<profile>: 1"
                + " in a Deployment, in one container (Vigil schedules GPU work)");
        Container container = containers.get(gpuContainer);
        Map.Entry<String, Integer> gpu = gpus(container, path).entrySet().iterator().next();
        boolean slice = gpu.getKey().startsWith(VigilLabels.MIG_RESOURCE_PREFIX);
        String profile = slice ? gpu.getKey().substring(VigilLabels.MIG_RESOURCE_PREFIX.length()) : null;
        if (slice) {
            InvalidValueException.require(profile.matches(MIG_PROFILE), limits, gpu.getKey(),
                    "a MIG profile such as nvidia.com/mig-1g.10gb or nvidia.com/mig-3g.40gb");
            InvalidValueException.require(gpu.getValue() == 1, limits + "[\"" + gpu.getKey() + "\"]", gpu.getValue(),
                    "1 (each replica takes one slice)");
        } else {
            InvalidValueException.require(gpu.getValue() >= 1 && gpu.getValue() <= JobSpec.MAX_GPUS_PER_NODE,
                    limits + "[\"" + gpu.getKey() + "\"]", gpu.getValue(), "1 to " + JobSpec.MAX_GPUS_PER_NODE
                            + " (one pod runs on one node)");
        }
        PodTemplateSpec kept = new PodTemplateSpecBuilder(template).editOrNewMetadata().withNamespace(namespace)
                .endMetadata().build();
        return new Template(container.getImage(), slice ? 0 : gpu.getValue(), profile, path,
                SERIALIZATION.asJson(kept));
    }

    /**
     * A container's GPU resources from its limits (which the device plugin counts): one kind, a
     * whole number; requests, where given, the same.
     */
    private static Map<String, Integer> gpus(Container container, String path) {
        Map<String, Quantity> limits = container.getResources() == null ? null : container.getResources().getLimits();
        Map<String, Quantity> requests = container.getResources() == null ? null
                : container.getResources().getRequests();
        Map<String, Integer> gpus = new TreeMap<>();
        if (limits != null) {
            limits.forEach((resource, quantity) -> {
                if (VigilLabels.isGpuResource(resource)) {
                    BigDecimal amount = quantity.getNumericalAmount();
                    InvalidValueException.require(amount.signum() > 0 && amount.stripTrailingZeros().scale() <= 0
                                    && amount.compareTo(BigDecimal.valueOf(1024)) <= 0,
                            path + ".resources.limits[\"" + resource + "\"]", quantity, "a whole number of GPUs");
                    gpus.put(resource, amount.intValueExact());
                }
            });
        }
        if (requests != null) {
            requests.forEach((resource, quantity) -> {
                if (VigilLabels.isGpuResource(resource)) {
                    Integer limit = gpus.get(resource);
                    InvalidValueException.require(limit != null
                                    && quantity.getNumericalAmount().compareTo(BigDecimal.valueOf(limit)) == 0,
                            path + ".resources.requests[\"" + resource + "\"]", quantity, limit == null
                                    ? "the same amount under resources.limits (the device plugin counts limits)"
                                    : limit + ", as its limit, or leave it out");
                }
            });
        }
        InvalidValueException.require(gpus.size() <= 1, path + ".resources.limits", gpus.keySet(),
                "one GPU resource: nvidia.com/gpu or one nvidia.com/mig-<profile>");
        return gpus;
    }

    /** A container's limits as a manifest writes them ({@code cpu: 2, memory: 8Gi}); null when it has none. */
    private static String shown(Container container) {
        Map<String, Quantity> limits = container.getResources() == null ? null : container.getResources().getLimits();
        return limits == null || limits.isEmpty() ? null : new TreeMap<>(limits).entrySet().stream()
                .map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.joining(", "));
    }

    /** Whether a container's limits or requests name a GPU resource. */
    private static boolean namesGpu(Container container) {
        return container.getResources() != null && Arrays.asList(container.getResources().getRequests(),
                        container.getResources().getLimits()).stream()
                .anyMatch(amounts -> amounts != null && amounts.keySet().stream().anyMatch(VigilLabels::isGpuResource));
    }

    /** A field fabric8 did not know (a typo, or a value of the wrong type) is refused, never ignored. */
    private static void unknown(String path, Map<String, Object> additional) {
        if (additional != null && !additional.isEmpty()) {
            String field = new TreeMap<>(additional).firstKey();
            throw new InvalidValueException(path + "." + field, additional.get(field),
                    "the fields Kubernetes defines there, with values of their types");
        }
    }

    private static <T> T present(T value, String field, String allowed) {
        return InvalidValueException.required(value, field, allowed);
    }

    /** Builds the job, naming the manifest's field where the job spec refuses a value. */
    private static JobSpec spec(Map<String, String> paths, Template template, Supplier<JobSpec> build) {
        Map<String, String> all = new HashMap<>(paths);
        all.put("name", "metadata.name");
        all.put("tenant", "metadata.annotations[\"" + VigilLabels.TENANT + "\"]");
        all.put("priorityClass", "metadata.annotations[\"" + VigilLabels.PRIORITY_CLASS + "\"]");
        all.put("queue", "metadata.annotations[\"" + VigilLabels.QUEUE + "\"]");
        all.put("topology", "metadata.annotations[\"" + VigilLabels.TOPOLOGY + "\"]");
        all.put("maxLeaves", "metadata.annotations[\"" + VigilLabels.TOPOLOGY + "\"]");
        all.put("level", "metadata.annotations[\"" + VigilLabels.TOPOLOGY + "\"]");
        all.put("image", template.container + ".image");
        all.put("podTemplate", "spec.template");
        try {
            return build.get();
        } catch (InvalidValueException e) {
            throw new InvalidValueException(all.getOrDefault(e.field(), e.field()), e.value(), e.allowed());
        }
    }
}
