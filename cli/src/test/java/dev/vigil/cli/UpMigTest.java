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
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.vigil.testsupport.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * MIG layouts on {@code vigil up}, through the CLI as its banner prints the commands: sim-a100-2's
 * GPUs 6-7 go from seven 1g.10gb slices to whole GPUs (the agents reset the A100s themselves) and
 * back while the demo service runs on slices elsewhere, and a slice job lands on the new slices.
 */
class UpMigTest {
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

    private static String submitted(CliRun run) {
        assertThat(run.exit()).as(run.err()).isZero();
        Matcher id = Pattern.compile("^submitted (j-\\d+) ").matcher(run.out());
        assertThat(id.find()).as(run.out()).isTrue();
        return id.group(1);
    }

    @Test
    void sliceGpusGoWholeAndBackWhileTheServiceRunsElsewhereAndASliceJobLandsOnTheNewSlices() throws Exception {
        UpCommand up = new UpCommand();
        new CommandLine(up).parseArgs("--ephemeral", "--base-port", "0", "--controller-port", "0", "--h100", "0",
                "--l40s", "0");
        StringWriter banner = new StringWriter();
        try (UpCommand.Running running = up.start(new AgentConfig.Sampling(Duration.ofMillis(500), null),
                new PrintWriter(banner, true))) {
            Matcher export = Pattern.compile("export VIGIL_URL=(\\S+) VIGIL_TOKEN=(\\S+)").matcher(banner.toString());
            assertThat(export.find()).as(banner.toString()).isTrue();
            environment.put("VIGIL_URL", export.group(1));
            environment.put("VIGIL_TOKEN", export.group(2));

            CliRun elsewhere = vigil("mig", "set", "sim-a100-1", "all-1g.10gb", "--gpus", "0", "--reason",
                    "slices for the demo service", "--wait");
            assertThat(elsewhere.exit()).as(elsewhere.out() + elsewhere.err()).isZero();
            List<String> printed = banner.toString().lines().map(String::strip)
                    .filter(line -> line.startsWith("./vigil mig set ")).map(line -> line.replaceFirst("\\s+#.*", ""))
                    .toList();
            assertThat(printed).containsExactly("./vigil mig set sim-a100-2 all-disabled --gpus 6,7 --wait",
                    "./vigil mig set sim-a100-2 all-1g.10gb --gpus 6,7 --wait");
            CliRun whole = vigil((printed.get(0).substring("./vigil ".length()) + " --reason whole-GPUs-for-a-while")
                    .split(" "));
            assertThat(whole.exit()).as(whole.out() + whole.err()).isZero();
            JsonNode a1002 = json("mig", "show", "sim-a100-2", "-o", "json").get("gpus");
            assertThat(a1002.get(6).get("actual").asText()).isEqualTo("MIG off");
            assertThat(a1002.get(7).get("actual").asText()).isEqualTo("MIG off");

            String service = submitted(vigil("submit", "--name", "demo-serve", "--replicas", "4", "--mig-profile",
                    "1g.10gb", "--duration", "10m"));
            await(Duration.ofSeconds(20), () -> "running".equals(json("job", service, "-o", "json").get("state")
                    .asText()));
            assertThat(json("job", service, "-o", "json").get("placements").findValuesAsText("node"))
                    .containsOnly("sim-a100-1");

            CliRun back = vigil((printed.get(1).substring("./vigil ".length()) + " --reason slices-again").split(" "));
            assertThat(back.exit()).as(back.out() + back.err()).isZero();
            assertThat(json("mig", "show", "sim-a100-2", "-o", "json").get("gpus").get(7).get("actual").asText())
                    .isEqualTo("MIG on: 7×1g.10gb");
            JsonNode demo = json("job", service, "-o", "json");
            assertThat(demo.get("state").asText()).isEqualTo("running");
            assertThat(demo.get("attempts").asInt()).as("the service was not touched").isEqualTo(1);

            String slices = submitted(vigil("submit", "--name", "more-slices", "--replicas", "6", "--mig-profile",
                    "1g.10gb", "--duration", "10m"));
            await(Duration.ofSeconds(20), () -> "running".equals(json("job", slices, "-o", "json").get("state")
                    .asText()));
            assertThat(json("job", slices, "-o", "json").get("placements")).anySatisfy(p -> {
                assertThat(p.get("node").asText()).isEqualTo("sim-a100-2");
                assertThat(p.get("gpus").get(0).asInt()).isIn(6, 7);
            });
            CliRun node = vigil("node", "sim-a100-2");
            assertThat(node.out()).contains("MIG layouts (vigil mig show sim-a100-2):")
                    .containsPattern("(?m)^6  +all-1g\\.10gb  +success  ");
            List<String> audit = json("audit", "-o", "json").findValuesAsText("detail");
            assertThat(audit).contains("whole-GPUs-for-a-while", "slices-again");
        }
    }
}
