package dev.vigil.k8s;

import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeSpec;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.Eviction;
import io.fabric8.kubernetes.api.model.policy.v1.EvictionBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.RequestConfigBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;

import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * What Vigil asks of one Kubernetes cluster. Every call is a blocking request to the API server;
 * a refusal or no answer is a {@link KubernetesException} with the HTTP status. Thread-safe, as
 * fabric8's client is.
 */
public final class Kubernetes implements AutoCloseable {
    private static final String NO_SCHEDULE = "NoSchedule";

    private final KubernetesClient client;
    /**
     * The same client without fabric8's own retries: an eviction a PodDisruptionBudget refuses (429)
     * is an answer to pass on at once, not a reason to ask again ten times with growing pauses.
     */
    private final KubernetesClient askingOnce;

    /** Over a client made elsewhere (a test's mock server); {@link #close} closes it. */
    public Kubernetes(KubernetesClient client) {
        this.client = client;
        this.askingOnce = client.newClient(new RequestConfigBuilder().withRequestRetryBackoffLimit(0).build())
                .adapt(KubernetesClient.class);
    }

    /**
     * Connects with a kubeconfig file (its current context), or from inside the cluster with the
     * pod's service account when {@code kubeconfig} is null.
     */
    public static Kubernetes connect(Path kubeconfig) {
        Config config = kubeconfig == null ? Config.autoConfigure(null)
                : Config.fromKubeconfig(kubeconfig.toFile());
        return new Kubernetes(new KubernetesClientBuilder().withConfig(config).build());
    }

    /** The API server's address. */
    public String server() {
        return client.getMasterUrl().toString();
    }

    /** Creates a pod, unbound: nothing runs until {@link #bind} names its node. Returns it as created. */
    public VigilPod create(PodRequest request) {
        Pod pod = call("create pod " + request.namespace() + "/" + request.name(),
                () -> client.pods().inNamespace(request.namespace()).resource(PodSpecs.of(request)).create());
        return PodSpecs.read(pod);
    }

    /**
     * Names the node a pod's unbound volume claims will be used on, as the default scheduler does
     * for a StorageClass that waits for the first consumer ({@code WaitForFirstConsumer}): without
     * it no volume is provisioned for a pod Vigil binds itself, and the pod never starts. A claim
     * already bound or given a node is left alone, and so is one that does not exist (the kubelet
     * says so on the pod).
     */
    public void selectNodeForClaims(PodRequest request, String node) {
        if (request.template() == null) {
            return;
        }
        for (String claim : Manifests.claims(request.template())) {
            String what = "select node " + node + " for claim " + request.namespace() + "/" + claim;
            var resource = client.persistentVolumeClaims().inNamespace(request.namespace()).withName(claim);
            PersistentVolumeClaim current = call(what, resource::get);
            if (current == null || current.getSpec() != null && current.getSpec().getVolumeName() != null
                    && !current.getSpec().getVolumeName().isEmpty() || current.getMetadata().getAnnotations() != null
                    && current.getMetadata().getAnnotations().containsKey(VigilLabels.SELECTED_NODE)) {
                continue;
            }
            call(what, () -> resource.edit(pvc -> new PersistentVolumeClaimBuilder(pvc).editMetadata()
                    .addToAnnotations(VigilLabels.SELECTED_NODE, node).endMetadata().build()));
        }
    }

    /**
     * Binds a pod to a node through its {@code pods/binding} subresource, the way any scheduler
     * does: the kubelet of that node then admits and starts it. The pod's uid makes sure a pod
     * deleted and made again under the same name is not bound in its place.
     */
    public void bind(String namespace, String pod, String uid, String node) {
        Binding binding = new BindingBuilder()
                .withNewMetadata().withName(pod).withNamespace(namespace).withUid(uid).endMetadata()
                .withNewTarget().withApiVersion("v1").withKind("Node").withName(node).endTarget()
                .build();
        call("bind pod " + namespace + "/" + pod + " to node " + node,
                () -> client.raw("/api/v1/namespaces/" + namespace + "/pods/" + pod + "/binding", "POST", binding));
    }

    /**
     * Asks the Eviction API ({@code policy/v1}) to evict a pod: unlike a delete, it respects the
     * pod's PodDisruptionBudgets.
     */
    public EvictionOutcome evict(String namespace, String pod) {
        Eviction eviction = new EvictionBuilder()
                .withNewMetadata().withName(pod).withNamespace(namespace).endMetadata().build();
        try {
            boolean evicted = call("evict pod " + namespace + "/" + pod,
                    () -> askingOnce.pods().inNamespace(namespace).withName(pod).evict(eviction));
            return evicted ? EvictionOutcome.EVICTED : EvictionOutcome.BLOCKED;
        } catch (KubernetesException e) {
            if (e.status() == 404) {
                return EvictionOutcome.GONE;
            }
            throw e;
        }
    }

    /**
     * Makes the headless Service of a gang ({@code clusterIP: None}, selecting the gang's pods,
     * their addresses published before they are ready) under the gang's name: with each pod's
     * hostname {@code <gang>-<index>} and subdomain {@code <gang>}, pod N is reachable as
     * {@code <gang>-N.<gang>} from the first moment, the rendezvous a training job needs. One that
     * exists already (a requeued gang's) is kept.
     */
    public void rendezvous(String namespace, String gang) {
        Service service = new ServiceBuilder()
                .withNewMetadata().withName(gang).withNamespace(namespace).addToLabels(VigilLabels.JOB, gang)
                .addToLabels("app.kubernetes.io/managed-by", "vigil").endMetadata()
                .withNewSpec().withClusterIP("None").withPublishNotReadyAddresses(true)
                .addToSelector(VigilLabels.GANG, gang).endSpec().build();
        try {
            call("create service " + namespace + "/" + gang, () -> client.services().inNamespace(namespace)
                    .resource(service).create());
        } catch (KubernetesException e) {
            if (e.status() != 409) {
                throw e;
            }
        }
    }

    /** Deletes a gang's headless Service; returns false when there was none. */
    public boolean deleteRendezvous(String namespace, String gang) {
        return !call("delete service " + namespace + "/" + gang,
                () -> client.services().inNamespace(namespace).withName(gang).delete()).isEmpty();
    }

    /** Every gang's headless Service Vigil made, in every namespace. */
    public List<GangService> gangServices() {
        return call("list Vigil's services", () -> client.services().inAnyNamespace().withLabel(VigilLabels.JOB)
                .withLabel("app.kubernetes.io/managed-by", "vigil").list()).getItems().stream()
                .map(s -> new GangService(s.getMetadata().getNamespace(), s.getMetadata().getName(),
                        s.getMetadata().getLabels().get(VigilLabels.JOB))).toList();
    }

    /** Deletes a pod (with its own grace period); returns false when there was none. */
    public boolean delete(String namespace, String pod) {
        return !call("delete pod " + namespace + "/" + pod,
                () -> client.pods().inNamespace(namespace).withName(pod).delete()).isEmpty();
    }

    /**
     * Cordons a node for Vigil: the taint {@value VigilLabels#UNHEALTHY_TAINT}{@code :NoSchedule}
     * is added, and {@code spec.unschedulable} is set
     * unless someone else already set it (then it stays theirs to clear).
     */
    public KubeNode cordon(String node) {
        Node edited = call("cordon node " + node, () -> client.nodes().withName(node).edit(current -> {
            NodeBuilder next = new NodeBuilder(current);
            NodeSpec spec = current.getSpec() == null ? new NodeSpec() : current.getSpec();
            if (!Boolean.TRUE.equals(spec.getUnschedulable())) {
                next.editOrNewSpec().withUnschedulable(true).endSpec()
                        .editMetadata().addToAnnotations(VigilLabels.CORDONED_BY_VIGIL, "true").endMetadata();
            }
            if (spec.getTaints() == null || spec.getTaints().stream()
                    .noneMatch(t -> VigilLabels.UNHEALTHY_TAINT.equals(t.getKey()))) {
                next.editOrNewSpec().addToTaints(new TaintBuilder().withKey(VigilLabels.UNHEALTHY_TAINT)
                        .withEffect(NO_SCHEDULE).build()).endSpec();
            }
            return next.build();
        }));
        return NodeViews.read(edited);
    }

    /**
     * Undoes Vigil's cordon only: its taint goes, and {@code spec.unschedulable} is cleared when
     * Vigil set it; someone else's cordon stays.
     */
    public KubeNode uncordon(String node) {
        Node edited = call("uncordon node " + node, () -> client.nodes().withName(node).edit(current -> {
            NodeBuilder next = new NodeBuilder(current);
            Map<String, String> annotations = current.getMetadata().getAnnotations();
            if (annotations != null && annotations.containsKey(VigilLabels.CORDONED_BY_VIGIL)) {
                next.editOrNewSpec().withUnschedulable(null).endSpec()
                        .editMetadata().removeFromAnnotations(VigilLabels.CORDONED_BY_VIGIL).endMetadata();
            }
            List<Taint> taints = current.getSpec() == null ? null : current.getSpec().getTaints();
            if (taints != null) {
                next.editSpec().withTaints(taints.stream()
                        .filter(t -> !VigilLabels.UNHEALTHY_TAINT.equals(t.getKey())).toList()).endSpec();
            }
            return next.build();
        }));
        return NodeViews.read(edited);
    }

    /** Every node. */
    public List<KubeNode> nodes() {
        return call("list nodes", () -> client.nodes().list()).getItems().stream().map(NodeViews::read).toList();
    }

    /** Every pod Vigil placed, in every namespace. */
    public List<VigilPod> vigilPods() {
        return call("list Vigil's pods", () -> client.pods().inAnyNamespace().withLabel(VigilLabels.JOB).list())
                .getItems().stream().filter(PodSpecs::vigils).map(PodSpecs::read).toList();
    }

    /** Vigil's pods of one job. */
    public List<VigilPod> podsOf(String job) {
        return call("list pods of job " + job,
                () -> client.pods().inAnyNamespace().withLabel(VigilLabels.JOB, job).list())
                .getItems().stream().filter(PodSpecs::vigils).map(PodSpecs::read).toList();
    }

    /**
     * Pods another scheduler put on a node that hold GPUs and have not finished: what Vigil must
     * count as used. Lists every pod: the API server cannot select on resource requests.
     */
    public List<GpuPod> foreignGpuPods() {
        List<GpuPod> found = new ArrayList<>();
        for (Pod pod : call("list pods", () -> client.pods().inAnyNamespace().list()).getItems()) {
            if (PodSpecs.vigils(pod) || pod.getSpec().getNodeName() == null
                    || PodPhase.of(pod.getStatus() == null ? null : pod.getStatus().getPhase()).finished()) {
                continue;
            }
            Map<String, Integer> gpus = PodSpecs.gpuResources(pod);
            if (!gpus.isEmpty()) {
                found.add(new GpuPod(pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
                        pod.getSpec().getNodeName(), gpus));
            }
        }
        return found;
    }

    /**
     * Pods others made for Vigil to schedule ({@code schedulerName: vigil}) that no Vigil job claims
     * yet: without the {@value VigilLabels#JOB} label, unbound, not finished and not being deleted.
     */
    public List<UnclaimedPod> unclaimedPods() {
        return call("list unclaimed pods", () -> client.pods().inAnyNamespace().withoutLabel(VigilLabels.JOB).list())
                .getItems().stream()
                .filter(pod -> PodSpecs.vigils(pod) && pod.getSpec().getNodeName() == null
                        && pod.getMetadata().getDeletionTimestamp() == null
                        && !PodPhase.of(pod.getStatus() == null ? null : pod.getStatus().getPhase()).finished())
                .map(PodSpecs::unclaimed).toList();
    }

    /**
     * Labels a pod someone else made as a Vigil job's ({@value VigilLabels#JOB}, {@value VigilLabels#CLAIMED}):
     * from then on it is listed with Vigil's pods, and a new leader finds it by its labels.
     */
    public void claim(String namespace, String pod, String job) {
        Pod claimed = call("claim pod " + namespace + "/" + pod + " for job " + job, () -> client.pods()
                .inNamespace(namespace).withName(pod).edit(p -> new PodBuilder(p).editMetadata()
                        .addToLabels(VigilLabels.JOB, job).addToLabels(VigilLabels.ATTEMPT, "1")
                        .addToLabels(VigilLabels.CLAIMED, "true").endMetadata().build()));
        if (PodSpecs.unclaimed(claimed).refusal() != null) {
            // Refused before, fixed since: what Vigil said then no longer holds.
            call("clear condition " + VigilLabels.CONDITION + " of pod " + namespace + "/" + pod, () -> client.pods()
                    .inNamespace(namespace).withName(pod).editStatus(p -> new PodBuilder(p).editStatus()
                            .withConditions(p.getStatus().getConditions().stream()
                                    .filter(c -> !VigilLabels.CONDITION.equals(c.getType())).toList())
                            .endStatus().build()));
        }
    }

    /**
     * Tells whoever made a pod why Vigil does not schedule it, where {@code kubectl describe pod}
     * shows it: a Warning Event on the pod, and its condition {@value VigilLabels#CONDITION} False
     * with the same reason and message.
     *
     * @param reason a CamelCase word, e.g. {@code InvalidAnnotations}
     */
    public void refuse(String namespace, String pod, String uid, String reason, String message) {
        event(namespace, pod, uid, "Warning", reason, message);
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        call("set condition " + VigilLabels.CONDITION + " of pod " + namespace + "/" + pod, () -> client.pods()
                .inNamespace(namespace).withName(pod).editStatus(p -> {
                    List<PodCondition> conditions = new ArrayList<>(p.getStatus() == null
                            || p.getStatus().getConditions() == null ? List.of() : p.getStatus().getConditions());
                    conditions.removeIf(c -> VigilLabels.CONDITION.equals(c.getType()));
                    conditions.add(new PodConditionBuilder().withType(VigilLabels.CONDITION).withStatus("False")
                            .withReason(reason).withMessage(message).withLastTransitionTime(now).build());
                    return new PodBuilder(p).editOrNewStatus().withConditions(conditions).endStatus().build();
                }));
    }

    /**
     * Records an Event on a pod ({@code Normal} or {@code Warning}), from the component {@code vigil}:
     * what Vigil did to it, for {@code kubectl describe pod} and {@code kubectl get events}.
     */
    public void event(String namespace, String pod, String uid, String type, String reason, String message) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        Event event = new EventBuilder()
                .withNewMetadata().withGenerateName(pod + ".").withNamespace(namespace).endMetadata()
                .withNewInvolvedObject().withApiVersion("v1").withKind("Pod").withNamespace(namespace)
                .withName(pod).withUid(uid).endInvolvedObject()
                .withType(type).withReason(reason).withMessage(message)
                .withNewSource().withComponent(VigilLabels.SCHEDULER_NAME).endSource()
                .withReportingComponent(VigilLabels.SCHEDULER_NAME).withReportingInstance(VigilLabels.SCHEDULER_NAME)
                .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                .build();
        call("record event " + reason + " on pod " + namespace + "/" + pod,
                () -> client.v1().events().inNamespace(namespace).resource(event).create());
    }

    /** What a watch of Vigil's pods reports. Called on the client's thread: hand the news on, do not block. */
    public interface PodListener {
        /** A pod of Vigil's was added or changed ({@code deleted} false), or is gone (true). */
        void changed(VigilPod pod, boolean deleted);

        /** The watch ended (the API server closed it, e.g. its resource version is too old): list again and re-watch. */
        void closed(String reason);
    }

    /** Watches Vigil's pods in every namespace until the returned handle is closed. */
    public AutoCloseable watchVigilPods(PodListener listener) {
        Watch watch = call("watch Vigil's pods", () -> client.pods().inAnyNamespace().withLabel(VigilLabels.JOB)
                .watch(new Watcher<Pod>() {
                    @Override
                    public void eventReceived(Action action, Pod pod) {
                        if (action != Action.BOOKMARK && action != Action.ERROR && PodSpecs.vigils(pod)) {
                            listener.changed(PodSpecs.read(pod), action == Action.DELETED);
                        }
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                        listener.closed(cause.getMessage());
                    }
                }));
        return watch::close;
    }

    @Override
    public void close() {
        client.close();
    }

    private static <T> T call(String what, Supplier<T> request) {
        try {
            return request.get();
        } catch (KubernetesClientException e) {
            String status = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
                    : Objects.requireNonNullElse(e.getMessage(), e.toString());
            throw new KubernetesException(what + ": " + status, e.getCode(), e);
        }
    }

    /** How Vigil's pods are written and read. */
    static final class PodSpecs {
        /** What a gang's pod finds its index in, as in an Indexed Job. */
        static final String INDEX_VARIABLE = "JOB_COMPLETION_INDEX";
        /** The annotation an Indexed Job's pods carry their index in. */
        static final String COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index";

        private PodSpecs() {
        }

        static Pod of(PodRequest request) {
            Map<String, String> labels = new LinkedHashMap<>();
            labels.put(VigilLabels.JOB, request.job());
            labels.put(VigilLabels.ATTEMPT, Integer.toString(request.attempt()));
            labels.put("app.kubernetes.io/managed-by", "vigil");
            if (request.gang() != null) {
                labels.put(VigilLabels.GANG, request.gang());
            }
            if (request.replica() != null) {
                labels.put(VigilLabels.REPLICA, request.replica().toString());
            }
            Map<String, String> annotations = new LinkedHashMap<>();
            annotations.put(VigilLabels.GANG_SIZE, Integer.toString(request.gangSize()));
            if (request.tenant() != null) {
                annotations.put(VigilLabels.TENANT, request.tenant());
            }
            if (request.priorityClass() != null) {
                annotations.put(VigilLabels.PRIORITY_CLASS, request.priorityClass());
            }
            if (request.index() != null) {
                annotations.put(COMPLETION_INDEX, request.index().toString());
            }
            Pod pod = request.template() == null ? single(request, labels, annotations)
                    : fromTemplate(request, labels, annotations);
            if (request.gang() != null && request.index() != null) {
                // Its stable name under the gang's headless Service (rendezvous): <gang>-<index>.<gang>.
                pod.getSpec().setHostname(request.gang() + "-" + request.index());
                pod.getSpec().setSubdomain(request.gang());
            }
            return pod;
        }

        /** A pod of one container from the request's image, command and env. */
        private static Pod single(PodRequest request, Map<String, String> labels, Map<String, String> annotations) {
            Map.Entry<String, Integer> gpu = request.gpuResource();
            Map<String, Quantity> limits = Map.of(gpu.getKey(), new Quantity(gpu.getValue().toString()));
            Map<String, String> variables = new TreeMap<>(request.env());
            if (request.index() != null) {
                variables.put(INDEX_VARIABLE, request.index().toString());
            }
            List<EnvVar> env = variables.entrySet().stream().map(e -> new EnvVar(e.getKey(), e.getValue(), null))
                    .toList();
            return new PodBuilder()
                    .withNewMetadata().withName(request.name()).withNamespace(request.namespace())
                    .withLabels(labels).withAnnotations(annotations).endMetadata()
                    .withNewSpec()
                    .withSchedulerName(VigilLabels.SCHEDULER_NAME)
                    .withRestartPolicy(restartPolicy(request))
                    .addNewContainer().withName("main").withImage(request.image())
                    .withCommand(request.command().isEmpty() ? null : request.command())
                    .withEnv(env.isEmpty() ? null : env)
                    // Extended resources: requests equal limits, the device plugin counts limits.
                    .withNewResources().withLimits(limits).endResources()
                    .endContainer()
                    .endSpec()
                    .build();
        }

        /**
         * A pod from a manifest's template, Vigil's parts on top: its name, namespace, labels and
         * annotations, {@code schedulerName}, restart policy, no node (Vigil binds it), the GPU
         * container's GPU resources as placed, a gang pod's index; the rest (volumes, probes,
         * other resources, security context, …) as the template has it.
         */
        private static Pod fromTemplate(PodRequest request, Map<String, String> labels,
                                        Map<String, String> annotations) {
            PodTemplateSpec template = Manifests.template(request.template());
            ObjectMeta meta = template.getMetadata() == null ? new ObjectMeta() : template.getMetadata();
            Map<String, String> allLabels = new LinkedHashMap<>(meta.getLabels() == null ? Map.of() : meta.getLabels());
            allLabels.putAll(labels);
            Map<String, String> allAnnotations = new LinkedHashMap<>(meta.getAnnotations() == null ? Map.of()
                    : meta.getAnnotations());
            allAnnotations.putAll(annotations);
            PodSpec spec = template.getSpec();
            spec.setSchedulerName(VigilLabels.SCHEDULER_NAME);
            spec.setRestartPolicy(restartPolicy(request));
            spec.setNodeName(null);
            Container gpuContainer = spec.getContainers().get(Manifests.gpuContainer(spec));
            ResourceRequirements resources = gpuContainer.getResources() == null ? new ResourceRequirements()
                    : gpuContainer.getResources();
            Map<String, Quantity> limits = withoutGpus(resources.getLimits());
            Map.Entry<String, Integer> gpu = request.gpuResource();
            limits.put(gpu.getKey(), new Quantity(gpu.getValue().toString()));
            resources.setLimits(limits);
            Map<String, Quantity> requests = withoutGpus(resources.getRequests());
            resources.setRequests(requests.isEmpty() ? null : requests);
            gpuContainer.setResources(resources);
            if (request.index() != null) {
                for (Container container : spec.getContainers()) {
                    List<EnvVar> env = new ArrayList<>(container.getEnv() == null ? List.of() : container.getEnv());
                    env.removeIf(variable -> INDEX_VARIABLE.equals(variable.getName()));
                    env.add(new EnvVar(INDEX_VARIABLE, request.index().toString(), null));
                    container.setEnv(env);
                }
            }
            return new PodBuilder()
                    .withMetadata(new ObjectMetaBuilder(meta).withName(request.name()).withGenerateName(null)
                            .withNamespace(request.namespace()).withLabels(allLabels).withAnnotations(allAnnotations)
                            .build())
                    .withSpec(spec)
                    .build();
        }

        private static Map<String, Quantity> withoutGpus(Map<String, Quantity> amounts) {
            Map<String, Quantity> kept = new LinkedHashMap<>(amounts == null ? Map.of() : amounts);
            kept.keySet().removeIf(VigilLabels::isGpuResource);
            return kept;
        }

        private static String restartPolicy(PodRequest request) {
            return request.restart() ? "Always" : "Never";
        }

        static boolean vigils(Pod pod) {
            return pod.getSpec() != null && VigilLabels.SCHEDULER_NAME.equals(pod.getSpec().getSchedulerName());
        }

        static VigilPod read(Pod pod) {
            Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of()
                    : pod.getMetadata().getLabels();
            String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
            return new VigilPod(pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
                    pod.getMetadata().getUid(), labels.get(VigilLabels.JOB), number(labels.get(VigilLabels.ATTEMPT), 0),
                    labels.containsKey(VigilLabels.REPLICA) ? number(labels.get(VigilLabels.REPLICA), null) : null,
                    pod.getSpec() == null ? null : pod.getSpec().getNodeName(), PodPhase.of(phase), reason(pod),
                    exitCode(pod), pod.getMetadata().getDeletionTimestamp() != null,
                    "true".equals(labels.get(VigilLabels.CLAIMED)));
        }

        private static Integer number(String text, Integer otherwise) {
            try {
                return text == null ? otherwise : Integer.valueOf(text);
            } catch (NumberFormatException e) {
                return otherwise;
            }
        }

        private static List<ContainerStatus> statuses(Pod pod) {
            return pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null ? List.of()
                    : pod.getStatus().getContainerStatuses();
        }

        /** The pod's own reason first (the kubelet's: UnexpectedAdmissionError, Evicted), else a container's. */
        private static String reason(Pod pod) {
            if (pod.getStatus() != null && pod.getStatus().getReason() != null) {
                String message = pod.getStatus().getMessage();
                return pod.getStatus().getReason() + (message == null ? "" : ": " + message);
            }
            for (ContainerStatus status : statuses(pod)) {
                if (status.getState() == null) {
                    continue;
                }
                if (status.getState().getTerminated() != null && status.getState().getTerminated().getReason() != null) {
                    return status.getState().getTerminated().getReason();
                }
                if (status.getState().getWaiting() != null && status.getState().getWaiting().getReason() != null) {
                    return status.getState().getWaiting().getReason();
                }
            }
            return null;
        }

        private static Integer exitCode(Pod pod) {
            for (ContainerStatus status : statuses(pod)) {
                ContainerStateTerminated terminated = status.getState() == null ? null
                        : status.getState().getTerminated();
                if (terminated != null) {
                    return terminated.getExitCode();
                }
            }
            return null;
        }

        static UnclaimedPod unclaimed(Pod pod) {
            String refusal = pod.getStatus() == null || pod.getStatus().getConditions() == null ? null
                    : pod.getStatus().getConditions().stream()
                    .filter(c -> VigilLabels.CONDITION.equals(c.getType()) && "False".equals(c.getStatus()))
                    .map(PodCondition::getMessage).findFirst().orElse(null);
            List<String> others = new ArrayList<>();
            List<Container> containers = new ArrayList<>(pod.getSpec().getContainers());
            if (pod.getSpec().getInitContainers() != null) {
                containers.addAll(pod.getSpec().getInitContainers());
            }
            for (Container container : containers) {
                if (container.getResources() == null) {
                    continue;
                }
                for (Map<String, Quantity> amounts : Arrays.asList(container.getResources().getRequests(),
                        container.getResources().getLimits())) {
                    if (amounts != null) {
                        amounts.keySet().stream().filter(r -> !VigilLabels.isGpuResource(r)
                                        && r.toLowerCase(Locale.ROOT).matches(".*(gpu|mig).*") && !others.contains(r))
                                .forEach(others::add);
                    }
                }
            }
            Map<String, String> annotations = pod.getMetadata().getAnnotations() == null ? Map.of()
                    : pod.getMetadata().getAnnotations();
            return new UnclaimedPod(pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
                    pod.getMetadata().getUid(), annotations, gpuResources(pod), others,
                    pod.getSpec().getContainers().isEmpty() ? null : pod.getSpec().getContainers().get(0).getImage(),
                    refusal, Manifests.nodeConstraints(pod.getSpec()));
        }

        /** GPU resources as the kubelet counts them: the larger of the containers' sum and each init container's. */
        static Map<String, Integer> gpuResources(Pod pod) {
            Map<String, Integer> sum = new HashMap<>();
            for (Container container : pod.getSpec().getContainers()) {
                gpus(container).forEach((resource, count) -> sum.merge(resource, count, Integer::sum));
            }
            if (pod.getSpec().getInitContainers() != null) {
                for (Container init : pod.getSpec().getInitContainers()) {
                    gpus(init).forEach((resource, count) -> sum.merge(resource, count, Math::max));
                }
            }
            sum.values().removeIf(count -> count == 0);
            return sum;
        }

        /** A container's GPU resources: its limits (which the device plugin counts), else its requests. */
        private static Map<String, Integer> gpus(Container container) {
            Map<String, Integer> gpus = new HashMap<>();
            if (container.getResources() == null) {
                return gpus;
            }
            // limits last: where both are given, they win
            for (Map<String, Quantity> amounts : Arrays.asList(container.getResources().getRequests(),
                    container.getResources().getLimits())) {
                if (amounts != null) {
                    amounts.forEach((resource, quantity) -> {
                        if (VigilLabels.isGpuResource(resource)) {
                            gpus.put(resource, quantity.getNumericalAmount().intValue());
                        }
                    });
                }
            }
            return gpus;
        }
    }

    /** How nodes are read. */
    static final class NodeViews {
        private NodeViews() {
        }

        static KubeNode read(Node node) {
            Boolean ready = null;
            if (node.getStatus() != null && node.getStatus().getConditions() != null) {
                for (NodeCondition condition : node.getStatus().getConditions()) {
                    if ("Ready".equals(condition.getType())) {
                        ready = "True".equals(condition.getStatus()) ? Boolean.TRUE
                                : "False".equals(condition.getStatus()) ? Boolean.FALSE : null;
                    }
                }
            }
            Map<String, String> annotations = node.getMetadata().getAnnotations() == null ? Map.of()
                    : node.getMetadata().getAnnotations();
            boolean unschedulable = node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable());
            List<String> taints = node.getSpec() == null || node.getSpec().getTaints() == null ? List.of()
                    : node.getSpec().getTaints().stream().map(t -> t.getKey()
                    + (t.getValue() == null || t.getValue().isEmpty() ? "" : "=" + t.getValue())
                    + ":" + t.getEffect()).toList();
            Map<String, Integer> gpus = new HashMap<>();
            if (node.getStatus() != null && node.getStatus().getAllocatable() != null) {
                node.getStatus().getAllocatable().forEach((resource, quantity) -> {
                    if (VigilLabels.isGpuResource(resource)) {
                        gpus.put(resource, quantity.getNumericalAmount().intValue());
                    }
                });
            }
            return new KubeNode(node.getMetadata().getName(), ready, unschedulable,
                    unschedulable && annotations.containsKey(VigilLabels.CORDONED_BY_VIGIL), taints, gpus,
                    node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels());
        }
    }
}
