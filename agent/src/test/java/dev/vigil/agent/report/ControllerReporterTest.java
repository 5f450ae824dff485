package dev.vigil.agent.report;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.agent.Agent;
import dev.vigil.agent.config.AgentConfig;
import dev.vigil.agent.config.BackendKind;
import dev.vigil.agent.execution.SimulatedJobRunner;
import dev.vigil.agent.systemd.SystemdNotifier;
import dev.vigil.api.binding.Documents;
import dev.vigil.api.cluster.AgentReport;
import dev.vigil.api.cluster.DesiredState;
import dev.vigil.api.cluster.GpuSummary;
import dev.vigil.api.gpu.GpuEvent;
import dev.vigil.api.gpu.GpuHealth;
import dev.vigil.api.gpu.HealthState;
import dev.vigil.api.jobs.Allocation;
import dev.vigil.api.jobs.JobKind;
import dev.vigil.gpu.mig.MigPlacement;
import dev.vigil.gpu.simulated.MigSpec;
import dev.vigil.gpu.simulated.NodeProfile;
import dev.vigil.gpu.simulated.SimulatedNode;
import dev.vigil.gpu.simulated.SimulatedSpec;
import dev.vigil.gpu.simulated.Workload;
import dev.vigil.gpu.simulated.WorkloadKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The agent reporting to fake controller members: what a report carries and when, events
 * acknowledged by sequence number, health changes and new events at once, failover, refusals,
 * and the desired state in /v1/node. Agents run on the simulated backend.
 */
class ControllerReporterTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final String TOKEN = "vgl_agent_secret";

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeEach
    void captureLogs() {
        logs.start();
        ((Logger) LoggerFactory.getLogger(ControllerReporter.class)).addAppender(logs);
        ((Logger) LoggerFactory.getLogger(SimulatedJobRunner.class)).addAppender(logs);
    }

    @AfterEach
    void stop() throws Exception {
        ((Logger) LoggerFactory.getLogger(ControllerReporter.class)).detachAppender(logs);
        ((Logger) LoggerFactory.getLogger(SimulatedJobRunner.class)).detachAppender(logs);
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private static SimulatedSpec spec() {
        return new SimulatedSpec(NodeProfile.HGX_H100_8, 5L,
                List.of(Workload.of(WorkloadKind.TRAINING, List.of(0, 1, 2, 3))),
                List.of(), List.of(new MigSpec(List.of(7), Map.of("1g.10gb", 7))));
    }

    private static AgentConfig.Controller controller(List<String> urls, Duration interval) {
        return new AgentConfig.Controller(urls, TOKEN, null, interval, Duration.ofSeconds(2));
    }

    private Agent start(String node, AgentConfig.Controller controller) {
        AgentConfig config = new AgentConfig(node, "127.0.0.1:0", BackendKind.SIMULATED,
                new AgentConfig.Sampling(Duration.ofMillis(500), null), null, null, null, null, spec(), controller);
        Agent agent = Agent.start(config, new SimulatedNode(node, spec(), Clock.systemUTC()), Clock.systemUTC(), null,
                SystemdNotifier.disabled());
        resources.add(agent);
        return agent;
    }

    private FakeController fake(String token) {
        FakeController fake = FakeController.start(token);
        resources.add(fake);
        return fake;
    }

    private static HttpResponse<String> get(Agent agent, String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void inject(Agent agent, String fault) throws Exception {
        HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + agent.port() + "/v1/faults"))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(fault)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }

    private static JsonNode controllerView(Agent agent) throws Exception {
        return Documents.json().readTree(get(agent, "/v1/node").body()).get("controller");
    }

    /** Polls until {@code condition} holds; returns the milliseconds it took, or fails after {@code limit}. */
    private static long within(Duration limit, Check condition) throws Exception {
        long start = System.nanoTime();
        while (!condition.holds()) {
            assertThat(System.nanoTime() - start).as("condition not met within %s", limit).isLessThan(limit.toNanos());
            Thread.sleep(10);
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    @FunctionalInterface
    private interface Check {
        boolean holds() throws Exception;
    }

    private List<ILoggingEvent> logged(String node, String event) {
        return logs.list.stream().filter(e -> e.getMessage().equals(event))
                .filter(e -> e.getKeyValuePairs() != null && e.getKeyValuePairs().stream()
                        .anyMatch(kv -> kv.key.equals("node") && node.equals(kv.value)))
                .toList();
    }

    private static String kv(ILoggingEvent event, String key) {
        return event.getKeyValuePairs().stream().filter(kv -> kv.key.equals(key)).map(kv -> String.valueOf(kv.value))
                .findFirst().orElse(null);
    }

    /** A port nothing listens on (yet): connections to it are refused. */
    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** The latest report, from one look at the list (reports keep arriving meanwhile). */
    private static AgentReport last(FakeController controller) {
        List<AgentReport> reports = controller.reports();
        return reports.get(reports.size() - 1);
    }

    @Test
    void theFirstReportCarriesTheInventoryLaterOnesItsHashUntilTheControllerAsks() throws Exception {
        FakeController ctl = fake(TOKEN);
        Agent agent = start("inv-node", controller(List.of(ctl.url()), Duration.ofMillis(200)));
        within(Duration.ofSeconds(5), () -> ctl.reports().size() >= 3);

        List<AgentReport> reports = ctl.reports();
        String hash = ReportBuilder.hash(agent.snapshot().inventory());
        assertThat(reports.get(0).inventory()).isEqualTo(agent.snapshot().inventory());
        assertThat(reports).allSatisfy(r -> assertThat(r.inventoryHash()).isEqualTo(hash).hasSize(64));
        assertThat(reports.subList(1, reports.size())).allSatisfy(r -> assertThat(r.inventory()).isNull());
        assertThat(ctl.received).allSatisfy(r -> assertThat(r.authorization()).isEqualTo("Bearer " + TOKEN));
        assertThat(ctl.received).allSatisfy(r -> assertThat(r.node()).isEqualTo("inv-node"));

        AgentReport report = reports.get(reports.size() - 1);
        assertThat(report.agentVersion()).isEqualTo(Agent.version());
        assertThat(report.health()).hasSize(8).allSatisfy(h -> assertThat(h.state()).isEqualTo(HealthState.HEALTHY));
        assertThat(report.gpus()).extracting(GpuSummary::gpu).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        GpuSummary training = report.gpus().get(0);
        assertThat(training.utilization()).isGreaterThan(50);
        assertThat(training.temperature()).isBetween(20.0, 100.0);
        assertThat(training.power()).isGreaterThan(100);
        assertThat(training.memoryUsedMiB()).isGreaterThan(1000);
        assertThat(report.gpus().get(7).utilization()).as("a GPU in MIG mode has no utilization").isNull();
        assertThat(report.gpus().get(7).temperature()).isNotNull();

        ctl.forgetInventory();
        int before = ctl.reports().size();
        within(Duration.ofSeconds(5), () -> ctl.reports().size() >= before + 3);
        List<AgentReport> after = ctl.reports().subList(before, ctl.reports().size());
        // The answer to the first report after forgetting asks for the inventory; the next carries it, once.
        assertThat(after.get(0).inventory()).isNull();
        assertThat(after.get(1).inventory()).isEqualTo(agent.snapshot().inventory());
        assertThat(after.subList(2, after.size())).allSatisfy(r -> assertThat(r.inventory()).isNull());
    }

    @Test
    void eventsTravelUntilAcknowledgedAndNotAfterAndANewAgentStartsAgainFromOne() throws Exception {
        FakeController ctl = fake(TOKEN);
        ctl.ackEvents = false;
        Agent first = start("events-node", controller(List.of(ctl.url()), Duration.ofMillis(200)));
        inject(first, "{\"gpu\": 1, \"kind\": \"xid\", \"xid\": 13}");
        // Unacknowledged, the events go with every report.
        within(Duration.ofSeconds(5), () -> ctl.reports().stream().filter(r -> !r.events().isEmpty()).count() >= 3);
        List<GpuEvent> sent = ctl.reports().stream().filter(r -> !r.events().isEmpty()).findFirst().orElseThrow()
                .events();
        assertThat(sent).extracting(GpuEvent::seq).startsWith(1L);
        assertThat(sent).extracting(GpuEvent::kind).contains(GpuEvent.Kind.XID);
        long lastSeq = sent.get(sent.size() - 1).seq();

        ctl.ackEvents = true;
        within(Duration.ofSeconds(5), () -> !ctl.stored.isEmpty());
        int acked = ctl.reports().size();
        within(Duration.ofSeconds(5), () -> ctl.reports().size() >= acked + 3);
        assertThat(ctl.reports().subList(acked, ctl.reports().size()))
                .as("acknowledged events are not sent again")
                .allSatisfy(r -> assertThat(r.events()).allSatisfy(e -> assertThat(e.seq()).isGreaterThan(lastSeq)));
        assertThat(ctl.stored).extracting(GpuEvent::seq).doesNotHaveDuplicates().startsWith(1L);

        // A new event after the acknowledgement goes once.
        inject(first, "{\"gpu\": 2, \"kind\": \"xid\", \"xid\": 31}");
        within(Duration.ofSeconds(5), () -> ctl.stored.stream().anyMatch(e -> e.gpu() == 2));
        int afterSecond = ctl.reports().size();
        within(Duration.ofSeconds(5), () -> ctl.reports().size() >= afterSecond + 2);
        assertThat(ctl.reports().stream().filter(r -> r.events().stream().anyMatch(e -> e.gpu() == 2)).count())
                .isEqualTo(1);
        String firstId = ctl.reports().get(0).agentId();

        // The agent restarts: a new id, its events numbered from 1 again, and the controller takes them.
        first.close();
        resources.remove(first);
        int stored = ctl.stored.size();
        Agent second = start("events-node", controller(List.of(ctl.url()), Duration.ofMillis(200)));
        inject(second, "{\"gpu\": 4, \"kind\": \"xid\", \"xid\": 13}");
        within(Duration.ofSeconds(5), () -> ctl.stored.stream().skip(stored).anyMatch(e -> e.gpu() == 4));
        AgentReport latest = last(ctl);
        assertThat(latest.agentId()).isNotEqualTo(firstId);
        assertThat(ctl.stored.subList(stored, ctl.stored.size())).extracting(GpuEvent::seq).startsWith(1L);
    }

    @Test
    void anInjectedXid79IsReportedAtOnceNotAtTheNextInterval() throws Exception {
        FakeController ctl = fake(TOKEN);
        Agent agent = start("xid-node", controller(List.of(ctl.url()), Duration.ofSeconds(30)));
        // The first report, then at once one saying it applied the desired state the answer carried.
        within(Duration.ofSeconds(5), () -> ctl.reports().size() == 2 && last(ctl).appliedVersion() == 1);
        // Over 1.2 s (two samples at 500 ms; the report interval is 30 s) nothing more is sent.
        Thread.sleep(1200);
        assertThat(ctl.reports()).as("nothing more until something changes").hasSize(2);
        inject(agent, "{\"gpu\": 3, \"kind\": \"xid\", \"xid\": 79}");
        long millis = within(Duration.ofSeconds(3), () -> ctl.reports().size() >= 3);
        AgentReport report = ctl.reports().get(2);
        GpuHealth gpu3 = report.health().get(3);
        assertThat(gpu3.state()).isEqualTo(HealthState.FAILED);
        assertThat(report.events()).anySatisfy(e -> assertThat(e.xid()).isEqualTo(79));
        System.out.printf("XID 79 reported to the controller %d ms after injection (report interval 30 s)%n", millis);
        Thread.sleep(1200);   // two more samples, each of which would send a duplicate
        assertThat(ctl.reports()).as("one report for the change, not one per sample").hasSize(3);
    }

    @Test
    void aNewXidIsReportedAtOnceEvenWhenNoGpuHealthChanges() throws Exception {
        FakeController ctl = fake(TOKEN);
        Agent agent = start("xid13-node", controller(List.of(ctl.url()), Duration.ofMinutes(1)));
        // The first report, then at once one saying it applied the desired state the answer carried.
        within(Duration.ofSeconds(5), () -> ctl.reports().size() == 2 && last(ctl).appliedVersion() == 1);
        List<GpuHealth> before = last(ctl).health();
        inject(agent, "{\"gpu\": 1, \"kind\": \"xid\", \"xid\": 13}");
        // The report interval is a minute: within the wait, only a report asked for at once carries the XID.
        within(Duration.ofSeconds(20), () -> ctl.reports().stream().anyMatch(ControllerReporterTest::carriesXid13));
        AgentReport report = ctl.reports().stream().filter(ControllerReporterTest::carriesXid13).findFirst()
                .orElseThrow();
        assertThat(ReportBuilder.healthDiffers(report.health(), before))
                .as("XID 13 leaves every GPU's health as it was: the event alone asked for the report").isFalse();
    }

    @Test
    void aNewInventoryIsReportedAtOnceNotAtTheNextInterval() throws Exception {
        FakeController ctl = fake(TOKEN);
        Agent agent = start("new-layout-node", controller(List.of(ctl.url()), Duration.ofMinutes(1)));
        within(Duration.ofSeconds(5), () -> ctl.reports().size() == 2 && last(ctl).appliedVersion() == 1);

        ((SimulatedNode) agent.backend()).applyMig(6, true, List.of(new MigPlacement("3g.40gb", 0),
                new MigPlacement("3g.40gb", 4)));

        // The report interval is a minute: within the wait, only a report asked for at once carries the layout.
        within(Duration.ofSeconds(20), () -> ctl.reports().stream().anyMatch(r -> r.inventory() != null
                && r.inventory().gpus().get(6).mig().instances().size() == 2));
    }

    private static boolean carriesXid13(AgentReport report) {
        return report.events().stream().anyMatch(e -> e.gpu() == 1 && Integer.valueOf(13).equals(e.xid()));
    }

    @Test
    void agentsSpreadOverTheMembersTheirListsName() throws Exception {
        FakeController a = fake(TOKEN);
        FakeController b = fake(TOKEN);
        String toA = nodeStartingAt(0);
        String toB = nodeStartingAt(1);
        start(toA, controller(List.of(a.url(), b.url()), Duration.ofMillis(200)));
        start(toB, controller(List.of(a.url(), b.url()), Duration.ofMillis(200)));

        within(Duration.ofSeconds(5), () -> a.reports().size() >= 2 && b.reports().size() >= 2);
        assertThat(a.received).as("reports to the first member").allMatch(r -> r.node().equals(toA));
        assertThat(b.received).as("reports to the second member").allMatch(r -> r.node().equals(toB));
        long first = java.util.stream.IntStream.range(0, 1000)
                .filter(i -> ControllerReporter.firstMember("gpu-" + i, 3) == 0).count();
        assertThat(first).as("a third of 1,000 nodes start at the first of three members").isBetween(250L, 420L);
    }

    private static String nodeStartingAt(int member) {
        for (int i = 0; ; i++) {
            if (ControllerReporter.firstMember("spread-" + i, 2) == member) {
                return "spread-" + i;
            }
        }
    }

    @Test
    void failsOverToTheNextMemberAndBackAndLogsOnlyTheChanges() throws Exception {
        int portA = freePort();
        FakeController b = fake(TOKEN);
        String urlA = "http://127.0.0.1:" + portA;
        Agent agent = start("failover-node", controller(List.of(urlA, b.url()), Duration.ofMillis(200)));

        // The first member refuses connections: reports reach the second, and stay there.
        within(Duration.ofSeconds(5), () -> b.reports().size() >= 3);
        assertThat(controllerView(agent).get("url").asText()).isEqualTo(b.url());
        assertThat(controllerView(agent).get("lastError").isNull()).isTrue();

        // The first comes up and the second stops: back to the first.
        FakeController a = FakeController.start(TOKEN, portA);
        resources.add(a);
        Thread.sleep(1000);   // five report intervals (200 ms)
        assertThat(a.received).as("the agent stays on the member that answers").isEmpty();
        b.close();
        within(Duration.ofSeconds(5), () -> a.reports().size() >= 2);
        assertThat(controllerView(agent).get("url").asText()).isEqualTo(urlA);

        // A member without a leader answers 503: the next one is tried at once.
        FakeController b2 = FakeController.start(TOKEN, b.port());
        resources.add(b2);
        a.failWith = 503;
        within(Duration.ofSeconds(5), () -> b2.reports().size() >= 2);
        assertThat(controllerView(agent).get("url").asText()).isEqualTo(b2.url());

        assertThat(logged("failover-node", "controller_reached")).hasSize(1)
                .allSatisfy(e -> assertThat(kv(e, "url")).isEqualTo(b.url()));
        assertThat(logged("failover-node", "controller_changed")).extracting(e -> kv(e, "from") + " -> " + kv(e, "to"))
                .containsExactly(b.url() + " -> " + urlA, urlA + " -> " + b2.url());
        assertThat(logged("failover-node", "controller_changed").get(1).getKeyValuePairs().toString()).contains("503");
        assertThat(logs.list).filteredOn(e -> e.getMessage().startsWith("report")).isEmpty();

        String metrics = get(agent, "/metrics").body();
        assertThat(metrics).containsPattern("vigil_agent_reports_total\\{result=\"ok\"} [1-9]")
                .containsPattern("vigil_agent_reports_total\\{result=\"error\"} [1-9]")
                .contains("vigil_agent_reports_total{result=\"refused\"} 0.0", "vigil_agent_report_duration_seconds_bucket");
    }

    @Test
    void aRefusedTokenIsLoggedOnceRetriedOnScheduleAndARotatedTokenFileIsPickedUp(@TempDir Path dir)
            throws Exception {
        FakeController ctl = fake(TOKEN);
        Path tokenFile = dir.resolve("agent.token");
        Files.writeString(tokenFile, "vgl_wrong\n");
        Duration interval = Duration.ofMillis(200);
        Agent agent = start("refused-node", new AgentConfig.Controller(List.of(ctl.url()), null, tokenFile.toString(),
                interval, Duration.ofSeconds(2)));
        within(Duration.ofSeconds(5), () -> ctl.received.size() >= 5);

        assertThat(ctl.received).allSatisfy(r -> assertThat(r.status()).isEqualTo(401));
        List<Long> times = ctl.received.stream().map(FakeController.Received::nanoTime).toList();
        for (int i = 1; i < times.size(); i++) {
            assertThat(times.get(i) - times.get(i - 1)).as("retried on schedule, not at once")
                    .isGreaterThan(interval.toNanos() * 3 / 4);
        }
        assertThat(logged("refused-node", "report_refused")).singleElement().satisfies(e -> {
            assertThat(kv(e, "status")).isEqualTo("401");
            assertThat(kv(e, "url")).isEqualTo(ctl.url());
            assertThat(kv(e, "detail")).contains("not valid");
        });
        JsonNode view = controllerView(agent);
        assertThat(view.get("lastError").asText()).contains("401", "not valid", ctl.url());
        assertThat(view.get("lastReport").isNull()).isTrue();
        assertThat(view.get("desired").isNull()).isTrue();
        assertThat(get(agent, "/metrics").body()).containsPattern("vigil_agent_reports_total\\{result=\"refused\"} [1-9]");

        // The token is rotated in the file: the agent reads it again after a 401.
        Files.writeString(tokenFile, TOKEN + "\n");
        within(Duration.ofSeconds(5), () -> !ctl.reports().isEmpty());
        within(Duration.ofSeconds(5), () -> controllerView(agent).get("lastError").isNull());
        assertThat(logged("refused-node", "controller_token_reloaded")).hasSize(1);
        assertThat(logged("refused-node", "controller_reached")).hasSize(1);
    }

    @Test
    void theDesiredStateShowsInNodeViewAndAppliedVersionFollowsIt() throws Exception {
        FakeController ctl = fake(TOKEN);
        Agent agent = start("desired-node", controller(List.of(ctl.url()), Duration.ofMillis(200)));
        within(Duration.ofSeconds(5), () -> ctl.reports().size() >= 2);
        assertThat(ctl.reports().get(0).appliedVersion()).isZero();
        JsonNode view = controllerView(agent);
        assertThat(view.get("url").asText()).isEqualTo(ctl.url());
        assertThat(view.get("lastReport").asText()).isNotEmpty();
        assertThat(view.has("lastError")).as("present, and null").isTrue();
        assertThat(view.get("lastError").isNull()).isTrue();
        assertThat(view.get("desired").get("version").asLong()).isEqualTo(1);
        within(Duration.ofSeconds(5), () -> last(ctl).appliedVersion() == 1);

        String gpu2 = agent.snapshot().inventory().gpus().get(2).uuid();
        ctl.desired = new DesiredState(2, true, true, List.of(gpu2), false, 0, List.of());
        within(Duration.ofSeconds(5), () -> controllerView(agent).get("desired").get("version").asLong() == 2);
        JsonNode desired = controllerView(agent).get("desired");
        assertThat(desired.get("cordoned").asBoolean()).isTrue();
        assertThat(desired.get("drain").asBoolean()).isTrue();
        assertThat(desired.get("cordonedGpus").get(0).asText()).isEqualTo(gpu2);
        assertThat(controllerView(agent).get("appliedVersion").asLong()).isEqualTo(2);
        within(Duration.ofSeconds(5), () -> last(ctl).appliedVersion() == 2);
        assertThat(last(ctl).applyError()).isNull();

        // A GPU the node does not have cannot be cordoned here: the agent says so.
        ctl.desired = new DesiredState(3, false, false, List.of("GPU-not-here"), false, 0, List.of());
        within(Duration.ofSeconds(5), () -> {
            AgentReport last = last(ctl);
            return last.appliedVersion() == 3 && last.applyError() != null;
        });
        assertThat(last(ctl).applyError()).contains("GPU-not-here");
        assertThat(controllerView(agent).get("applyError").asText()).contains("GPU-not-here");
        assertThat(logged("desired-node", "desired_state_applied")).extracting(e -> kv(e, "version"))
                .containsExactly("1", "2", "3");
    }

    /** GPU {@code gpu}'s DCGM_FI_DEV_GPU_UTIL on the agent's /metrics, or -1 when it has none. */
    private static double utilization(Agent agent, int gpu) throws Exception {
        return get(agent, "/metrics").body().lines()
                .filter(l -> l.startsWith("DCGM_FI_DEV_GPU_UTIL{") && l.contains(",gpu=\"" + gpu + "\","))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(-1);
    }

    @Test
    void allocationsRunAsLoadOnTheirSimulatedGpusAndStopWhenTheyLeaveTheDesiredState() throws Exception {
        FakeController ctl = fake(TOKEN);
        Agent agent = start("jobs-node", controller(List.of(ctl.url()), Duration.ofMillis(200)));
        SimulatedNode gpus = (SimulatedNode) agent.backend();
        within(Duration.ofSeconds(5), () -> !ctl.reports().isEmpty());
        assertThat(utilization(agent, 5)).as("GPU 5 idles").isLessThan(5);
        String gpu5 = agent.snapshot().inventory().gpus().get(5).uuid();
        String gpu7 = agent.snapshot().inventory().gpus().get(7).uuid();
        Allocation gang = new Allocation("j-000007", null, JobKind.TRAINING, List.of(5), List.of(gpu5), List.of(),
                List.of("python", "train.py"), null, Map.of(), 2, null);
        Allocation slice = new Allocation("j-000008", 0, JobKind.INFERENCE, List.of(7), List.of(gpu7), List.of(3),
                List.of(), null, Map.of(), 2, null);
        ctl.desired = new DesiredState(2, false, false, List.of(), false, 0, List.of(gang, slice));

        within(Duration.ofSeconds(5), () -> last(ctl).appliedVersion() == 2);
        assertThat(last(ctl).applyError()).isNull();
        within(Duration.ofSeconds(5), () -> utilization(agent, 5) > 50);
        assertThat(gpus.processes(7)).singleElement().satisfies(p -> assertThat(p.gpuInstanceId()).isEqualTo(3));
        JsonNode desired = controllerView(agent).get("desired");
        assertThat(desired.get("allocations").findValuesAsText("job")).containsExactly("j-000007", "j-000008");

        // A MIG instance the GPU does not have, or a GPU the node does not have, is named in applyError.
        Allocation noSuchSlice = new Allocation("j-000009", 0, JobKind.INFERENCE, List.of(7), List.of(gpu7),
                List.of(42), List.of(), null, Map.of(), 3, null);
        Allocation noSuchGpu = new Allocation("j-000010", null, JobKind.TRAINING, List.of(0), List.of("GPU-elsewhere"),
                List.of(), List.of(), null, Map.of(), 3, null);
        ctl.desired = new DesiredState(3, false, false, List.of(), false, 0, List.of(gang, noSuchSlice, noSuchGpu));
        within(Duration.ofSeconds(5), () -> last(ctl).appliedVersion() == 3);
        assertThat(last(ctl).applyError()).contains("job j-000009: GPU 7 has no MIG instance 42")
                .contains("allocation of job j-000010: GPUs not on this node: GPU-elsewhere");
        assertThat(gpus.processes(7)).as("the slice's job left the desired state").isEmpty();

        ctl.desired = new DesiredState(4, false, false, List.of(), false, 0, List.of());
        within(Duration.ofSeconds(5), () -> last(ctl).appliedVersion() == 4);
        within(Duration.ofSeconds(5), () -> utilization(agent, 5) < 5);
        assertThat(last(ctl).applyError()).isNull();
        assertThat(logged("jobs-node", "simulated_job_started")).extracting(e -> kv(e, "job"))
                .containsExactly("j-000007", "j-000008");
    }

    @Test
    void aControllerThatNeverAnswersDoesNotHoldUpSamplingOrScrapes() throws Exception {
        try (ServerSocket silent = new ServerSocket(0)) {
            List<Socket> accepted = new CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept());
                    }
                } catch (IOException e) {
                    // Closed at the end of the test.
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            Agent agent = start("silent-node", new AgentConfig.Controller(
                    List.of("http://127.0.0.1:" + silent.getLocalPort()), TOKEN, null, Duration.ofMillis(200),
                    Duration.ofMillis(300)));
            within(Duration.ofSeconds(5), () -> {
                JsonNode error = controllerView(agent).get("lastError");
                return !error.isNull() && error.asText().contains("no answer within");
            });
            var sampledAt = agent.snapshot().sampledAt();
            within(Duration.ofSeconds(3), () -> agent.snapshot().sampledAt().isAfter(sampledAt));
            assertThat(get(agent, "/readyz").statusCode()).isEqualTo(200);
            assertThat(get(agent, "/metrics").body()).contains("DCGM_FI_DEV_GPU_TEMP{");
            assertThat(logged("silent-node", "controller_unreachable")).hasSize(1);
            for (Socket socket : accepted) {
                socket.close();
            }
        }
    }

    @Test
    void withoutAControllerTheAgentReportsNowhereAndNodeViewSaysNothingOfIt() throws Exception {
        Agent agent = start("lonely-node", null);
        JsonNode node = Documents.json().readTree(get(agent, "/v1/node").body());
        assertThat(node.has("controller")).isFalse();
        assertThat(get(agent, "/metrics").body()).doesNotContain("vigil_agent_reports");
        assertThat(Thread.getAllStackTraces().keySet().stream().map(Thread::getName).collect(Collectors.toList()))
                .noneMatch(name -> name.equals("vigil-reporter-lonely-node"));
    }
}
