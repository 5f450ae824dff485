package dev.vigil.slurm;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reader against both shapes: 22.05's (v0.0.38, as the local slurmrestd answers) and the
 * data_parser's of 23.02 and later (lists of state words, numbers as {set, infinite, number},
 * exit codes as objects), written from the published v0.0.41 schema.
 */
class ShapesTest {
    @Test
    void aRunningTwoNodeJobOf2205() throws Exception {
        SlurmJob job = Shapes.job(json("""
                {"job_id": 4, "name": "train", "user_name": "alice", "account": "", "partition": "gpu",
                 "comment": "vigil:job-7", "job_state": "RUNNING", "state_reason": "None", "state_description": "",
                 "nodes": "gpu[01-02]", "gres_detail": ["gpu:h100:1(IDX:0)", "gpu:h100:1(IDX:4)"],
                 "submit_time": 1795343150, "start_time": 1795343151, "end_time": 1826879150, "exit_code": 0}
                """));
        assertThat(job.id()).isEqualTo(4);
        assertThat(job.user()).isEqualTo("alice");
        assertThat(job.account()).as("empty is absent").isNull();
        assertThat(job.comment()).isEqualTo("vigil:job-7");
        assertThat(job.state()).isEqualTo(JobState.RUNNING);
        assertThat(job.slurmState()).isEqualTo("RUNNING");
        assertThat(job.reason()).isNull();
        assertThat(job.nodes()).containsExactly("gpu01", "gpu02");
        assertThat(job.gpus()).containsExactly(new SlurmJob.NodeGpus("gpu01", List.of(0)),
                new SlurmJob.NodeGpus("gpu02", List.of(4)));
        assertThat(job.started()).isEqualTo(Instant.ofEpochSecond(1795343151));
        assertThat(job.ended()).as("end_time of a running job is its expected end").isNull();
        assertThat(job.exitCode()).isNull();
    }

    @Test
    void aPendingJobOf2205HoldsNothingAndSaysWhy() throws Exception {
        SlurmJob job = Shapes.job(json("""
                {"job_id": 7, "name": "gang", "user_name": "root", "partition": "gpu", "job_state": "PENDING",
                 "state_reason": "Resources", "state_description": "", "nodes": "", "gres_detail": [],
                 "submit_time": 1795343150, "start_time": 1795343999, "end_time": 0, "exit_code": 0}
                """));
        assertThat(job.state()).isEqualTo(JobState.PENDING);
        assertThat(job.reason()).isEqualTo("Resources");
        assertThat(job.nodes()).isEmpty();
        assertThat(job.gpus()).isEmpty();
        assertThat(job.started()).as("a pending job's start_time is an estimate").isNull();
    }

    @Test
    void aFinishedJobOfTheDataParserVersions() throws Exception {
        SlurmJob job = Shapes.job(json("""
                {"job_id": 333, "name": "eval", "user_name": "bob", "partition": "gpu",
                 "job_state": ["FAILED"], "state_reason": "NonZeroExitCode", "state_description": "",
                 "nodes": "gpu-[005-006]", "gres_detail": [],
                 "submit_time": {"set": true, "infinite": false, "number": 1746693311},
                 "start_time": {"set": true, "infinite": false, "number": 1746693312},
                 "end_time": {"set": true, "infinite": false, "number": 1746693400},
                 "exit_code": {"status": ["ERROR"], "return_code": {"set": true, "infinite": false, "number": 3},
                               "signal": {"id": {"set": false, "infinite": false, "number": 0}, "name": ""}}}
                """));
        assertThat(job.state()).isEqualTo(JobState.FAILED);
        assertThat(job.reason()).isEqualTo("NonZeroExitCode");
        assertThat(job.nodes()).containsExactly("gpu-005", "gpu-006");
        assertThat(job.gpus()).as("a finished job holds none").isEmpty();
        assertThat(job.ended()).isEqualTo(Instant.ofEpochSecond(1746693400));
        assertThat(job.exitCode()).isEqualTo(3);
    }

    @Test
    void aCompletingJobOf2205HoldsItsGpusAndKnowsItsExitStatus() throws Exception {
        SlurmJob job = Shapes.job(json("""
                {"job_id": 9, "name": "train", "user_name": "root", "partition": "gpu", "job_state": "COMPLETING",
                 "state_reason": "None", "state_description": "", "nodes": "gpu01", "gres_detail": ["gpu:h100:1(IDX:2)"],
                 "submit_time": 1795343150, "start_time": 1795343151, "end_time": 1795343160, "exit_code": 768}
                """));
        assertThat(job.state()).isEqualTo(JobState.COMPLETING);
        assertThat(job.state().holdsResources()).as("its epilog runs: Slurm holds the GPUs until it exits").isTrue();
        assertThat(job.exitCode()).as("the processes have exited").isEqualTo(3);
    }

    @Test
    void exitStatusesReadAsAShellShowsThem() throws Exception {
        // 22.05: the raw wait status
        assertThat(Shapes.exitCode(json("768"))).isEqualTo(3);
        assertThat(Shapes.exitCode(json("9"))).as("SIGKILL").isEqualTo(137);
        assertThat(Shapes.exitCode(json("0"))).isZero();
        // 23.02 and later
        assertThat(Shapes.exitCode(json("""
                {"status": ["SIGNALED"], "return_code": {"set": true, "infinite": false, "number": 0},
                 "signal": {"id": {"set": true, "infinite": false, "number": 15}, "name": "TERM"}}
                """))).isEqualTo(143);
        assertThat(Shapes.exitCode(json("{\"status\": [\"PENDING\"]}"))).isNull();
    }

    @Test
    void aNodeOf2205DrainedByHand() throws Exception {
        SlurmNode node = Shapes.node(json("""
                {"name": "gpu04", "state": "idle", "state_flags": ["DRAIN"], "reason": "by hand test",
                 "reason_set_by_user": "root", "reason_changed_at": 1795343154, "gres": "gpu:h100:8(S:0-1)",
                 "gres_used": "gpu:h100:0(IDX:N/A)", "cpus": 32, "alloc_cpus": 0, "partitions": ["gpu"]}
                """));
        assertThat(node.state()).isEqualTo(NodeState.IDLE);
        assertThat(node.flags()).containsExactly("DRAIN");
        assertThat(node.drain()).isTrue();
        assertThat(node.drained()).isTrue();
        assertThat(node.responding()).isTrue();
        assertThat(node.reason()).isEqualTo("by hand test");
        assertThat(node.reasonBy()).isEqualTo("root");
        assertThat(node.reasonAt()).isEqualTo(Instant.ofEpochSecond(1795343154));
        assertThat(node.gpuType()).isEqualTo("h100");
        assertThat(node.gpus()).isEqualTo(8);
        assertThat(node.gpusInUse()).isEmpty();
        assertThat(node.partitions()).containsExactly("gpu");
    }

    @Test
    void aBusyNodeOfTheDataParserVersionsIsDrainingNotDrained() throws Exception {
        SlurmNode node = Shapes.node(json("""
                {"name": "gpu02", "state": ["MIXED", "DRAIN"], "reason": "vigil: XID 79 on GPU 3",
                 "reason_set_by_user": "vigil", "reason_changed_at": {"set": true, "infinite": false, "number": 1795343154},
                 "gres": "gpu:h100:8(S:0-1)", "gres_used": "gpu:h100:4(IDX:0-2,4)", "cpus": 32, "alloc_cpus": 2,
                 "partitions": ["gpu", "debug"]}
                """));
        assertThat(node.state()).isEqualTo(NodeState.MIXED);
        assertThat(node.drain()).isTrue();
        assertThat(node.drained()).isFalse();
        assertThat(node.gpusInUse()).containsExactly(0, 1, 2, 4);
        assertThat(node.cpusInUse()).isEqualTo(2);
        assertThat(node.reasonAt()).isEqualTo(Instant.ofEpochSecond(1795343154));
    }

    @Test
    void aNodeThatStoppedAnsweringSaysSo() throws Exception {
        SlurmNode node = Shapes.node(json("""
                {"name": "gpu03", "state": ["DOWN", "NOT_RESPONDING"], "reason": "Not responding",
                 "reason_changed_at": {"set": false, "infinite": false, "number": 0}, "gres": "", "gres_used": ""}
                """));
        assertThat(node.state()).isEqualTo(NodeState.DOWN);
        assertThat(node.responding()).isFalse();
        assertThat(node.reasonAt()).isNull();
        assertThat(node.gpus()).isZero();
    }

    @Test
    void gpusAreReadForTheNodesThatHaveADetailEntry() throws Exception {
        // gres_detail has one entry per node in Slurm's order; a shorter or longer list is read as far as both go
        SlurmJob shorter = Shapes.job(json("""
                {"job_id": 5, "job_state": "RUNNING", "nodes": "gpu[01-02]", "gres_detail": ["gpu:h100:2(IDX:0-1)"]}
                """));
        assertThat(shorter.gpus()).containsExactly(new SlurmJob.NodeGpus("gpu01", List.of(0, 1)));
        assertThat(shorter.gpusOn("gpu01")).isEqualTo(2);
        assertThat(shorter.gpusOn("gpu02")).isZero();
        SlurmJob longer = Shapes.job(json("""
                {"job_id": 6, "job_state": "RUNNING", "nodes": "gpu03",
                 "gres_detail": ["gpu:h100:1(IDX:7)", "gpu:h100:1(IDX:2)"]}
                """));
        assertThat(longer.gpus()).containsExactly(new SlurmJob.NodeGpus("gpu03", List.of(7)));
    }

    @Test
    void aSignalNumberOfZeroIsNoSignal() throws Exception {
        assertThat(Shapes.exitCode(json("""
                {"status": ["ERROR"], "return_code": {"set": true, "infinite": false, "number": 2},
                 "signal": {"id": {"set": true, "infinite": false, "number": 0}, "name": ""}}
                """))).isEqualTo(2);
        assertThat(Shapes.exitCode(json("{\"signal\": {\"id\": 1}}"))).as("SIGHUP").isEqualTo(129);
        assertThat(Shapes.exitCode(json("{}").path("exit_code"))).as("no exit code at all").isNull();
    }

    @Test
    void aNeverOfZeroIsNoTimeAndPartitionsMayComeAsOneString() throws Exception {
        SlurmJob job = Shapes.job(json("""
                {"job_id": 8, "job_state": "PENDING", "submit_time": 0, "start_time": 0, "end_time": 0}
                """));
        assertThat(job.submitted()).isNull();
        assertThat(Shapes.job(json("{\"job_id\": 8, \"job_state\": \"PENDING\", \"submit_time\": 1}")).submitted())
                .isEqualTo(Instant.ofEpochSecond(1));
        SlurmNode node = Shapes.node(json("""
                {"name": "gpu05", "state": "idle", "partitions": "gpu,debug", "reason_changed_at": 0}
                """));
        assertThat(node.partitions()).containsExactly("gpu", "debug");
        assertThat(node.reasonAt()).isNull();
        assertThat(Shapes.node(json("{\"name\": \"gpu06\", \"state\": \"idle\", \"partitions\": \" \"}"))
                .partitions()).isEmpty();
    }

    @Test
    void aNodeInStateUnknownKeepsItsFlags() throws Exception {
        // slurmctld just started and has not heard from the node: state UNKNOWN is a base state, the rest flags
        SlurmNode node = Shapes.node(json("""
                {"name": "gpu07", "state": ["UNKNOWN", "NOT_RESPONDING"], "gres": "gpu:h100:8"}
                """));
        assertThat(node.state()).isEqualTo(NodeState.UNKNOWN);
        assertThat(node.flags()).containsExactly("NOT_RESPONDING");
        assertThat(node.responding()).isFalse();
        assertThat(node.drain()).isFalse();
        assertThat(node.drained()).isFalse();
        assertThat(NodeState.isBase("unknown")).isTrue();
        assertThat(NodeState.isBase("alloc")).isTrue();
        assertThat(NodeState.isBase("DRAIN")).isFalse();
    }

    private static JsonNode json(String text) throws Exception {
        return Rest.JSON.readTree(text);
    }
}
