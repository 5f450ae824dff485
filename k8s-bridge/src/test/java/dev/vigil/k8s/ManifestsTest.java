package dev.vigil.k8s;

import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.jobs.JobKind;
import dev.vigil.api.jobs.JobSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** A Job or a Deployment as a Vigil job, and every refusal naming the manifest's field. */
class ManifestsTest {
    private static final Path EXAMPLES = Path.of("..", "k8s", "examples");

    /** A one-container training Job; each case below edits one line of it. */
    private static final String JOB = """
            apiVersion: batch/v1
            kind: Job
            metadata:
              name: train
              annotations: {vigil.dev/tenant: research}
            spec:
              parallelism: 2
              completions: 2
              template:
                spec:
                  restartPolicy: Never
                  containers:
                    - name: main
                      image: pytorch:2.4
                      resources:
                        limits: {nvidia.com/gpu: 4, memory: 64Gi}
            """;

    /** A one-container service of 2 replicas. */
    private static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: serve}
            spec:
              replicas: 2
              selector: {matchLabels: {app: serve}}
              template:
                metadata: {labels: {app: serve}}
                spec:
                  containers:
                    - name: server
                      image: vllm:0.6
                      resources:
                        limits: {nvidia.com/gpu: 1}
            """;

    @Test
    void theShippedTrainingJobIsAGangOfTwoOneGpuPodsKeepingItsTemplate() throws Exception {
        JobSpec spec = Manifests.read(Files.readString(EXAMPLES.resolve("training-job.yaml")));

        assertThat(spec.kind()).isEqualTo(JobKind.TRAINING);
        assertThat(spec.name()).isEqualTo("llama-finetune");
        assertThat(spec.nodes()).isEqualTo(2);
        assertThat(spec.gpusPerNode()).isEqualTo(1);
        assertThat(spec.tenant()).isEqualTo("research");
        assertThat(spec.priorityClass()).isEqualTo("normal");
        assertThat(spec.runtimeLimit()).isEqualTo(Duration.ofHours(12));
        assertThat(spec.backend()).isEqualTo("kubernetes");
        assertThat(spec.image()).isEqualTo("nvcr.io/nvidia/pytorch:24.08-py3");
        PodTemplateSpec template = Manifests.template(spec.podTemplate());
        assertThat(template.getMetadata().getNamespace()).isEqualTo("vigil-jobs");
        assertThat(template.getSpec().getVolumes()).extracting(v -> v.getName())
                .containsExactly("data", "checkpoints", "shm");
        assertThat(template.getSpec().getVolumes().get(0).getPersistentVolumeClaim().getClaimName())
                .isEqualTo("training-data");
        assertThat(template.getSpec().getContainers().get(0).getArgs()).contains("train.py");
        assertThat(template.getSpec().getTolerations()).singleElement()
                .satisfies(t -> assertThat(t.getKey()).isEqualTo("nvidia.com/gpu"));
    }

    @Test
    void theShippedModelServerIsAServiceOfThreeReplicasWithItsProbes() throws Exception {
        JobSpec spec = Manifests.read(Files.readString(EXAMPLES.resolve("model-server.yaml")));

        assertThat(spec.kind()).isEqualTo(JobKind.INFERENCE);
        assertThat(spec.replicas()).isEqualTo(3);
        assertThat(spec.gpusPerNode()).isEqualTo(1);
        assertThat(spec.migProfile()).isNull();
        assertThat(spec.tenant()).isEqualTo("serving");
        assertThat(spec.priorityClass()).isEqualTo("high");
        var server = Manifests.template(spec.podTemplate()).getSpec().getContainers().get(0);
        assertThat(server.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/health");
        assertThat(server.getLivenessProbe().getFailureThreshold()).isEqualTo(3);
    }

    @Test
    void aServiceMayTakeOneMigSliceAReplica() {
        JobSpec spec = Manifests.read(DEPLOYMENT.replace("{nvidia.com/gpu: 1}", "{nvidia.com/mig-1g.10gb: 1}"));

        assertThat(spec.migProfile()).isEqualTo("1g.10gb");
        assertThat(spec.gpusPerNode()).isNull();
        assertThat(spec.totalGpus()).isEqualTo(2);
    }

    @Test
    void aJobWithoutParallelismIsOnePodAndJsonIsReadToo() {
        JobSpec spec = Manifests.read("""
                {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "one"},
                 "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "i",
                   "resources": {"limits": {"nvidia.com/gpu": "8"}}}]}}}}""");

        assertThat(spec.nodes()).isEqualTo(1);
        assertThat(spec.gpus()).isEqualTo(8);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            kind CronJob                | kind: Job                              | kind: CronJob                          | kind                                                          | CronJob
            an old Job API              | apiVersion: batch/v1                   | apiVersion: batch/v1beta1              | apiVersion                                                    | batch/v1beta1
            no name                     | name: train                            | labels: {a: b}                         | metadata.name                                                 |
            completions after another   | completions: 2                         | completions: 6                         | spec.completions                                              | 6
            suspended                   | completions: 2                         | suspend: true                          | spec.suspend                                                  | true
            a typo                      | parallelism: 2                         | parallelizm: 2                         | spec.parallelizm                                              | 2
            no image                    | image: pytorch:2.4                     | imagePullPolicy: Always                | spec.template.spec.containers[0].image                        |
            nine GPUs                   | nvidia.com/gpu: 4,                     | nvidia.com/gpu: 9,                     | spec.template.spec.containers[0].resources.limits["nvidia.com/gpu"] | 9
            half a GPU                  | nvidia.com/gpu: 4,                     | nvidia.com/gpu: 500m,                  | spec.template.spec.containers[0].resources.limits["nvidia.com/gpu"] | 500m
            a MIG slice in a gang       | nvidia.com/gpu: 4,                     | nvidia.com/mig-1g.10gb: 1,             | spec.template.spec.containers[0].resources.limits             | nvidia.com/mig-1g.10gb
            no GPUs                     | nvidia.com/gpu: 4,                     | cpu: 4,                                | spec.template.spec.containers[0].resources.limits             | cpu: 4, memory: 64Gi
            a node named                | restartPolicy: Never                   | nodeName: n1                           | spec.template.spec.nodeName                                   | n1
            a bad tenant                | vigil.dev/tenant: research             | vigil.dev/tenant: Research Lab         | metadata.annotations["vigil.dev/tenant"]                      | Research Lab
            """)
    void aJobVigilCannotHonourIsRefusedNamingTheField(String why, String line, String replacement, String field,
                                                      String value) {
        assertThat(JOB).contains(line);

        InvalidValueException refused = refusal(JOB.replace(line, replacement));

        assertThat(refused.field()).as(refused.getMessage()).isEqualTo(field);
        assertThat(refused.value()).isEqualTo(value);
        assertThat(refused.allowed()).isNotBlank();
    }

    @Test
    void gpusInTwoContainersAreRefusedNamingTheSecond() {
        String two = JOB + """
                        - name: sidecar
                          image: exporter:1
                          resources:
                            limits: {nvidia.com/gpu: 1}
                """;

        InvalidValueException refused = refusal(two);

        assertThat(refused.field()).isEqualTo("spec.template.spec.containers[1].resources.limits");
        assertThat(refused.allowed()).contains("containers[0] has them");
    }

    @Test
    void gpusInAnInitContainerAreRefused() {
        String init = JOB.replace("      containers:\n", """
                      initContainers:
                        - name: warmup
                          image: warmup:1
                          resources: {limits: {nvidia.com/gpu: 1}}
                      containers:
                """);

        assertThat(refusal(init).field()).isEqualTo("spec.template.spec.initContainers[0].resources.limits");
    }

    @Test
    void aGpuRequestUnlikeItsLimitIsRefused() {
        String requests = JOB.replace("limits: {nvidia.com/gpu: 4, memory: 64Gi}",
                "limits: {nvidia.com/gpu: 4}\n            requests: {nvidia.com/gpu: 2}");

        InvalidValueException refused = refusal(requests);

        assertThat(refused.field()).isEqualTo("spec.template.spec.containers[0].resources.requests[\"nvidia.com/gpu\"]");
        assertThat(refused.allowed()).startsWith("4");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            no replicas          | replicas: 2                | replicas: 0                 | spec.replicas                                         | 0
            no GPUs              | {nvidia.com/gpu: 1}        | {memory: 8Gi}               | spec.template.spec.containers[0].resources.limits     | memory: 8Gi
            two MIG slices       | {nvidia.com/gpu: 1}        | {nvidia.com/mig-1g.10gb: 2} | spec.template.spec.containers[0].resources.limits["nvidia.com/mig-1g.10gb"] | 2
            a bad MIG profile    | {nvidia.com/gpu: 1}        | {nvidia.com/mig-big: 1}     | spec.template.spec.containers[0].resources.limits     | nvidia.com/mig-big
            a GPU and a slice    | {nvidia.com/gpu: 1}        | {nvidia.com/gpu: 1, nvidia.com/mig-1g.10gb: 1} | spec.template.spec.containers[0].resources.limits | [nvidia.com/gpu, nvidia.com/mig-1g.10gb]
            an old API           | apiVersion: apps/v1        | apiVersion: extensions/v1beta1 | apiVersion                                         | extensions/v1beta1
            """)
    void aDeploymentVigilCannotHonourIsRefusedNamingTheField(String why, String line, String replacement,
                                                             String field, String value) {
        assertThat(DEPLOYMENT).contains(line);

        InvalidValueException refused = refusal(DEPLOYMENT.replace(line, replacement));

        assertThat(refused.field()).as(refused.getMessage()).isEqualTo(field);
        assertThat(refused.value()).isEqualTo(value);
    }

    @Test
    void whatIsNotOneManifestIsRefusedAsTheManifest() {
        assertThat(refusal(JOB + "---\n" + DEPLOYMENT).field()).isEqualTo("manifest");
        assertThat(refusal("name: train\ngpus: 8\n").field()).isIn("manifest", "kind");
        assertThat(refusal("kind: [").field()).isEqualTo("manifest");
    }

    private static InvalidValueException refusal(String manifest) {
        InvalidValueException refused = catchThrowableOfType(InvalidValueException.class,
                () -> Manifests.read(manifest));
        assertThat(refused).as("refused").isNotNull();
        return refused;
    }
}
