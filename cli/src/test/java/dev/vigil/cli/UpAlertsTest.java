package dev.vigil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.agent.config.AgentConfig;
import dev.vigil.alerts.AlertEngine;
import dev.vigil.alerts.AlertView;
import dev.vigil.alerts.fixtures.ManualClock;
import dev.vigil.alerts.fixtures.RecordingServer;
import dev.vigil.alerts.fleet.Fleet;
import dev.vigil.alerts.fleet.PendingJob;
import dev.vigil.alerts.store.MemoryAlertStore;
import dev.vigil.api.binding.Documents;
import dev.vigil.api.gpu.RepairAction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.vigil.alerts.fixtures.Fleets.gpu;
import static dev.vigil.alerts.fixtures.Fleets.node;
import static dev.vigil.alerts.fixtures.Fleets.xid;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code vigil up}'s alerting: the banner's XID 79 fires GpuXidFatal, which 'vigil alerts' shows
 * and --alert-webhook receives at once; with a webhook, every alert goes to the log and the webhook.
 */
class UpAlertsTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final Map<String, String> environment = new HashMap<>();
    private final RecordingServer webhook = new RecordingServer(200);

    @BeforeEach
    void isolateTheEnvironment() {
        environment.put("VIGIL_CONTEXT", "/nonexistent/vigil-context.yaml");
        ContextFile.environment = environment::get;
    }

    @AfterEach
    void restore() {
        ContextFile.environment = System::getenv;
        webhook.close();
    }

    @Test
    void theBannersXid79FiresGpuXidFatalInVigilAlertsAndAtTheWebhook() throws Exception {
        UpCommand up = new UpCommand();
        new CommandLine(up).parseArgs("--ephemeral", "--base-port", "0", "--controller-port", "0", "--h100", "1",
                "--a100", "0", "--alert-webhook", webhook.url("/hooks/vigil").toString());
        StringWriter banner = new StringWriter();
        try (UpCommand.Running running = up.start(new AgentConfig.Sampling(Duration.ofMillis(500), null),
                new PrintWriter(banner, true))) {
            assertThat(banner.toString()).contains("./vigil alerts", "as Alertmanager's webhook body to "
                    + webhook.url("/hooks/vigil"));
            Matcher export = Pattern.compile("export VIGIL_URL=(\\S+) VIGIL_TOKEN=(\\S+)").matcher(banner.toString());
            assertThat(export.find()).isTrue();
            environment.put("VIGIL_URL", export.group(1));
            environment.put("VIGIL_TOKEN", export.group(2));
            Matcher fault = Pattern.compile("curl -s -X POST (\\S+)/v1/faults").matcher(banner.toString());
            assertThat(fault.find()).isTrue();

            HttpResponse<String> injected = CLIENT.send(HttpRequest.newBuilder(URI.create("http://" + fault.group(1)
                            + "/v1/faults")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"gpu\": 3, \"kind\": \"xid\", \"xid\": 79}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(injected.statusCode()).as(injected.body()).isEqualTo(202);

            List<RecordingServer.Request> told = webhook.await(1, 10_000);
            assertThat(told).isNotEmpty();
            JsonNode body = Documents.json().readTree(told.get(0).body());
            assertThat(body.get("version").asText()).isEqualTo("4");
            assertThat(body.get("commonLabels").get("alertname").asText()).isEqualTo("GpuXidFatal");
            assertThat(body.get("commonLabels").get("node").asText()).isEqualTo("sim-h100-1");

            StringWriter out = new StringWriter();
            CommandLine cli = Vigil.commandLine();
            cli.setOut(new PrintWriter(out, true));
            assertThat(cli.execute("alerts", "--state", "firing")).isZero();
            assertThat(out.toString()).containsPattern("(?m)^[0-9a-f]{16}  +firing  +GpuXidFatal  +critical  +"
                    + "sim-h100-1 GPU 3  +\\d+s ago  +.*webhook: notify sent");
        }
    }

    @Test
    void withAWebhookEveryAlertIsLoggedAndSentThere() {
        UpCommand up = new UpCommand();
        new CommandLine(up).parseArgs("--alert-webhook", webhook.url("/hook").toString());
        ManualClock clock = new ManualClock();
        AlertEngine engine = new AlertEngine(up.alerts(), new MemoryAlertStore(), clock, HttpClient.newHttpClient());
        Fleet fleet = new Fleet(List.of(gpu(node("sim-h100-1", 8), 3,
                g -> xid(g, 79, RepairAction.POWER_CYCLE, clock.instant()))), List.of(new PendingJob("j-000001",
                "demo", "research", "default", clock.instant().minus(Duration.ofHours(3)), "quota")), List.of());
        engine.evaluate(fleet);
        engine.deliverDue();
        clock.advance(Duration.ofSeconds(31));
        engine.evaluate(fleet);
        engine.deliverDue();

        assertThat(engine.alerts()).extracting(AlertView::name).contains("GpuXidFatal", "JobPendingTooLong");
        assertThat(engine.alerts()).allSatisfy(alert -> assertThat(alert.notifications())
                .extracting(AlertView.Notified::receiver).as(alert.name()).containsExactlyInAnyOrder("log", "webhook"));
    }

    @Test
    void aWebhookThatIsNotAUrlIsRefusedNamingTheOption() {
        StringWriter err = new StringWriter();
        CommandLine cli = Vigil.commandLine();
        cli.setErr(new PrintWriter(err, true));
        assertThat(cli.execute("up", "--alert-webhook", "localhost:9000")).isEqualTo(2);
        assertThat(err.toString()).contains("--alert-webhook: \"localhost:9000\" is not allowed");
    }
}
