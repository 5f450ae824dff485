package dev.vigil.agent.report;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.agent.Agent;
import dev.vigil.agent.config.AgentConfig;
import dev.vigil.agent.config.BackendKind;
import dev.vigil.agent.execution.SimulatedJobRunner;
import dev.vigil.agent.repair.ActionExecutor;
import dev.vigil.agent.systemd.SystemdNotifier;
import dev.vigil.api.binding.Documents;
import dev.vigil.api.cluster.AgentAction;
import dev.vigil.api.cluster.AgentActionResult;
import dev.vigil.api.cluster.AgentActionResult.State;
import dev.vigil.api.cluster.AgentReport;
import dev.vigil.api.cluster.DesiredState;
import dev.vigil.api.gpu.GpuHealth;
import dev.vigil.api.gpu.HealthState;
import dev.vigil.api.jobs.Allocation;
import dev.vigil.api.jobs.JobKind;
import dev.vigil.gpu.simulated.NodeProfile;
import dev.vigil.gpu.simulated.SimulatedNode;
import dev.vigil.gpu.simulated.SimulatedSpec;
import dev.vigil.gpu.simulated.Workload;
import dev.vigil.gpu.simulated.WorkloadKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Repairs asked for in the desired state, carried out by an agent on simulated GPUs and reported
 * back to a fake controller: a reset clears a fault (and is refused while a job holds the GPU), a
 * reboot silences the node and brings it back clean, a health check passes on a sound GPU and
 * fails on a faulted one, and an XID ends the job on its GPU as a crash would.
 */
class RepairActionsTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final String TOKEN = "vgl_agent_secret";
    private static final Instant ASKED = Instant.parse("2026-12-06T12:00:00Z");
    private static final Duration REBOOT = Duration.ofMillis(1500);

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeEach
    void captureLogs() {
        logs.start();
        ((Logger) LoggerFactory.getLogger(ActionExecutor.class)).addAppender(logs);
        ((Logger) LoggerFactory.getLogger(SimulatedJobRunner.class)).addAppender(logs);
    }

    @AfterEach
    void stop() throws Exception {
        ((Logger) LoggerFactory.getLogger(ActionExecutor.class)).detachAppender(logs);
        ((Logger) LoggerFactory.getLogger(SimulatedJobRunner.class)).detachAppender(logs);
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private static SimulatedSpec spec() {
        return new SimulatedSpec(NodeProfile.HGX_H100_8, 5L, List.of(Workload.of(WorkloadKind.TRAINING, List.of(0, 1))),
                List.of(), List.of(), Duration.ofMillis(300), REBOOT, Duration.ofMillis(100));
    }

    private Agent start(String node, FakeController ctl) {
        AgentConfig config = new AgentConfig(node, "127.0.0.1:0", BackendKind.SIMULATED,
                new AgentConfig.Sampling(Duration.ofMillis(200), null), null, null, null, null, spec(),
                new AgentConfig.Controller(List.of(ctl.url()), TOKEN, null, Duration.ofMillis(200),
                        Duration.ofSeconds(2)));
        Agent agent = Agent.start(config, new SimulatedNode(node, spec(), Clock.systemUTC()), Clock.systemUTC(), null,
                SystemdNotifier.disabled());
        resources.add(agent);
        return agent;
    }

    private FakeController fake() {
        FakeController fake = FakeController.start(TOKEN);
        resources.add(fake);
        return fake;
    }

    private static void within(Duration limit, Check condition) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.holds()) {
            assertThat(System.nanoTime()).as("condition not met within %s", limit).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    @FunctionalInterface
    private interface Check {
        boolean holds() throws Exception;
    }

    private static void inject(Agent agent, String fault) throws Exception {
        HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + agent.port() + "/v1/faults"))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(fault)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }

    private static AgentReport last(FakeController ctl) {
        List<AgentReport> reports = ctl.reports();
        return reports.get(reports.size() - 1);
    }

    /** The result of {@code id} in the latest report, if it carries one. */
    private static Optional<AgentActionResult> reported(FakeController ctl, String id) {
        if (ctl.reports().isEmpty()) {
            return Optional.empty();
        }
        return last(ctl).actions().stream().filter(r -> r.id().equals(id)).findFirst();
    }

    private static boolean ended(FakeController ctl, String id) {
        return reported(ctl, id).map(r -> r.state().ended()).orElse(false);
    }

    private static HealthState health(AgentReport report, int gpu) {
        return report.health().stream().filter(h -> h.gpu() == gpu).map(GpuHealth::state).findFirst().orElseThrow();
    }

    private static DesiredState asking(long version, AgentAction... actions) {
        return new DesiredState(version, false, false, List.of(), false, 0, List.of(), List.of(actions));
    }

    private long logged(String event, String id) {
        return logs.list.stream().filter(e -> e.getMessage().equals(event)).filter(e -> e.getKeyValuePairs().stream()
                .anyMatch(kv -> kv.key.equals("id") && kv.value.equals(id))).count();
    }

    @Test
    void aResetClearsTheFaultOnceAndItsResultTravelsUntilTheActionLeavesTheDesiredState() throws Exception {
        FakeController ctl = fake();
        Agent agent = start("reset-node", ctl);
        inject(agent, "{\"gpu\": 5, \"kind\": \"ecc-dbe\"}");
        within(Duration.ofSeconds(15), () -> !ctl.reports().isEmpty() && health(last(ctl), 5) == HealthState.FAILED);

        AgentAction reset = new AgentAction("run-1/2", AgentAction.Kind.GPU_RESET, 5, null, ASKED);
        ctl.desired = asking(2, reset);
        within(Duration.ofSeconds(15), () -> reported(ctl, "run-1/2").map(r -> r.state() == State.RUNNING)
                .orElse(false));
        within(Duration.ofSeconds(15), () -> ended(ctl, "run-1/2"));
        AgentActionResult result = reported(ctl, "run-1/2").orElseThrow();
        assertThat(result.state()).as(result.message()).isEqualTo(State.SUCCEEDED);
        assertThat(result.message()).isEqualTo("gpu 5 reset in 300ms");
        assertThat(result.kind()).isEqualTo(AgentAction.Kind.GPU_RESET);
        assertThat(result.started()).isNotNull();
        assertThat(result.finished()).isAfterOrEqualTo(result.started());
        within(Duration.ofSeconds(15), () -> health(last(ctl), 5) == HealthState.HEALTHY);

        // The desired state keeps asking until it has stored the result: the reset runs once.
        int before = ctl.reports().size();
        within(Duration.ofSeconds(15), () -> ctl.reports().size() >= before + 3);
        assertThat(logged("action_received", "run-1/2")).isEqualTo(1);
        assertThat(logged("action_finished", "run-1/2")).isEqualTo(1);
        assertThat(reported(ctl, "run-1/2")).contains(result);

        ctl.desired = asking(3);
        within(Duration.ofSeconds(15), () -> last(ctl).appliedVersion() == 3 && last(ctl).actions().isEmpty());
        JsonNode listed = Documents.json().readTree(CLIENT.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + agent.port() + "/v1/actions")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertThat(listed.get("node").asText()).isEqualTo("reset-node");
        assertThat(listed.get("actions")).singleElement().satisfies(a -> {
            assertThat(a.get("id").asText()).isEqualTo("run-1/2");
            assertThat(a.get("kind").asText()).isEqualTo("gpu-reset");
            assertThat(a.get("state").asText()).isEqualTo("succeeded");
        });
    }

    @Test
    void aResetIsRefusedWhileAJobHoldsTheGpu() throws Exception {
        FakeController ctl = fake();
        Agent agent = start("busy-node", ctl);
        ctl.desired = asking(2, new AgentAction("run-2/1", AgentAction.Kind.GPU_RESET, 1, null, ASKED));
        within(Duration.ofSeconds(15), () -> ended(ctl, "run-2/1"));
        AgentActionResult result = reported(ctl, "run-2/1").orElseThrow();
        assertThat(result.state()).isEqualTo(State.FAILED);
        long pid = ((SimulatedNode) agent.backend()).processes(1).get(0).pid();
        assertThat(result.message()).isEqualTo("gpu-reset of gpu 1 refused: 1 process(es) hold it (pids " + pid
                + "); stop them or drain the GPU first");
    }

    @Test
    void aRebootSilencesTheNodeThenBringsItBackCleanWithNoJobLeft() throws Exception {
        FakeController ctl = fake();
        Agent agent = start("reboot-node", ctl);
        SimulatedNode gpus = (SimulatedNode) agent.backend();
        inject(agent, "{\"gpu\": 6, \"kind\": \"xid\", \"xid\": 79}");
        within(Duration.ofSeconds(15), () -> !ctl.reports().isEmpty() && health(last(ctl), 6) == HealthState.FAILED);

        ctl.desired = asking(2, new AgentAction("run-3/2", AgentAction.Kind.REBOOT, null, null, ASKED));
        within(Duration.ofSeconds(15), () -> ended(ctl, "run-3/2"));
        List<FakeController.Received> received = ctl.received;
        int firstEnded = 0;
        while (received.get(firstEnded).report().actions().stream().noneMatch(r -> r.state().ended())) {
            firstEnded++;
        }
        long silence = received.get(firstEnded).nanoTime() - received.get(firstEnded - 1).nanoTime();
        // A report already on its way when the reboot began may land a moment after it.
        assertThat(Duration.ofNanos(silence)).as("no report while the node reboots")
                .isGreaterThanOrEqualTo(REBOOT.minusMillis(200));
        AgentActionResult result = reported(ctl, "run-3/2").orElseThrow();
        assertThat(result.state()).isEqualTo(State.SUCCEEDED);
        assertThat(result.message()).isEqualTo("node rebooted in 1500ms: every GPU reset, no job left");

        within(Duration.ofSeconds(15), () -> last(ctl).health().stream().allMatch(h -> h.state() == HealthState.HEALTHY));
        assertThat(gpus.processes(0)).as("the jobs are gone").isEmpty();
        assertThat(gpus.processes(1)).isEmpty();
        assertThat(logged("action_received", "run-3/2")).isEqualTo(1);
    }

    @Test
    void aHealthCheckPassesOnASoundGpuAndFailsOnAFaultedOneOneLinePerCheck() throws Exception {
        FakeController ctl = fake();
        Agent agent = start("check-node", ctl);
        inject(agent, "{\"gpu\": 4, \"kind\": \"ecc-dbe\"}");
        ctl.desired = asking(2, new AgentAction("run-4/1", AgentAction.Kind.HEALTH_CHECK, 3, 1, ASKED),
                new AgentAction("run-4/2", AgentAction.Kind.HEALTH_CHECK, 4, 2, ASKED));
        within(Duration.ofSeconds(15), () -> ended(ctl, "run-4/1") && ended(ctl, "run-4/2"));

        AgentActionResult sound = reported(ctl, "run-4/1").orElseThrow();
        assertThat(sound.state()).as(sound.output()).isEqualTo(State.SUCCEEDED);
        assertThat(sound.message()).isEqualTo("health-check level 1 of gpu 3 passed: 4 check(s) in 100ms");
        assertThat(sound.output().lines()).containsExactly("PASS diag level 1 gpu 3: pass", "PASS gpu 3 responds",
                "PASS gpu 3 row-remap: none pending or failed", "PASS gpu 3 nvlink: 18 of 18 links up");

        AgentActionResult faulted = reported(ctl, "run-4/2").orElseThrow();
        assertThat(faulted.state()).isEqualTo(State.FAILED);
        assertThat(faulted.message()).isEqualTo("health-check level 2 of gpu 4 failed: 2 of 4 check(s) failed "
                + "(diag level 2 gpu 4, gpu 4 row-remap) in 200ms");
        assertThat(faulted.output().lines()).contains(
                "FAIL diag level 2 gpu 4: XID 48 not repaired yet, 1 uncorrectable ECC error(s), row remap pending",
                "FAIL gpu 4 row-remap: a row remap waits for a GPU reset");
    }

    @Test
    void anXidEndsTheJobOnItsGpuAsACrashAndTheJobDoesNotComeBackByItself() throws Exception {
        FakeController ctl = fake();
        Agent agent = start("crash-node", ctl);
        SimulatedNode gpus = (SimulatedNode) agent.backend();
        List<String> uuids = agent.snapshot().inventory().gpus().stream().map(g -> g.uuid()).toList();
        Allocation gang = new Allocation("j-000031", null, JobKind.TRAINING, List.of(5, 6),
                List.of(uuids.get(5), uuids.get(6)), List.of(), List.of("python", "train.py"), null, Map.of(), 2, null);
        ctl.desired = new DesiredState(2, false, false, List.of(), false, 0, List.of(gang));
        within(Duration.ofSeconds(15), () -> !gpus.processes(5).isEmpty() && !gpus.processes(6).isEmpty());

        inject(agent, "{\"gpu\": 6, \"kind\": \"xid\", \"xid\": 79}");
        assertThat(gpus.processes(5)).as("the job's other GPU runs on until the controller stops it").hasSize(1);
        List<ILoggingEvent> crashes = logs.list.stream().filter(e -> e.getMessage().equals("simulated_job_crashed"))
                .toList();
        assertThat(crashes).singleElement().satisfies(e -> assertThat(e.getKeyValuePairs())
                .extracting(kv -> kv.key + "=" + kv.value)
                .containsExactly("node=crash-node", "job=j-000031", "gpu=6", "xid=79"));

        inject(agent, "{\"gpu\": 5, \"kind\": \"xid\", \"xid\": 13}");
        assertThat(gpus.processes(5)).as("an application XID ends the application").isEmpty();

        // A later desired state that still holds the job does not restart it on the crashed GPUs.
        ctl.desired = new DesiredState(3, true, false, List.of(), false, 0, List.of(gang));
        within(Duration.ofSeconds(15), () -> last(ctl).appliedVersion() == 3);
        assertThat(gpus.processes(5)).isEmpty();
        assertThat(gpus.processes(6)).isEmpty();
    }
}
