package dev.vigil.slurm;

import dev.vigil.api.cluster.Hostlist;
import dev.vigil.slurm.conf.TopologyConf;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The bridge against the real Slurm 22.05 of {@code scripts/slurm/start-local-slurm.sh}: four
 * nodes gpu01..gpu04 with 8 fake GPUs each, gpu01-02 under leaf1 and gpu03-04 under leaf2.
 * Each test leaves the cluster as it found it (jobs cancelled, nodes resumed).
 */
class SlurmIT {
    private static Map<String, String> env;
    private static Slurm slurm;

    @TempDir
    Path dir;

    @BeforeEach
    void connect() throws SlurmException {
        LocalSlurm.require();
        if (slurm == null) {
            env = LocalSlurm.environment();
            slurm = Slurm.connect(LocalSlurm.config(env));
        }
    }

    @Test
    void connectingPicksTheNewestApiVersionTheDaemonServes() {
        // slurmrestd 22.05 serves v0.0.36 to v0.0.38 and answers 404 to v0.0.41 .. v0.0.39
        assertThat(slurm.apiVersion()).isEqualTo(ApiVersion.V0_0_38);
        assertThat(slurm.release()).startsWith("22.05.");
    }

    @Test
    void aJobPinnedToOneNodeAndTwoGpusRunsThereAndSeesTwoDevices() throws Exception {
        long id = slurm.submit(job("#!/bin/bash\necho \"node=$SLURMD_NODENAME cuda=$CUDA_VISIBLE_DEVICES\"\nsleep 2\n")
                .name("pinned").nodes(List.of("gpu02")).gpusPerNode(2).requeue(false).build());
        try {
            assertThat(LocalSlurm.run(List.of("scontrol", "show", "job", String.valueOf(id))).out())
                    .as("not requeued by Slurm after a node failure").contains("Requeue=0");
            SlurmJob running = await(id, j -> j.state() != JobState.PENDING);
            assertThat(running.nodes()).containsExactly("gpu02");
            assertThat(running.gpusOn("gpu02")).isEqualTo(2);
            assertThat(slurm.jobs()).extracting(SlurmJob::id).contains(id);

            SlurmJob done = await(id, j -> j.state().finished());
            assertThat(done.state()).as(done.toString()).isEqualTo(JobState.COMPLETED);
            assertThat(done.exitCode()).isZero();
            String out = Files.readString(dir.resolve(id + ".out"), StandardCharsets.UTF_8).strip();
            assertThat(out).startsWith("node=gpu02 cuda=");
            assertThat(out.substring(out.indexOf("cuda=") + 5).split(",")).hasSize(2);
        } finally {
            slurm.cancel(id);
        }
    }

    @Test
    void aJobThatFailsIsFailedWithItsExitStatus() throws Exception {
        long id = slurm.submit(job("#!/bin/bash\nexit 3\n").name("fails").build());
        SlurmJob done = await(id, j -> j.state().finished());
        assertThat(done.state()).isEqualTo(JobState.FAILED);
        assertThat(done.exitCode()).isEqualTo(3);
        assertThat(done.reason()).isEqualTo("NonZeroExitCode");
    }

    @Test
    void aGangLimitedToOneSwitchWaitsForOneLeafAndLandsUnderIt() throws Exception {
        List<Long> jobs = new ArrayList<>();
        try {
            // one node busy under each leaf: two free nodes remain, but on different leaves
            long blocker1 = slurm.submit(job("#!/bin/bash\nsleep 300\n").name("block-leaf1").nodes(List.of("gpu01"))
                    .exclusive(true).build());
            jobs.add(blocker1);
            jobs.add(slurm.submit(job("#!/bin/bash\nsleep 300\n").name("block-leaf2").nodes(List.of("gpu03"))
                    .exclusive(true).build()));
            await(blocker1, j -> j.state() == JobState.RUNNING);
            await(jobs.get(1), j -> j.state() == JobState.RUNNING);

            long gang = slurm.submit(job("#!/bin/bash\nsleep 30\n").name("gang").nodeCount(2).gpusPerNode(8)
                    .exclusive(true).maxSwitches(1, Duration.ofMinutes(10)).build());
            jobs.add(gang);
            // without the switch limit it would start at once on gpu02 and gpu04
            Thread.sleep(3000);
            assertThat(slurm.job(gang).orElseThrow().state()).isEqualTo(JobState.PENDING);

            slurm.cancel(blocker1);
            SlurmJob placed = await(gang, j -> j.state() == JobState.RUNNING);
            assertThat(placed.nodes()).containsExactly("gpu01", "gpu02");
            assertThat(placed.gpus()).extracting(g -> g.indices().size()).containsExactly(8, 8);
            TopologyConf topology = TopologyConf.parse(Files.readString(LocalSlurm.DIR.resolve("etc/topology.conf")),
                    "topology.conf");
            assertThat(topology.switches()).anySatisfy(leaf -> assertThat(
                    Hostlist.expand(leaf.nodes(), "Nodes")).containsAll(placed.nodes()));
        } finally {
            for (long id : jobs) {
                slurm.cancel(id);
            }
        }
    }

    @Test
    void drainWithAReasonShowsInSinfoAndResumeUndrains() throws Exception {
        long pinned = -1;
        try {
            slurm.drain("gpu04", "XID 79 on GPU 3");
            // slurmrestd answers a job pinned to a drained node with an error and its id: it waits there
            pinned = slurm.submit(job("#!/bin/bash\ntrue\n").name("on-drained").nodes(List.of("gpu04")).build());
            SlurmJob waiting = slurm.job(pinned).orElseThrow();
            assertThat(waiting.state()).isEqualTo(JobState.PENDING);
            assertThat(waiting.reason()).startsWith("ReqNodeNotAvail");

            // draining while an earlier test's job still completes there, then drained
            LocalSlurm.Run sinfo = LocalSlurm.run(List.of("sinfo", "-h", "-n", "gpu04", "-o", "%t|%E"));
            assertThat(sinfo.out().strip()).matches("(drain|drng)\\|vigil: XID 79 on GPU 3");
            SlurmNode node = awaitNode("gpu04", SlurmNode::drained);
            assertThat(node.drain()).isTrue();
            assertThat(node.reason()).isEqualTo("vigil: XID 79 on GPU 3");
            assertThat(node.reasonBy()).isEqualTo(env.get("SLURMRESTD_USER"));
        } finally {
            if (pinned >= 0) {
                slurm.cancel(pinned);
            }
            slurm.resume("gpu04");
        }
        assertThat(node("gpu04").drain()).isFalse();
        assertThat(LocalSlurm.run(List.of("sinfo", "-h", "-n", "gpu04", "-o", "%t")).out().strip()).startsWith("idle");
    }

    @Test
    void aNodeDrainedByHandIsListedWithItsReasonWhoAndWhen() throws Exception {
        Instant before = Instant.now().minusSeconds(2);
        LocalSlurm.Run drain = LocalSlurm.run(List.of("scontrol", "update", "nodename=gpu03", "state=drain",
                "reason=fan failure, ticket 4711"));
        assertThat(drain.status()).as(drain.err()).isZero();
        try {
            SlurmNode node = node("gpu03");
            assertThat(node.drain()).isTrue();
            assertThat(node.reason()).isEqualTo("fan failure, ticket 4711");
            assertThat(node.reasonBy()).isEqualTo(env.get("SLURMRESTD_USER"));
            assertThat(node.reasonAt()).isAfter(before);
        } finally {
            slurm.resume("gpu03");
        }
    }

    @Test
    void aJobStartedWithPlainSbatchIsListedWithItsNodesAndGpus() throws Exception {
        LocalSlurm.Run sbatch = LocalSlurm.run(List.of("sbatch", "--parsable", "--nodelist=gpu03,gpu04",
                "--gpus-per-node=3", "--output=/dev/null", "--wrap", "sleep 60"));
        assertThat(sbatch.status()).as(sbatch.err()).isZero();
        long id = Long.parseLong(sbatch.out().strip());
        try {
            await(id, j -> j.state() == JobState.RUNNING);
            SlurmJob job = slurm.jobs().stream().filter(j -> j.id() == id).findFirst().orElseThrow();
            assertThat(job.nodes()).containsExactly("gpu03", "gpu04");
            assertThat(job.gpusOn("gpu03")).isEqualTo(3);
            assertThat(job.gpusOn("gpu04")).isEqualTo(3);
            assertThat(job.comment()).isNull();
            assertThat(node("gpu03").gpusInUse()).hasSize(3);
        } finally {
            slurm.cancel(id);
        }
    }

    @Test
    void aBadRequestRaisesSlurmsOwnMessageAndTheRequest() {
        assertThatThrownBy(() -> slurm.submit(job("#!/bin/bash\ntrue\n").name("bad").partition("nosuch").build()))
                .isInstanceOf(SlurmException.class)
                .hasMessageContaining("Invalid partition name specified")
                .hasMessageContaining("POST /slurm/v0.0.38/job/submit")
                .hasMessageContaining("in nosuch")
                .satisfies(e -> assertThat(((SlurmException) e).retryable()).isFalse());
        // the same through sbatch, which the switch limit needs on 22.05: its stderr and its command line
        assertThatThrownBy(() -> slurm.submit(job("#!/bin/bash\ntrue\n").name("bad").partition("nosuch")
                .maxSwitches(1, null).build()))
                .isInstanceOf(SlurmException.class)
                .hasMessageContaining("invalid partition specified: nosuch")
                .hasMessageContaining("sbatch --parsable")
                .hasMessageContaining("--partition=nosuch");
    }

    @Test
    void aJobSlurmDoesNotKnowIsEmptyAndCancellingItSaysSo() throws SlurmException {
        assertThat(slurm.job(987_654_321L)).isEmpty();
        assertThat(slurm.cancel(987_654_321L)).isFalse();
    }

    private JobRequest.Builder job(String script) {
        return JobRequest.builder(script).workingDirectory(dir.toString()).output(dir.resolve("%j.out").toString())
                .timeLimit(Duration.ofMinutes(10));
    }

    private static SlurmNode node(String name) throws SlurmException {
        return slurm.nodes().stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow();
    }

    /** Polls the node until it matches, for up to 60 s. */
    private static SlurmNode awaitNode(String name, Predicate<SlurmNode> condition) throws Exception {
        SlurmNode node = null;
        for (long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos(); System.nanoTime() < deadline; ) {
            node = node(name);
            if (condition.test(node)) {
                return node;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("node " + name + " did not get there within 60 s: " + node);
    }

    /** Polls the job until it matches, for up to 60 s. */
    private static SlurmJob await(long id, Predicate<SlurmJob> condition) throws Exception {
        SlurmJob job = null;
        for (long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos(); System.nanoTime() < deadline; ) {
            job = slurm.job(id).orElseThrow();
            if (condition.test(job)) {
                return job;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("job " + id + " did not get there within 60 s: " + job);
    }
}
