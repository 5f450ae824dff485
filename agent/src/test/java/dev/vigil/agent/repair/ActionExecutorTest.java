package dev.vigil.agent.repair;

import dev.vigil.api.cluster.AgentAction;
import dev.vigil.api.cluster.AgentActionResult;
import dev.vigil.api.cluster.AgentActionResult.State;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Each action id carried out once, off the caller's thread, its result kept while the desired state holds it. */
class ActionExecutorTest {
    private static final Instant T0 = Instant.parse("2026-12-06T12:00:00Z");

    /** Repairs that record what they were asked and end as the test says, when the test says. */
    private static final class ScriptedRepairs implements NodeRepairs {
        final List<String> ran = new CopyOnWriteArrayList<>();
        final List<String> threads = new CopyOnWriteArrayList<>();
        final CountDownLatch release = new CountDownLatch(1);
        volatile Outcome outcome = Outcome.succeeded("done", "line 1\n");
        volatile List<String> stillWanted = List.of();

        private Outcome run(AgentAction action) throws InterruptedException {
            ran.add(action.id());
            threads.add(Thread.currentThread().getName());
            release.await(10, TimeUnit.SECONDS);
            return outcome;
        }

        @Override
        public Outcome resetGpu(AgentAction action) throws InterruptedException {
            return run(action);
        }

        @Override
        public Outcome reboot(AgentAction action) throws InterruptedException {
            return run(action);
        }

        @Override
        public Outcome healthCheck(AgentAction action) throws InterruptedException {
            return run(action);
        }

        @Override
        public void stillWanted(java.util.Set<String> ids) {
            stillWanted = List.copyOf(ids);
        }
    }

    private final ScriptedRepairs repairs = new ScriptedRepairs();
    private final AtomicInteger changes = new AtomicInteger();
    private final List<ActionExecutor> executors = new ArrayList<>();

    private ActionExecutor executor(List<AgentActionResult> restored) {
        ActionExecutor executor = new ActionExecutor("n1", repairs, Clock.fixed(T0, java.time.ZoneOffset.UTC),
                restored);
        executor.onChange(changes::incrementAndGet);
        executors.add(executor);
        return executor;
    }

    @AfterEach
    void close() {
        repairs.release.countDown();
        executors.forEach(ActionExecutor::close);
    }

    private static AgentAction reset(String id, int gpu) {
        return new AgentAction(id, AgentAction.Kind.GPU_RESET, gpu, null, T0);
    }

    private static void await(Check condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.holds()) {
            assertThat(System.nanoTime()).as("condition not met within 10 s").isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    @FunctionalInterface
    private interface Check {
        boolean holds();
    }

    private static State state(ActionExecutor executor, String id) {
        return executor.all().stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow().state();
    }

    @Test
    void eachIdRunsOnceOffTheCallersThreadHoweverManyDesiredStatesCarryIt() throws Exception {
        ActionExecutor executor = executor(List.of());
        AgentAction reset = reset("run-1/2", 3);
        executor.requested(List.of(reset));
        executor.requested(List.of(reset));
        await(() -> repairs.ran.size() == 1);
        assertThat(executor.reported()).singleElement().satisfies(r -> {
            assertThat(r.state()).isEqualTo(State.RUNNING);
            assertThat(r.message()).isEqualTo("gpu-reset of gpu 3 running");
            assertThat(r.started()).isEqualTo(T0);
            assertThat(r.finished()).isNull();
        });
        assertThat(repairs.threads).singleElement().asString().startsWith("vigil-actions-n1")
                .isNotEqualTo(Thread.currentThread().getName());

        repairs.release.countDown();
        await(() -> state(executor, "run-1/2").ended());
        for (int i = 0; i < 5; i++) {
            executor.requested(List.of(reset));
        }
        assertThat(executor.reported()).singleElement().satisfies(r -> {
            assertThat(r.state()).isEqualTo(State.SUCCEEDED);
            assertThat(r.message()).isEqualTo("done");
            assertThat(r.output()).isEqualTo("line 1\n");
            assertThat(r.finished()).isEqualTo(T0);
        });
        // One thread runs them in order: once a later action has run, no repeat of the first waits.
        executor.requested(List.of(reset, reset("probe", 1)));
        await(() -> state(executor, "probe").ended());
        assertThat(repairs.ran).as("carried out once").containsExactly("run-1/2", "probe");
    }

    @Test
    void aResultIsReportedOnlyWhileTheDesiredStateHoldsItAndEveryChangeIsTold() throws Exception {
        ActionExecutor executor = executor(List.of());
        repairs.release.countDown();
        executor.requested(List.of(reset("a", 0)));
        await(() -> state(executor, "a").ended());
        // queued, running, succeeded
        await(() -> changes.get() == 3);
        assertThat(executor.reported()).extracting(AgentActionResult::id).containsExactly("a");

        executor.requested(List.of());
        assertThat(executor.reported()).as("the controller stored it and took it away").isEmpty();
        assertThat(executor.all()).as("still listed for operators").extracting(AgentActionResult::id)
                .containsExactly("a");
        assertThat(repairs.stillWanted).isEmpty();
        executor.requested(List.of(reset("a", 0), reset("probe", 1)));
        await(() -> state(executor, "probe").ended());
        assertThat(repairs.ran).as("an id seen before never runs again").containsExactly("a", "probe");
    }

    @Test
    void actionsQueueBehindTheOneRunningAndAFailureIsKeptWithItsMessage() throws Exception {
        ActionExecutor executor = executor(List.of());
        repairs.outcome = Outcome.failed("nvidia-smi -r -i 1 exited 3:\nIn use by another client", null);
        executor.requested(List.of(reset("first", 0), new AgentAction("second", AgentAction.Kind.HEALTH_CHECK, null,
                2, T0)));
        await(() -> repairs.ran.size() == 1);
        assertThat(executor.reported()).extracting(AgentActionResult::message)
                .containsExactly("gpu-reset of gpu 0 running", "queued");
        repairs.release.countDown();
        await(() -> state(executor, "second").ended());
        assertThat(executor.reported()).allSatisfy(r -> {
            assertThat(r.state()).isEqualTo(State.FAILED);
            assertThat(r.message()).as("one line").isEqualTo("nvidia-smi -r -i 1 exited 3:; In use by another client");
        });
        assertThat(repairs.ran).containsExactly("first", "second");
    }

    @Test
    void onlyTheLastResultsAreKeptOnceTheDesiredStateLetsThemGo() throws Exception {
        ActionExecutor executor = executor(List.of());
        repairs.release.countDown();
        List<AgentAction> many = new ArrayList<>();
        for (int i = 0; i < ActionExecutor.RESULTS_KEPT + 10; i++) {
            many.add(reset("r-" + i, 0));
        }
        executor.requested(many);
        await(() -> executor.all().stream().allMatch(r -> r.state().ended()));
        assertThat(executor.all()).as("all held by the desired state").hasSize(ActionExecutor.RESULTS_KEPT + 10);
        executor.requested(List.of(many.get(0)));
        assertThat(executor.all()).hasSize(ActionExecutor.RESULTS_KEPT);
        assertThat(executor.all()).extracting(AgentActionResult::id).contains("r-0", "r-73")
                .doesNotContain("r-1", "r-10");
    }

    @Test
    void aRestoredResultIsReportedAndItsIdNeverRuns() throws Exception {
        AgentActionResult rebooted = new AgentActionResult("run-9/2", AgentAction.Kind.REBOOT, State.SUCCEEDED,
                "node rebooted (boot b2)", null, null, T0);
        ActionExecutor executor = executor(List.of(rebooted));
        repairs.release.countDown();
        executor.requested(List.of(new AgentAction("run-9/2", AgentAction.Kind.REBOOT, null, null, T0)));
        assertThat(executor.reported()).containsExactly(rebooted);
        executor.requested(List.of(new AgentAction("run-9/2", AgentAction.Kind.REBOOT, null, null, T0),
                reset("probe", 0)));
        await(() -> state(executor, "probe").ended());
        assertThat(repairs.ran).containsExactly("probe");
    }
}
