package dev.vigil.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The bridge against fabric8's mock API server: CRUD for pods, nodes and watches; expectations for
 * binding and eviction (the mock does not implement them), which check the exact request bodies.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    KubernetesMockServer server;
    KubernetesClient client;
    private Kubernetes kubernetes;

    @BeforeEach
    void bridge() {
        kubernetes = new Kubernetes(client);
    }

    static PodRequest gangPod(String name, int gpus) {
        return new PodRequest("ml", name, "j-000007", 2, "j-000007", 2, null, "research", "high", "pytorch:2.4",
                List.of("torchrun", "train.py"), Map.of("EPOCHS", "3"), gpus, null, false);
    }

    @Test
    void createsAnUnboundPodForVigilWithItsJobGangAndGpus() {
        VigilPod created = kubernetes.create(gangPod("j-000007-a2-0", 4));

        Pod stored = client.pods().inNamespace("ml").withName("j-000007-a2-0").get();
        assertThat(stored.getSpec().getSchedulerName()).isEqualTo("vigil");
        assertThat(stored.getSpec().getNodeName()).isNull();
        assertThat(stored.getSpec().getRestartPolicy()).isEqualTo("Never");
        assertThat(stored.getMetadata().getLabels()).containsEntry("vigil.dev/job", "j-000007")
                .containsEntry("vigil.dev/attempt", "2").containsEntry("vigil.dev/gang", "j-000007")
                .doesNotContainKey("vigil.dev/replica");
        assertThat(stored.getMetadata().getAnnotations()).containsEntry("vigil.dev/gang-size", "2")
                .containsEntry("vigil.dev/tenant", "research").containsEntry("vigil.dev/priority-class", "high");
        assertThat(stored.getSpec().getContainers()).singleElement().satisfies(c -> {
            assertThat(c.getImage()).isEqualTo("pytorch:2.4");
            assertThat(c.getCommand()).containsExactly("torchrun", "train.py");
            assertThat(c.getEnv()).singleElement().satisfies(e -> assertThat(e.getName() + "=" + e.getValue())
                    .isEqualTo("EPOCHS=3"));
            assertThat(c.getResources().getLimits()).containsOnly(Map.entry("nvidia.com/gpu", new Quantity("4")));
        });
        assertThat(created.job()).isEqualTo("j-000007");
        assertThat(created.attempt()).isEqualTo(2);
        assertThat(created.uid()).isEqualTo(stored.getMetadata().getUid());
        assertThat(created.node()).isNull();
    }

    @Test
    void aMigSliceIsOneOfItsMixedStrategyResource() {
        kubernetes.create(new PodRequest("serve", "j-000009-a1-r3", "j-000009", 1, null, 1, 3, null, null,
                "triton:24.08", List.of(), Map.of(), 0, "1g.10gb", true));

        Pod stored = client.pods().inNamespace("serve").withName("j-000009-a1-r3").get();
        assertThat(stored.getSpec().getContainers().get(0).getResources().getLimits())
                .containsOnly(Map.entry("nvidia.com/mig-1g.10gb", new Quantity("1")));
        assertThat(stored.getSpec().getContainers().get(0).getCommand()).isEmpty();
        assertThat(stored.getSpec().getRestartPolicy()).isEqualTo("Always");
        assertThat(stored.getMetadata().getLabels()).containsEntry("vigil.dev/replica", "3")
                .doesNotContainKey("vigil.dev/gang");
    }

    @Test
    void aPodAsksForWholeGpusOrOneSliceNeverBoth() {
        assertThatThrownBy(() -> new PodRequest("ml", "p", "j", 1, "j", 1, null, null, null, "img", null, null, 2,
                "1g.10gb", false)).hasMessageContaining("whole GPUs or one MIG slice");
        assertThatThrownBy(() -> new PodRequest("ml", "p", "j", 1, "j", 1, null, null, null, "img", null, null, 0,
                null, false)).hasMessageContaining("whole GPUs or one MIG slice");
        assertThatThrownBy(() -> new PodRequest("ml", "p", "j", 1, "j", 1, null, null, null, " ", null, null, 1,
                null, false)).hasMessageContaining("image is required");
    }

    @Test
    void bindsThroughThePodsBindingSubresourceNamingTheNodeAndThePodsUid() throws Exception {
        List<String> bodies = new CopyOnWriteArrayList<>();
        server.expect().post().withPath("/api/v1/namespaces/ml/pods/j-000007-a2-0/binding")
                .andReply(201, request -> {
                    bodies.add(request.getUtf8Body());
                    return Map.of("kind", "Status", "apiVersion", "v1", "status", "Success");
                }).once();

        kubernetes.bind("ml", "j-000007-a2-0", "uid-1", "gpu-01");

        assertThat(bodies).hasSize(1);
        assertThat(JSON.readTree(bodies.get(0))).isEqualTo(JSON.readTree("""
                {"apiVersion": "v1", "kind": "Binding",
                 "metadata": {"name": "j-000007-a2-0", "namespace": "ml", "uid": "uid-1"},
                 "target": {"apiVersion": "v1", "kind": "Node", "name": "gpu-01"}}"""));
    }

    @Test
    void aRefusedBindSaysWhichPodWhichNodeAndTheStatus() {
        server.expect().post().withPath("/api/v1/namespaces/ml/pods/p0/binding")
                .andReturn(409, Map.of("kind", "Status", "apiVersion", "v1", "status", "Failure",
                        "message", "pod p0 is already assigned to node \"gpu-02\"", "code", 409)).once();

        assertThatThrownBy(() -> kubernetes.bind("ml", "p0", "uid-1", "gpu-01"))
                .isInstanceOfSatisfying(KubernetesException.class, e -> {
                    assertThat(e.status()).isEqualTo(409);
                    assertThat(e.retryable()).isTrue();
                })
                .hasMessageContaining("bind pod ml/p0 to node gpu-01")
                .hasMessageContaining("already assigned");
    }

    @Test
    void evictsThroughTheEvictionApiOfPolicyV1() throws Exception {
        List<String> bodies = new CopyOnWriteArrayList<>();
        server.expect().post().withPath("/api/v1/namespaces/ml/pods/p0/eviction")
                .andReply(201, request -> {
                    bodies.add(request.getUtf8Body());
                    return Map.of("kind", "Status", "apiVersion", "v1", "status", "Success");
                }).once();

        assertThat(kubernetes.evict("ml", "p0")).isEqualTo(EvictionOutcome.EVICTED);

        assertThat(bodies).hasSize(1);
        JsonNode body = JSON.readTree(bodies.get(0));
        assertThat(body.get("apiVersion").asText()).isEqualTo("policy/v1");
        assertThat(body.get("kind").asText()).isEqualTo("Eviction");
        assertThat(body.get("metadata")).isEqualTo(JSON.readTree("{\"name\": \"p0\", \"namespace\": \"ml\"}"));
    }

    @Test
    void anEvictionABudgetForbidsIsBlockedAndOneOfNoPodIsGone() {
        server.expect().post().withPath("/api/v1/namespaces/ml/pods/p0/eviction")
                .andReturn(429, Map.of("kind", "Status", "apiVersion", "v1", "status", "Failure", "code", 429,
                        "message", "Cannot evict pod as it would violate the pod's disruption budget.")).once();
        server.expect().post().withPath("/api/v1/namespaces/ml/pods/p1/eviction")
                .andReturn(404, Map.of("kind", "Status", "apiVersion", "v1", "status", "Failure", "code", 404,
                        "message", "pods \"p1\" not found")).once();
        server.expect().post().withPath("/api/v1/namespaces/ml/pods/p2/eviction")
                .andReturn(403, Map.of("kind", "Status", "apiVersion", "v1", "status", "Failure", "code", 403,
                        "message", "forbidden")).once();

        assertThat(kubernetes.evict("ml", "p0")).isEqualTo(EvictionOutcome.BLOCKED);
        assertThat(kubernetes.evict("ml", "p1")).isEqualTo(EvictionOutcome.GONE);
        assertThatThrownBy(() -> kubernetes.evict("ml", "p2")).isInstanceOfSatisfying(KubernetesException.class,
                e -> assertThat(e.retryable()).isFalse()).hasMessageContaining("evict pod ml/p2");
    }

    @Test
    void deletesAPodAndSaysWhetherThereWasOne() {
        kubernetes.create(gangPod("p0", 1));

        assertThat(kubernetes.delete("ml", "p0")).isTrue();
        assertThat(client.pods().inNamespace("ml").withName("p0").get()).isNull();
        assertThat(kubernetes.delete("ml", "p0")).isFalse();
    }

    private void node(String name, boolean unschedulable, String readyStatus, String... otherTaints) {
        NodeBuilder node = new NodeBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withUnschedulable(unschedulable ? true : null).endSpec()
                .withNewStatus().addNewCondition().withType("Ready").withStatus(readyStatus).endCondition()
                .addToAllocatable("nvidia.com/gpu", new Quantity("8")).addToAllocatable("cpu", new Quantity("96"))
                .endStatus();
        for (String taint : otherTaints) {
            node.editSpec().addNewTaint().withKey(taint).withEffect("NoSchedule").endTaint().endSpec();
        }
        client.nodes().resource(node.build()).create();
    }

    @Test
    void aCordonByVigilSetsUnschedulableAndItsTaintAndTheUncordonUndoesBoth() {
        node("gpu-01", false, "True");

        KubeNode cordoned = kubernetes.cordon("gpu-01");

        Node stored = client.nodes().withName("gpu-01").get();
        assertThat(stored.getSpec().getUnschedulable()).isTrue();
        assertThat(stored.getSpec().getTaints()).singleElement().satisfies(t -> assertThat(t.getKey() + ":"
                + t.getEffect()).isEqualTo("vigil.dev/gpu-unhealthy:NoSchedule"));
        assertThat(cordoned.unschedulable()).isTrue();
        assertThat(cordoned.cordonedByVigil()).isTrue();
        assertThat(cordoned.taintedByVigil()).isTrue();
        assertThat(kubernetes.cordon("gpu-01").taints()).as("cordoned twice, tainted once")
                .containsExactly("vigil.dev/gpu-unhealthy:NoSchedule");

        KubeNode uncordoned = kubernetes.uncordon("gpu-01");

        stored = client.nodes().withName("gpu-01").get();
        assertThat(stored.getSpec().getUnschedulable()).isNotEqualTo(Boolean.TRUE);
        assertThat(stored.getSpec().getTaints()).isNullOrEmpty();
        assertThat(stored.getMetadata().getAnnotations()).doesNotContainKey("vigil.dev/cordoned");
        assertThat(uncordoned.unschedulable()).isFalse();
        assertThat(uncordoned.taintedByVigil()).isFalse();
    }

    @Test
    void someoneElsesCordonStaysTheirsThroughVigilsCordonAndUncordon() {
        node("gpu-02", true, "True", "example.com/maintenance");

        KubeNode cordoned = kubernetes.cordon("gpu-02");
        assertThat(cordoned.cordonedByVigil()).isFalse();
        assertThat(cordoned.taints()).containsExactly("example.com/maintenance:NoSchedule",
                "vigil.dev/gpu-unhealthy:NoSchedule");

        KubeNode uncordoned = kubernetes.uncordon("gpu-02");

        assertThat(uncordoned.unschedulable()).isTrue();
        assertThat(uncordoned.taints()).containsExactly("example.com/maintenance:NoSchedule");
        assertThat(client.nodes().withName("gpu-02").get().getSpec().getUnschedulable()).isTrue();
    }

    @Test
    void aNodeWithoutASpecIsCordonedAndUncordonedToo() {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("bare").endMetadata().build()).create();

        assertThat(kubernetes.cordon("bare").cordonedByVigil()).isTrue();
        assertThat(kubernetes.uncordon("bare").unschedulable()).isFalse();
    }

    @Test
    void cordoningANodeThatIsNotThereSaysSo() {
        assertThatThrownBy(() -> kubernetes.cordon("gpu-99")).isInstanceOfSatisfying(KubernetesException.class,
                e -> assertThat(e.status()).isEqualTo(404)).hasMessageContaining("cordon node gpu-99");
    }

    @Test
    void listsNodesWithReadinessCordonTaintsAndGpus() {
        node("gpu-01", false, "True");
        node("gpu-02", true, "False");
        node("gpu-03", false, "Unknown", "example.com/maintenance");

        assertThat(kubernetes.nodes()).containsExactlyInAnyOrder(
                new KubeNode("gpu-01", true, false, false, List.of(), Map.of("nvidia.com/gpu", 8)),
                new KubeNode("gpu-02", false, true, false, List.of(), Map.of("nvidia.com/gpu", 8)),
                new KubeNode("gpu-03", null, false, false, List.of("example.com/maintenance:NoSchedule"),
                        Map.of("nvidia.com/gpu", 8)));
    }

    private void foreignPod(String name, String node, String phase, String resource, int count, Integer initCount) {
        PodBuilder pod = new PodBuilder().withNewMetadata().withName(name).withNamespace("other").endMetadata()
                .withNewSpec().withNodeName(node)
                .addNewContainer().withName("a").withImage("x").withNewResources()
                .addToLimits(resource, new Quantity(Integer.toString(count))).endResources().endContainer()
                .addNewContainer().withName("b").withImage("x").withNewResources()
                .addToRequests(resource, new Quantity("1")).addToLimits(resource, new Quantity("1"))
                .endResources().endContainer()
                .endSpec().withNewStatus().withPhase(phase).endStatus();
        if (initCount != null) {
            pod.editSpec().addNewInitContainer().withName("init").withImage("x").withNewResources()
                    .addToLimits(resource, new Quantity(initCount.toString())).endResources().endInitContainer()
                    .endSpec();
        }
        client.pods().resource(pod.build()).create();
    }

    @Test
    void podsOtherSchedulersPutOnNodesWithGpusCountAsUsed() {
        foreignPod("trainer", "gpu-01", "Running", "nvidia.com/gpu", 2, null);
        foreignPod("slice", "gpu-02", "Pending", "nvidia.com/mig-2g.20gb", 1, 4);
        foreignPod("done", "gpu-01", "Succeeded", "nvidia.com/gpu", 4, null);
        foreignPod("unbound", null, "Pending", "nvidia.com/gpu", 4, null);
        foreignPod("cpu-only", "gpu-01", "Running", "cpu", 4, null);
        kubernetes.create(gangPod("ours", 1));

        assertThat(kubernetes.foreignGpuPods()).containsExactlyInAnyOrder(
                new GpuPod("other", "trainer", "gpu-01", Map.of("nvidia.com/gpu", 3)),
                new GpuPod("other", "slice", "gpu-02", Map.of("nvidia.com/mig-2g.20gb", 4)));
    }

    /** A pod someone made for Vigil with {@code kubectl apply}: schedulerName vigil, annotations, no job label. */
    static Pod podForVigil(String namespace, String name, Map<String, String> annotations, String resource,
                           String count) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                .withAnnotations(annotations).endMetadata()
                .withNewSpec().withSchedulerName("vigil").addNewContainer().withName("main").withImage("pytorch:2.4")
                .withNewResources().addToLimits(resource, new Quantity(count)).endResources().endContainer()
                .endSpec().build();
    }

    @Test
    void listsThePodsOthersMadeForVigilThatNoJobClaimsYet() {
        client.pods().resource(podForVigil("ml", "w0", Map.of("vigil.dev/gang", "llm", "vigil.dev/gang-size", "2"),
                "nvidia.com/gpu", "4")).create();
        client.pods().resource(podForVigil("ml", "odd", Map.of(), "gpu", "1")).create();
        client.pods().resource(new PodBuilder(podForVigil("ml", "bound", Map.of(), "nvidia.com/gpu", "1"))
                .editSpec().withNodeName("gpu-01").endSpec().build()).create();
        client.pods().resource(new PodBuilder(podForVigil("ml", "done", Map.of(), "nvidia.com/gpu", "1"))
                .withNewStatus().withPhase("Succeeded").endStatus().build()).create();
        client.pods().resource(new PodBuilder(podForVigil("ml", "default", Map.of(), "nvidia.com/gpu", "1"))
                .editSpec().withSchedulerName("default-scheduler").endSpec().build()).create();
        kubernetes.create(gangPod("ours", 1));

        List<UnclaimedPod> unclaimed = kubernetes.unclaimedPods();

        assertThat(unclaimed).extracting(UnclaimedPod::name).containsExactlyInAnyOrder("w0", "odd");
        UnclaimedPod w0 = unclaimed.stream().filter(p -> p.name().equals("w0")).findFirst().orElseThrow();
        assertThat(w0.annotations()).containsEntry("vigil.dev/gang", "llm").containsEntry("vigil.dev/gang-size", "2");
        assertThat(w0.gpus()).isEqualTo(Map.of("nvidia.com/gpu", 4));
        assertThat(w0.otherGpuRequests()).isEmpty();
        assertThat(w0.image()).isEqualTo("pytorch:2.4");
        assertThat(w0.uid()).isEqualTo(client.pods().inNamespace("ml").withName("w0").get().getMetadata().getUid());
        UnclaimedPod odd = unclaimed.stream().filter(p -> p.name().equals("odd")).findFirst().orElseThrow();
        assertThat(odd.gpus()).isEmpty();
        assertThat(odd.otherGpuRequests()).containsExactly("gpu");
    }

    @Test
    void aClaimedPodIsListedWithVigilsPodsAndNoLongerUnclaimed() {
        client.pods().resource(podForVigil("ml", "w0", Map.of(), "nvidia.com/gpu", "4")).create();

        kubernetes.claim("ml", "w0", "j-000003");

        assertThat(kubernetes.unclaimedPods()).isEmpty();
        assertThat(kubernetes.podsOf("j-000003")).singleElement().satisfies(p -> {
            assertThat(p.name()).isEqualTo("w0");
            assertThat(p.claimed()).isTrue();
        });
        assertThat(kubernetes.create(gangPod("made", 1)).claimed()).as("a pod Vigil made is not claimed").isFalse();
    }

    @Test
    void aRefusedPodGetsAWarningEventAndTheConditionVigilScheduledFalse() {
        client.pods().resource(podForVigil("ml", "w0", Map.of("vigil.dev/gang-size", "two"), "nvidia.com/gpu", "4"))
                .create();
        String uid = client.pods().inNamespace("ml").withName("w0").get().getMetadata().getUid();

        kubernetes.refuse("ml", "w0", uid, "InvalidAnnotations", "vigil.dev/gang-size: \"two\" is not a number");

        assertThat(client.v1().events().inNamespace("ml").list().getItems()).singleElement().satisfies(e -> {
            assertThat(e.getType()).isEqualTo("Warning");
            assertThat(e.getReason()).isEqualTo("InvalidAnnotations");
            assertThat(e.getMessage()).isEqualTo("vigil.dev/gang-size: \"two\" is not a number");
            assertThat(e.getInvolvedObject().getKind() + " " + e.getInvolvedObject().getName() + " "
                    + e.getInvolvedObject().getUid()).isEqualTo("Pod w0 " + uid);
            assertThat(e.getSource().getComponent()).isEqualTo("vigil");
        });
        Pod pod = client.pods().inNamespace("ml").withName("w0").get();
        assertThat(pod.getStatus().getConditions()).singleElement().satisfies(c -> {
            assertThat(c.getType() + " " + c.getStatus() + " " + c.getReason())
                    .isEqualTo("VigilScheduled False InvalidAnnotations");
            assertThat(c.getMessage()).isEqualTo("vigil.dev/gang-size: \"two\" is not a number");
        });
        assertThat(kubernetes.unclaimedPods()).singleElement().satisfies(p -> assertThat(p.refusal())
                .as("what Vigil said is read back, so it is not said again").isEqualTo(pod.getStatus()
                        .getConditions().get(0).getMessage()));

        kubernetes.claim("ml", "w0", "j-000004");
        assertThat(client.pods().inNamespace("ml").withName("w0").get().getStatus().getConditions())
                .as("fixed and claimed: the refusal no longer holds").isEmpty();
    }

    @Test
    void readsPhaseReasonAndExitCodeOfVigilsPods() {
        kubernetes.create(gangPod("p0", 1));
        kubernetes.create(gangPod("p1", 1));
        client.pods().inNamespace("ml").withName("p0").editStatus(p -> new PodBuilder(p).editOrNewStatus()
                .withPhase("Failed").withReason("UnexpectedAdmissionError")
                .withMessage("Allocate failed due to requested number of devices unavailable").endStatus().build());
        client.pods().inNamespace("ml").withName("p1").editStatus(p -> new PodBuilder(p).editOrNewStatus()
                .withPhase("Failed").addNewContainerStatus().withName("main").withNewState().withNewTerminated()
                .withExitCode(137).withReason("OOMKilled").endTerminated().endState().endContainerStatus()
                .endStatus().build());
        client.pods().resource(new PodBuilder().withNewMetadata().withName("not-ours").withNamespace("ml")
                .addToLabels("vigil.dev/job", "j-000007").endMetadata().withNewSpec()
                .withSchedulerName("default-scheduler").addNewContainer().withName("c").withImage("x").endContainer()
                .endSpec().build()).create();

        assertThat(kubernetes.podsOf("j-000007")).extracting(VigilPod::name, VigilPod::phase, VigilPod::reason,
                VigilPod::exitCode).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple("p0", PodPhase.FAILED,
                        "UnexpectedAdmissionError: Allocate failed due to requested number of devices unavailable",
                        null),
                org.assertj.core.groups.Tuple.tuple("p1", PodPhase.FAILED, "OOMKilled", 137));
        assertThat(kubernetes.vigilPods()).extracting(VigilPod::name).containsExactlyInAnyOrder("p0", "p1");
        assertThat(kubernetes.podsOf("j-000008")).isEmpty();
    }

    @Test
    void aWatchOfVigilsPodsReportsAddedChangedAndDeleted() throws Exception {
        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        try (AutoCloseable watch = kubernetes.watchVigilPods(new Kubernetes.PodListener() {
            @Override
            public void changed(VigilPod pod, boolean deleted) {
                events.add((deleted ? "deleted " : "") + pod.name() + " " + pod.phase() + " " + pod.node());
            }

            @Override
            public void closed(String reason) {
                events.add("closed");
            }
        })) {
            kubernetes.create(gangPod("p0", 1));
            assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo("p0 PENDING null");

            client.pods().inNamespace("ml").withName("p0").edit(p -> new PodBuilder(p).editSpec()
                    .withNodeName("gpu-01").endSpec().build());
            assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo("p0 PENDING gpu-01");

            kubernetes.delete("ml", "p0");
            assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo("deleted p0 PENDING gpu-01");
        }
    }
}
