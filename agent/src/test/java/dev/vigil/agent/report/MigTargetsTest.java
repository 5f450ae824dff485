package dev.vigil.agent.report;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.agent.Agent;
import dev.vigil.agent.config.AgentConfig;
import dev.vigil.agent.config.BackendKind;
import dev.vigil.agent.mig.MigReconciler;
import dev.vigil.agent.systemd.SystemdNotifier;
import dev.vigil.api.binding.Documents;
import dev.vigil.api.cluster.AgentReport;
import dev.vigil.api.cluster.DesiredState;
import dev.vigil.api.gpu.GpuEvent;
import dev.vigil.api.gpu.MigInstance;
import dev.vigil.api.mig.GpuMigStatus;
import dev.vigil.api.mig.GpuMigTarget;
import dev.vigil.api.mig.MigPhase;
import dev.vigil.api.mig.MigSlot;
import dev.vigil.gpu.simulated.MigSpec;
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
import java.util.Optional;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * MIG targets in the desired state, carried out by an agent on simulated A100s and reported back to
 * a fake controller: GPUs 6 and 7 go from seven 1g.10gb slices to whole GPUs (a mode change that
 * waits for a reset, which the agent does) and back, each phase change in the reports, the events,
 * the log, {@code /v1/node} and {@code /metrics}.
 */
class MigTargetsTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final String TOKEN = "vgl_agent_secret";

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeEach
    void captureLogs() {
        logs.start();
        ((Logger) LoggerFactory.getLogger(MigReconciler.class)).addAppender(logs);
    }

    @AfterEach
    void stop() throws Exception {
        ((Logger) LoggerFactory.getLogger(MigReconciler.class)).detachAppender(logs);
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private static SimulatedSpec spec() {
        return new SimulatedSpec(NodeProfile.DGX_A100_8, 5L, List.of(), List.of(),
                List.of(new MigSpec(List.of(6, 7), Map.of("1g.10gb", 7))), Duration.ofMillis(100),
                Duration.ofMillis(500), Duration.ofMillis(100));
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

    private static DesiredState asking(long version, GpuMigTarget... targets) {
        return new DesiredState(version, false, false, List.of(), false, 0, List.of(), List.of(), List.of(targets), null);
    }

    private static Optional<GpuMigStatus> reported(FakeController ctl, int gpu) {
        List<AgentReport> reports = ctl.reports();
        if (reports.isEmpty()) {
            return Optional.empty();
        }
        return reports.get(reports.size() - 1).mig().stream().filter(s -> s.gpu() == gpu).findFirst();
    }

    private static boolean reportedAs(FakeController ctl, int gpu, long version, MigPhase phase) {
        return reported(ctl, gpu).map(s -> s.version() == version && s.phase() == phase).orElse(false);
    }

    private static String get(Agent agent, String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void slicedGpusBecomeWholeAndSlicedAgainEachPhaseChangeToldEverywhere() throws Exception {
        FakeController ctl = fake();
        Agent agent = start("sim-a100-2", ctl);
        SimulatedNode node = (SimulatedNode) agent.backend();
        within(Duration.ofSeconds(15), () -> !ctl.reports().isEmpty());
        assertThat(ctl.reports().get(0).mig()).as("no targets, nothing reported").isEmpty();

        ctl.desired = asking(5, new GpuMigTarget(6, "all-disabled", false, List.of(), 5),
                new GpuMigTarget(7, "all-disabled", false, List.of(), 5));
        // A phase's event may come one report after the status that tells it.
        within(Duration.ofSeconds(20), () -> reportedAs(ctl, 6, 5, MigPhase.SUCCESS)
                && reportedAs(ctl, 7, 5, MigPhase.SUCCESS) && ctl.stored.stream().map(GpuEvent::message)
                .filter(m -> m.endsWith(": applying -> success (MIG off)")).count() == 2);
        assertThat(reported(ctl, 6).orElseThrow().message()).isEqualTo("MIG off");
        for (int gpu : List.of(6, 7)) {
            assertThat(node.inventory().gpus().get(gpu).mig().enabled()).isFalse();
        }
        assertThat(node.inventory().gpus().get(5).mig().enabled()).as("no target, left alone").isFalse();
        assertThat(ctl.stored).extracting(GpuEvent::message)
                .contains("mig gpu 6: none -> applying (applying MIG off)",
                        "mig gpu 6: applying -> success (MIG off)", "mig gpu 7: applying -> success (MIG off)");
        assertThat(logs.list).filteredOn(e -> e.getMessage().equals("mig_phase")).anySatisfy(e ->
                assertThat(e.getKeyValuePairs()).extracting(kv -> kv.key + "=" + kv.value)
                        .contains("node=sim-a100-2", "gpu=6", "version=5", "from=applying", "to=success"));

        JsonNode view = Documents.json().readTree(get(agent, "/v1/node"));
        assertThat(view.get("mig")).hasSize(2);
        assertThat(view.get("mig").get(0).get("gpu").asInt()).isEqualTo(6);
        assertThat(view.get("mig").get(0).get("phase").asText()).isEqualTo("success");
        assertThat(view.get("mig").get(0).get("message").asText()).isEqualTo("MIG off");
        within(Duration.ofSeconds(10), () -> get(agent, "/metrics").lines()
                .anyMatch(l -> l.startsWith("vigil_mig_phase{") && l.contains("gpu=\"7\"")
                        && l.contains("phase=\"success\"") && l.endsWith(" 1.0")));
        assertThat(get(agent, "/metrics").lines().filter(l -> l.startsWith("vigil_mig_phase{")))
                .as("one series per GPU with a target").hasSize(2);

        List<MigSlot> slices = IntStream.range(0, 7).mapToObj(start -> new MigSlot("1g.10gb", start)).toList();
        ctl.desired = asking(6, new GpuMigTarget(6, "all-1g.10gb", true, slices, 6),
                new GpuMigTarget(7, "all-1g.10gb", true, slices, 6));
        within(Duration.ofSeconds(20), () -> reportedAs(ctl, 6, 6, MigPhase.SUCCESS)
                && reportedAs(ctl, 7, 6, MigPhase.SUCCESS));
        assertThat(reported(ctl, 7).orElseThrow().message()).isEqualTo("MIG on: 7×1g.10gb");
        assertThat(node.inventory().gpus().get(7).mig().instances()).extracting(MigInstance::profile)
                .containsOnly("1g.10gb").hasSize(7);

        ctl.desired = asking(7);
        within(Duration.ofSeconds(20), () -> ctl.reports().get(ctl.reports().size() - 1).appliedVersion() == 7);
        within(Duration.ofSeconds(10), () -> ctl.reports().get(ctl.reports().size() - 1).mig().isEmpty());
    }

    private FakeController fake() {
        FakeController fake = FakeController.start(TOKEN);
        resources.add(fake);
        return fake;
    }
}
