package dev.vigil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.api.Problem;
import dev.vigil.api.binding.Documents;
import dev.vigil.api.mig.GpuLayout;
import dev.vigil.api.mig.GpuMig;
import dev.vigil.api.mig.MigConfigSummary;
import dev.vigil.api.mig.MigPhase;
import dev.vigil.api.mig.MigProposal;
import dev.vigil.api.mig.MigSlot;
import dev.vigil.api.mig.NodeMig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The MIG commands ({@code mig configs|show|set|plan}) against a {@link StandInController} that
 * answers as the controller's MIG routes do: what each command asks (method, path, body), how it
 * prints the answers, and {@code set --wait} printing phase changes until the change ends.
 */
class MigCommandsTest {
    private static final Instant T0 = Instant.parse("2026-12-06T18:00:00Z");
    private static final String TOKEN = "vgl_0123456789_secret";
    private static final String H100 = "NVIDIA H100 80GB HBM3";
    private static final String SLICES = "MIG on: 1g.10gb@0, 1g.10gb@1, 1g.10gb@2, 1g.10gb@3, 1g.10gb@4, 1g.10gb@5, "
            + "1g.10gb@6";

    private StandInController controller;

    /** The commands see no environment: no VIGIL_URL, no context file. */
    @BeforeEach
    void start() throws Exception {
        ContextFile.environment = name -> null;
        controller = new StandInController();
    }

    @AfterEach
    void stop() {
        ContextFile.environment = System::getenv;
        controller.close();
    }

    // --- vigil mig configs ----------------------------------------------------------------------

    @Test
    void configsListsEachConfigOnEachModel() throws Exception {
        controller.answer("GET /v1/mig/configs", 200, List.of(
                new MigConfigSummary("all-disabled", List.of(new MigConfigSummary.ModelLayout("any", "MIG off"))),
                new MigConfigSummary("all-3g.40gb", List.of(
                        new MigConfigSummary.ModelLayout("A100-80GB", "MIG on: 2×3g.40gb"),
                        new MigConfigSummary.ModelLayout("H100-80GB", "MIG on: 2×3g.40gb")))));

        CliRun configs = vigil("mig", "configs");

        assertThat(configs.exit()).as(configs.err()).isZero();
        assertThat(configs.out().lines()).satisfiesExactly(
                line -> assertThat(line).matches("NAME +MODEL +LAYOUT"),
                line -> assertThat(line).matches("all-disabled +any +MIG off"),
                line -> assertThat(line).matches("all-3g.40gb +A100-80GB +MIG on: 2×3g.40gb"),
                line -> assertThat(line).matches("all-3g.40gb +H100-80GB +MIG on: 2×3g.40gb"));
        assertThat(controller.requests()).extracting(StandInController.Request::method, StandInController.Request::path,
                        StandInController.Request::authorization)
                .containsExactly(tuple("GET", "/v1/mig/configs", "Bearer " + TOKEN));
    }

    @Test
    void configsAsJsonIsTheAnswerAsItIs() throws Exception {
        controller.answer("GET /v1/mig/configs", 200, List.of(new MigConfigSummary("all-disabled",
                List.of(new MigConfigSummary.ModelLayout("any", "MIG off")))));

        JsonNode json = json(vigil("mig", "configs", "-o", "json"));

        assertThat(json.get(0).get("name").asText()).isEqualTo("all-disabled");
        assertThat(json.get(0).get("layouts").get(0).get("layout").asText()).isEqualTo("MIG off");
    }

    // --- vigil mig show -------------------------------------------------------------------------

    @Test
    void showANodePrintsEachGpuWithWhatItsChangeWaitsForAndWhenThatTimesOut() throws Exception {
        controller.answer("GET /v1/nodes/gpu-017/mig", 200, new NodeMig("gpu-017", List.of(
                new GpuLayout(0, H100, true, "MIG off", null),
                new GpuLayout(6, H100, true, "MIG off", change(6, MigPhase.DRAINING, "waits for j-000042 (not "
                        + "preemptible)", T0.plusSeconds(1800))),
                new GpuLayout(7, H100, true, "MIG off", change(7, MigPhase.FAILED, "refused: pids 4121 use GPU 7",
                        null)))));

        CliRun show = vigil("mig", "show", "gpu-017");

        assertThat(show.exit()).as(show.err()).isZero();
        assertThat(show.out().lines()).satisfiesExactly(
                line -> assertThat(line).matches("GPU +MODEL +NOW +CONFIG +PHASE +SINCE +MESSAGE"),
                line -> assertThat(line).matches("0 +" + H100 + " +MIG off +- +- +- +-"),
                line -> assertThat(line).matches("6 +" + H100 + " +MIG off +all-1g.10gb +draining +\\d+[smhd] ago +"
                        + "waits for j-000042 \\(not preemptible\\) \\(times out 2026-12-06T18:30:00Z\\)"),
                line -> assertThat(line).matches("7 +" + H100 + " +MIG off +all-1g.10gb +failed +\\d+[smhd] ago +"
                        + "refused: pids 4121 use GPU 7"));
        assertThat(controller.requests()).extracting(StandInController.Request::path)
                .containsExactly("/v1/nodes/gpu-017/mig");
    }

    @Test
    void showWithoutANodeListsEveryNodesMigCapableGpus() throws Exception {
        controller.answer("GET /v1/mig", 200, List.of(
                new NodeMig("gpu-017", List.of(new GpuLayout(6, H100, true, SLICES,
                        change(6, MigPhase.SUCCESS, "applied", null)))),
                new NodeMig("l40s-1", List.of(new GpuLayout(0, "NVIDIA L40S", false, "MIG off", null)))));

        CliRun show = vigil("mig", "show");

        assertThat(show.exit()).as(show.err()).isZero();
        assertThat(show.out().lines()).satisfiesExactly(
                line -> assertThat(line).matches("NODE +GPU +MODEL +NOW +CONFIG +PHASE +SINCE +MESSAGE"),
                line -> assertThat(line).matches("gpu-017 +6 +" + H100 + " +MIG on: 1g.10gb@0, .* +all-1g.10gb +"
                        + "success +\\d+[smhd] ago +applied"));
    }

    @Test
    void anUnknownNodeIsExitStatus2NamingIt() throws Exception {
        controller.problem("GET /v1/nodes/gpu-999/mig", Problem.of(404, "/problems/not-found", "Not found",
                "no node gpu-999", "/v1/nodes/gpu-999/mig"));

        CliRun show = vigil("mig", "show", "gpu-999");

        assertThat(show.exit()).isEqualTo(2);
        assertThat(show.err()).isEqualTo("vigil mig show: 404 Not found: no node gpu-999\n");
    }

    // --- vigil mig set --------------------------------------------------------------------------

    @Test
    void setPutsTheRequestForTheNodeAndPrintsItsGpus() throws Exception {
        controller.answer("PUT /v1/nodes/gpu-017/mig", 200, new NodeMig("gpu-017", List.of(
                new GpuLayout(6, H100, true, "MIG off", change(6, MigPhase.DRAINING, "waits for j-000042",
                        T0.plusSeconds(1800))),
                new GpuLayout(7, H100, true, "MIG off", change(7, MigPhase.APPLYING, "sent to the agent",
                        T0.plusSeconds(300))))));

        CliRun set = vigil("mig", "set", "gpu-017", "all-1g.10gb", "--gpus", "6,7", "--drain-timeout", "30m", "--force",
                "--reason", "inference slices, OPS-1234");

        assertThat(set.exit()).as(set.err()).isZero();
        assertThat(controller.requests()).extracting(StandInController.Request::method, StandInController.Request::path)
                .containsExactly(tuple("PUT", "/v1/nodes/gpu-017/mig"));
        assertThat(Documents.json().readTree(controller.requests().get(0).body())).isEqualTo(Documents.json().readTree(
                "{\"config\": \"all-1g.10gb\", \"gpus\": [6, 7], \"drainTimeout\": \"30m\", \"force\": true, "
                        + "\"reason\": \"inference slices, OPS-1234\"}"));
        assertThat(set.out()).startsWith("GPU  ")
                .containsPattern("(?m)^6 +" + H100 + " +MIG off +all-1g.10gb +draining +.* +waits for j-000042 "
                        + "\\(times out 2026-12-06T18:30:00Z\\)$")
                .containsPattern("(?m)^7 +" + H100 + " +MIG off +all-1g.10gb +applying +")
                .endsWith("\nWhere it is: vigil mig show gpu-017\n");
    }

    @Test
    void setWithoutOptionsAsksForEveryGpuAndTheControllersDefaults() throws Exception {
        controller.answer("PUT /v1/nodes/gpu-017/mig", 200, new NodeMig("gpu-017", List.of()));

        CliRun set = vigil("mig", "set", "gpu-017", "all-disabled");

        assertThat(set.exit()).as(set.err()).isZero();
        JsonNode body = Documents.json().readTree(controller.requests().get(0).body());
        assertThat(body.get("config").asText()).isEqualTo("all-disabled");
        assertThat(body.get("gpus")).as("every GPU").hasSize(0);
        assertThat(body.get("force").asBoolean()).isFalse();
        assertThat(body.path("drainTimeout").isMissingNode() || body.get("drainTimeout").isNull()).isTrue();
    }

    @Test
    void setForAPoolPutsToThePoolAndPrintsEveryNode() throws Exception {
        controller.answer("PUT /v1/pools/inference/mig", 200, List.of(
                new NodeMig("gpu-017", List.of(new GpuLayout(0, H100, true, "MIG off",
                        change(0, MigPhase.PENDING, "gpu-017's agent is not reporting", T0.plusSeconds(600))))),
                new NodeMig("gpu-018", List.of(new GpuLayout(0, H100, true, "MIG off",
                        change(0, MigPhase.APPLYING, "sent to the agent", T0.plusSeconds(300)))))));

        CliRun set = vigil("mig", "set", "--pool", "inference", "all-balanced", "--reason", "mixed sizes");

        assertThat(set.exit()).as(set.err()).isZero();
        assertThat(controller.requests()).extracting(StandInController.Request::method, StandInController.Request::path)
                .containsExactly(tuple("PUT", "/v1/pools/inference/mig"));
        assertThat(Documents.json().readTree(controller.requests().get(0).body()).get("config").asText())
                .isEqualTo("all-balanced");
        assertThat(set.out()).startsWith("NODE  ")
                .containsPattern("(?m)^gpu-017 +0 +" + H100 + " +MIG off +all-1g.10gb +pending +")
                .containsPattern("(?m)^gpu-018 +0 +" + H100 + " +MIG off +all-1g.10gb +applying +");
    }

    @Test
    void setWaitPrintsEachPhaseChangeUntilTheChangeSucceeds() throws Exception {
        String node = "/v1/nodes/gpu-017/mig";
        controller.answer("PUT " + node, 200, twoGpus(MigPhase.DRAINING, "waits for j-000042", MigPhase.SUCCESS))
                .answer("GET " + node, 200, twoGpus(MigPhase.DRAINING, "waits for j-000042", MigPhase.SUCCESS))
                .answer("GET " + node, 200, twoGpus(MigPhase.APPLYING, "sent to the agent", MigPhase.SUCCESS))
                .answer("GET " + node, 200, twoGpus(MigPhase.APPLYING, "sent to the agent", MigPhase.SUCCESS))
                .answer("GET " + node, 200, twoGpus(MigPhase.SUCCESS, "applied: 7×1g.10gb", MigPhase.SUCCESS));

        CliRun set = vigil("mig", "set", "gpu-017", "all-1g.10gb", "--gpus", "6,7", "--wait");

        assertThat(set.exit()).as(set.err()).isZero();
        assertThat(set.err()).isEmpty();
        List<String> lines = set.out().lines().toList();
        assertThat(lines.subList(lines.indexOf("") + 1, lines.size())).satisfiesExactly(
                line -> assertThat(line).matches("TIME +NODE +GPU +PHASE +MESSAGE"),
                line -> assertThat(line).matches("2026-12-06T18:00:00Z +gpu-017 +6 +draining +waits for j-000042 "
                        + "\\(times out 2026-12-06T18:30:00Z\\)"),
                line -> assertThat(line).matches("2026-12-06T18:00:00Z +gpu-017 +7 +success +already in the layout"),
                line -> assertThat(line).matches("2026-12-06T18:00:00Z +gpu-017 +6 +applying +sent to the agent "
                        + "\\(times out 2026-12-06T18:30:00Z\\)"),
                line -> assertThat(line).matches("2026-12-06T18:00:00Z +gpu-017 +6 +success +applied: 7×1g.10gb"));
        assertThat(controller.requests()).extracting(StandInController.Request::method).containsExactly("PUT", "GET",
                "GET", "GET", "GET");
    }

    @Test
    void setWaitExits1NamingTheGpuThatFailedAndWhy() throws Exception {
        String node = "/v1/nodes/gpu-017/mig";
        controller.answer("PUT " + node, 200, twoGpus(MigPhase.DRAINING, "waits for j-000042", MigPhase.SUCCESS))
                .answer("GET " + node, 200, twoGpus(MigPhase.FAILED, "drain timed out after 30m: j-000042 still "
                        + "runs (--force requeues it)", MigPhase.SUCCESS));

        CliRun set = vigil("mig", "set", "gpu-017", "all-1g.10gb", "--gpus", "6,7", "--wait");

        assertThat(set.exit()).isEqualTo(1);
        assertThat(set.out()).containsPattern("(?m)^\\S+Z +gpu-017 +6 +failed +drain timed out after 30m");
        assertThat(set.err()).isEqualTo("vigil mig set: GPU 6 of gpu-017 failed: drain timed out after 30m: j-000042 "
                + "still runs (--force requeues it)\n");
    }

    @Test
    void setWaitEndsWhenSomeoneAsksTheGpuForAnotherConfigAndSaysSo() throws Exception {
        String node = "/v1/nodes/gpu-017/mig";
        GpuMig other = new GpuMig(6, "all-disabled", false, List.of(), MigPhase.DRAINING, "waits for j-000042", T0,
                T0.plusSeconds(600), false, "bob", 0);
        controller.answer("PUT " + node, 200, twoGpus(MigPhase.DRAINING, "waits for j-000042", MigPhase.SUCCESS))
                .answer("GET " + node, 200, new NodeMig("gpu-017", List.of(new GpuLayout(6, H100, true, "MIG off",
                        other), new GpuLayout(7, H100, true, SLICES, change(7, MigPhase.SUCCESS, "applied", null)))));

        CliRun set = vigil("mig", "set", "gpu-017", "all-1g.10gb", "--gpus", "6,7", "--wait");

        assertThat(set.exit()).isEqualTo(1);
        assertThat(set.err()).isEqualTo("vigil mig set: GPU 6 of gpu-017 replaced: the GPU was asked for all-disabled "
                + "since\n");
        assertThat(controller.requests()).hasSize(2);
    }

    @Test
    void setWaitForAPoolFollowsEveryNodeWithAChange() throws Exception {
        controller.answer("PUT /v1/pools/inference/mig", 200, List.of(
                        new NodeMig("gpu-017", List.of(new GpuLayout(0, H100, true, "MIG off",
                                change(0, MigPhase.APPLYING, "sent to the agent", T0.plusSeconds(300))))),
                        new NodeMig("gpu-018", List.of(new GpuLayout(0, H100, true, SLICES,
                                change(0, MigPhase.SUCCESS, "already in the layout", null))))))
                .answer("GET /v1/nodes/gpu-017/mig", 200, new NodeMig("gpu-017", List.of(new GpuLayout(0, H100, true,
                        SLICES, change(0, MigPhase.SUCCESS, "applied", null)))))
                .answer("GET /v1/nodes/gpu-018/mig", 200, new NodeMig("gpu-018", List.of(new GpuLayout(0, H100, true,
                        SLICES, change(0, MigPhase.SUCCESS, "already in the layout", null)))));

        CliRun set = vigil("mig", "set", "--pool", "inference", "all-1g.10gb", "--wait");

        assertThat(set.exit()).as(set.err()).isZero();
        assertThat(set.out()).containsPattern("(?m)^\\S+Z +gpu-017 +0 +applying +sent to the agent")
                .containsPattern("(?m)^\\S+Z +gpu-018 +0 +success +already in the layout$")
                .containsPattern("(?m)^\\S+Z +gpu-017 +0 +success +applied$");
        assertThat(controller.requests()).extracting(StandInController.Request::path).containsExactly(
                "/v1/pools/inference/mig", "/v1/nodes/gpu-017/mig", "/v1/nodes/gpu-018/mig");
    }

    @Test
    void setWaitAsJsonPrintsTheNodeOncePerChange() throws Exception {
        String node = "/v1/nodes/gpu-017/mig";
        controller.answer("PUT " + node, 200, twoGpus(MigPhase.APPLYING, "sent to the agent", MigPhase.SUCCESS))
                .answer("GET " + node, 200, twoGpus(MigPhase.APPLYING, "sent to the agent", MigPhase.SUCCESS))
                .answer("GET " + node, 200, twoGpus(MigPhase.SUCCESS, "applied", MigPhase.SUCCESS));

        CliRun set = vigil("mig", "set", "gpu-017", "all-1g.10gb", "--wait", "-o", "json");

        assertThat(set.exit()).as(set.err()).isZero();
        List<String> phases = new ArrayList<>();
        for (String line : set.out().lines().toList()) {
            phases.add(Documents.json().readTree(line).get("gpus").get(0).get("change").get("phase").asText());
        }
        assertThat(phases).containsExactly("applying", "success");
    }

    @Test
    void whatCannotBeAskedIsExitStatus2BeforeAnythingIsSent() {
        CliRun noConfig = vigil("mig", "set", "gpu-017");
        CliRun poolAndNode = vigil("mig", "set", "--pool", "inference", "gpu-017", "all-balanced");
        CliRun badTimeout = vigil("mig", "set", "gpu-017", "all-balanced", "--drain-timeout", "soon");
        CliRun twice = vigil("mig", "set", "gpu-017", "all-balanced", "--gpus", "6,6");
        CliRun notANumber = vigil("mig", "set", "gpu-017", "all-balanced", "--gpus", "six");

        assertThat(List.of(noConfig, poolAndNode, badTimeout, twice, notANumber)).extracting(CliRun::exit)
                .containsOnly(2);
        assertThat(noConfig.err()).isEqualTo("vigil mig set: give the node and the config: vigil mig set NODE CONFIG "
                + "(or --pool POOL CONFIG)\n");
        assertThat(poolAndNode.err()).isEqualTo("vigil mig set: with --pool, give the config only: vigil mig set "
                + "--pool POOL CONFIG\n");
        assertThat(badTimeout.err()).startsWith("vigil mig set: --drain-timeout: \"soon\" is not allowed (allowed: "
                + "a duration with a unit");
        assertThat(twice.err()).startsWith("vigil mig set: --gpus: \"[6, 6]\" is not allowed (allowed: each GPU "
                + "index once)");
        assertThat(notANumber.err()).startsWith("vigil mig set: --gpus: \"six\" is not allowed (allowed: N,N)");
        assertThat(controller.requests()).isEmpty();
    }

    @Test
    void aConfigTheControllerRefusesIsExitStatus2WithItsReason() throws Exception {
        controller.problem("PUT /v1/nodes/gpu-017/mig", new Problem("/problems/invalid-input", "Invalid input", 400,
                "config: \"all-2g\" is not allowed (allowed: all-disabled, all-1g.10gb, all-3g.40gb, all-balanced)",
                "/v1/nodes/gpu-017/mig", "config", "all-2g", "all-disabled, all-1g.10gb, all-3g.40gb, all-balanced"));

        CliRun set = vigil("mig", "set", "gpu-017", "all-2g");

        assertThat(set.exit()).isEqualTo(2);
        assertThat(set.err()).isEqualTo("vigil mig set: 400 Invalid input: config: \"all-2g\" is not allowed "
                + "(allowed: all-disabled, all-1g.10gb, all-3g.40gb, all-balanced)\n");
    }

    // --- vigil mig plan -------------------------------------------------------------------------

    @Test
    void planPrintsEachProposalAndTheCommandThatAppliesIt() throws Exception {
        controller.answer("GET /v1/mig/plan", 200, List.of(new MigProposal("gpu-017", List.of(4, 5), "current",
                "all-1g.10gb", "3 jobs wait for 12×1g.10gb (oldest 14m); GPUs 4-5 idle whole", 12)));

        CliRun plan = vigil("mig", "plan");

        assertThat(plan.exit()).as(plan.err()).isZero();
        assertThat(plan.out().lines()).satisfiesExactly(
                line -> assertThat(line).matches("NODE +GPUS +FROM +TO +SERVES +WHY"),
                line -> assertThat(line).matches("gpu-017 +4,5 +current +all-1g.10gb +12 +3 jobs wait for 12×1g.10gb "
                        + "\\(oldest 14m\\); GPUs 4-5 idle whole"),
                line -> assertThat(line).isEmpty(),
                line -> assertThat(line).isEqualTo("Apply:"),
                line -> assertThat(line).isEqualTo("  vigil mig set gpu-017 all-1g.10gb --gpus 4,5 --reason "
                        + "\"vigil mig plan\""));
    }

    @Test
    void anEmptyPlanSaysSo() throws Exception {
        controller.answer("GET /v1/mig/plan", 200, List.of());

        CliRun plan = vigil("mig", "plan");

        assertThat(plan.exit()).as(plan.err()).isZero();
        assertThat(plan.out()).isEqualTo("No proposals: no waiting work would start sooner with another layout on "
                + "idle GPUs.\n");
    }

    // --- helpers --------------------------------------------------------------------------------

    private static GpuMig change(int gpu, MigPhase phase, String message, Instant deadline) {
        List<MigSlot> slots = IntStream.range(0, 7).mapToObj(start -> new MigSlot("1g.10gb", start)).toList();
        return new GpuMig(gpu, "all-1g.10gb", true, slots, phase, message, T0, deadline, false, "alice", 0);
    }

    /** gpu-017 with GPU 6 changing and GPU 7 already in the layout. */
    private static NodeMig twoGpus(MigPhase six, String message, MigPhase seven) {
        return new NodeMig("gpu-017", List.of(
                new GpuLayout(6, H100, true, "MIG off", change(6, six, message, T0.plusSeconds(1800))),
                new GpuLayout(7, H100, true, SLICES, change(7, seven, "already in the layout", null))));
    }

    private CliRun vigil(String... args) {
        CommandLine cli = Vigil.commandLine();
        MigSetCommand set = cli.getSubcommands().get("mig").getSubcommands().get("set").getCommand();
        set.poll = Duration.ofMillis(1);
        String[] all = Stream.concat(Arrays.stream(args), Stream.of("--url", controller.url(), "--token", TOKEN))
                .toArray(String[]::new);
        return CliRun.execute(cli, all);
    }

    private static JsonNode json(CliRun run) throws Exception {
        assertThat(run.exit()).as(run.err()).isZero();
        return Documents.json().readTree(run.out());
    }
}
