package dev.vigil.controller.kubernetes;

import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.jobs.JobSpec;
import dev.vigil.api.jobs.Placement;
import dev.vigil.controller.config.KubernetesSettings;
import dev.vigil.k8s.Kubernetes;
import dev.vigil.k8s.Manifests;
import dev.vigil.scheduler.Decision;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The shipped manifests submitted and placed: the pods the kubernetes backend creates on fabric8's
 * mock API server keep the template's volumes, probes, env and other resources, with Vigil's
 * scheduler, labels, GPUs and index on top.
 */
@EnableKubernetesMockClient(crud = true)
class ManifestPodsTest {
    private static final String NS = "vigil-jobs";
    private static final Path EXAMPLES = Path.of("..", "k8s", "examples");

    KubernetesMockServer server;
    KubernetesClient client;
    private KubernetesBackend backend;

    @BeforeEach
    void start() {
        // A start only creates and binds pods: the nodes' allocations and observations come at a poll, not here.
        backend = new KubernetesBackend(new KubernetesSettings(Path.of("kubeconfig"), null, NS, Duration.ofSeconds(1)),
                new Kubernetes(client), null, null, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC), Runnable::run);
    }

    /** The mock serves pods but not their binding: each pod's is an expectation. */
    private void bindable(String... pods) {
        for (String pod : pods) {
            server.expect().post().withPath("/api/v1/namespaces/" + NS + "/pods/" + pod + "/binding")
                    .andReturn(201, Map.of("kind", "Status", "apiVersion", "v1", "status", "Success")).once();
        }
    }

    private static JobSpec example(String file) throws IOException {
        return Manifests.read(Files.readString(EXAMPLES.resolve(file)));
    }

    private static Placement on(String node, Integer replica, int... gpus) {
        List<Integer> indices = IntStream.of(gpus).boxed().toList();
        return new Placement(node, indices, indices.stream().map(i -> "GPU-" + node + "-" + i).toList(), List.of(),
                replica);
    }

    private List<Pod> podsOf(String job) {
        return client.pods().inNamespace(NS).withLabel("vigil.dev/job", job).list().getItems().stream()
                .sorted(Comparator.comparing(p -> p.getMetadata().getName())).toList();
    }

    private static Map<String, String> env(Container container) {
        return container.getEnv().stream().collect(java.util.stream.Collectors.toMap(EnvVar::getName,
                v -> v.getValue() == null ? "(from " + v.getValueFrom() + ")" : v.getValue()));
    }

    @Test
    void theTrainingJobsPodsKeepItsVolumesAndEnvWithVigilsSchedulerLabelsGpusAndIndex() throws Exception {
        JobSpec spec = example("training-job.yaml");
        backend.check(spec);
        bindable("j-000001-a1-0", "j-000001-a1-1");

        backend.start(new Decision.Start("j-000001", spec, List.of(on("n1", null, 0), on("n2", null, 5)), 1));

        List<Pod> pods = podsOf("j-000001");
        assertThat(pods).extracting(p -> p.getMetadata().getName()).containsExactly("j-000001-a1-0", "j-000001-a1-1");
        for (int i = 0; i < 2; i++) {
            Pod pod = pods.get(i);
            assertThat(pod.getSpec().getSchedulerName()).isEqualTo("vigil");
            assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Never");
            assertThat(pod.getMetadata().getLabels()).containsEntry("app", "llama-finetune")
                    .containsEntry("vigil.dev/job", "j-000001").containsEntry("vigil.dev/gang", "j-000001");
            assertThat(pod.getMetadata().getAnnotations()).containsEntry("vigil.dev/gang-size", "2")
                    .containsEntry("vigil.dev/tenant", "research")
                    .containsEntry("batch.kubernetes.io/job-completion-index", Integer.toString(i));
            Container trainer = pod.getSpec().getContainers().get(0);
            assertThat(trainer.getName()).isEqualTo("trainer");
            assertThat(trainer.getImage()).isEqualTo("nvcr.io/nvidia/pytorch:24.08-py3");
            assertThat(trainer.getCommand()).containsExactly("torchrun");
            assertThat(trainer.getArgs()).contains("train.py", "--data=/data");
            assertThat(env(trainer)).containsEntry("NCCL_DEBUG", "INFO")
                    .containsEntry("JOB_COMPLETION_INDEX", Integer.toString(i));
            assertThat(trainer.getResources().getLimits()).containsOnlyKeys("nvidia.com/gpu", "memory");
            assertThat(trainer.getResources().getLimits().get("nvidia.com/gpu")).hasToString("1");
            assertThat(trainer.getResources().getLimits().get("memory")).hasToString("64Gi");
            assertThat(trainer.getResources().getRequests()).containsOnlyKeys("cpu", "memory");
            assertThat(trainer.getVolumeMounts()).extracting(m -> m.getMountPath())
                    .containsExactly("/data", "/checkpoints", "/dev/shm");
            assertThat(pod.getSpec().getVolumes()).extracting(Volume::getName).containsExactly("data", "checkpoints",
                    "shm");
            assertThat(pod.getSpec().getVolumes().get(0).getPersistentVolumeClaim().getClaimName())
                    .isEqualTo("training-data");
            assertThat(pod.getSpec().getVolumes().get(1).getPersistentVolumeClaim().getClaimName())
                    .isEqualTo("checkpoints");
            assertThat(pod.getSpec().getVolumes().get(2).getEmptyDir().getMedium()).isEqualTo("Memory");
            assertThat(pod.getSpec().getTolerations()).singleElement()
                    .satisfies(t -> assertThat(t.getKey()).isEqualTo("nvidia.com/gpu"));
        }
    }

    @Test
    void theGpuLimitIsThePlacementsNotTheTemplates() throws Exception {
        JobSpec spec = example("training-job.yaml");
        bindable("j-000003-a1-0", "j-000003-a1-1");

        // Not a placement the scheduler would make for this spec: it shows where the pod's number comes from.
        backend.start(new Decision.Start("j-000003", spec, List.of(on("n1", null, 0, 1, 2), on("n2", null, 4)), 1));

        List<Pod> pods = podsOf("j-000003");
        assertThat(pods.get(0).getSpec().getContainers().get(0).getResources().getLimits().get("nvidia.com/gpu"))
                .hasToString("3");
        assertThat(pods.get(1).getSpec().getContainers().get(0).getResources().getLimits().get("nvidia.com/gpu"))
                .hasToString("1");
    }

    @Test
    void anUnboundClaimIsToldTheNodeOfItsFirstPodAsTheDefaultSchedulerWould() throws Exception {
        // training-data waits for its first consumer; checkpoints is bound to a volume already.
        client.persistentVolumeClaims().inNamespace(NS).resource(new PersistentVolumeClaimBuilder().withNewMetadata()
                .withName("training-data").endMetadata().withNewSpec().withStorageClassName("local-path").endSpec()
                .withNewStatus().withPhase("Pending").endStatus().build()).create();
        client.persistentVolumeClaims().inNamespace(NS).resource(new PersistentVolumeClaimBuilder().withNewMetadata()
                .withName("checkpoints").endMetadata().withNewSpec().withVolumeName("pv-7").endSpec()
                .withNewStatus().withPhase("Bound").endStatus().build()).create();
        bindable("j-000005-a1-0", "j-000005-a1-1");

        backend.start(new Decision.Start("j-000005", example("training-job.yaml"),
                List.of(on("n1", null, 0), on("n2", null, 5)), 1));

        assertThat(podsOf("j-000005")).hasSize(2);
        assertThat(client.persistentVolumeClaims().inNamespace(NS).withName("training-data").get().getMetadata()
                .getAnnotations()).containsEntry("volume.kubernetes.io/selected-node", "n1");
        assertThat(client.persistentVolumeClaims().inNamespace(NS).withName("checkpoints").get().getMetadata()
                .getAnnotations()).isNullOrEmpty();
    }

    @Test
    void theModelServersReplicasKeepTheirProbesAndModelVolumeAndRestart() throws Exception {
        JobSpec spec = example("model-server.yaml");
        backend.check(spec);
        // Replicas' pod names end in what makes them new: this leader's start (0 at the epoch) and a count.
        bindable("j-000002-r0-00", "j-000002-r1-01", "j-000002-r2-02");

        backend.start(new Decision.Start("j-000002", spec,
                List.of(on("n1", 0, 0), on("n2", 1, 0), on("n1", 2, 1)), 1));

        List<Pod> pods = podsOf("j-000002");
        assertThat(pods).hasSize(3);
        assertThat(pods).extracting(p -> p.getMetadata().getLabels().get("vigil.dev/replica"))
                .containsExactlyInAnyOrder("0", "1", "2");
        for (Pod pod : pods) {
            assertThat(pod.getSpec().getSchedulerName()).isEqualTo("vigil");
            assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Always");
            assertThat(pod.getMetadata().getLabels()).containsEntry("app", "llama-serve");
            assertThat(pod.getMetadata().getAnnotations()).containsEntry("vigil.dev/priority-class", "high")
                    .doesNotContainKey("batch.kubernetes.io/job-completion-index");
            Container server = pod.getSpec().getContainers().get(0);
            assertThat(server.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/health");
            assertThat(server.getReadinessProbe().getPeriodSeconds()).isEqualTo(10);
            assertThat(server.getLivenessProbe().getInitialDelaySeconds()).isEqualTo(120);
            assertThat(server.getPorts()).singleElement().satisfies(p -> assertThat(p.getContainerPort()).isEqualTo(8000));
            assertThat(server.getResources().getLimits().get("nvidia.com/gpu")).hasToString("1");
            assertThat(server.getEnv()).as("no index for a replica").isNullOrEmpty();
            assertThat(pod.getSpec().getVolumes()).singleElement()
                    .satisfies(v -> assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("models"));
        }
    }

    @Test
    void aMigSliceReplacesTheTemplatesWholeGpus() throws Exception {
        String manifest = Files.readString(EXAMPLES.resolve("model-server.yaml"))
                .replace("nvidia.com/gpu: 1", "nvidia.com/mig-1g.10gb: 1");
        JobSpec spec = Manifests.read(manifest);
        bindable("j-000004-r0-00");

        backend.start(new Decision.Start("j-000004", spec, List.of(new Placement("n1", List.of(0), List.of("GPU-0"),
                List.of(7), 0)), 1));

        Map<String, ?> limits = podsOf("j-000004").get(0).getSpec().getContainers().get(0).getResources().getLimits();
        assertThat(limits).containsOnlyKeys("nvidia.com/mig-1g.10gb", "memory");
    }

    @Test
    void aTemplateForAnotherNamespaceIsRefusedNamingIt() throws Exception {
        String manifest = Files.readString(EXAMPLES.resolve("training-job.yaml"))
                .replace("namespace: vigil-jobs", "namespace: ml");
        JobSpec spec = Manifests.read(manifest);

        InvalidValueException refused = catchThrowableOfType(InvalidValueException.class, () -> backend.check(spec));

        assertThat(refused.field()).isEqualTo("metadata.namespace");
        assertThat(refused.value()).isEqualTo("ml");
        assertThat(refused.allowed()).startsWith("vigil-jobs");
    }
}
