package dev.vigil.controller.slurm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.cluster.ExecutionNode;
import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.cluster.NodeState;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.api.jobs.Allocation;
import dev.vigil.api.jobs.JobKind;
import dev.vigil.api.jobs.JobRecord;
import dev.vigil.api.jobs.JobSpec;
import dev.vigil.api.jobs.JobState;
import dev.vigil.api.jobs.Placement;
import dev.vigil.controller.config.SlurmSettings;
import dev.vigil.controller.execution.DesiredAllocations;
import dev.vigil.controller.execution.ExecutionBackend;
import dev.vigil.controller.execution.NodeObservations;
import dev.vigil.gpu.simulated.NodeProfile;
import dev.vigil.gpu.simulated.SimulatedNode;
import dev.vigil.gpu.simulated.SimulatedSpec;
import dev.vigil.scheduler.Decision;
import dev.vigil.slurm.SlurmConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The slurm backend's bookkeeping against a stand-in slurmrestd: Slurm's states mapped to Vigil's,
 * GPU indices read back, NODE_FAIL and unusable nodes requeued, a lost answer looked up rather
 * than submitted twice, a new leader taking over by comment, and what Vigil did not launch.
 */
class SlurmBackendTest {
    private static final String CLUSTER = "k3f9xq";
    private static final NodeInventory INVENTORY = new SimulatedNode("n1",
            SimulatedSpec.of(NodeProfile.HGX_H100_8, 1, List.of()), Clock.systemUTC()).inventory();

    private StandInSlurmrestd slurm;
    private SlurmBackend backend;
    private final Nodes nodes = new Nodes();
    private final Events events = new Events();

    /** The nodes as the leader stores them: n1 and n2, 8 H100s each. */
    private static final class Nodes implements DesiredAllocations, NodeObservations {
        final Map<String, NodeRecord> records = new ConcurrentHashMap<>();
        final List<ExecutionNode> observed = new CopyOnWriteArrayList<>();
        final Map<String, ExecutionNode> latest = new ConcurrentHashMap<>();

        Nodes() {
            for (String name : List.of("n1", "n2")) {
                records.put(name, NodeRecord.named(name).state(NodeState.READY).reason("ready").actor("agent")
                        .since(Instant.EPOCH).lastReport(Instant.EPOCH).agentId("a").agentVersion("1").inventoryHash("h")
                        .inventory(INVENTORY).version(1).appliedVersion(1).build());
            }
        }

        @Override
        public Optional<NodeRecord> change(String node, UnaryOperator<List<Allocation>> change) {
            NodeRecord old = records.get(node);
            NodeRecord next = old.with().version(old.version() + 1).allocations(change.apply(old.allocations()))
                    .build();
            records.put(node, next);
            return Optional.of(next);
        }

        @Override
        public Optional<NodeRecord> node(String node) {
            return Optional.ofNullable(records.get(node));
        }

        @Override
        public List<NodeRecord> allocated() {
            return records.values().stream().filter(n -> !n.allocations().isEmpty()).toList();
        }

        @Override
        public void observed(String node, ExecutionNode view, Instant asked) {
            observed.add(view);
            latest.put(node, view);
        }

        List<Allocation> allocations(String node) {
            return records.get(node).allocations();
        }
    }

    /** What the backend told the scheduler loop. */
    private static final class Events implements ExecutionBackend.Listener {
        final List<String> said = new CopyOnWriteArrayList<>();
        final List<Placement> rebound = new CopyOnWriteArrayList<>();

        @Override
        public void running(String job, Instant at) {
            said.add("running " + job);
        }

        @Override
        public void finished(String job, boolean succeeded, String reason, Instant at) {
            said.add((succeeded ? "succeeded " : "failed ") + job + ": " + reason);
        }

        @Override
        public void lost(String job, Collection<String> on, String reason, Instant at) {
            said.add("lost " + job + " on " + on + ": " + reason);
        }

        @Override
        public boolean rebind(String job, Placement actual) {
            rebound.add(actual);
            return true;
        }
    }

    @BeforeEach
    void start() throws Exception {
        slurm = new StandInSlurmrestd("n1", "n2");
        SlurmSettings settings = new SlurmSettings(SlurmConfig.of(slurm.url(), "vigil", "jwt"), Duration.ofMillis(100),
                null, null, null, null, null);
        backend = new SlurmBackend(settings, CLUSTER, new SlurmConnection(settings.connection()), nodes, nodes,
                (node, asked) -> false, Clock.systemUTC());
        backend.adopt(List.of(), Instant.now());
    }

    @AfterEach
    void stop() {
        backend.close();
        slurm.close();
    }

    private static JobSpec gang(int gpus) {
        return new JobSpec("train", JobKind.TRAINING, null, null, null, null, gpus, null, null, null, null, null, null,
                null, null, null, null, "slurm", List.of("python", "train.py"), null, null);
    }

    private static Placement on(String node, int... gpus) {
        List<Integer> indices = IntStream.of(gpus).boxed().toList();
        return new Placement(node, indices, indices.stream().map(i -> INVENTORY.gpus().get(i).uuid()).toList(),
                List.of(), null);
    }

    /** Polls as the scheduler loop would until {@code condition} holds (the launcher and poller work meanwhile). */
    private void pollUntil(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met within 10 s; said " + events.said).isLessThan(deadline);
            backend.poll(Instant.now(), events);
            Thread.sleep(20);
        }
    }

    private long submitted(String comment) throws InterruptedException {
        pollUntil(() -> slurm.jobWithComment(comment) != null);
        return slurm.jobWithComment(comment).get("job_id").asLong();
    }

    @Test
    void aGangRunsWhereSlurmPutItsGpusAndSucceedsWhenSlurmCompletesIt() throws Exception {
        backend.start(new Decision.Start("j-000001", gang(8), List.of(on("n1", 0, 1, 2, 3, 4, 5, 6, 7)), 1));
        long id = submitted("vigil:k3f9xq:j-000001/1");
        JsonNode job = slurm.submits.get(0).path("job");
        assertThat(job.path("nodelist").asText()).isEqualTo("n1");
        assertThat(job.path("gpus_per_node").asText()).isEqualTo("8");
        assertThat(job.path("exclusive").asText()).as("the whole node").isEqualTo("exclusive");
        assertThat(job.path("no_requeue").asBoolean()).isTrue();

        backend.poll(Instant.now(), events);
        Thread.sleep(300);
        backend.poll(Instant.now(), events);
        assertThat(events.said).as("pending in Slurm: still placed").isEmpty();

        slurm.run(id, "0-7");
        pollUntil(() -> events.said.contains("running j-000001"));
        assertThat(events.rebound).as("Slurm took the GPUs the scheduler chose").isEmpty();
        assertThat(nodes.allocations("n1")).singleElement().satisfies(a -> {
            assertThat(a.job()).isEqualTo("j-000001");
            assertThat(a.backendJob()).isEqualTo("slurm:" + id);
        });

        slurm.end(id, "COMPLETED", "None", 0);
        pollUntil(() -> events.said.size() == 2);
        assertThat(events.said.get(1)).isEqualTo("succeeded j-000001: Slurm job " + id + " completed, exit 0");
        assertThat(nodes.allocations("n1")).isEmpty();
        assertThat(slurm.cancels).as("nothing to cancel: it ended").isEmpty();
    }

    @Test
    void anEpilogsWordEndsTheJobWhileSlurmSaysCompleting() throws Exception {
        backend.close();
        SlurmSettings slowPoll = new SlurmSettings(SlurmConfig.of(slurm.url(), "vigil", "jwt"), Duration.ofMinutes(1),
                null, null, null, null, null);
        AtomicInteger nodesObserved = new AtomicInteger();
        backend = new SlurmBackend(slowPoll, CLUSTER, new SlurmConnection(slowPoll.connection()), nodes, nodes,
                (node, asked) -> nodesObserved.incrementAndGet() < 0, Clock.systemUTC());
        backend.adopt(List.of(), Instant.now());
        pollUntil(() -> nodesObserved.get() == 2);   // the first listing's n1 and n2: the next is a minute away
        backend.start(new Decision.Start("j-000020", gang(1), List.of(on("n1", 0)), 1));
        long id = submitted("vigil:k3f9xq:j-000020/1");
        slurm.run(id, "0");
        // a word that came early (Slurm says RUNNING) is a hint to look: it finds the job running
        backend.ended(String.valueOf(id));
        pollUntil(() -> events.said.contains("running j-000020"));
        assertThat(events.said).containsExactly("running j-000020");

        slurm.completing(id, 0);   // its processes exited; the epilog runs and holds the GPU in Slurm
        backend.ended(String.valueOf(id));
        pollUntil(() -> events.said.size() == 2);
        assertThat(events.said.get(1)).isEqualTo("succeeded j-000020: Slurm job " + id
                + " ended, exit 0 (its epilog has run)");
        assertThat(nodes.allocations("n1")).isEmpty();
        assertThat(slurm.cancels).as("nothing to cancel: its processes exited").isEmpty();
        assertThat(slurm.listings.get()).as("one listing: the rest were lookups of the job").isEqualTo(1);
        assertThat(nodesObserved).as("a lookup of one job leaves the nodes as the listing showed them").hasValue(2);
    }

    @Test
    void withoutTheEpilogsWordCompletingHoldsTheGpusThoughAnotherJobsWordCame() throws Exception {
        backend.start(new Decision.Start("j-000022", gang(1), List.of(on("n1", 0)), 1));
        long id = submitted("vigil:k3f9xq:j-000022/1");
        slurm.run(id, "0");
        pollUntil(() -> events.said.contains("running j-000022"));
        slurm.completing(id, 0);
        long theirs = slurm.foreign("theirs", "n2", "0");

        backend.ended(String.valueOf(theirs));
        pollUntil(() -> slurm.listings.get() >= 3);
        assertThat(events.said).as("COMPLETING alone: Slurm still holds the GPU").containsExactly("running j-000022");
        assertThat(nodes.allocations("n1")).hasSize(1);
    }

    @Test
    void aHintThatIsNoSlurmJobIdIsRefusedNamingTheValue() {
        assertThatThrownBy(() -> backend.ended("12x")).isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("slurm:12x");
    }

    @Test
    void theGpusSlurmChoseAreWhatVigilRecords() throws Exception {
        backend.start(new Decision.Start("j-000002", gang(2), List.of(on("n1", 0, 1)), 1));
        long id = submitted("vigil:k3f9xq:j-000002/1");
        assertThat(slurm.submits.get(0).path("job").has("exclusive")).as("part of a node").isFalse();
        slurm.run(id, "4-5");
        pollUntil(() -> events.said.contains("running j-000002"));
        assertThat(events.rebound).singleElement().satisfies(p -> {
            assertThat(p.node()).isEqualTo("n1");
            assertThat(p.gpus()).containsExactly(4, 5);
            assertThat(p.uuids()).containsExactly(INVENTORY.gpus().get(4).uuid(), INVENTORY.gpus().get(5).uuid());
        });
        assertThat(nodes.allocations("n1")).singleElement().satisfies(a -> assertThat(a.gpus()).containsExactly(4, 5));
    }

    @Test
    void aFailureACancelOutsideVigilAndARefusalFailTheJobWithSlurmsWords() throws Exception {
        backend.start(new Decision.Start("j-000003", gang(1), List.of(on("n1", 0)), 1));
        long failed = submitted("vigil:k3f9xq:j-000003/1");
        slurm.run(failed, "0");
        slurm.end(failed, "FAILED", "NonZeroExitCode", 3 << 8);
        pollUntil(() -> events.said.stream().anyMatch(s -> s.startsWith("failed j-000003")));
        assertThat(events.said).contains("running j-000003",
                "failed j-000003: Slurm job " + failed + " ended FAILED (NonZeroExitCode), exit 3");

        backend.start(new Decision.Start("j-000004", gang(1), List.of(on("n2", 0)), 1));
        long cancelled = submitted("vigil:k3f9xq:j-000004/1");
        slurm.end(cancelled, "CANCELLED", "None", 9);
        pollUntil(() -> events.said.stream().anyMatch(s -> s.startsWith("failed j-000004")));
        assertThat(events.said).anyMatch(s -> s.equals("failed j-000004: Slurm job " + cancelled
                + " ended CANCELLED, exit 137: cancelled outside Vigil"));

        slurm.refuse = "Invalid account or account/partition combination specified";
        backend.start(new Decision.Start("j-000005", gang(1), List.of(on("n2", 1)), 1));
        pollUntil(() -> events.said.stream().anyMatch(s -> s.startsWith("failed j-000005")));
        assertThat(events.said).anyMatch(s -> s.startsWith("failed j-000005: Slurm refused it: Invalid account or "
                + "account/partition combination specified (request: POST /slurm/v0.0.38/job/submit (job \"train\" "
                + "on n2))"));
    }

    @Test
    void nodeFailAndANodeSlurmWillNotUseGiveTheJobBackToTheScheduler() throws Exception {
        backend.start(new Decision.Start("j-000006", gang(8), List.of(on("n1", 0, 1, 2, 3, 4, 5, 6, 7)), 1));
        long id = submitted("vigil:k3f9xq:j-000006/1");
        slurm.run(id, "0-7");
        pollUntil(() -> events.said.contains("running j-000006"));
        slurm.end(id, "NODE_FAIL", "NodeDown", 0);
        pollUntil(() -> events.said.size() == 2);
        assertThat(events.said.get(1)).isEqualTo("lost j-000006 on [n1]: Slurm job " + id + " ended NODE_FAIL on n1");
        assertThat(nodes.allocations("n1")).isEmpty();

        // placed on n2, which someone drains before Slurm starts the job: it is placed again, the Slurm job goes
        backend.start(new Decision.Start("j-000007", gang(2), List.of(on("n2", 0, 1)), 1));
        long waiting = submitted("vigil:k3f9xq:j-000007/1");
        slurm.drain("n2", "fan failure", "alice");
        pollUntil(() -> events.said.stream().anyMatch(s -> s.startsWith("lost j-000007")));
        assertThat(events.said).contains("lost j-000007 on [n2]: Slurm will not start Slurm job " + waiting
                + " there: n2 is idle+drain (fan failure, by alice)");
        pollUntil(() -> slurm.cancels.contains(waiting));
    }

    @Test
    void aSubmitWhoseAnswerWasLostIsFoundByItsCommentNotSentTwice() throws Exception {
        slurm.loseNextAnswer = true;
        backend.start(new Decision.Start("j-000008", gang(1), List.of(on("n1", 3)), 2));
        long id = submitted("vigil:k3f9xq:j-000008/2");
        slurm.run(id, "3");
        pollUntil(() -> events.said.contains("running j-000008"));
        assertThat(slurm.submits).hasSize(1);
    }

    @Test
    void aNewLeaderTakesOverVigilsJobsByCommentAndCancelsWhatNoJobClaims() throws Exception {
        long running = slurm.foreign("vigil:k3f9xq:j-000009/1", "n1", "0-1");
        long orphan = slurm.foreign("vigil:k3f9xq:j-000010/1", "n2", "0");
        long otherVigil = slurm.foreign("vigil:zzzzzz:j-000009/1", "n2", "1");
        long someone = slurm.foreign("", "n2", "2-3");
        JobRecord record = new JobRecord("j-000009", gang(2), 500, JobState.RUNNING, null, "running", Instant.EPOCH,
                Instant.EPOCH, null, List.of(on("n1", 0, 1)), 1, List.of());

        backend.adopt(List.of(record), Instant.now());
        pollUntil(() -> slurm.cancels.contains(orphan));
        pollUntil(() -> nodes.allocations("n1").size() == 1);
        assertThat(slurm.submits).as("it runs: nothing submitted again").isEmpty();
        assertThat(slurm.cancels).containsExactly(orphan);
        assertThat(nodes.allocations("n1").get(0).backendJob()).isEqualTo("slurm:" + running);

        // What Vigil did not launch, another Vigil's included, holds its GPUs on the node's record.
        pollUntil(() -> nodes.observed.stream().anyMatch(v -> v.foreignJobs().size() == 2));
        assertThat(nodes.observed).anySatisfy(v -> assertThat(v.foreignJobs()).extracting(ExecutionNode.ForeignJob::id)
                .containsExactlyInAnyOrder(String.valueOf(otherVigil), String.valueOf(someone)));

        slurm.end(running, "COMPLETED", "None", 0);
        pollUntil(() -> events.said.contains("succeeded j-000009: Slurm job " + running + " completed, exit 0"));
    }

    @Test
    void foreignJobsHoldTheirGpusWhileSlurmSaysTheyDoSuspendedOnesIncluded() throws Exception {
        long running = slurm.foreign("", "n2", "0");
        long suspended = slurm.foreign("", "n2", "1-2");
        slurm.state(suspended, "SUSPENDED");
        long completing = slurm.foreign("", "n2", "3");
        slurm.state(completing, "COMPLETING");
        for (String ended : List.of("COMPLETED", "CANCELLED", "FAILED", "TIMEOUT", "PREEMPTED")) {
            slurm.state(slurm.foreign("", "n2", "4-7"), ended);
        }
        slurm.state(slurm.foreign("", "n2", "4-7"), "PENDING");

        pollUntil(() -> nodes.latest.containsKey("n2") && !nodes.latest.get("n2").foreignJobs().isEmpty());

        assertThat(nodes.latest.get("n2").foreignJobs()).extracting(ExecutionNode.ForeignJob::id)
                .containsExactlyInAnyOrder(String.valueOf(running), String.valueOf(suspended),
                        String.valueOf(completing));
        assertThat(nodes.latest.get("n2").foreignJobs())
                .filteredOn(f -> f.id().equals(String.valueOf(suspended))).singleElement()
                .satisfies(f -> assertThat(f.gpus()).hasSize(2));

        // Resumed, then ended: held while it runs, let go once Slurm lists it as completed.
        slurm.state(suspended, "RUNNING");
        slurm.state(running, "COMPLETED");
        slurm.state(completing, "COMPLETED");
        pollUntil(() -> nodes.latest.get("n2").foreignJobs().size() == 1);
        assertThat(nodes.latest.get("n2").foreignJobs()).extracting(ExecutionNode.ForeignJob::id)
                .containsExactly(String.valueOf(suspended));
    }

    @Test
    void aSuspendedJobOfVigilsKeepsItsGpusAndRunsOnWhenSlurmResumesIt() throws Exception {
        backend.start(new Decision.Start("j-000012", gang(2), List.of(on("n1", 0, 1)), 1));
        long id = submitted("vigil:k3f9xq:j-000012/1");
        slurm.run(id, "0-1");
        pollUntil(() -> events.said.contains("running j-000012"));

        slurm.state(id, "SUSPENDED");
        int polls = nodes.observed.size();
        pollUntil(() -> nodes.observed.size() >= polls + 6);   // three of Slurm's answers for both nodes
        assertThat(events.said).as("suspended is neither ended nor lost").containsExactly("running j-000012");
        assertThat(nodes.allocations("n1")).singleElement().satisfies(a -> assertThat(a.gpus()).containsExactly(0, 1));

        slurm.state(id, "RUNNING");
        slurm.end(id, "COMPLETED", "None", 0);
        pollUntil(() -> events.said.size() == 2);
        assertThat(events.said.get(1)).isEqualTo("succeeded j-000012: Slurm job " + id + " completed, exit 0");
    }

    @Test
    void aPlacedJobANewLeaderFindsNoSlurmJobForIsSubmittedOnce() throws Exception {
        JobRecord placed = new JobRecord("j-000011", gang(1), 500, JobState.PLACED, null, "placed", Instant.EPOCH, null,
                null, List.of(on("n1", 5)), 1, List.of());
        backend.adopt(List.of(placed), Instant.now());
        long id = submitted("vigil:k3f9xq:j-000011/1");
        Thread.sleep(300);
        backend.poll(Instant.now(), events);
        assertThat(slurm.submits).hasSize(1);
        slurm.run(id, "5");
        pollUntil(() -> events.said.contains("running j-000011"));
        assertThat(new ArrayList<>(events.said)).containsExactly("running j-000011");
    }
}
