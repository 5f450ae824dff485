package dev.vigil.controller.kubernetes;

import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.cluster.NodeState;
import dev.vigil.k8s.KubeNode;
import dev.vigil.k8s.Kubernetes;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** Vigil's cordons carried to Kubernetes, against fabric8's mock API server. */
@EnableKubernetesMockClient(crud = true)
class KubernetesNodeSyncTest {
    KubernetesClient client;
    private Kubernetes kubernetes;
    private KubernetesNodeSync sync;

    @BeforeEach
    void cluster() {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("n1").endMetadata().withNewSpec()
                .endSpec().build()).create();
        kubernetes = new Kubernetes(client);
        sync = new KubernetesNodeSync(kubernetes, Runnable::run);
    }

    private static NodeRecord node(String name, boolean cordoned, String actor) {
        return NodeRecord.named(name).state(cordoned ? NodeState.CORDONED : NodeState.READY).reason("XID 79")
                .actor(actor).cordoned(cordoned).since(Instant.EPOCH).lastReport(Instant.EPOCH).version(1).build();
    }

    private KubeNode n1() {
        return kubernetes.nodes().stream().filter(n -> n.name().equals("n1")).findFirst().orElseThrow();
    }

    @Test
    void aCordonInVigilIsVigilsCordonAndTaintInKubernetesAndAnUncordonTakesThemBack() {
        sync.changed(node("n1", false, "agent"), node("n1", true, "health-reflex"));

        assertThat(n1().unschedulable()).isTrue();
        assertThat(n1().cordonedByVigil()).isTrue();
        assertThat(n1().taints()).containsExactly("vigil.dev/gpu-unhealthy:NoSchedule");

        sync.changed(node("n1", true, "health-reflex"), node("n1", false, "alice"));

        assertThat(n1().unschedulable()).isFalse();
        assertThat(n1().taints()).isEmpty();
    }

    @Test
    void aCordonThatCameFromKubernetesOrNoCordonChangeIsNotSentBack() {
        sync.changed(node("n1", false, "agent"), node("n1", true, "kubernetes"));
        sync.changed(node("n1", false, "agent"), node("n1", false, "alice"));
        sync.changed(null, node("n1", true, "alice"));

        assertThat(n1().unschedulable()).isFalse();
        assertThat(n1().taints()).isEmpty();
    }

    @Test
    void aNodeKubernetesDoesNotHaveIsLeftAlone() {
        sync.changed(node("gpu-99", false, "agent"), node("gpu-99", true, "alice"));

        assertThat(kubernetes.nodes()).extracting(KubeNode::name).containsExactly("n1");
    }
}
