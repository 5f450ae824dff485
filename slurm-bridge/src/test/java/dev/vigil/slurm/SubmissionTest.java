package dev.vigil.slurm;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SubmissionTest {
    private static final JobRequest PINNED = JobRequest.builder("#!/bin/bash\nnvidia-smi\n")
            .name("train-7").nodes(List.of("gpu01", "gpu02")).gpusPerNode(8).exclusive(true)
            .partition("gpu").account("ml").comment("vigil:job-7").timeLimit(Duration.ofSeconds(90 * 60 + 1))
            .workingDirectory("/home/alice").output("/home/alice/%j.out").environment(Map.of("FOO", "a b"))
            .requeue(false).build();

    @Test
    void v0038TakesA2205Body() {
        JsonNode body = Submission.restBody(ApiVersion.V0_0_38, PINNED);
        JsonNode job = body.path("job");
        assertThat(body.path("script").asText()).startsWith("#!/bin/bash");
        assertThat(job.path("nodes").toString()).isEqualTo("[2,2]");
        assertThat(job.path("nodelist").asText()).isEqualTo("gpu01,gpu02");
        assertThat(job.path("gpus_per_node").asText()).isEqualTo("8");
        assertThat(job.path("exclusive").asText()).isEqualTo("exclusive");
        assertThat(job.path("time_limit").asInt()).as("minutes, rounded up").isEqualTo(91);
        assertThat(job.path("environment").path("FOO").asText()).isEqualTo("a b");
        assertThat(job.path("environment").path("PATH").asText()).isEqualTo(JobRequest.DEFAULT_PATH);
        assertThat(job.path("comment").asText()).isEqualTo("vigil:job-7");
        assertThat(job.path("current_working_directory").asText()).isEqualTo("/home/alice");
        assertThat(job.has("required_switches")).isFalse();
        assertThat(job.has("requeue")).as("22.05 ignores requeue: false").isFalse();
        assertThat(job.path("no_requeue").asBoolean()).isTrue();
    }

    @Test
    void theDataParserVersionsTakeListsAndNumberObjects() {
        JsonNode job = Submission.restBody(ApiVersion.V0_0_40, PINNED).path("job");
        assertThat(job.path("minimum_nodes").asInt()).isEqualTo(2);
        assertThat(job.path("maximum_nodes").asInt()).isEqualTo(2);
        assertThat(job.path("required_nodes").asText()).isEqualTo("gpu01,gpu02");
        assertThat(job.path("tres_per_node").asText()).isEqualTo("gres/gpu:8");
        assertThat(job.path("exclusive").toString()).isEqualTo("[\"true\"]");
        assertThat(job.path("time_limit").toString()).isEqualTo("{\"set\":true,\"infinite\":false,\"number\":91}");
        assertThat(job.path("environment").toString()).isEqualTo("[\"FOO=a b\",\"PATH=" + JobRequest.DEFAULT_PATH + "\"]");
        assertThat(Submission.restBody(ApiVersion.V0_0_40, PINNED).has("script")).as("v0.0.40: beside job").isTrue();
        assertThat(job.path("requeue").isBoolean()).isTrue();
        assertThat(job.path("requeue").asBoolean()).isFalse();
        assertThat(job.path("partition").asText()).isEqualTo("gpu");
        assertThat(job.path("account").asText()).isEqualTo("ml");
        assertThat(job.path("comment").asText()).isEqualTo("vigil:job-7");
        assertThat(job.path("standard_output").asText()).isEqualTo("/home/alice/%j.out");
    }

    @Test
    void aJobWithoutGpusAsksForNoneInEveryForm() {
        JobRequest cpuOnly = JobRequest.builder("#!/bin/bash\ntrue\n").workingDirectory("/tmp").build();
        JsonNode job = Submission.restBody(ApiVersion.V0_0_40, cpuOnly).path("job");
        assertThat(job.has("tres_per_node")).isFalse();
        assertThat(job.has("partition")).isFalse();
        assertThat(job.has("account")).isFalse();
        assertThat(job.has("standard_output")).isFalse();
        assertThat(Submission.restBody(ApiVersion.V0_0_38, cpuOnly).path("job").has("gpus_per_node")).isFalse();
        assertThat(Submission.sbatch(cpuOnly)).containsExactly("sbatch", "--parsable", "--export=ALL", "--job-name=vigil",
                "--nodes=1", "--chdir=/tmp");
    }

    @Test
    void v0041PutsTheScriptInTheJobAndTakesTheSwitchLimit() {
        JobRequest gang = JobRequest.builder("#!/bin/bash\ntrue\n").nodeCount(4).gpusPerNode(8).exclusive(true)
                .maxSwitches(1, Duration.ofMinutes(5)).workingDirectory("/tmp").build();
        JsonNode body = Submission.restBody(ApiVersion.V0_0_41, gang);
        assertThat(body.has("script")).isFalse();
        assertThat(body.path("job").path("script").asText()).startsWith("#!/bin/bash");
        assertThat(body.path("job").path("shared").toString()).isEqualTo("[\"none\"]");
        assertThat(body.path("job").path("required_switches").asInt()).isEqualTo(1);
        assertThat(body.path("job").path("wait_for_switch").asInt()).isEqualTo(300);
        assertThat(body.path("job").has("required_nodes")).isFalse();
    }

    @Test
    void sbatchGetsTheSameRequestAsOptions() {
        JobRequest gang = JobRequest.builder("#!/bin/bash\ntrue\n").name("gang").nodeCount(2).gpusPerNode(8)
                .exclusive(true).maxSwitches(1, Duration.ofSeconds(150)).partition("gpu")
                .timeLimit(Duration.ofHours(2)).workingDirectory("/tmp").output("/tmp/%j.out").comment("vigil:j1")
                .build();
        assertThat(Submission.sbatch(gang)).containsExactly("sbatch", "--parsable", "--export=ALL", "--job-name=gang",
                "--nodes=2", "--chdir=/tmp", "--gpus-per-node=8", "--exclusive", "--switches=1@2:30", "--partition=gpu",
                "--comment=vigil:j1", "--time=120", "--output=/tmp/%j.out");
        assertThat(Submission.sbatch(gang)).noneMatch(arg -> arg.contains("requeue"));
        assertThat(Submission.sbatch(PINNED)).contains("--nodelist=gpu01,gpu02", "--account=ml", "--no-requeue")
                .noneMatch(arg -> arg.startsWith("--switches"));
    }
}
