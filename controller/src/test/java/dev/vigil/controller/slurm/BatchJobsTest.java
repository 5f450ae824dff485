package dev.vigil.controller.slurm;

import dev.vigil.api.binding.Documents;
import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.jobs.JobKind;
import dev.vigil.api.jobs.JobSpec;
import dev.vigil.api.jobs.Placement;
import dev.vigil.controller.config.SlurmSettings;
import dev.vigil.slurm.JobRequest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BatchJobsTest {
    private static final SlurmSettings SETTINGS = Documents.readYaml("""
            connection: {url: "http://slurmctl:6820", user: vigil, token: t}
            partition: gpu
            tenants: {research: {partition: gpu-hi, account: research}}
            output: /shared/out/{job}-%j.out
            """, SlurmSettings.class, "slurm");

    private static JobSpec spec(String tenant, List<String> command) {
        return new JobSpec("train llm", JobKind.TRAINING, tenant, null, null, null, null, 2, 8, null, null, null, null,
                null, Duration.ofHours(2), null, null, null, command, null, Map.of("EPOCHS", "3"));
    }

    private static Placement node(String name, int gpus) {
        return new Placement(name, IntStream.range(0, gpus).boxed().toList(),
                IntStream.range(0, gpus).mapToObj(i -> "GPU-" + name + "-" + i).toList(), List.of(),
                null);
    }

    @Test
    void aGangIsOneBatchJobPinnedToItsNodesAndGpuCountsWithTheTenantsPartitionAndAccount() {
        JobRequest request = BatchJobs.request(SETTINGS, "j-000042", spec("research", List.of("torchrun",
                "--nproc-per-node=8", "train.py", "--note", "it's big")), 3, List.of(node("gpu03", 8),
                node("gpu04", 8)), true, BatchJobs.comment("k3f9xq", "j-000042", 3, null));
        assertThat(request.nodes()).containsExactly("gpu03", "gpu04");
        assertThat(request.gpusPerNode()).isEqualTo(8);
        assertThat(request.exclusive()).isTrue();
        assertThat(request.partition()).isEqualTo("gpu-hi");
        assertThat(request.account()).isEqualTo("research");
        assertThat(request.comment()).isEqualTo("vigil:k3f9xq:j-000042/3");
        assertThat(request.timeLimit()).isEqualTo(Duration.ofHours(2));
        assertThat(request.requeue()).as("Vigil requeues after a node failure, not Slurm").isFalse();
        assertThat(request.output()).isEqualTo("/shared/out/j-000042-%j.out");
        assertThat(request.environment()).containsEntry("EPOCHS", "3").containsEntry("VIGIL_JOB_ID", "j-000042")
                .containsEntry("VIGIL_JOB_ATTEMPT", "3").doesNotContainKey("VIGIL_REPLICA");
        assertThat(request.script()).startsWith("#!/bin/bash\n").endsWith(
                "\nexec torchrun --nproc-per-node=8 train.py --note 'it'\\''s big'\n");
    }

    @Test
    void aReplicaOnPartOfANodeIsNotExclusiveAndTheDefaultsApply() {
        JobRequest request = BatchJobs.request(SETTINGS, "j-000043", spec("vision", List.of("serve")), 1,
                List.of(new Placement("gpu01", List.of(2, 3), List.of("a", "b"), List.of(), 4)), false,
                BatchJobs.comment("k3f9xq", "j-000043", 1, 4));
        assertThat(request.exclusive()).isFalse();
        assertThat(request.gpusPerNode()).isEqualTo(2);
        assertThat(request.partition()).isEqualTo("gpu");
        assertThat(request.account()).as("the Slurm user's default").isNull();
        assertThat(request.comment()).isEqualTo("vigil:k3f9xq:j-000043/1/r4");
        assertThat(request.environment()).containsEntry("VIGIL_REPLICA", "4");
    }

    @Test
    void commentsMarkThisClustersJobsOnly() {
        assertThat(BatchJobs.ours("k3f9xq", "vigil:k3f9xq:j-000042/1")).isTrue();
        assertThat(BatchJobs.ours("k3f9xq", "vigil:k3f9xq:j-000042/1/r0")).isTrue();
        assertThat(BatchJobs.ours("k3f9xq", "vigil:zzzzzz:j-000042/1")).as("another Vigil's").isFalse();
        assertThat(BatchJobs.ours("k3f9xq", "vigil: something a person wrote")).isFalse();
        assertThat(BatchJobs.ours("k3f9xq", null)).isFalse();
    }

    @Test
    void whatTheSlurmBackendCannotRunIsRefusedNamingTheField() {
        JobSpec slices = new JobSpec("serve", JobKind.INFERENCE, null, null, null, null, null, null, null, null,
                "1g.10gb", 2, null, null, null, null, null, "slurm", List.of("serve"), null, null);
        assertThatThrownBy(() -> BatchJobs.check(slices)).isInstanceOf(InvalidValueException.class)
                .satisfies(e -> assertThat(((InvalidValueException) e).field()).isEqualTo("migProfile"));
        assertThatThrownBy(() -> BatchJobs.check(spec("research", List.of())))
                .satisfies(e -> assertThat(((InvalidValueException) e).field()).isEqualTo("command"))
                .hasMessageContaining("the Slurm batch script runs it");
    }
}
