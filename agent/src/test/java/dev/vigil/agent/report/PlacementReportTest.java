package dev.vigil.agent.report;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.agent.Agent;
import dev.vigil.agent.config.AgentConfig;
import dev.vigil.agent.config.BackendKind;
import dev.vigil.agent.systemd.SystemdNotifier;
import dev.vigil.api.binding.Documents;
import dev.vigil.api.cluster.AgentReport;
import dev.vigil.api.cluster.DesiredState;
import dev.vigil.api.gpu.GpuEvent;
import dev.vigil.api.gpu.Severity;
import dev.vigil.api.jobs.Allocation;
import dev.vigil.api.jobs.JobKind;
import dev.vigil.api.placement.Enforcement;
import dev.vigil.api.placement.JudgedProcess;
import dev.vigil.api.placement.PlacementAction;
import dev.vigil.api.placement.PlacementPolicy;
import dev.vigil.api.placement.PlacementVerdict;
import dev.vigil.gpu.simulated.NodeProfile;
import dev.vigil.gpu.simulated.SimulatedNode;
import dev.vigil.gpu.simulated.SimulatedSpec;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Placement enforcement with the report policy on an agent with simulated GPUs: job train-a runs on GPUs 0 and 1;
 * a process injected through the fault API is judged, reported once as an event that reaches the (fake) controller,
 * counted in {@code vigil_gpu_processes}, shown in {@code /v1/node} and logged.
 */
class PlacementReportTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final String TOKEN = "vgl_agent_secret";

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeEach
    void captureLogs() {
        logs.start();
        ((Logger) LoggerFactory.getLogger("dev.vigil.agent.placement")).addAppender(logs);
    }

    @AfterEach
    void stop() throws Exception {
        ((Logger) LoggerFactory.getLogger("dev.vigil.agent.placement")).detachAppender(logs);
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private static SimulatedSpec spec() {
        return new SimulatedSpec(NodeProfile.HGX_H100_8, 5L, List.of(), List.of(), List.of(), null, null, null);
    }

    private Agent start(FakeController ctl) {
        AgentConfig config = new AgentConfig("sim-h100-1", "127.0.0.1:0", BackendKind.SIMULATED,
                new AgentConfig.Sampling(Duration.ofMillis(100), null), null, null, null, null, spec(),
                new AgentConfig.Controller(List.of(ctl.url()), TOKEN, null, Duration.ofMillis(200),
                        Duration.ofSeconds(2)), null, null, null, null,
                new AgentConfig.Placement(null, Duration.ZERO, null));
        Agent agent = Agent.start(config, new SimulatedNode("sim-h100-1", spec(), Clock.systemUTC()),
                Clock.systemUTC(), null, SystemdNotifier.disabled());
        resources.add(agent);
        return agent;
    }

    private FakeController runningTrainA(SimulatedNode node) {
        return runningTrainA(node, null);
    }

    private FakeController runningTrainA(SimulatedNode node, PlacementPolicy policy) {
        FakeController ctl = FakeController.start(TOKEN);
        resources.add(ctl);
        List<String> uuids = List.of(node.inventory().gpus().get(0).uuid(), node.inventory().gpus().get(1).uuid());
        Allocation trainA = new Allocation("train-a", null, JobKind.TRAINING, List.of(0, 1), uuids, List.of(),
                List.of("train"), null, Map.of(), 1, null);
        ctl.desired = new DesiredState(1, false, false, List.of(), false, 0, List.of(trainA), List.of(), List.of(),
                policy);
        return ctl;
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

    private static HttpResponse<String> send(Agent agent, String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + path));
        request = body == null ? request.method(method, HttpRequest.BodyPublishers.noBody())
                : request.header("Content-Type", "application/json").method(method,
                HttpRequest.BodyPublishers.ofString(body));
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<GpuEvent> placementEvents(FakeController ctl) {
        return ctl.stored.stream().filter(e -> e.message().startsWith("placement ")).toList();
    }

    /** The rogue process in the controller's last report, or null. */
    private static JudgedProcess reportedRogue(FakeController ctl) {
        List<AgentReport> reports = ctl.reports();
        return reports.isEmpty() ? null : reports.get(reports.size() - 1).placement().stream()
                .filter(p -> p.verdict() == PlacementVerdict.ROGUE).findFirst().orElse(null);
    }

    private static String metrics(Agent agent) throws Exception {
        return send(agent, "GET", "/metrics", null).body();
    }

    private static boolean hasSeries(String metrics, int gpu, String verdict, int count) {
        return metrics.lines().anyMatch(line -> line.startsWith("vigil_gpu_processes{")
                && line.contains("gpu=\"" + gpu + "\"") && line.contains("verdict=\"" + verdict + "\"")
                && line.endsWith(" " + (double) count));
    }

    @Test
    void aRogueProcessOnAGpuOfARunningJobIsReportedOnceCountedAndShown() throws Exception {
        SimulatedNode probe = new SimulatedNode("sim-h100-1", spec(), Clock.systemUTC());
        FakeController ctl = runningTrainA(probe);
        Agent agent = start(ctl);
        within(Duration.ofSeconds(10), () -> hasSeries(metrics(agent), 0, "allowed", 1));

        assertThat(send(agent, "POST", "/v1/faults", "{\"gpu\": 1, \"kind\": \"rogue-process\"}").statusCode())
                .isEqualTo(202);

        within(Duration.ofSeconds(2), () -> !placementEvents(ctl).isEmpty() && hasSeries(metrics(agent), 1, "rogue", 1));
        GpuEvent event = placementEvents(ctl).get(0);
        assertThat(event.gpu()).isEqualTo(1);
        assertThat(event.severity()).isEqualTo(Severity.WARNING);
        assertThat(event.message()).matches(
                "placement rogue on gpu 1: pid \\d+ user 1001 command rogue owner unknown job none");
        assertThat(hasSeries(metrics(agent), 1, "allowed", 1)).as("train-a's own process on GPU 1").isTrue();
        JsonNode gpu1 = Documents.json().readTree(send(agent, "GET", "/v1/node", null).body())
                .get("placement").get(1);
        assertThat(gpu1.get("gpu").asInt()).isEqualTo(1);
        assertThat(gpu1.get("processes").findValuesAsText("verdict")).containsExactlyInAnyOrder("allowed", "rogue");
        assertThat(gpu1.get("processes").findValuesAsText("job")).contains("train-a");
        JsonNode shown = gpu1.get("processes").findParents("verdict").stream()
                .filter(p -> p.get("verdict").asText().equals("rogue")).findFirst().orElseThrow();
        assertThat(shown.get("enforcement").asText()).isEqualTo("reported");
        assertThat(shown.get("since").asText()).isNotBlank();
        assertThat(shown.get("command").asText()).isEqualTo("rogue");

        // The controller gets every judged process in each report, the rogue one as /v1/node shows it.
        within(Duration.ofSeconds(2), () -> reportedRogue(ctl) != null);
        JudgedProcess reported = reportedRogue(ctl);
        assertThat(reported.pid()).isEqualTo(shown.get("pid").asLong());
        assertThat(reported.gpu()).isEqualTo(1);
        assertThat(reported.user()).isEqualTo("1001");
        assertThat(reported.owner()).isEqualTo("unknown");
        assertThat(reported.job()).isNull();
        assertThat(reported.enforcement()).isEqualTo(Enforcement.REPORTED);
        assertThat(reported.since()).isNotNull();
        assertThat(ctl.reports().get(ctl.reports().size() - 1).placement())
                .filteredOn(p -> p.verdict() == PlacementVerdict.ALLOWED)
                .allSatisfy(p -> {
                    assertThat(p.job()).isEqualTo("train-a");
                    assertThat(p.enforcement()).isNull();
                    assertThat(p.since()).isNull();
                })
                .extracting(JudgedProcess::gpu).contains(0, 1);
        assertThat(logs.list).filteredOn(e -> e.getFormattedMessage().equals("placement_violation")).hasSize(1);

        // Passes go on; the same PID is not reported again.
        long passes = ctl.reports().size();
        within(Duration.ofSeconds(5), () -> ctl.reports().size() > passes + 3);
        assertThat(placementEvents(ctl)).hasSize(1);

        assertThat(send(agent, "DELETE", "/v1/faults?gpu=1", null).statusCode()).isEqualTo(200);
        within(Duration.ofSeconds(2), () -> !metrics(agent).contains("verdict=\"rogue\""));
    }

    @Test
    void anOverreachingProcessNamesItsJob() throws Exception {
        SimulatedNode probe = new SimulatedNode("sim-h100-1", spec(), Clock.systemUTC());
        FakeController ctl = runningTrainA(probe);
        Agent agent = start(ctl);
        within(Duration.ofSeconds(10), () -> hasSeries(metrics(agent), 0, "allowed", 1));

        assertThat(send(agent, "POST", "/v1/faults", "{\"gpu\": 4, \"kind\": \"overreach-process\"}").statusCode())
                .isEqualTo(202);

        within(Duration.ofSeconds(2), () -> !placementEvents(ctl).isEmpty() && hasSeries(metrics(agent), 4,
                "overreach", 1));
        assertThat(placementEvents(ctl).get(0).message()).matches(
                "placement overreach on gpu 4: pid \\d+ user 1000 command training owner job:train-a job train-a");
    }

    @Test
    void theKillPolicyFromTheDesiredStateEndsARogueProcess() throws Exception {
        SimulatedNode probe = new SimulatedNode("sim-h100-1", spec(), Clock.systemUTC());
        FakeController ctl = runningTrainA(probe, new PlacementPolicy(PlacementAction.KILL, Duration.ofSeconds(5)));
        Agent agent = start(ctl);
        within(Duration.ofSeconds(10), () -> hasSeries(metrics(agent), 0, "allowed", 1));

        assertThat(send(agent, "POST", "/v1/faults", "{\"gpu\": 3, \"kind\": \"rogue-process\"}").statusCode())
                .isEqualTo(202);

        within(Duration.ofSeconds(2), () -> placementEvents(ctl).size() >= 2);
        assertThat(placementEvents(ctl)).extracting(GpuEvent::message).satisfiesExactly(
                m -> assertThat(m).matches("placement rogue on gpu 3: pid \\d+ user 1001 command rogue owner unknown"
                        + " job none"),
                m -> assertThat(m).matches("placement sigterm-sent on gpu 3: pid \\d+ user 1001 command rogue owner"
                        + " unknown job none"));
        // The simulated stray obeys SIGTERM: gone from the GPU.
        within(Duration.ofSeconds(2), () -> !metrics(agent).contains("verdict=\"rogue\""));
        assertThat(agent.backend().processes(3)).isEmpty();
    }
}
