package dev.vigil.controller.kubernetes;

import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.cluster.NodeState;
import dev.vigil.api.jobs.Allocation;
import dev.vigil.api.jobs.JobKind;
import dev.vigil.api.jobs.JobRecord;
import dev.vigil.api.jobs.JobSpec;
import dev.vigil.api.jobs.JobState;
import dev.vigil.api.jobs.Placement;
import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.controller.config.KubernetesSettings;
import dev.vigil.controller.execution.DesiredAllocations;
import dev.vigil.controller.execution.ExecutionBackend;
import dev.vigil.controller.execution.NodeObservations;
import dev.vigil.api.cluster.ExecutionNode;
import dev.vigil.k8s.Kubernetes;
import dev.vigil.scheduler.Decision;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The kubernetes backend against fabric8's mock API server (CRUD, with expectations for the
 * bindings it does not implement). The backend's worker runs each request at once here, so a
 * start has created and bound its pods when it returns.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesBackendTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NS = "vigil-jobs";

    KubernetesMockServer server;
    KubernetesClient client;
    private final Nodes nodes = new Nodes();
    private final Events events = new Events();
    private KubernetesBackend backend;

    /** Each reading is a second after the last: every poll may list again, and sees what came before. */
    private static final class Ticking extends Clock {
        private final AtomicLong seconds = new AtomicLong();

        @Override
        public Instant instant() {
            return Instant.EPOCH.plusSeconds(seconds.incrementAndGet());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    /** The nodes' allocations as the leader stores them: n1 and n2. */
    private static final class Nodes implements DesiredAllocations, NodeObservations {
        final Map<String, NodeRecord> records = new ConcurrentHashMap<>();
        final List<String> observed = new CopyOnWriteArrayList<>();
        /** The cluster events backends asked for: "node kind severity: message". */
        final List<String> told = new CopyOnWriteArrayList<>();

        @Override
        public void told(String node, String kind, dev.vigil.api.gpu.Severity severity, String message, String actor,
                         Instant at) {
            told.add(node + " " + kind + " " + severity + " by " + actor + ": "
                    + message.replaceAll("\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z", "T"));
        }

        Nodes() {
            for (String name : List.of("n1", "n2")) {
                records.put(name, NodeRecord.named(name).state(NodeState.READY).reason("ready").actor("agent")
                        .since(Instant.EPOCH).lastReport(Instant.EPOCH).version(1).build());
            }
        }

        @Override
        public Optional<NodeRecord> change(String node, UnaryOperator<List<Allocation>> change) {
            NodeRecord old = records.get(node);
            NodeRecord next = old.with().version(old.version() + 1).allocations(change.apply(old.allocations())).build();
            records.put(node, next);
            return Optional.of(next);
        }

        @Override
        public Optional<NodeRecord> node(String node) {
            return Optional.ofNullable(records.get(node));
        }

        @Override
        public List<NodeRecord> allocated() {
            return records.values().stream().filter(n -> !n.allocations().isEmpty()).toList();
        }

        /** Stores the view, and cordons the node when someone else's view keeps work off it, as the leader does. */
        @Override
        public void observed(String node, ExecutionNode view, Instant asked) {
            observed.add(node + ": " + view.state() + (view.available() ? "" : " unavailable")
                    + (view.byVigil() ? " by vigil" : "") + (view.unreachable() ? " unreachable" : "")
                    + (view.reason() == null ? "" : " (" + view.reason() + ")")
                    + view.foreignJobs().stream().map(j -> " " + j.id() + j.gpus()).reduce("", String::concat));
            boolean imposed = !view.available() && !view.byVigil() && !view.unreachable();
            records.computeIfPresent(node, (name, old) -> old.with().cordoned(imposed)
                    .execution(view.imposing(imposed)).build());
        }
    }

    /** What the backend told the scheduler loop. */
    private static final class Events implements ExecutionBackend.Listener {
        final List<String> said = new CopyOnWriteArrayList<>();

        @Override
        public void running(String job, Instant at) {
            said.add("running " + job);
        }

        @Override
        public void finished(String job, boolean succeeded, String reason, Instant at) {
            said.add((succeeded ? "succeeded " : "failed ") + job + ": " + reason);
        }

        @Override
        public void lost(String job, Collection<String> on, String reason, Instant at) {
            said.add("lost " + job + " on " + on + ": " + reason);
        }

        @Override
        public boolean rebind(String job, Placement actual) {
            said.add("rebind " + job + " on " + actual.node() + " to " + actual.gpus() + " " + actual.uuids()
                    + (actual.migInstances().isEmpty() ? "" : " mig " + actual.migInstances()));
            return true;
        }

        /** Takes jobs as the scheduler loop does, numbered from j-000100; only tenant research is configured. */
        @Override
        public String submit(JobSpec spec, String actor) {
            InvalidValueException.require(spec.tenant().equals("research"), "tenant", spec.tenant(), "one of research");
            String job = "j-" + (100 + submitted.size());
            submitted.put(job, spec);
            said.add("submitted " + job + " by " + actor + ": " + spec.name() + ", " + spec.kind() + " "
                    + (spec.migProfile() != null ? "mig " + spec.migProfile() : spec.nodes() + "x" + spec.gpusPerNode())
                    + ", tenant " + spec.tenant() + (spec.topology() == null ? "" : ", " + spec.topology().level()));
            return job;
        }

        final Map<String, JobSpec> submitted = new java.util.LinkedHashMap<>();
        /** Jobs the scheduler no longer has (cancelled while queued). */
        final java.util.Set<String> ended = new java.util.HashSet<>();

        @Override
        public boolean unfinished(String job) {
            return !ended.contains(job);
        }
    }

    @BeforeEach
    void start() {
        for (String name : List.of("n1", "n2")) {
            client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name).endMetadata()
                    .withNewStatus().addNewCondition().withType("Ready").withStatus("True").endCondition()
                    .addToAllocatable("nvidia.com/gpu", new Quantity("8")).endStatus()
                    .build()).create();
        }
        // Finished pods deleted at once here; aFinishedJobsPodsAreKeptForTheTtl... keeps them.
        backend = backend(Duration.ofSeconds(20), Duration.ZERO, Duration.ofMinutes(10));
    }

    private KubernetesBackend backend(Duration evictionDeadline, Duration finishedTtl, Duration startDeadline) {
        KubernetesBackend made = new KubernetesBackend(new KubernetesSettings(Path.of("kubeconfig"), null, NS,
                Duration.ofSeconds(1), evictionDeadline, finishedTtl, startDeadline), new Kubernetes(client), nodes,
                nodes, new Ticking(), Runnable::run);
        made.adopt(List.of(), Instant.EPOCH);
        return made;
    }

    private static JobSpec gang(int gpus, int nodes) {
        return new JobSpec("train", JobKind.TRAINING, "research", null, null, null, null, nodes, gpus / nodes, null, null,
                null, null, null, null, null, null, "kubernetes", List.of("torchrun", "train.py"), "pytorch:2.4", null);
    }

    private static Placement on(String node, int... gpus) {
        List<Integer> indices = java.util.stream.IntStream.of(gpus).boxed().toList();
        return new Placement(node, indices, indices.stream().map(i -> "GPU-" + node + "-" + i).toList(), List.of(),
                null);
    }

    /** Expects the binding of {@code pod}, answers {@code status}, and records the body it was sent. */
    private void expectBinding(String pod, int status, List<String> bodies) {
        expectBinding(NS, pod, status, bodies);
    }

    private void expectBinding(String namespace, String pod, int status, List<String> bodies) {
        server.expect().post().withPath("/api/v1/namespaces/" + namespace + "/pods/" + pod + "/binding")
                .andReply(status, request -> {
                    bodies.add(request.getUtf8Body());
                    return status == 201 ? Map.of("kind", "Status", "apiVersion", "v1", "status", "Success")
                            : Map.of("kind", "Status", "apiVersion", "v1", "status", "Failure", "code", status,
                            "message", "Operation cannot be fulfilled on pods/binding \"" + pod
                                    + "\": pod " + pod + " is already assigned to node \"n9\"");
                }).once();
    }

    private Pod pod(String name) {
        return client.pods().inNamespace(NS).withName(name).get();
    }

    private void phase(String pod, String phase, String reason, Integer exitCode) {
        client.pods().inNamespace(NS).withName(pod).editStatus(p -> {
            PodBuilder next = new PodBuilder(p).editOrNewStatus().withPhase(phase).withReason(reason).endStatus();
            if (exitCode != null) {
                next.editStatus().addNewContainerStatus().withName("main").withNewState().withNewTerminated()
                        .withExitCode(exitCode).withReason("Error").endTerminated().endState().endContainerStatus()
                        .endStatus();
            }
            return next.build();
        });
    }

    private void poll() {
        backend.poll(Instant.EPOCH, events);
    }

    @Test
    void aGangsPodsAreCreatedForVigilAndBoundTogetherToTheirNodesThenRunAndSucceed() throws Exception {
        List<String> bindings = new CopyOnWriteArrayList<>();
        expectBinding("j-000001-a1-0", 201, bindings);
        expectBinding("j-000001-a1-1", 201, bindings);

        backend.start(new Decision.Start("j-000001", gang(4, 2), List.of(on("n1", 0, 1), on("n2", 2, 3)), 1));

        assertThat(bindings).hasSize(2);
        String uid0 = pod("j-000001-a1-0").getMetadata().getUid();
        String uid1 = pod("j-000001-a1-1").getMetadata().getUid();
        assertThat(JSON.readTree(bindings.get(0))).isEqualTo(JSON.readTree("""
                {"apiVersion": "v1", "kind": "Binding",
                 "metadata": {"name": "j-000001-a1-0", "namespace": "vigil-jobs", "uid": "%s"},
                 "target": {"apiVersion": "v1", "kind": "Node", "name": "n1"}}""".formatted(uid0)));
        assertThat(JSON.readTree(bindings.get(1))).isEqualTo(JSON.readTree("""
                {"apiVersion": "v1", "kind": "Binding",
                 "metadata": {"name": "j-000001-a1-1", "namespace": "vigil-jobs", "uid": "%s"},
                 "target": {"apiVersion": "v1", "kind": "Node", "name": "n2"}}""".formatted(uid1)));
        Pod first = pod("j-000001-a1-0");
        assertThat(first.getSpec().getSchedulerName()).isEqualTo("vigil");
        assertThat(first.getMetadata().getLabels()).containsEntry("vigil.dev/gang", "j-000001");
        assertThat(first.getMetadata().getAnnotations()).containsEntry("vigil.dev/gang-size", "2")
                .containsEntry("vigil.dev/tenant", "research");
        assertThat(first.getSpec().getContainers().get(0).getResources().getLimits().get("nvidia.com/gpu"))
                .hasToString("2");
        assertThat(first.getSpec().getHostname() + "." + first.getSpec().getSubdomain())
                .as("its rendezvous name").isEqualTo("j-000001-0.j-000001");
        assertThat(client.services().inNamespace(NS).withName("j-000001").get().getSpec().getClusterIP())
                .as("the gang's headless Service").isEqualTo("None");

        poll();
        assertThat(events.said).as("bound, not running yet").isEmpty();
        phase("j-000001-a1-0", "Running", null, null);
        poll();
        assertThat(events.said).as("one pod of two runs").isEmpty();
        phase("j-000001-a1-1", "Running", null, null);
        poll();
        assertThat(events.said).containsExactly("running j-000001");
        assertThat(nodes.records.get("n2").allocations()).singleElement().satisfies(a -> {
            assertThat(a.job()).isEqualTo("j-000001");
            assertThat(a.gpus()).containsExactly(2, 3);
            assertThat(a.backendJob()).isEqualTo("kubernetes:vigil-jobs/j-000001-a1-1");
        });

        phase("j-000001-a1-0", "Succeeded", null, 0);
        poll();
        assertThat(events.said).as("one pod of two done").hasSize(1);
        phase("j-000001-a1-1", "Succeeded", null, 0);
        poll();
        assertThat(events.said).containsExactly("running j-000001", "succeeded j-000001: its 2 pods succeeded");
        assertThat(nodes.allocated()).isEmpty();
        assertThat(client.pods().inNamespace(NS).list().getItems()).as("cleaned up").isEmpty();
        assertThat(client.services().inNamespace(NS).list().getItems()).as("its Service too").isEmpty();
    }

    @Test
    void aGangsServiceNoLaunchClaimsIsDeletedAsAnOrphan() {
        new Kubernetes(client).rendezvous(NS, "j-000099");
        expectBinding("j-000098-a1-0", 201, new CopyOnWriteArrayList<>());
        backend.start(new Decision.Start("j-000098", gang(2, 1), List.of(on("n1", 0, 1)), 1));

        poll();

        assertThat(client.services().inNamespace(NS).list().getItems()).extracting(s -> s.getMetadata().getName())
                .as("the running gang's stays").containsExactly("j-000098");
    }

    @Test
    void aPodWhoseProcessesTheAgentSeesOnOtherGpusMovesItsHoldThereAsTheDevicePluginPickedThem() {
        expectBinding("j-000010-a1-0", 201, new CopyOnWriteArrayList<>());
        expectBinding("j-000010-a1-1", 201, new CopyOnWriteArrayList<>());
        backend.start(new Decision.Start("j-000010", gang(4, 2), List.of(on("n1", 0, 1), on("n2", 0, 1)), 1));
        phase("j-000010-a1-0", "Running", null, null);
        phase("j-000010-a1-1", "Running", null, null);
        poll();
        assertThat(events.said).containsExactly("running j-000010");
        String uid = pod("j-000010-a1-0").getMetadata().getUid();

        // The device plugin gave the n1 pod GPUs 6 and 7; n2's pod runs where Vigil placed it.
        nodes.records.put("n1", DevicePluginGpusTest.node("n1", DevicePluginGpusTest.process(6, "pod:" + uid),
                DevicePluginGpusTest.process(7, "pod:" + uid)).with().allocations(nodes.records.get("n1")
                .allocations()).build());
        String uid1 = pod("j-000010-a1-1").getMetadata().getUid();
        nodes.records.put("n2", DevicePluginGpusTest.node("n2", DevicePluginGpusTest.process(1, "pod:" + uid1))
                .with().allocations(nodes.records.get("n2").allocations()).build());
        poll();

        assertThat(events.said).containsExactly("running j-000010",
                "rebind j-000010 on n1 to [6, 7] [GPU-n1-6, GPU-n1-7]");
        assertThat(nodes.records.get("n1").allocations()).singleElement().satisfies(a -> {
            assertThat(a.gpus()).containsExactly(6, 7);
            assertThat(a.uuids()).containsExactly("GPU-n1-6", "GPU-n1-7");
            assertThat(a.backendJob()).isEqualTo("kubernetes:vigil-jobs/j-000010-a1-0");
        });
        assertThat(nodes.records.get("n2").allocations()).singleElement()
                .satisfies(a -> assertThat(a.gpus()).containsExactly(0, 1));
        poll();
        assertThat(events.said).as("followed once").hasSize(2);

        backend.stop(new Decision.Stop("j-000010", List.of(on("n1", 6, 7), on("n2", 0, 1)), "cancelled"));
        assertThat(nodes.allocated()).as("the moved hold is the one given back").isEmpty();
    }

    @Test
    void aGangWithABindRefusedIsDeletedWholeAndRequeuedNeverHalfPlaced() {
        List<String> bindings = new CopyOnWriteArrayList<>();
        expectBinding("j-000002-a1-0", 201, bindings);
        expectBinding("j-000002-a1-1", 409, bindings);

        backend.start(new Decision.Start("j-000002", gang(4, 2), List.of(on("n1", 0, 1), on("n2", 0, 1)), 1));

        assertThat(bindings).as("both binds were asked").hasSize(2);
        assertThat(client.pods().inNamespace(NS).list().getItems()).as("the bound pod went with the other")
                .isEmpty();
        poll();
        assertThat(events.said).singleElement().asString()
                .startsWith("lost j-000002 on [n1, n2]: could not place its pods, deleted them all: "
                        + "bind pod vigil-jobs/j-000002-a1-1 to node n2")
                .contains("already assigned");
        poll();
        assertThat(events.said).as("said once").hasSize(1);
    }

    @Test
    void aPodTheKubeletRefusedRequeuesTheGangAndOneWhoseContainerFailedFailsIt() {
        expectBinding("j-000003-a1-0", 201, new CopyOnWriteArrayList<>());
        expectBinding("j-000004-a1-0", 201, new CopyOnWriteArrayList<>());
        backend.start(new Decision.Start("j-000003", gang(2, 1), List.of(on("n1", 0, 1)), 1));
        backend.start(new Decision.Start("j-000004", gang(2, 1), List.of(on("n2", 0, 1)), 1));

        phase("j-000003-a1-0", "Failed", "UnexpectedAdmissionError", null);
        phase("j-000004-a1-0", "Failed", null, 3);
        poll();

        assertThat(events.said).containsExactlyInAnyOrder(
                "lost j-000003 on [n1]: pod vigil-jobs/j-000003-a1-0 ended by Kubernetes: UnexpectedAdmissionError",
                "failed j-000004: pod vigil-jobs/j-000004-a1-0 failed: Error, exit 3");
        assertThat(client.pods().inNamespace(NS).list().getItems()).isEmpty();
    }

    @Test
    void aGangWhoseNodeLeftTheClusterOrWhosePodWasDeletedIsRequeued() {
        expectBinding("j-000005-a1-0", 201, new CopyOnWriteArrayList<>());
        expectBinding("j-000006-a1-0", 201, new CopyOnWriteArrayList<>());
        backend.start(new Decision.Start("j-000005", gang(2, 1), List.of(on("n1", 0, 1)), 1));
        backend.start(new Decision.Start("j-000006", gang(2, 1), List.of(on("n2", 0, 1)), 1));
        // The mock does not bind: the node a real binding sets is set here.
        client.pods().inNamespace(NS).withName("j-000005-a1-0").edit(p -> new PodBuilder(p).editSpec()
                .withNodeName("n1").endSpec().build());
        client.nodes().withName("n1").delete();
        client.pods().inNamespace(NS).withName("j-000006-a1-0").delete();

        poll();

        assertThat(events.said).containsExactlyInAnyOrder(
                "lost j-000005 on [n1]: pod vigil-jobs/j-000005-a1-0: its node n1 left the cluster",
                "lost j-000006 on [n2]: pod vigil-jobs/j-000006-a1-0 was deleted outside Vigil");
    }

    @Test
    void aStopDeletesTheGangsPodsAndFreesItsNodes() {
        expectBinding("j-000007-a1-0", 201, new CopyOnWriteArrayList<>());
        backend.start(new Decision.Start("j-000007", gang(2, 1), List.of(on("n1", 0, 1)), 1));
        phase("j-000007-a1-0", "Running", null, null);
        poll();
        assertThat(nodes.allocated()).hasSize(1);

        backend.stop(new Decision.Stop("j-000007", List.of(on("n1", 0, 1)), "cancelled by alice"));

        assertThat(pod("j-000007-a1-0")).isNull();
        assertThat(nodes.allocated()).isEmpty();
        poll();
        assertThat(events.said).containsExactly("running j-000007");
    }

    @Test
    void aNewLeaderAdoptsThePodsOfTheJobsItHoldsByTheirLabelsAndDeletesTheRest() {
        expectBinding("j-000008-a2-0", 201, new CopyOnWriteArrayList<>());
        expectBinding("j-000009-a1-0", 201, new CopyOnWriteArrayList<>());
        backend.start(new Decision.Start("j-000008", gang(2, 1), List.of(on("n1", 0, 1)), 2));
        backend.start(new Decision.Start("j-000009", gang(2, 1), List.of(on("n2", 0, 1)), 1));
        for (String pod : List.of("j-000008-a2-0", "j-000009-a1-0")) {
            client.pods().inNamespace(NS).withName(pod).edit(p -> new PodBuilder(p).editSpec()
                    .withNodeName(pod.startsWith("j-000008") ? "n1" : "n2").endSpec().build());
            phase(pod, "Running", null, null);
        }
        backend.stopLeading();

        JobRecord held = new JobRecord("j-000008", gang(2, 1), 500, JobState.RUNNING, null, "running", Instant.EPOCH,
                Instant.EPOCH, null, List.of(on("n1", 0, 1)), 2, List.of());
        backend.adopt(List.of(held), Instant.EPOCH);
        poll();

        assertThat(events.said).as("still running: nothing to say").isEmpty();
        assertThat(pod("j-000008-a2-0")).isNotNull();
        assertThat(pod("j-000009-a1-0")).as("no held job claims it").isNull();
        phase("j-000008-a2-0", "Succeeded", null, 0);
        poll();
        assertThat(events.said).containsExactly("succeeded j-000008: its 1 pod succeeded");
    }

    @Test
    void howKubernetesSeesTheNodesIsRecordedOtherSchedulersGpuPodsIncludedAndOnlyWhenItChanges() {
        expectBinding("j-000010-a1-0", 201, new CopyOnWriteArrayList<>());
        backend.start(new Decision.Start("j-000010", gang(2, 1), List.of(on("n1", 6, 7)), 1));
        phase("j-000010-a1-0", "Running", null, null);
        client.pods().resource(new PodBuilder().withNewMetadata().withName("notebook").withNamespace("lab")
                .endMetadata().withNewSpec().withNodeName("n1").addNewContainer().withName("c").withImage("x")
                .withNewResources().addToLimits("nvidia.com/gpu", new Quantity("2")).endResources().endContainer()
                .endSpec().withNewStatus().withPhase("Running").endStatus().build()).create();
        client.nodes().withName("n2").editStatus(n -> new NodeBuilder(n).editStatus().editFirstCondition()
                .withStatus("False").endCondition().endStatus().build());

        poll();

        assertThat(nodes.observed).containsExactlyInAnyOrder(
                "n1: ready lab/notebook[5, 4]",
                "n2: notready unavailable unreachable (its kubelet is NotReady)");
        poll();
        assertThat(nodes.observed).as("nothing changed: nothing new to record").hasSize(2);

        client.nodes().withName("n2").edit(n -> new NodeBuilder(n).editSpec().withUnschedulable(true)
                .addNewTaint().withKey("example.com/maintenance").withEffect("NoSchedule").endTaint().endSpec()
                .build());
        client.nodes().withName("n2").editStatus(n -> new NodeBuilder(n).editStatus().editFirstCondition()
                .withStatus("True").endCondition().endStatus().build());
        new Kubernetes(client).cordon("n1");
        poll();

        assertThat(nodes.observed).hasSize(4).contains(
                "n2: ready+cordoned unavailable (cordoned outside Vigil (spec.unschedulable); tainted "
                        + "example.com/maintenance:NoSchedule)",
                "n1: ready+cordoned unavailable by vigil (cordoned by Vigil) lab/notebook[5, 4]");
    }

    @Test
    void otherSchedulersPodsOnMigSlicesHoldSlicesOfTheirProfileThatVigilDoesNotHold() {
        List<dev.vigil.api.gpu.MigInstance> instances = List.of(
                new dev.vigil.api.gpu.MigInstance(7, "1g.10gb", 0, 1, "MIG-7", 9_728),
                new dev.vigil.api.gpu.MigInstance(8, "1g.10gb", 1, 1, "MIG-8", 9_728),
                new dev.vigil.api.gpu.MigInstance(9, "2g.20gb", 2, 2, "MIG-9", 19_968));
        dev.vigil.api.gpu.GpuDevice migGpu = new dev.vigil.api.gpu.GpuDevice(0, "GPU-n1-0", "NVIDIA H100 80GB HBM3",
                "00000000:10:00.0", "0x233010DE", 81_920, 0, "0-55", 18, List.of(),
                new dev.vigil.api.gpu.MigStatus(true, true, instances));
        Allocation vigils = new Allocation("j-000011", 0, JobKind.INFERENCE, List.of(0), List.of("GPU-n1-0"),
                List.of(8), List.of(), "vllm", Map.of(), 1, "kubernetes:vigil-jobs/j-000011-r0-x");
        nodes.records.put("n1", nodes.records.get("n1").with().inventory(new dev.vigil.api.gpu.NodeInventory("n1",
                "nvml", "550", List.of(migGpu), null)).allocations(List.of(vigils)).build());
        for (String[] pod : List.of(new String[] {"small", "nvidia.com/mig-1g.10gb"},
                new String[] {"big", "nvidia.com/mig-2g.20gb"})) {
            client.pods().resource(new PodBuilder().withNewMetadata().withName(pod[0]).withNamespace("lab")
                    .endMetadata().withNewSpec().withNodeName("n1").addNewContainer().withName("c").withImage("x")
                    .withNewResources().addToLimits(pod[1], new Quantity("1")).endResources().endContainer()
                    .endSpec().withNewStatus().withPhase("Running").endStatus().build()).create();
        }

        poll();

        assertThat(nodes.records.get("n1").execution().foreignJobs())
                .extracting(ExecutionNode.ForeignJob::id, ExecutionNode.ForeignJob::gpus, ExecutionNode.ForeignJob::slices)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("lab/small", List.of(),
                                List.of(new ExecutionNode.ForeignJob.Slice(0, 7))),
                        org.assertj.core.groups.Tuple.tuple("lab/big", List.of(),
                                List.of(new ExecutionNode.ForeignJob.Slice(0, 9))));
        assertThat(nodes.records.get("n1").foreignSlices()).hasSize(2);
    }

    @Test
    void aJobWithoutAnImageIsRefusedBeforeItIsQueued() {
        JobSpec noImage = new JobSpec("train", JobKind.TRAINING, null, null, null, null, null, 1, 2, null, null, null,
                null, null, null, null, null, "kubernetes", List.of("sleep", "1"), null, null);
        assertThatThrownBy(() -> backend.check(noImage)).isInstanceOfSatisfying(InvalidValueException.class,
                e -> assertThat(e.field()).isEqualTo("image")).hasMessageContaining("container image");
    }

    /** A pod someone made for Vigil in namespace ml: schedulerName vigil, annotations, a GPU limit. */
    private void podForVigil(String name, Map<String, String> annotations, String resource, String count) {
        client.pods().resource(new PodBuilder().withNewMetadata().withName(name).withNamespace("ml")
                .withAnnotations(annotations).endMetadata()
                .withNewSpec().withSchedulerName("vigil").addNewContainer().withName("main").withImage("pytorch:2.4")
                .withNewResources().addToLimits(resource, new Quantity(count)).endResources().endContainer()
                .endSpec().build()).create();
    }

    private Pod mlPod(String name) {
        return client.pods().inNamespace("ml").withName(name).get();
    }

    /** "Warning InvalidAnnotations w0: message" for each Event on namespace ml's pods, oldest first. */
    private List<String> mlEvents() {
        return client.v1().events().inNamespace("ml").list().getItems().stream()
                .map(e -> e.getType() + " " + e.getReason() + " " + e.getInvolvedObject().getName() + ": "
                        + e.getMessage()).toList();
    }

    @Test
    void aManifestsOrAClaimedGangsNodeSelectorLimitsItsJobToNodesWhoseLabelsMatch() {
        client.nodes().withName("n1").edit(n -> new NodeBuilder(n).editMetadata().addToLabels("gpu", "h100")
                .endMetadata().build());
        JobSpec manifest = dev.vigil.k8s.Manifests.read("""
                apiVersion: batch/v1
                kind: Job
                metadata: {name: train, annotations: {vigil.dev/tenant: research}}
                spec:
                  parallelism: 1
                  template:
                    spec:
                      nodeSelector: {gpu: h100}
                      containers: [{name: main, image: pytorch:2.4, resources: {limits: {nvidia.com/gpu: 2}}}]
                """);
        var constraint = backend.nodeConstraint(manifest);
        assertThat(constraint.allows("n1")).as("no listing yet").isFalse();
        assertThat(constraint.why("n1")).isEqualTo("its Kubernetes labels are not known yet");
        assertThat(backend.nodeConstraint(gang(2, 1))).as("a job asking nothing of its nodes").isNull();

        Map<String, String> llm = Map.of("vigil.dev/gang", "llm", "vigil.dev/gang-size", "2",
                "vigil.dev/tenant", "research");
        for (String pod : List.of("llm-0", "llm-1")) {
            podForVigil(pod, llm, "nvidia.com/gpu", "4");
            client.pods().inNamespace("ml").withName(pod).edit(p -> new PodBuilder(p).editSpec()
                    .withNodeSelector(Map.of("gpu", "h100")).endSpec().build());
        }
        poll();

        assertThat(constraint.allows("n1")).isTrue();
        assertThat(constraint.allows("n2")).isFalse();
        assertThat(constraint.why("n2")).isEqualTo("no label gpu (nodeSelector gpu=h100)");
        assertThat(constraint.describe()).isEqualTo("nodeSelector gpu=h100");
        assertThat(events.said).containsExactly("submitted j-100 by kubernetes: ml/llm, TRAINING 2x4, tenant research");
        var claimed = backend.nodeConstraint(events.submitted.get("j-100"));
        assertThat(claimed).as("the claimed pods' selector, kept with the job").isEqualTo(constraint);
        assertThat(claimed.allows("n2")).isFalse();
    }

    @Test
    void aGangWhosePodsAskDifferentNodesIsRefused() {
        Map<String, String> llm = Map.of("vigil.dev/gang", "llm", "vigil.dev/gang-size", "2",
                "vigil.dev/tenant", "research");
        podForVigil("llm-0", llm, "nvidia.com/gpu", "4");
        podForVigil("llm-1", llm, "nvidia.com/gpu", "4");
        client.pods().inNamespace("ml").withName("llm-1").edit(p -> new PodBuilder(p).editSpec()
                .withNodeSelector(Map.of("gpu", "h100")).endSpec().build());

        poll();

        assertThat(events.said).isEmpty();
        assertThat(mlEvents()).hasSize(2).allSatisfy(e -> assertThat(e).startsWith("Warning InvalidAnnotations")
                .contains("nodeSelector/affinity", "llm-1: nodeSelector gpu=h100",
                        "the same nodeSelector and required node affinity for every pod of gang llm (llm-0: none)"));
    }

    @Test
    void aGangOfPodsOthersMadeBecomesOneJobOnceAllItsPodsExistAndItsPodsAreBoundTogether() throws Exception {
        Map<String, String> llm = Map.of("vigil.dev/gang", "llm", "vigil.dev/gang-size", "2",
                "vigil.dev/tenant", "research", "vigil.dev/topology", "same-leaf", "vigil.dev/queue", "long",
                "vigil.dev/preemptible", "true");
        podForVigil("llm-0", llm, "nvidia.com/gpu", "4");
        poll();
        assertThat(events.said).as("one pod of two: the gang waits for the other").isEmpty();
        assertThat(mlPod("llm-0").getMetadata().getLabels()).isNullOrEmpty();

        podForVigil("llm-1", llm, "nvidia.com/gpu", "4");
        poll();
        assertThat(events.said).containsExactly(
                "submitted j-100 by kubernetes: ml/llm, TRAINING 2x4, tenant research, SAME_LEAF");
        assertThat(events.submitted.get("j-100").queue()).isEqualTo("long");
        assertThat(events.submitted.get("j-100").preemptible()).isTrue();
        for (String pod : List.of("llm-0", "llm-1")) {
            assertThat(mlPod(pod).getMetadata().getLabels()).containsEntry("vigil.dev/job", "j-100")
                    .containsEntry("vigil.dev/claimed", "true");
        }
        assertThat(mlEvents()).containsExactlyInAnyOrder(
                "Normal Claimed llm-0: Vigil job j-100 (gang ml/llm, 2 pods) queued: vigil binds it when the "
                        + "scheduler places it",
                "Normal Claimed llm-1: Vigil job j-100 (gang ml/llm, 2 pods) queued: vigil binds it when the "
                        + "scheduler places it");
        poll();
        assertThat(events.said).as("claimed once").hasSize(1);

        List<String> bindings = new CopyOnWriteArrayList<>();
        expectBinding("ml", "llm-0", 201, bindings);
        expectBinding("ml", "llm-1", 201, bindings);
        backend.start(new Decision.Start("j-100", events.submitted.get("j-100"),
                List.of(on("n1", 0, 1, 2, 3), on("n2", 4, 5, 6, 7)), 1));

        assertThat(bindings).hasSize(2);
        assertThat(JSON.readTree(bindings.get(1))).isEqualTo(JSON.readTree("""
                {"apiVersion": "v1", "kind": "Binding",
                 "metadata": {"name": "llm-1", "namespace": "ml", "uid": "%s"},
                 "target": {"apiVersion": "v1", "kind": "Node", "name": "n2"}}"""
                .formatted(mlPod("llm-1").getMetadata().getUid())));
        assertThat(client.pods().inNamespace(NS).list().getItems()).as("no pod of its own made").isEmpty();
        for (String pod : List.of("llm-0", "llm-1")) {
            client.pods().inNamespace("ml").withName(pod).editStatus(p -> new PodBuilder(p).editOrNewStatus()
                    .withPhase("Running").endStatus().build());
        }
        poll();
        assertThat(events.said).endsWith("running j-100");
        assertThat(nodes.records.get("n2").allocations()).singleElement()
                .satisfies(a -> assertThat(a.backendJob()).isEqualTo("kubernetes:ml/llm-1"));
    }

    @Test
    void aPodWhoseAnnotationsOrGpusAreWrongIsToldWhyWithAnEventAndAConditionOnceAndNeverQueued() {
        podForVigil("size", Map.of("vigil.dev/gang", "g", "vigil.dev/gang-size", "two"), "nvidia.com/gpu", "1");
        podForVigil("plain-gpu", Map.of(), "gpu", "1");
        podForVigil("rack", Map.of("vigil.dev/topology", "same-rack"), "nvidia.com/gpu", "2");
        podForVigil("stranger", Map.of("vigil.dev/tenant", "nobody"), "nvidia.com/gpu", "2");
        podForVigil("slices", Map.of(), "nvidia.com/mig-1g.10gb", "2");

        poll();
        poll();

        assertThat(events.said).as("none queued").isEmpty();
        assertThat(mlEvents()).containsExactlyInAnyOrder(
                "Warning InvalidAnnotations size: vigil.dev/gang-size: \"two\" is not allowed (allowed: a number "
                        + "of pods, 1 to 4096)",
                "Warning InvalidResources plain-gpu: resources: \"gpu\" is not allowed (allowed: nvidia.com/gpu: N "
                        + "(whole GPUs) or one nvidia.com/mig-<profile>: 1 (a MIG slice, e.g. nvidia.com/mig-1g.10gb))",
                "Warning InvalidAnnotations rack: vigil.dev/topology: \"same-rack\" is not allowed (allowed: "
                        + "same-node, same-nvlink, same-leaf or max-leaves=N)",
                "Warning InvalidAnnotations stranger: vigil.dev/tenant: \"nobody\" is not allowed (allowed: one of "
                        + "research)",
                "Warning InvalidResources slices: resources.limits: \"nvidia.com/mig-1g.10gb: 2\" is not allowed "
                        + "(allowed: nvidia.com/gpu: N (whole GPUs) or one nvidia.com/mig-<profile>: 1 (a MIG slice, "
                        + "e.g. nvidia.com/mig-1g.10gb))");
        assertThat(mlPod("stranger").getStatus().getConditions()).singleElement().satisfies(c -> {
            assertThat(c.getType() + " " + c.getStatus() + " " + c.getReason())
                    .isEqualTo("VigilScheduled False InvalidAnnotations");
            assertThat(c.getMessage()).startsWith("vigil.dev/tenant: \"nobody\"");
        });

        stopLeadingAndAdopt();
        poll();
        assertThat(mlEvents()).as("a new leader reads what was said from the condition").hasSize(5);
    }

    private void stopLeadingAndAdopt() {
        backend.stopLeading();
        backend.adopt(List.of(), Instant.EPOCH);
    }

    @Test
    void aSliceOfItsOwnIsAServiceOfOneReplicaAndAClaimedPodLostEndsItsJobSinceVigilCannotMakeItAgain() {
        podForVigil("chat", Map.of("vigil.dev/tenant", "research"), "nvidia.com/mig-1g.10gb", "1");
        poll();
        assertThat(events.said).containsExactly("submitted j-100 by kubernetes: ml/chat, INFERENCE mig 1g.10gb, "
                + "tenant research");
        expectBinding("ml", "chat", 201, new CopyOnWriteArrayList<>());
        backend.start(new Decision.Start("j-100", events.submitted.get("j-100"),
                List.of(new Placement("n1", List.of(0), List.of("GPU-n1-0"), List.of(), 0)), 1));

        client.pods().inNamespace("ml").withName("chat").delete();
        poll();

        assertThat(events.said).last().isEqualTo("failed j-100: pod ml/chat was deleted outside Vigil (its pods "
                + "were made outside Vigil, which does not make them again)");
    }

    @Test
    void aSlicesPodSeenInAnotherInstanceOfItsProfileMovesItsHoldThereAndOneOfAnotherProfileIsIgnored() {
        podForVigil("chat", Map.of("vigil.dev/tenant", "research"), "nvidia.com/mig-3g.40gb", "1");
        poll();
        expectBinding("ml", "chat", 201, new CopyOnWriteArrayList<>());
        backend.start(new Decision.Start("j-100", events.submitted.get("j-100"),
                List.of(new Placement("n1", List.of(0), List.of("GPU-n1-0"), List.of(1), 0)), 1));
        client.pods().inNamespace("ml").withName("chat").editStatus(p -> new PodBuilder(p).editOrNewStatus()
                .withPhase("Running").endStatus().build());
        poll();
        assertThat(events.said).last().isEqualTo("running j-100");
        String uid = mlPod("chat").getMetadata().getUid();

        // The device plugin gave the pod instance 2 of GPU 1, a 3g.40gb slice as it asked.
        nodes.records.put("n1", DevicePluginGpusTest.mig("n1", DevicePluginGpusTest.inSlice(1, 2, "pod:" + uid))
                .with().allocations(nodes.records.get("n1").allocations()).build());
        poll();
        poll();

        assertThat(events.said).as("followed once").last().isEqualTo("rebind j-100 on n1 to [1] [GPU-n1-1] mig [2]");
        assertThat(events.said).filteredOn(s -> s.startsWith("rebind")).hasSize(1);
        assertThat(nodes.records.get("n1").allocations()).singleElement().satisfies(a -> {
            assertThat(a.gpus()).containsExactly(1);
            assertThat(a.migInstances()).containsExactly(2);
            assertThat(a.backendJob()).isEqualTo("kubernetes:ml/chat");
        });

        // A report of it in a 1g.10gb instance is not the device plugin's pick: the hold stays.
        nodes.records.put("n1", DevicePluginGpusTest.mig("n1", DevicePluginGpusTest.inSlice(2, 7, "pod:" + uid))
                .with().allocations(nodes.records.get("n1").allocations()).build());
        poll();
        assertThat(events.said).filteredOn(s -> s.startsWith("rebind")).hasSize(1);
        assertThat(nodes.records.get("n1").allocations()).singleElement()
                .satisfies(a -> assertThat(a.migInstances()).containsExactly(2));
    }

    @Test
    void aClaimedJobStoppedEndsFailedSinceItsPodsAreGoneForGood() {
        podForVigil("solo", Map.of("vigil.dev/tenant", "research"), "nvidia.com/gpu", "2");
        poll();
        expectBinding("ml", "solo", 201, new CopyOnWriteArrayList<>());
        backend.start(new Decision.Start("j-100", events.submitted.get("j-100"), List.of(on("n1", 0, 1)), 1));

        backend.stop(new Decision.Stop("j-100", List.of(on("n1", 0, 1)), "preempted by j-000200"));
        poll();

        assertThat(mlPod("solo")).isNull();
        assertThat(events.said).last().isEqualTo("failed j-100: stopped (preempted by j-000200): its pods, made "
                + "outside Vigil, are deleted, and Vigil does not make them again");
    }

    @Test
    void aNewLeaderFindsTheClaimedPodsOfAQueuedJobByTheirLabelsKeepsThemAndBindsThemWhenPlaced() {
        podForVigil("solo", Map.of("vigil.dev/tenant", "research"), "nvidia.com/gpu", "2");
        poll();
        JobSpec spec = events.submitted.get("j-100");
        stopLeadingAndAdopt();
        poll();
        assertThat(mlPod("solo")).as("a queued job's pod is no orphan").isNotNull();

        List<String> bindings = new CopyOnWriteArrayList<>();
        expectBinding("ml", "solo", 201, bindings);
        backend.start(new Decision.Start("j-100", spec, List.of(on("n2", 0, 1)), 1));

        assertThat(bindings).singleElement().asString().contains("\"name\":\"n2\"");
        assertThat(events.said).as("submitted once, by the first leader").hasSize(1);
    }

    private void expectEviction(String pod, int status, int times) {
        server.expect().post().withPath("/api/v1/namespaces/" + NS + "/pods/" + pod + "/eviction")
                .andReturn(status, status == 201 ? Map.of("kind", "Status", "apiVersion", "v1", "status", "Success")
                        : Map.of("kind", "Status", "apiVersion", "v1", "status", "Failure", "code", 429,
                        "message", "Cannot evict pod as it would violate the pod's disruption budget."))
                .times(times);
    }

    private List<String> podEvents(String namespace) {
        return client.v1().events().inNamespace(namespace).list().getItems().stream()
                .map(e -> e.getType() + " " + e.getReason() + " " + e.getInvolvedObject().getName() + ": "
                        + e.getMessage().replaceAll("\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z", "T")).toList();
    }

    @Test
    void aDrainEvictsThroughTheEvictionApiAskingAgainWhileABudgetRefusesThenDeletesAtTheDeadline() {
        expectBinding("j-000011-a1-0", 201, new CopyOnWriteArrayList<>());
        expectBinding("j-000011-a1-1", 201, new CopyOnWriteArrayList<>());
        expectBinding("j-000012-a1-0", 201, new CopyOnWriteArrayList<>());
        backend.start(new Decision.Start("j-000011", gang(4, 2), List.of(on("n1", 0, 1), on("n2", 0, 1)), 1));
        backend.start(new Decision.Start("j-000012", gang(2, 1), List.of(on("n1", 2, 3)), 1));
        expectEviction("j-000011-a1-0", 429, 1);
        expectEviction("j-000011-a1-0", 201, 1);
        expectEviction("j-000012-a1-0", 429, 1000);
        nodes.records.computeIfPresent("n1", (name, old) -> old.with().drain(true).cordoned(true).build());

        backend.stop(new Decision.Stop("j-000011", List.of(on("n1", 0, 1), on("n2", 0, 1)), "drained by alice"));
        backend.stop(new Decision.Stop("j-000012", List.of(on("n1", 2, 3)), "drained by alice"));

        assertThat(pod("j-000011-a1-1")).as("not on the drained node: deleted at once").isNull();
        poll();
        assertThat(podEvents(NS)).containsExactlyInAnyOrder(
                "Warning EvictionBlocked j-000011-a1-0: a PodDisruptionBudget does not allow evicting it for the "
                        + "drain of node n1 now: Vigil asks again until T, then deletes it",
                "Warning EvictionBlocked j-000012-a1-0: a PodDisruptionBudget does not allow evicting it for the "
                        + "drain of node n1 now: Vigil asks again until T, then deletes it");
        poll();
        assertThat(podEvents(NS)).as("the refusal told once").hasSize(3).contains(
                "Normal Evicted j-000011-a1-0: evicted through the Eviction API: node n1 is drained in Vigil");
        assertThat(pod("j-000012-a1-0")).as("a budget protects it, and it is no orphan to delete").isNotNull();

        // Each reading of the test's clock is a second later: the 20 s deadline passes within these polls.
        for (int i = 0; i < 30 && pod("j-000012-a1-0") != null; i++) {
            poll();
        }
        assertThat(pod("j-000012-a1-0")).as("deleted at the deadline").isNull();
        assertThat(podEvents(NS)).hasSize(4).last().asString().isEqualTo("Warning EvictionDeadline j-000012-a1-0: "
                + "not evicted by T (kubernetes.evictionDeadline), a PodDisruptionBudget refusing: deleted for the "
                + "drain of node n1");
        assertThat(nodes.told).as("each step a Vigil event too").containsExactlyInAnyOrder(
                "n1 drain INFO by kubernetes: pod vigil-jobs/j-000011-a1-0 of job j-000011 evicting through the "
                        + "Eviction API for the drain of node n1 (PodDisruptionBudgets respected until T, then deleted)",
                "n1 drain INFO by kubernetes: pod vigil-jobs/j-000012-a1-0 of job j-000012 evicting through the "
                        + "Eviction API for the drain of node n1 (PodDisruptionBudgets respected until T, then deleted)",
                "n1 drain WARNING by kubernetes: pod vigil-jobs/j-000011-a1-0 EvictionBlocked: a PodDisruptionBudget "
                        + "does not allow evicting it for the drain of node n1 now: Vigil asks again until T, then "
                        + "deletes it",
                "n1 drain WARNING by kubernetes: pod vigil-jobs/j-000012-a1-0 EvictionBlocked: a PodDisruptionBudget "
                        + "does not allow evicting it for the drain of node n1 now: Vigil asks again until T, then "
                        + "deletes it",
                "n1 drain INFO by kubernetes: pod vigil-jobs/j-000011-a1-0 Evicted: evicted through the Eviction API: "
                        + "node n1 is drained in Vigil",
                "n1 drain WARNING by kubernetes: pod vigil-jobs/j-000012-a1-0 EvictionDeadline: not evicted by T "
                        + "(kubernetes.evictionDeadline), a PodDisruptionBudget refusing: deleted for the drain of node n1");
    }

    @Test
    void theClaimedPodsOfAJobCancelledWhileQueuedAreToldAndDeletedNotLeftPending() {
        podForVigil("solo", Map.of("vigil.dev/tenant", "research"), "nvidia.com/gpu", "2");
        podForVigil("other", Map.of("vigil.dev/tenant", "research"), "nvidia.com/gpu", "2");
        poll();
        assertThat(events.submitted).containsOnlyKeys("j-100", "j-101");
        String solo = events.submitted.get("j-100").name().equals("ml/solo") ? "j-100" : "j-101";

        events.ended.add(solo);
        poll();

        assertThat(mlPod("solo")).as("deleted").isNull();
        assertThat(mlPod("other")).as("its job still queued").isNotNull();
        assertThat(mlEvents()).contains("Warning JobEnded solo: Vigil job " + solo + " ended before it was placed "
                + "(cancelled): its pods are deleted; pods made again become a new job");
        poll();
        assertThat(mlEvents().stream().filter(e -> e.contains("JobEnded"))).as("said once").hasSize(1);
    }

    @Test
    void aFinishedJobsPodsAreKeptForTheTtlThenDeletedAndANewLeaderKeepsThemToo() {
        backend = backend(Duration.ofSeconds(20), Duration.ofSeconds(15), Duration.ofMinutes(10));
        expectBinding("j-000013-a1-0", 201, new CopyOnWriteArrayList<>());
        backend.start(new Decision.Start("j-000013", gang(2, 1), List.of(on("n1", 0, 1)), 1));
        phase("j-000013-a1-0", "Succeeded", null, 0);
        poll();
        assertThat(events.said).containsExactly("running j-000013", "succeeded j-000013: its 1 pod succeeded");
        assertThat(nodes.allocated()).as("its GPUs are free at once").isEmpty();

        poll();
        stopLeadingAndAdopt();
        poll();
        assertThat(pod("j-000013-a1-0")).as("kept for kubectl logs, by this leader and the next").isNotNull();
        // Each reading of the test's clock is a second later: the 15 s pass within these polls.
        for (int i = 0; i < 40 && pod("j-000013-a1-0") != null; i++) {
            poll();
        }
        assertThat(pod("j-000013-a1-0")).as("deleted once its time is up").isNull();
    }

    @Test
    void aGangWhosePodsDoNotStartWithinTheStartDeadlineIsRequeuedAndItsPodsDeleted() {
        backend = backend(Duration.ofSeconds(20), Duration.ZERO, Duration.ofSeconds(10));
        expectBinding("j-000014-a1-0", 201, new CopyOnWriteArrayList<>());
        expectBinding("j-000014-a1-1", 201, new CopyOnWriteArrayList<>());
        backend.start(new Decision.Start("j-000014", gang(4, 2), List.of(on("n1", 0, 1), on("n2", 0, 1)), 1));
        phase("j-000014-a1-0", "Running", null, null);
        client.pods().inNamespace(NS).withName("j-000014-a1-1").editStatus(p -> new PodBuilder(p).editOrNewStatus()
                .withPhase("Pending").addNewContainerStatus().withName("main").withNewState().withNewWaiting()
                .withReason("ImagePullBackOff").endWaiting().endState().endContainerStatus().endStatus().build());
        poll();
        assertThat(events.said).as("within its deadline").isEmpty();

        for (int i = 0; i < 20 && events.said.isEmpty(); i++) {
            poll();
        }

        assertThat(events.said).containsExactly("lost j-000014 on [n1, n2]: pod vigil-jobs/j-000014-a1-1 did not "
                + "start within kubernetes.startDeadline 10s: pending (ImagePullBackOff)");
        assertThat(client.pods().inNamespace(NS).list().getItems()).isEmpty();
    }
}
