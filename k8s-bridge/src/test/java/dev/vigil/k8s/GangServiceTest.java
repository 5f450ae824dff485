package dev.vigil.k8s;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A gang's rendezvous: a headless Service named after it, and each pod's hostname and subdomain under it. */
@EnableKubernetesMockClient(crud = true)
class GangServiceTest {
    KubernetesClient client;

    private static PodRequest gangPod(int index) {
        return new PodRequest("ml", "j-000007-a2-" + index, "j-000007", 2, "j-000007", 2, null, "research", null,
                "pytorch:2.4", List.of("torchrun"), Map.of(), 4, null, false, index, null);
    }

    @Test
    void aGangsServiceIsHeadlessSelectsItsPodsPublishesThemBeforeReadyAndIsMadeOnce() {
        Kubernetes kubernetes = new Kubernetes(client);

        kubernetes.rendezvous("ml", "j-000007");
        kubernetes.rendezvous("ml", "j-000007");

        Service service = client.services().inNamespace("ml").withName("j-000007").get();
        assertThat(service.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(service.getSpec().getSelector()).isEqualTo(Map.of("vigil.dev/gang", "j-000007"));
        assertThat(service.getSpec().getPublishNotReadyAddresses()).isTrue();
        assertThat(service.getMetadata().getLabels()).containsEntry("vigil.dev/job", "j-000007");
        assertThat(kubernetes.gangServices()).containsExactly(new GangService("ml", "j-000007", "j-000007"));

        assertThat(kubernetes.deleteRendezvous("ml", "j-000007")).isTrue();
        assertThat(kubernetes.gangServices()).isEmpty();
        assertThat(kubernetes.deleteRendezvous("ml", "j-000007")).as("gone already").isFalse();
    }

    @Test
    void aGangsPodIsNamedUnderItsServiceByIndexAndAReplicaIsNot() {
        Kubernetes kubernetes = new Kubernetes(client);

        kubernetes.create(gangPod(1));
        kubernetes.create(new PodRequest("ml", "serve-r0-x", "j-000008", 1, null, 1, 0, null, null, "vllm:0.6",
                List.of(), Map.of(), 1, null, true));

        Pod pod = client.pods().inNamespace("ml").withName("j-000007-a2-1").get();
        assertThat(pod.getSpec().getHostname() + "." + pod.getSpec().getSubdomain()).isEqualTo("j-000007-1.j-000007");
        Pod replica = client.pods().inNamespace("ml").withName("serve-r0-x").get();
        assertThat(replica.getSpec().getHostname()).isNull();
        assertThat(replica.getSpec().getSubdomain()).isNull();
    }
}
