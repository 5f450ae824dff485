package dev.vigil.controller.kubernetes;

import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.cluster.NodeState;
import dev.vigil.api.jobs.Allocation;
import dev.vigil.api.jobs.JobKind;
import dev.vigil.api.jobs.JobSpec;
import dev.vigil.api.jobs.Placement;
import dev.vigil.controller.config.KubernetesSettings;
import dev.vigil.controller.execution.DesiredAllocations;
import dev.vigil.controller.execution.ExecutionBackend;
import dev.vigil.k8s.EvictionOutcome;
import dev.vigil.k8s.KubeNode;
import dev.vigil.k8s.Kubernetes;
import dev.vigil.k8s.KubernetesException;
import dev.vigil.k8s.Manifests;
import dev.vigil.k8s.PodRequest;
import dev.vigil.k8s.VigilPod;
import dev.vigil.scheduler.Decision;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The scenarios of {@link KubernetesBackendTest} and the bridge's binding, eviction and cordon,
 * against the real cluster {@code VIGIL_KUBECONFIG} names (kind or k3s: docs/kubernetes.md says how
 * to start one). Each test works in a namespace of its own, deleted afterwards. The cluster needs
 * no GPU: the first Ready node is told it has {@code nvidia.com/gpu} (an extended resource the
 * kubelet then admits pods against), and that is taken back afterwards. The pods run
 * {@code VIGIL_K8S_TEST_IMAGE} (default {@code busybox:1.36}), which the nodes must be able to pull.
 * Without the variable each test is skipped with the reason; {@code VIGIL_REQUIRE_KUBERNETES=1}
 * makes that a failure, for a CI that has a cluster.
 */
class KubernetesClusterIT {
    static final String NOT_SET = "VIGIL_KUBECONFIG not set: no Kubernetes cluster here (kind or k3s; see "
            + "docs/kubernetes.md)";
    private static final Duration PATIENCE = Duration.ofMinutes(3);
    /** The label a nodeSelector scenario puts on the node (and takes off afterwards). */
    private static final String IT_LABEL = "vigil.dev/it-node";

    private final String image = System.getenv().getOrDefault("VIGIL_K8S_TEST_IMAGE", "busybox:1.36");
    private final List<String> said = new CopyOnWriteArrayList<>();
    private KubernetesClient client;
    private Kubernetes kubernetes;
    private String namespace;
    private String node;
    private boolean advertised;
    private KubernetesBackend backend;
    private StoredNodes stored;

    @BeforeEach
    void cluster() {
        String kubeconfig = System.getenv("VIGIL_KUBECONFIG");
        boolean set = kubeconfig != null && !kubeconfig.isBlank();
        if (!set && "1".equals(System.getenv("VIGIL_REQUIRE_KUBERNETES"))) {
            fail("VIGIL_REQUIRE_KUBERNETES=1 but " + NOT_SET);
        }
        assumeTrue(set, NOT_SET);
        client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Path.of(kubeconfig).toFile())).build();
        kubernetes = new Kubernetes(client);
        node = kubernetes.nodes().stream().filter(n -> Boolean.TRUE.equals(n.ready()) && !n.unschedulable())
                .map(KubeNode::name).findFirst().orElseThrow(() -> new AssertionError("no Ready, schedulable node in "
                        + kubernetes.server()));
        if (!kubernetes.nodes().stream().filter(n -> n.name().equals(node)).findFirst().orElseThrow()
                .gpusAllocatable().containsKey("nvidia.com/gpu")) {
            client.nodes().withName(node).editStatus(n -> new NodeBuilder(n).editStatus()
                    .addToCapacity("nvidia.com/gpu", new Quantity("4")).endStatus().build());
            advertised = true;
        }
        namespace = "vigil-it-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata()
                .build()).create();
        stored = new StoredNodes(node);
        backend = new KubernetesBackend(new KubernetesSettings(Path.of(kubeconfig), null, namespace,
                Duration.ofMillis(500), Duration.ofSeconds(10), null, null), kubernetes, stored,
                (name, view, asked) -> { },
                Clock.systemUTC(), Executors.newSingleThreadExecutor());
        backend.adopt(List.of(), Instant.now());
    }

    @AfterEach
    void cleanUp() {
        if (client == null) {
            return;
        }
        backend.close();
        client.namespaces().withName(namespace).delete();
        client.nodes().withName(node).edit(n -> new NodeBuilder(n).editMetadata().removeFromLabels(IT_LABEL)
                .endMetadata().build());
        if (advertised) {
            client.nodes().withName(node).editStatus(n -> new NodeBuilder(n).editStatus()
                    .removeFromCapacity("nvidia.com/gpu").endStatus().build());
        }
        client.close();
    }

    /** The nodes as the leader would store them: the one node under test. */
    private static final class StoredNodes implements DesiredAllocations {
        final Map<String, NodeRecord> records = new ConcurrentHashMap<>();

        StoredNodes(String node) {
            records.put(node, NodeRecord.named(node).state(NodeState.READY).reason("ready").actor("agent")
                    .since(Instant.EPOCH).lastReport(Instant.EPOCH).version(1).build());
        }

        @Override
        public Optional<NodeRecord> change(String node, UnaryOperator<List<Allocation>> change) {
            return Optional.ofNullable(records.computeIfPresent(node, (name, old) -> old.with()
                    .version(old.version() + 1).allocations(change.apply(old.allocations())).build()));
        }

        @Override
        public Optional<NodeRecord> node(String node) {
            return Optional.ofNullable(records.get(node));
        }

        @Override
        public List<NodeRecord> allocated() {
            return records.values().stream().filter(n -> !n.allocations().isEmpty()).toList();
        }
    }

    private final ExecutionBackend.Listener listener = new ExecutionBackend.Listener() {
        @Override
        public void running(String job, Instant at) {
            said.add("running " + job);
        }

        @Override
        public void finished(String job, boolean succeeded, String reason, Instant at) {
            said.add((succeeded ? "succeeded " : "failed ") + job + ": " + reason);
        }

        @Override
        public void lost(String job, Collection<String> nodes, String reason, Instant at) {
            said.add("lost " + job + " on " + nodes + ": " + reason);
        }

        @Override
        public boolean rebind(String job, Placement actual) {
            throw new AssertionError("the kubernetes backend never moves a placement");
        }

        @Override
        public boolean unfinished(String job) {
            return !ended.contains(job);
        }

        @Override
        public String submit(JobSpec spec, String actor) {
            said.add("submitted j-000010: " + spec.name() + ", " + spec.nodes() + "x" + spec.gpusPerNode());
            submitted.put("j-000010", spec);
            return "j-000010";
        }
    };
    private final Map<String, JobSpec> submitted = new ConcurrentHashMap<>();
    /** Jobs the scheduler no longer has (cancelled while queued). */
    private final java.util.Set<String> ended = ConcurrentHashMap.newKeySet();

    /** A pod someone made for Vigil with kubectl: schedulerName vigil, annotations, one GPU. */
    private void podForVigil(String name, Map<String, String> annotations, String... command) {
        client.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withName(name)
                .withAnnotations(annotations).endMetadata().withNewSpec().withSchedulerName("vigil")
                .withRestartPolicy("Never").addNewContainer().withName("main").withImage(image)
                .withCommand(command).withNewResources().addToLimits("nvidia.com/gpu", new Quantity("1"))
                .endResources().endContainer().endSpec().build()).create();
    }

    private void pollUntil(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("not within " + PATIENCE + "; said " + said).isLessThan(deadline);
            backend.poll(Instant.now(), listener);
            Thread.sleep(200);
        }
    }

    private JobSpec gang(String... command) {
        return new JobSpec("it", JobKind.TRAINING, "research", null, null, null, null, 2, 1, null, null, null, null,
                null, null, null, null, "kubernetes", List.of(command), image, null);
    }

    private Placement onTheNode(int gpu) {
        return new Placement(node, List.of(gpu), List.of("GPU-" + gpu), List.of(), null);
    }

    @Test
    void aGangsTwoPodsAreBoundTogetherRunAndSucceed() throws Exception {
        backend.start(new Decision.Start("j-000001", gang("sh", "-c", "sleep 3"),
                List.of(onTheNode(0), onTheNode(1)), 1));

        pollUntil(() -> said.contains("running j-000001"));
        assertThat(kubernetes.podsOf("j-000001")).extracting(VigilPod::node).containsExactly(node, node);
        pollUntil(() -> said.size() == 2);
        assertThat(said.get(1)).isEqualTo("succeeded j-000001: its 2 pods succeeded");
    }

    @Test
    void aSubmittedJobManifestsPodsRunWithItsVolumeEnvAndTheirIndex() throws Exception {
        // The pods succeed only where the template's volume and env and Vigil's index reached the container.
        JobSpec spec = Manifests.read("""
                apiVersion: batch/v1
                kind: Job
                metadata: {name: it-manifest, namespace: %s}
                spec:
                  parallelism: 2
                  completionMode: Indexed
                  template:
                    spec:
                      restartPolicy: Never
                      containers:
                        - name: main
                          image: %s
                          command: [sh, -c, 'test -d /scratch && test "$GREETING" = hello && test -n "$JOB_COMPLETION_INDEX"']
                          env: [{name: GREETING, value: hello}]
                          resources: {limits: {nvidia.com/gpu: 1, memory: 64Mi}}
                          volumeMounts: [{name: scratch, mountPath: /scratch}]
                      volumes: [{name: scratch, emptyDir: {}}]
                """.formatted(namespace, image));
        backend.check(spec);

        backend.start(new Decision.Start("j-000004", spec, List.of(onTheNode(0), onTheNode(1)), 1));

        pollUntil(() -> said.stream().anyMatch(s -> !s.startsWith("running")));
        assertThat(said).last().isEqualTo("succeeded j-000004: its 2 pods succeeded");
    }

    @Test
    void aSubmittedDeploymentsReplicaBecomesReadyByItsProbe() throws Exception {
        JobSpec spec = Manifests.read("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: it-serve}
                spec:
                  replicas: 1
                  selector: {matchLabels: {app: it-serve}}
                  template:
                    metadata: {labels: {app: it-serve}}
                    spec:
                      containers:
                        - name: server
                          image: %s
                          command: [sh, -c, 'touch /tmp/ready && sleep 600']
                          resources: {limits: {nvidia.com/gpu: 1}}
                          readinessProbe: {exec: {command: [cat, /tmp/ready]}, periodSeconds: 1}
                """.formatted(image));

        backend.start(new Decision.Start("j-000005", spec, List.of(new Placement(node, List.of(0), List.of("GPU-0"),
                List.of(), 0)), 1));

        pollUntil(() -> said.contains("running j-000005"));
        pollUntil(() -> client.pods().inNamespace(namespace).withLabel("vigil.dev/job", "j-000005").list().getItems()
                .stream().anyMatch(p -> p.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()))));
        assertThat(client.pods().inNamespace(namespace).withLabel("app", "it-serve").list().getItems()).hasSize(1);
    }

    @Test
    void aGangWithAPodThatCannotBeMadeLeavesNoPodBehindAndIsRequeued() throws Exception {
        // A pod already holds the name of the gang's second pod: its create is refused (409).
        kubernetes.create(new PodRequest(namespace, "j-000002-a1-1", "someone-else", 1, null, 1, null, null, null,
                image, List.of("sleep", "60"), Map.of(), 1, null, false));

        backend.start(new Decision.Start("j-000002", gang("sleep", "60"), List.of(onTheNode(0), onTheNode(1)), 1));

        pollUntil(() -> !said.isEmpty());
        assertThat(said.get(0)).startsWith("lost j-000002 on [" + node + ", " + node + "]: could not place its pods");
        pollUntil(() -> kubernetes.podsOf("j-000002").isEmpty());
    }

    @Test
    void aBoundPodCannotBeBoundAgainAndAnEvictionRemovesIt() throws Exception {
        VigilPod pod = kubernetes.create(new PodRequest(namespace, "p0", "j-000003", 1, "j-000003", 1, null, null,
                null, image, List.of("sleep", "600"), Map.of(), 1, null, false));
        kubernetes.bind(namespace, "p0", pod.uid(), node);

        assertThatThrownBy(() -> kubernetes.bind(namespace, "p0", pod.uid(), node))
                .isInstanceOfSatisfying(KubernetesException.class, e -> assertThat(e.status()).isEqualTo(409));
        assertThat(kubernetes.evict(namespace, "p0")).isEqualTo(EvictionOutcome.EVICTED);
        pollUntil(() -> kubernetes.podsOf("j-000003").stream().allMatch(VigilPod::deleting));
        assertThat(kubernetes.evict(namespace, "no-such-pod")).isEqualTo(EvictionOutcome.GONE);
    }

    @Test
    void vigilsCordonIsUndoneAndNothingElse() {
        KubeNode cordoned = kubernetes.cordon(node);
        try {
            assertThat(cordoned.unschedulable()).isTrue();
            assertThat(cordoned.cordonedByVigil()).isTrue();
            assertThat(cordoned.taintedByVigil()).isTrue();
        } finally {
            KubeNode uncordoned = kubernetes.uncordon(node);
            assertThat(uncordoned.unschedulable()).isFalse();
            assertThat(uncordoned.taintedByVigil()).isFalse();
        }
    }

    @Test
    void aGangOfPodsOthersMadeBecomesOneJobBoundTogetherWhenPlaced() throws Exception {
        Map<String, String> gang = Map.of("vigil.dev/gang", "it", "vigil.dev/gang-size", "2",
                "vigil.dev/tenant", "research");
        podForVigil("it-0", gang, "sh", "-c", "sleep 3");
        podForVigil("it-1", gang, "sh", "-c", "sleep 3");

        pollUntil(() -> !said.isEmpty());
        assertThat(said).containsExactly("submitted j-000010: " + namespace + "/it, 2x1");
        pollUntil(() -> kubernetes.podsOf("j-000010").size() == 2);
        backend.start(new Decision.Start("j-000010", submitted.get("j-000010"), List.of(onTheNode(0),
                onTheNode(1)), 1));

        pollUntil(() -> said.contains("running j-000010"));
        assertThat(kubernetes.podsOf("j-000010")).extracting(VigilPod::node).containsExactly(node, node);
    }

    @Test
    void aPodWhoseAnnotationsAreWrongGetsAnEventAndTheConditionVigilScheduled() throws Exception {
        podForVigil("odd", Map.of("vigil.dev/gang", "g", "vigil.dev/gang-size", "two"), "sleep", "60");

        pollUntil(() -> {
            var pod = client.pods().inNamespace(namespace).withName("odd").get();
            return pod.getStatus() != null && pod.getStatus().getConditions() != null && pod.getStatus()
                    .getConditions().stream().anyMatch(c -> "VigilScheduled".equals(c.getType()));
        });
        assertThat(client.v1().events().inNamespace(namespace).list().getItems())
                .anySatisfy(e -> assertThat(e.getReason() + ": " + e.getMessage()).startsWith(
                        "InvalidAnnotations: vigil.dev/gang-size: \"two\" is not allowed"));
        assertThat(said).as("never queued").isEmpty();
    }

    @Test
    void aDrainEvictsThroughTheEvictionApiAndDeletesWhatABudgetProtectsAtTheDeadline() throws Exception {
        client.policy().v1().podDisruptionBudget().inNamespace(namespace).resource(new PodDisruptionBudgetBuilder()
                .withNewMetadata().withName("keep-one").endMetadata().withNewSpec()
                .withMinAvailable(new IntOrString(1)).withNewSelector().addToMatchLabels("vigil.dev/job", "j-000020")
                .endSelector().endSpec().build()).create();
        JobSpec one = new JobSpec("it", JobKind.TRAINING, "research", null, null, null, null, 1, 1, null, null,
                null, null, null, null, null, null, "kubernetes", List.of("sleep", "600"), image, null);
        backend.start(new Decision.Start("j-000020", one, List.of(onTheNode(0)), 1));
        pollUntil(() -> said.contains("running j-000020"));
        stored.records.computeIfPresent(node, (name, old) -> old.with().drain(true).cordoned(true).build());

        backend.stop(new Decision.Stop("j-000020", List.of(onTheNode(0)), "drained by it"));

        pollUntil(() -> client.v1().events().inNamespace(namespace).list().getItems().stream()
                .anyMatch(e -> "EvictionBlocked".equals(e.getReason())));
        pollUntil(() -> kubernetes.podsOf("j-000020").stream().allMatch(VigilPod::deleting));
        assertThat(client.v1().events().inNamespace(namespace).list().getItems())
                .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("EvictionDeadline"));
    }

    @Test
    void aManifestsNodeSelectorLetsItsJobOnlyOnNodesWithTheLabelAndItsPodIsAdmittedThere() throws Exception {
        client.nodes().withName(node).edit(n -> new NodeBuilder(n).editMetadata().addToLabels(IT_LABEL, namespace)
                .endMetadata().build());
        String manifest = """
                apiVersion: batch/v1
                kind: Job
                metadata: {name: picky, annotations: {vigil.dev/tenant: research}}
                spec:
                  parallelism: 1
                  template:
                    spec:
                      restartPolicy: Never
                      nodeSelector: {"%s": "%s"}
                      containers:
                        - name: main
                          image: %s
                          command: ["true"]
                          resources: {limits: {nvidia.com/gpu: 1}}
                """;
        JobSpec here = Manifests.read(manifest.formatted(IT_LABEL, namespace, image));
        JobSpec nowhere = Manifests.read(manifest.formatted(IT_LABEL, "no-such-" + namespace, image));
        var constraint = backend.nodeConstraint(here);
        pollUntil(() -> constraint.allows(node));
        assertThat(backend.nodeConstraint(nowhere).allows(node)).isFalse();

        backend.start(new Decision.Start("j-000030", here, List.of(onTheNode(0)), 1));

        pollUntil(() -> said.stream().anyMatch(s -> s.startsWith("succeeded j-000030")));
    }

    @Test
    void theClaimedPodOfAJobCancelledWhileQueuedIsToldAndDeleted() throws Exception {
        podForVigil("solo", Map.of("vigil.dev/tenant", "research"), "sleep", "60");
        pollUntil(() -> submitted.containsKey("j-000010"));
        pollUntil(() -> kubernetes.podsOf("j-000010").size() == 1);

        ended.add("j-000010");

        pollUntil(() -> client.pods().inNamespace(namespace).withName("solo").get() == null
                || client.pods().inNamespace(namespace).withName("solo").get().getMetadata().getDeletionTimestamp()
                != null);
        assertThat(client.v1().events().inNamespace(namespace).list().getItems())
                .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("JobEnded"));
    }

    @Test
    void aGangsPodsFindEachOtherByTheirRendezvousNames() throws Exception {
        // Each pod succeeds only once the cluster's DNS answers for rank 0 under the gang's headless Service.
        String resolve = "for i in $(seq 90); do nslookup j-000040-0.j-000040 && exit 0; sleep 1; done; exit 1";
        backend.start(new Decision.Start("j-000040", gang("sh", "-c", resolve), List.of(onTheNode(0), onTheNode(1)),
                1));

        pollUntil(() -> said.stream().anyMatch(s -> s.contains("j-000040: ")));
        assertThat(said).contains("succeeded j-000040: its 2 pods succeeded");
        pollUntil(() -> client.services().inNamespace(namespace).withName("j-000040").get() == null);
    }
}
