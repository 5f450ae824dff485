package dev.vigil.k8s;

import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.jobs.JobSpec;
import dev.vigil.api.jobs.Topology;
import dev.vigil.api.jobs.TopologyLevel;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Vigil's annotations on a manifest read as on a pod others made: tenant, priority class, queue, preemptible, topology. */
class JobAnnotationsTest {
    private static final String JOB = """
            apiVersion: batch/v1
            kind: Job
            metadata:
              name: train
              annotations:
                vigil.dev/tenant: research
                vigil.dev/priority-class: high
                vigil.dev/queue: long
                vigil.dev/preemptible: "true"
                vigil.dev/topology: max-leaves=2
            spec:
              parallelism: 2
              template:
                spec:
                  containers:
                    - name: main
                      image: pytorch:2.4
                      resources:
                        limits: {nvidia.com/gpu: 4}
            """;

    @Test
    void aManifestsAnnotationsMakeTheJobsQueuePreemptionAndTopology() {
        JobSpec spec = Manifests.read(JOB);

        assertThat(spec.tenant()).isEqualTo("research");
        assertThat(spec.priorityClass()).isEqualTo("high");
        assertThat(spec.queue()).isEqualTo("long");
        assertThat(spec.preemptible()).isTrue();
        assertThat(spec.topology()).isEqualTo(new Topology(TopologyLevel.MAX_LEAVES, true, 2));
        String deployment = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: serve, annotations: {vigil.dev/preemptible: "False"}}
                spec:
                  replicas: 2
                  selector: {matchLabels: {app: serve}}
                  template:
                    metadata: {labels: {app: serve}}
                    spec:
                      containers: [{name: s, image: vllm:0.6, resources: {limits: {nvidia.com/gpu: 1}}}]
                """;
        JobSpec service = Manifests.read(deployment);
        assertThat(service.preemptible()).isFalse();
        InvalidValueException topology = catchThrowableOfType(InvalidValueException.class, () -> Manifests.read(
                deployment.replace("\"False\"}", "\"False\", vigil.dev/topology: same-node}")));
        assertThat(topology.field()).as("a service's replicas spread instead")
                .isEqualTo("metadata.annotations[\"vigil.dev/topology\"]");
    }

    @Test
    void whatCannotBeReadIsRefusedNamingTheAnnotation() {
        InvalidValueException preemptible = catchThrowableOfType(InvalidValueException.class,
                () -> Manifests.read(JOB.replace("preemptible: \"true\"", "preemptible: \"yes\"")));
        assertThat(preemptible.field()).isEqualTo("metadata.annotations[\"vigil.dev/preemptible\"]");
        assertThat(preemptible.value()).isEqualTo("yes");
        InvalidValueException topology = catchThrowableOfType(InvalidValueException.class,
                () -> Manifests.read(JOB.replace("max-leaves=2", "same-rack")));
        assertThat(topology.field()).isEqualTo("metadata.annotations[\"vigil.dev/topology\"]");
        assertThat(topology.allowed()).isEqualTo("same-node, same-nvlink, same-leaf or max-leaves=N");
        assertThat(JobAnnotations.of(Map.of())).isEqualTo(new JobAnnotations(null, null, null, null, null));
    }
}
