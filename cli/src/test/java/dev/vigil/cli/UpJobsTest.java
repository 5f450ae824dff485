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
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.vigil.testsupport.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code vigil up} end to end, in this JVM: the two job commands its banner prints run as printed
 * (through the CLI, with the banner's URL and token), the gang's GPUs carry load on the agents'
 * /metrics while it runs and none after, and it succeeds after its duration.
 */
class UpJobsTest {
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

    private static CliRun vigil(List<String> args) {
        return CliRun.of(args.toArray(String[]::new));
    }

    @Test
    void theBannersGangAndMigServiceRunAndTheGangSucceedsWithItsLoadOnTheGpus() throws Exception {
        UpCommand up = new UpCommand();
        new CommandLine(up).parseArgs("--ephemeral", "--base-port", "0", "--controller-port", "0");
        StringWriter banner = new StringWriter();
        try (UpCommand.Running running = up.start(new AgentConfig.Sampling(Duration.ofMillis(500), null),
                new PrintWriter(banner, true))) {
            Matcher export = Pattern.compile("export VIGIL_URL=(\\S+) VIGIL_TOKEN=(\\S+)").matcher(banner.toString());
            assertThat(export.find()).as(banner.toString()).isTrue();
            environment.put("VIGIL_URL", export.group(1));
            environment.put("VIGIL_TOKEN", export.group(2));
            List<String> submits = banner.toString().lines().map(String::strip)
                    .filter(line -> line.startsWith("./vigil submit ")).toList();
            assertThat(submits).hasSize(2);
            assertThat(submits.get(0)).contains("--nodes 2 --gpus-per-node 8 --model H100 --topology same-leaf");
            assertThat(submits.get(1)).contains("--replicas 4 --mig-profile 1g.10gb");

            assertThat(meanUtilization(agentMetrics(banner.toString(), "sim-h100-1"))).as("idle before").isBetween(0.0, 5.0);
            List<String> ids = new ArrayList<>();
            for (String line : submits) {
                List<String> args = new ArrayList<>(Arrays.asList(line.substring("./vigil ".length()).split(" ")));
                CliRun submitted = vigil(args);
                assertThat(submitted.exit()).as(line + ": " + submitted.err()).isZero();
                Matcher id = Pattern.compile("^submitted (j-\\d+) ").matcher(submitted.out());
                assertThat(id.find()).as(submitted.out()).isTrue();
                ids.add(id.group(1));
            }
            String gang = ids.get(0);
            String service = ids.get(1);
            await(Duration.ofSeconds(20), () -> state(gang).equals("running") && state(service).equals("running"));

            JsonNode job = json(vigil(List.of("job", gang, "-o", "json")));
            assertThat(job.get("placements")).hasSize(2);
            assertThat(job.get("placements").findValuesAsText("node")).containsExactlyInAnyOrder("sim-h100-1",
                    "sim-h100-2");
            JsonNode slices = json(vigil(List.of("job", service, "-o", "json"))).get("placements");
            assertThat(slices).hasSize(4).allSatisfy(p -> {
                assertThat(p.get("node").asText()).isEqualTo("sim-a100-2");
                assertThat(p.get("migInstances")).hasSize(1);
            });
            CliRun table = vigil(List.of("jobs"));
            assertThat(table.out()).containsPattern("(?m)^" + gang + "  +demo-train  +default  +running  +16  +"
                    + "sim-h100-1,sim-h100-2  ")
                    .containsPattern("(?m)^" + service + "  +demo-serve  +default  +running  +4×1g\\.10gb  +sim-a100-2  ");

            await(Duration.ofSeconds(10), () -> meanUtilization(agentMetrics(banner.toString(), "sim-h100-1")) > 50);

            await(Duration.ofSeconds(40), () -> state(gang).equals("succeeded"));
            CliRun details = vigil(List.of("job", gang));
            assertThat(details.out()).startsWith("Job " + gang + " (demo-train): succeeded\n")
                    .contains("ran for 20s (simulated backend)");
            await(Duration.ofSeconds(10), () -> meanUtilization(agentMetrics(banner.toString(), "sim-h100-1")) < 5);
            assertThat(state(service)).isEqualTo("running");
        }
    }

    private String state(String id) throws Exception {
        return json(vigil(List.of("job", id, "-o", "json"))).get("state").asText();
    }

    private static JsonNode json(CliRun run) throws Exception {
        assertThat(run.exit()).as(run.err()).isZero();
        return Documents.json().readTree(run.out());
    }

    /** The node's agent's /metrics, at the URL the banner lists for it. */
    private static String agentMetrics(String banner, String node) throws Exception {
        Matcher url = Pattern.compile("(?m)^  " + node + " .*(http://\\S+/metrics)$").matcher(banner);
        assertThat(url.find()).as(banner).isTrue();
        return CLIENT.send(HttpRequest.newBuilder(URI.create(url.group(1))).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The mean of DCGM_FI_DEV_GPU_UTIL over the node's GPUs. */
    private static double meanUtilization(String metrics) {
        return metrics.lines().filter(l -> l.startsWith("DCGM_FI_DEV_GPU_UTIL{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).average().orElse(-1);
    }

}
