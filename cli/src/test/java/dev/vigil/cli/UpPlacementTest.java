package dev.vigil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.agent.config.AgentConfig;
import dev.vigil.api.binding.Documents;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.vigil.testsupport.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Placement enforcement on {@code vigil up}, as its banner shows it: a rogue process put on a GPU of the running
 * demo gang is, within 2 s, a violation event and the alert GpuPlacementViolation; {@code vigil violations},
 * {@code vigil gpus --processes} and {@code vigil node} name it next to the gang's own processes; once it ends,
 * all clears.
 */
class UpPlacementTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final Map<String, String> environment = new HashMap<>();

    @BeforeEach
    void isolateTheEnvironment() {
        environment.put("VIGIL_CONTEXT", "/nonexistent/vigil-context.yaml");
        ContextFile.environment = environment::get;
    }

    @AfterEach
    void restoreTheEnvironment() {
        ContextFile.environment = System::getenv;
    }

    private static CliRun vigil(String... args) {
        return CliRun.of(args);
    }

    private static JsonNode json(String... args) throws Exception {
        CliRun run = vigil(args);
        assertThat(run.exit()).as(run.err()).isZero();
        return Documents.json().readTree(run.out());
    }

    @Test
    void aRogueProcessOnTheDemoGangsGpuIsAnEventAndAnAlertWithin2sAndTheCommandsNameIt() throws Exception {
        UpCommand up = new UpCommand();
        new CommandLine(up).parseArgs("--ephemeral", "--base-port", "0", "--controller-port", "0", "--h100", "2",
                "--a100", "0", "--l40s", "0");
        StringWriter banner = new StringWriter();
        try (UpCommand.Running running = up.start(new AgentConfig.Sampling(Duration.ofMillis(500), null),
                new PrintWriter(banner, true))) {
            Matcher export = Pattern.compile("export VIGIL_URL=(\\S+) VIGIL_TOKEN=(\\S+)").matcher(banner.toString());
            assertThat(export.find()).as(banner.toString()).isTrue();
            environment.put("VIGIL_URL", export.group(1));
            environment.put("VIGIL_TOKEN", export.group(2));
            String submit = banner.toString().lines().map(String::strip)
                    .filter(line -> line.startsWith("./vigil submit --name demo-train")).findFirst().orElseThrow()
                    .replace("--duration 20s", "--duration 5m");
            CliRun submitted = vigil(submit.substring("./vigil ".length()).split(" "));
            assertThat(submitted.exit()).as(submitted.err()).isZero();
            Matcher id = Pattern.compile("^submitted (j-\\d+) ").matcher(submitted.out());
            assertThat(id.find()).as(submitted.out()).isTrue();
            String gang = id.group(1);
            await(Duration.ofSeconds(20), () -> json("job", gang, "-o", "json").get("state").asText()
                    .equals("running"));
            Matcher stray = Pattern.compile("curl -s -X POST (\\S+)/v1/faults [^\\n]*\\n\\s+-d '(\\{\"gpu\": (\\d+), "
                    + "\"kind\": \"rogue-process\"})'\\s+# a process of no job on GPU \\d+ of (\\S+)").matcher(banner.toString());
            assertThat(stray.find()).as(banner.toString()).isTrue();
            String node = stray.group(4);
            int gpu = Integer.parseInt(stray.group(3));
            await(Duration.ofSeconds(10), () -> json("gpus", "--node", node, "-o", "json").get("gpus").get(gpu)
                    .path("processes").findValuesAsText("verdict").contains("allowed"));

            URI faults = URI.create("http://" + stray.group(1) + "/v1/faults");
            HttpResponse<String> injected = CLIENT.send(HttpRequest.newBuilder(faults)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(stray.group(2))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(injected.statusCode()).as(injected.body()).isEqualTo(202);
            await(Duration.ofSeconds(2), () -> violationEvent(node, gpu) && firing(node, gpu));

            CliRun violations = vigil("violations");
            assertThat(violations.exit()).as(violations.err()).isZero();
            assertThat(violations.out()).containsPattern("(?m)^" + node + "  +" + gpu + "  +\\d+  +1001  +\\S+  +\\S+  +-  +rogue  +"
                    + "reported  +\\d+s ago$");
            CliRun processes = vigil("gpus", "--node", node, "--processes");
            assertThat(processes.exit()).as(processes.err()).isZero();
            assertThat(processes.out()).containsPattern("(?m)^" + node + "  +" + gpu + "  +\\d+  .*  +" + gang
                    + "  +allowed  +-$").containsPattern("(?m)^" + node + "  +" + gpu + "  +\\d+  .*  +-  +rogue  +reported$");
            assertThat(vigil("gpus", "--node", node).out()).containsPattern("(?m)^" + node + "  +" + gpu + "  .*"
                    + "1 allowed, 1 ROGUE");
            assertThat(vigil("node", node).out()).contains("Processes on its GPUs (as its agent last judged "
                    + "them; policy report):");

            HttpResponse<String> ended = CLIENT.send(HttpRequest.newBuilder(URI.create(faults + "?gpu=" + gpu)).DELETE()
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ended.statusCode()).as(ended.body()).isLessThan(300);
            await(Duration.ofSeconds(10), () -> json("violations", "-o", "json").get("violations").isEmpty()
                    && !firing(node, gpu));
        }
    }

    private static boolean violationEvent(String node, int gpu) throws Exception {
        return json("events", "--node", node, "-o", "json").get("events").findValuesAsText("message").stream()
                .anyMatch(m -> m.startsWith("placement rogue on gpu " + gpu));
    }

    private static boolean firing(String node, int gpu) throws Exception {
        List<String> names = new ArrayList<>();
        for (JsonNode alert : json("alerts", "--state", "firing", "-o", "json").get("alerts")) {
            if (alert.path("labels").path("node").asText().equals(node)
                    && alert.path("labels").path("gpu").asText().equals(String.valueOf(gpu))) {
                names.add(alert.path("name").asText());
            }
        }
        return names.contains("GpuPlacementViolation");
    }
}
