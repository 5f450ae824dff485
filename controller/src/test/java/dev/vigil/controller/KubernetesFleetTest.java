package dev.vigil.controller;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.gpu.simulated.NodeProfile;
import dev.vigil.gpu.simulated.SimulatedSpec;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.vigil.testsupport.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A mixed fleet on one controller: node sim-1 under the simulated backend, node kube-1 under
 * Kubernetes (fabric8's mock API server), each job landing by its {@code backend} (a Kubernetes job
 * only on nodes Kubernetes runs, whatever its pool);
 * and Kubernetes' word on kube-1 as the leader stores it: NotReady is {@code unknown} (its job
 * requeued), someone else's cordon shows with its reason and is never undone by Vigil.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesFleetTest {
    static KubernetesMockServer server;
    static KubernetesClient client;
    @TempDir
    static Path dataDir;
    private static TestController controller;
    private static FakeAgent sim;
    private static FakeAgent kube;
    private static String admin;

    @BeforeAll
    static void start() throws Exception {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("kube-1").endMetadata()
                .withNewStatus().addNewCondition().withType("Ready").withStatus("True").endCondition()
                .addToAllocatable("nvidia.com/gpu", new Quantity("8")).endStatus().build()).create();
        // The mock does not implement binding: the jobs' first pods (j-000001 to j-000003, three attempts) are bound.
        for (int job = 1; job <= 3; job++) {
            for (int attempt = 1; attempt <= 3; attempt++) {
                server.expect().post().withPath("/api/v1/namespaces/vigil-jobs/pods/j-00000" + job + "-a" + attempt
                        + "-0/binding").andReturn(201, Map.of("kind", "Status", "apiVersion", "v1",
                        "status", "Success")).always();
            }
        }
        Path kubeconfig = dataDir.resolve("kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters: [{name: mock, cluster: {server: "%s", insecure-skip-tls-verify: true}}]
                users: [{name: vigil, user: {token: mock}}]
                contexts: [{name: mock, context: {cluster: mock, user: vigil}}]
                current-context: mock
                """.formatted(client.getMasterUrl()));
        controller = TestController.start(dataDir, """
                nodeTimeout: 5s
                scheduler:
                  interval: 200ms
                  backend: simulated
                  pools:
                    sim: [sim-1]
                    kube: [kube-1]
                kubernetes:
                  kubeconfig: %s
                  poll: 200ms
                """.formatted(kubeconfig));
        admin = controller.token("admin");
        sim = agent("sim-1");
        kube = agent("kube-1");
        await(Duration.ofSeconds(20), () -> "ready".equals(node("sim-1").path("state").asText())
                && "ready".equals(node("kube-1").path("state").asText()));
    }

    /** An agent for the node; its first report to a controller that just started may outlast the agent's 2 s. */
    private static FakeAgent agent(String node) throws Exception {
        FakeAgent[] made = new FakeAgent[1];
        await(Duration.ofSeconds(60), () -> {
            try {
                made[0] = new FakeAgent(controller, controller.token("agent"), node,
                        SimulatedSpec.of(NodeProfile.HGX_H100_8, 1, List.of()));
                return true;
            } catch (HttpTimeoutException e) {
                return false;
            }
        });
        return made[0];
    }

    @AfterAll
    static void stop() throws Exception {
        if (sim != null) {
            sim.close();
        }
        if (kube != null) {
            kube.close();
        }
        controller.close();
    }

    private static JsonNode node(String name) throws Exception {
        return controller.json("GET", "/v1/nodes/" + name, admin, null);
    }

    private static JsonNode job(String id) throws Exception {
        return controller.json("GET", "/v1/jobs/" + id, admin, null);
    }

    private static String submit(String spec) throws Exception {
        return controller.json("POST", "/v1/jobs", admin, spec).get("id").asText();
    }

    private static Pod pod(String name) {
        return client.pods().inNamespace("vigil-jobs").withName(name).get();
    }

    /** What the kubelet would do once the pod is bound: set its node and run it. */
    private static void kubeletRuns(String name) {
        client.pods().inNamespace("vigil-jobs").withName(name).edit(p -> new PodBuilder(p).editSpec()
                .withNodeName("kube-1").endSpec().build());
        client.pods().inNamespace("vigil-jobs").withName(name).editStatus(p -> new PodBuilder(p).editOrNewStatus()
                .withPhase("Running").endStatus().build());
    }

    private static void kubeletReady(String status) {
        client.nodes().withName("kube-1").editStatus(n -> new NodeBuilder(n).editStatus().editFirstCondition()
                .withStatus(status).endCondition().endStatus().build());
    }

    /** Waits for a report of the node's agent stored after {@code seen} was read: the leader has followed it. */
    private static void awaitReportAfter(JsonNode seen) throws Exception {
        java.time.Instant then = java.time.Instant.parse(seen.get("lastReport").asText());
        await(Duration.ofSeconds(20), () -> java.time.Instant.parse(node("kube-1").get("lastReport").asText())
                .isAfter(then.plusSeconds(1)));
    }

    @Test
    void jobsLandOnEachBackendKubernetesNotReadyIsUnknownAndAForeignCordonShowsAndStays() throws Exception {
        String simulated = submit("{\"name\": \"sim\", \"gpus\": 2, \"pool\": \"sim\", \"duration\": \"1h\"}");
        // No pool: its backend alone keeps it off sim-1, which Kubernetes does not run.
        String onKubernetes = submit("{\"name\": \"kube\", \"gpus\": 2, \"backend\": "
                + "\"kubernetes\", \"image\": \"pytorch:2.4\", \"command\": [\"python\", \"train.py\"]}");

        await(Duration.ofSeconds(20), () -> "running".equals(job(simulated).get("state").asText()));
        assertThat(job(simulated).get("placements").get(0).get("node").asText()).isEqualTo("sim-1");
        await(Duration.ofSeconds(20), () -> pod(onKubernetes + "-a1-0") != null);
        assertThat(pod(onKubernetes + "-a1-0").getSpec().getSchedulerName()).isEqualTo("vigil");
        assertThat(client.pods().inAnyNamespace().list().getItems()).as("the simulated job made no pod").hasSize(1);
        kubeletRuns(onKubernetes + "-a1-0");
        await(Duration.ofSeconds(20), () -> "running".equals(job(onKubernetes).get("state").asText()));
        assertThat(job(onKubernetes).get("placements").get(0).get("node").asText()).isEqualTo("kube-1");

        kubeletReady("False");
        await(Duration.ofSeconds(20), () -> "unknown".equals(node("kube-1").path("state").asText()));
        JsonNode lost = node("kube-1");
        assertThat(lost.get("reason").asText()).isEqualTo("kubernetes says notready: its kubelet is NotReady");
        assertThat(lost.get("cordoned").asBoolean()).as("unknown, not cordoned").isFalse();
        await(Duration.ofSeconds(20), () -> pod(onKubernetes + "-a1-0") == null);
        assertThat(job(onKubernetes).get("state").asText()).as("its gang requeued")
                .isIn("pending", "admitted", "placed");
        awaitReportAfter(lost);
        assertThat(node("kube-1").path("state").asText()).as("its agent reports, Kubernetes says NotReady")
                .isEqualTo("unknown");

        kubeletReady("True");
        await(Duration.ofSeconds(20), () -> "ready".equals(node("kube-1").path("state").asText()));
        await(Duration.ofSeconds(20), () -> pod(onKubernetes + "-a2-0") != null);

        client.nodes().withName("kube-1").edit(n -> new NodeBuilder(n).editOrNewSpec().withUnschedulable(true)
                .endSpec().build());
        await(Duration.ofSeconds(20), () -> "cordoned".equals(node("kube-1").path("state").asText()));
        assertThat(node("kube-1").get("reason").asText())
                .isEqualTo("kubernetes says ready+cordoned: cordoned outside Vigil (spec.unschedulable)");
        awaitReportAfter(node("kube-1"));
        Node after = client.nodes().withName("kube-1").get();
        assertThat(after.getSpec().getUnschedulable()).as("someone else's cordon stays").isTrue();
        assertThat(after.getMetadata().getAnnotations()).as("never taken for Vigil's").isNullOrEmpty();
        assertThat(after.getSpec().getTaints()).as("nor sent back as Vigil's taint").isNullOrEmpty();
        assertThat(job(onKubernetes).get("state").asText()).as("a cordon lets what runs run").isNotEqualTo("pending");

        client.nodes().withName("kube-1").edit(n -> new NodeBuilder(n).editSpec().withUnschedulable(null).endSpec()
                .build());
        await(Duration.ofSeconds(20), () -> "ready".equals(node("kube-1").path("state").asText()));
        assertThat(job(simulated).get("state").asText()).as("the other backend's job never noticed")
                .isEqualTo("running");
    }
}
