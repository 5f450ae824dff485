package dev.vigil.agent.placement;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.vigil.agent.sampling.EventLog;
import dev.vigil.api.gpu.GpuEvent;
import dev.vigil.api.gpu.GpuProcess;
import dev.vigil.api.jobs.Allocation;
import dev.vigil.api.jobs.JobKind;
import dev.vigil.api.placement.Enforcement;
import dev.vigil.api.placement.JudgedProcess;
import dev.vigil.api.placement.PlacementAction;
import dev.vigil.api.placement.PlacementPolicy;
import dev.vigil.api.placement.PlacementVerdict;
import dev.vigil.testsupport.MutableClock;
import dev.vigil.gpu.simulated.NodeProfile;
import dev.vigil.gpu.simulated.SimulatedNode;
import dev.vigil.gpu.simulated.SimulatedSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The policies on real child processes the test starts: the fake backend lists their PIDs on a GPU and a fake /proc
 * tree says who they are (the signals are real). Job train-a (Slurm job 1234) holds GPU 0; GPU 1 is nobody's.
 */
class PlacementEnforcementTest {
    private static final Instant T0 = Instant.parse("2026-12-06T12:00:00Z");
    private static final Duration GRACE = Duration.ofSeconds(30);
    private static final Duration KILL_GRACE = Duration.ofSeconds(10);
    private static final String SESSION = "0::/user.slice/user-1001.slice/session-3.scope\n";
    private static final String TRAIN_A = "0::/system.slice/slurmstepd.scope/job_1234/step_0/user/task_0\n";

    @TempDir
    Path root;

    private final MutableClock clock = new MutableClock(T0);
    private final List<Process> children = new ArrayList<>();
    private final AtomicReference<PlacementPolicy> policy = new AtomicReference<>(PlacementPolicy.REPORT);
    private final EventLog events = new EventLog(100);
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private RecordingSignals signals;
    private ListedProcesses backend;
    private FakeProc proc;
    private PlacementEnforcer enforcer;

    @BeforeEach
    void setUp() {
        logs.start();
        ((Logger) LoggerFactory.getLogger(Violations.class)).addAppender(logs);
        SimulatedNode gpus = new SimulatedNode("n1", new SimulatedSpec(NodeProfile.HGX_H100_8, 5L, null, null, null),
                clock);
        backend = new ListedProcesses(gpus.inventory());
        proc = new FakeProc(root);
        signals = new RecordingSignals(new ProcessHandleSignals());
        Allocation trainA = new Allocation("train-a", null, JobKind.TRAINING, List.of(0),
                List.of(gpus.inventory().gpus().get(0).uuid()), List.of(), List.of("train"), null, Map.of(), 1,
                "slurm:1234");
        enforcer = new PlacementEnforcer("n1", backend, new ProcAttribution(root), () -> List.of(trainA), policy::get,
                signals, new PlacementRules(PlacementRules.DEFAULT_SYSTEM, ProcessHandle.current().pid(), GRACE),
                events, clock);
    }

    @AfterEach
    void tearDown() {
        ((Logger) LoggerFactory.getLogger(Violations.class)).detachAppender(logs);
        enforcer.close();
        children.forEach(Process::destroyForcibly);
    }

    /** A real child process the fake backend lists on {@code gpu} and the fake /proc attributes to {@code cgroup}. */
    private Process onGpu(int gpu, String cgroup, String... command) throws IOException {
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        children.add(child);
        proc.process(child.pid(), cgroup, 1001, "sleep").started(child.pid(), "sleep", 4242);
        backend.processes.add(new GpuProcess(child.pid(), gpu, null, null, 1024));
        return child;
    }

    private Process sleeping(int gpu, String cgroup) throws IOException {
        return onGpu(gpu, cgroup, "sleep", "600");
    }

    /** A process that ignores SIGTERM: returns once the shell has set its trap (SIG_IGN survives the exec). */
    private Process ignoringSigterm(int gpu) throws IOException {
        Process child = onGpu(gpu, SESSION, "sh", "-c", "trap '' TERM; echo ready; exec sleep 600");
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).isEqualTo("ready");
        return child;
    }

    private JudgedProcess judged(Process child) {
        return enforcer.processes().stream().filter(p -> p.pid() == child.pid()).findFirst().orElseThrow();
    }

    private List<String> placementMessages() {
        return events.since(0, 100).stream().map(GpuEvent::message).toList();
    }

    private static boolean ends(Process child) throws InterruptedException {
        return child.waitFor(30, TimeUnit.SECONDS);
    }

    private static PlacementPolicy kill() {
        return new PlacementPolicy(PlacementAction.KILL, KILL_GRACE);
    }

    @Test
    void killEndsARogueProcessWithSigterm() throws Exception {
        policy.set(kill());
        Process rogue = sleeping(1, SESSION);

        enforcer.pass();

        assertThat(ends(rogue)).as("SIGTERM ended the rogue process").isTrue();
        assertThat(judged(rogue)).satisfies(p -> {
            assertThat(p.verdict()).isEqualTo(PlacementVerdict.ROGUE);
            assertThat(p.enforcement()).isEqualTo(Enforcement.SIGTERM_SENT);
            assertThat(p.since()).isEqualTo(T0);
        });
        String who = ": pid " + rogue.pid() + " user 1001 command sleep owner unit:session-3.scope job none";
        assertThat(placementMessages()).containsExactly("placement rogue on gpu 1" + who,
                "placement sigterm-sent on gpu 1" + who);
        assertThat(signals.sent).containsExactly("TERM " + rogue.pid());
        assertThat(logs.list).filteredOn(e -> e.getFormattedMessage().equals("placement_action")).singleElement()
                .satisfies(e -> assertThat(e.getKeyValuePairs()).map(kv -> kv.key + "=" + kv.value).contains(
                        "action=sigterm-sent",
                        "pid=" + rogue.pid(), "user=1001", "command=sleep", "job=none", "gpu=1")
                        .noneMatch(kv -> kv.startsWith("reason=")));
    }

    @Test
    void aProcessThatIgnoresSigtermGetsSigkillOnceTheKillGraceHasPassed() throws Exception {
        policy.set(kill());
        Process stubborn = ignoringSigterm(1);

        enforcer.pass();
        clock.advance(KILL_GRACE.minusSeconds(1));
        enforcer.pass();

        assertThat(signals.sent).containsExactly("TERM " + stubborn.pid());
        assertThat(judged(stubborn).enforcement()).isEqualTo(Enforcement.SIGTERM_SENT);
        assertThat(stubborn.isAlive()).isTrue();

        clock.advance(Duration.ofSeconds(1));
        enforcer.pass();

        assertThat(ends(stubborn)).as("SIGKILL ended it").isTrue();
        assertThat(signals.sent).containsExactly("TERM " + stubborn.pid(), "KILL " + stubborn.pid());
        assertThat(judged(stubborn).enforcement()).isEqualTo(Enforcement.SIGKILL_SENT);
        assertThat(judged(stubborn).since()).isEqualTo(T0);
        assertThat(placementMessages()).last().asString().startsWith("placement sigkill-sent on gpu 1: pid "
                + stubborn.pid());
    }

    @Test
    void noSigkillWhenThePidIsNoLongerTheProcessThatGotSigterm() throws Exception {
        policy.set(kill());
        Process stubborn = ignoringSigterm(1);
        enforcer.pass();

        // The kernel gave the PID to another process: a different start time.
        proc.started(stubborn.pid(), "sleep", 9999);
        clock.advance(KILL_GRACE);
        enforcer.pass();

        assertThat(signals.sent).containsExactly("TERM " + stubborn.pid());
        assertThat(placementMessages()).hasSize(2);
        assertThat(stubborn.isAlive()).isTrue();
    }

    @Test
    void procIsReadOncePerProcessWhileItStaysOnTheGpusAndAfreshOnceItLeft() {
        List<Long> read = new CopyOnWriteArrayList<>();
        ProcAttribution proc = new ProcAttribution(root);
        enforcer.close();
        enforcer = new PlacementEnforcer("n1", backend, new Attribution() {
            @Override
            public java.util.Optional<ProcessIdentity> identify(long pid) {
                read.add(pid);
                return proc.identify(pid);
            }

            @Override
            public boolean sameProcess(ProcessIdentity identity) {
                return proc.sameProcess(identity);
            }
        }, List::of, policy::get, signals, PlacementRules.defaults(ProcessHandle.current().pid()), events, clock);
        this.proc.process(777, SESSION, 1001, "miner").started(777, "miner", 1);
        GpuProcess onOne = new GpuProcess(777, 1, null, null, 1024);
        GpuProcess onTwo = new GpuProcess(777, 2, null, null, 1024);
        backend.processes.addAll(List.of(onOne, onTwo));

        enforcer.pass();
        enforcer.pass();
        assertThat(read).containsExactly(777L);

        backend.processes.clear();
        enforcer.pass();
        this.proc.process(777, TRAIN_A, 1000, "python3");
        backend.processes.add(onOne);
        enforcer.pass();

        assertThat(read).containsExactly(777L, 777L);
        assertThat(enforcer.processes()).singleElement().satisfies(p -> {
            assertThat(p.command()).isEqualTo("python3");
            assertThat(p.owner()).isEqualTo("slurm:1234");
        });
    }

    @Test
    void aProcessThatStoppedViolatingIsReportedAgainWhenItViolatesAgain() throws Exception {
        Process rogue = sleeping(1, SESSION);
        GpuProcess listed = backend.processes.get(0);
        assertThat(enforcer.pass()).isEqualTo(enforcer.processes()).hasSize(1);

        backend.processes.clear();
        clock.advance(Duration.ofSeconds(1));
        assertThat(enforcer.pass()).isEmpty();
        backend.processes.add(listed);
        clock.advance(Duration.ofSeconds(1));
        enforcer.pass();

        assertThat(placementMessages()).hasSize(2).allSatisfy(m -> assertThat(m).startsWith("placement rogue on gpu 1"));
        assertThat(judged(rogue).since()).isEqualTo(T0.plusSeconds(2));
        assertThat(events.since(0, 100)).allSatisfy(e -> {
            assertThat(e.uuid()).isEqualTo(backend.inventory().gpus().get(1).uuid());
            assertThat(e.gpu()).isEqualTo(1);
        });
        assertThat(logs.list).filteredOn(e -> e.getFormattedMessage().equals("placement_violation")).hasSize(2)
                .allSatisfy(e -> assertThat(e.getKeyValuePairs()).map(kv -> kv.key + "=" + kv.value)
                        .contains("verdict=rogue", "job=none", "pid=" + rogue.pid(), "command=sleep"));
    }

    @Test
    void aSampleRunsAPassOnTheEnforcersThread() throws Exception {
        Process rogue = sleeping(1, SESSION);

        enforcer.sampled();

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (enforcer.processes().isEmpty()) {
            assertThat(System.nanoTime()).as("no pass within 10 s").isLessThan(deadline);
            Thread.sleep(10);
        }
        assertThat(judged(rogue).verdict()).isEqualTo(PlacementVerdict.ROGUE);
    }

    @Test
    void theReportPolicyLeavesTheProcessRunning() throws Exception {
        Process rogue = sleeping(1, SESSION);

        enforcer.pass();
        JudgedProcess first = judged(rogue);
        clock.advance(Duration.ofMinutes(5));
        enforcer.pass();

        assertThat(judged(rogue)).as("unchanged: the same report").isSameAs(first);
        assertThat(judged(rogue).enforcement()).isEqualTo(Enforcement.REPORTED);
        assertThat(judged(rogue).since()).isEqualTo(T0);
        assertThat(placementMessages()).singleElement().asString().startsWith("placement rogue on gpu 1");
        assertThat(signals.sent).isEmpty();
        assertThat(rogue.isAlive()).isTrue();
    }

    @Test
    void anAllowedProcessIsNeverSignalled() throws Exception {
        policy.set(kill());
        Process training = sleeping(0, TRAIN_A);

        enforcer.pass();
        clock.advance(GRACE);
        enforcer.pass();
        clock.advance(KILL_GRACE);
        enforcer.pass();

        assertThat(judged(training)).satisfies(p -> {
            assertThat(p.verdict()).isEqualTo(PlacementVerdict.ALLOWED);
            assertThat(p.job()).isEqualTo("train-a");
            assertThat(p.enforcement()).isNull();
            assertThat(p.since()).isNull();
        });
        assertThat(signals.sent).isEmpty();
        assertThat(placementMessages()).isEmpty();
        assertThat(training.isAlive()).isTrue();
    }

    @Test
    void withinTheGraceOfAnAllocationStartingNothingIsDone() throws Exception {
        policy.set(kill());
        // On train-a's GPU, but nobody's process: train-a has just started there.
        Process early = sleeping(0, SESSION);

        enforcer.pass();
        clock.advance(GRACE.minusSeconds(1));
        enforcer.pass();

        assertThat(judged(early).verdict()).isEqualTo(PlacementVerdict.UNJUDGED);
        assertThat(judged(early).enforcement()).isNull();
        assertThat(signals.sent).isEmpty();
        assertThat(placementMessages()).isEmpty();

        clock.advance(Duration.ofSeconds(1));
        enforcer.pass();

        assertThat(judged(early).verdict()).isEqualTo(PlacementVerdict.ROGUE);
        assertThat(judged(early).since()).isEqualTo(T0.plus(GRACE));
        assertThat(ends(early)).isTrue();
    }

    @Test
    void cordonGpuMarksTheProcessOnceAndSignalsNothing() throws Exception {
        policy.set(new PlacementPolicy(PlacementAction.CORDON_GPU, null));
        Process rogue = sleeping(1, SESSION);

        enforcer.pass();
        enforcer.pass();

        assertThat(judged(rogue).enforcement()).isEqualTo(Enforcement.CORDON_GPU);
        assertThat(placementMessages()).containsExactly(
                "placement rogue on gpu 1: pid " + rogue.pid() + " user 1001 command sleep owner unit:session-3.scope"
                        + " job none",
                "placement cordon-gpu on gpu 1: pid " + rogue.pid() + " user 1001 command sleep owner"
                        + " unit:session-3.scope job none");
        assertThat(signals.sent).isEmpty();
        assertThat(rogue.isAlive()).isTrue();
    }

    @Test
    void aPolicyTurnedToKillActsOnAViolationAlreadyReported() throws Exception {
        Process rogue = sleeping(1, SESSION);
        enforcer.pass();
        assertThat(judged(rogue).enforcement()).isEqualTo(Enforcement.REPORTED);

        policy.set(kill());
        enforcer.pass();

        assertThat(ends(rogue)).isTrue();
        assertThat(judged(rogue).enforcement()).isEqualTo(Enforcement.SIGTERM_SENT);
        assertThat(placementMessages()).hasSize(2);
    }

    @Test
    void aGpuMarkedForCordonGetsItsProcessKilledOnceThePolicyTurnsToKill() throws Exception {
        policy.set(new PlacementPolicy(PlacementAction.CORDON_GPU, null));
        Process rogue = sleeping(1, SESSION);
        enforcer.pass();
        assertThat(judged(rogue).enforcement()).isEqualTo(Enforcement.CORDON_GPU);

        policy.set(kill());
        enforcer.pass();

        assertThat(ends(rogue)).isTrue();
        assertThat(judged(rogue).enforcement()).isEqualTo(Enforcement.SIGTERM_SENT);
    }

    @Test
    void aSignalThatFailsIsReportedWithItsReasonAndNotRetried() throws Exception {
        policy.set(kill());
        Process rogue = sleeping(1, SESSION);
        enforcer.close();
        List<Long> tried = new CopyOnWriteArrayList<>();
        enforcer = new PlacementEnforcer("n1", backend, new ProcAttribution(root), List::of, policy::get,
                new Signals() {
                    @Override
                    public boolean terminate(long pid) throws SignalFailedException {
                        tried.add(pid);
                        throw new SignalFailedException("not permitted to signal it");
                    }

                    @Override
                    public boolean kill(long pid) throws SignalFailedException {
                        tried.add(pid);
                        throw new SignalFailedException("not permitted to signal it");
                    }
                }, PlacementRules.defaults(ProcessHandle.current().pid()), events, clock);

        enforcer.pass();
        clock.advance(KILL_GRACE);
        enforcer.pass();

        assertThat(tried).containsExactly(rogue.pid());
        assertThat(judged(rogue).enforcement()).isEqualTo(Enforcement.SIGNAL_FAILED);
        assertThat(placementMessages()).last().isEqualTo("placement signal-failed on gpu 1: pid " + rogue.pid()
                + " user 1001 command sleep owner unit:session-3.scope job none: not permitted to signal it");
        assertThat(logs.list).filteredOn(e -> e.getFormattedMessage().equals("placement_action")).singleElement()
                .satisfies(e -> assertThat(e.getKeyValuePairs()).map(kv -> kv.key + "=" + kv.value)
                        .contains("action=signal-failed", "reason=not permitted to signal it"));
        assertThat(rogue.isAlive()).isTrue();
    }

    /** The real signals, recorded. */
    private static final class RecordingSignals implements Signals {
        private final Signals real;
        final List<String> sent = new CopyOnWriteArrayList<>();

        RecordingSignals(Signals real) {
            this.real = real;
        }

        @Override
        public boolean terminate(long pid) throws SignalFailedException {
            sent.add("TERM " + pid);
            return real.terminate(pid);
        }

        @Override
        public boolean kill(long pid) throws SignalFailedException {
            sent.add("KILL " + pid);
            return real.kill(pid);
        }
    }
}
