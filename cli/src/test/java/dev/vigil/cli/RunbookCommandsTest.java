package dev.vigil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.api.Problem;
import dev.vigil.api.binding.Documents;
import dev.vigil.api.runbooks.AutomationStatus;
import dev.vigil.api.runbooks.RunRecord;
import dev.vigil.api.runbooks.RunState;
import dev.vigil.api.runbooks.RunTarget;
import dev.vigil.api.runbooks.RunbookSummary;
import dev.vigil.api.runbooks.StepRecord;
import dev.vigil.api.runbooks.StepState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The runbook commands ({@code runbooks}, {@code runbook run}, {@code runs}, {@code run}) against
 * a {@link StandInController} that answers as the controller's runbook routes do: what each
 * command asks (method, path, body), how it prints the answers, problems and exit statuses, and
 * {@code run --follow} printing step changes in order until the run ends.
 */
class RunbookCommandsTest {
    private static final Instant T0 = Instant.parse("2026-12-06T18:00:00Z");
    private static final String TOKEN = "vgl_0123456789_secret";

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

    // --- vigil runbooks -------------------------------------------------------------------------

    @Test
    void runbooksListsEachRunbookThenWhetherAutomationIsActive() throws Exception {
        controller.answer("GET /v1/runbooks", 200, List.of(
                        summary("gpu-fallen-off-bus", "alert GpuXidFatal{xid=79}", "node", "active", 1,
                                "drain", "reboot", "wait", "health-check", "uncordon"),
                        summary("capacity-report", "cron 0 0 6 ? * MON", "fleet", "dry-run", 0, "notify")))
                .answer("GET /v1/runbooks/automation", 200, new AutomationStatus(false, null, T0, 1, 2, 0, 2));

        CliRun runbooks = vigil("runbooks");

        assertThat(runbooks.exit()).as(runbooks.err()).isZero();
        assertThat(runbooks.out()).startsWith("NAME  ")
                .containsPattern("(?m)^NAME +TRIGGER +TARGET +MODE +STEPS +RUNNING$")
                .containsPattern("(?m)^gpu-fallen-off-bus  +alert GpuXidFatal\\{xid=79}  +node  +active  +drain, "
                        + "reboot, wait, health-check, uncordon  +1$")
                .containsPattern("(?m)^capacity-report  +cron 0 0 6 \\? \\* MON  +fleet  +dry-run  +notify  +0$")
                .endsWith("\nAutomation: active; in remediation 1/2 nodes; recent cordons 0/2\n");
        assertThat(controller.requests()).extracting(StandInController.Request::method, StandInController.Request::path,
                        StandInController.Request::authorization)
                .containsExactly(tuple("GET", "/v1/runbooks", "Bearer " + TOKEN),
                        tuple("GET", "/v1/runbooks/automation", "Bearer " + TOKEN));
    }

    @Test
    void haltedAutomationSaysWhySinceWhenAndHowToResume() throws Exception {
        controller.answer("GET /v1/runbooks", 200, List.of())
                .answer("GET /v1/runbooks/automation", 200, new AutomationStatus(true,
                        "5 nodes cordoned within 10m (more than 2)", T0, 0, 1, 5, 2));

        CliRun runbooks = vigil("runbooks");

        assertThat(runbooks.exit()).as(runbooks.err()).isZero();
        assertThat(runbooks.out()).startsWith("No runbooks: the controller reads them from its runbook files at start "
                        + "and on 'vigil runbooks reload'.\n")
                .contains("Automation: HALTED; in remediation 0/1 nodes; recent cordons 5/2\n")
                .containsPattern("(?m)^  halted 2026-12-06T18:00:00Z \\(\\d+[smhd] ago\\): 5 nodes cordoned within 10m "
                        + "\\(more than 2\\)$")
                .endsWith("  no run starts until an operator resumes: vigil runbooks resume --reason TEXT\n");
    }

    @Test
    void runbooksAsJsonIsBothAnswersAsTheyAre() throws Exception {
        controller.answer("GET /v1/runbooks", 200, List.of(summary("rma", "alert GpuRowRemapFailure", "gpu",
                        "active", 0, "cordon", "notify")))
                .answer("GET /v1/runbooks/automation", 200, new AutomationStatus(false, null, T0, 0, 1, 1, 2));

        JsonNode json = json(vigil("runbooks", "-o", "json"));

        assertThat(json.get("runbooks").get(0).get("file").asText()).isEqualTo("conf/runbooks/rma.yaml");
        assertThat(json.get("runbooks").get(0).get("steps").toString()).isEqualTo("[\"cordon\",\"notify\"]");
        assertThat(json.get("automation").get("recentCordons").asInt()).isEqualTo(1);
        assertThat(json.get("automation").get("since").asText()).isEqualTo("2026-12-06T18:00:00Z");
    }

    @Test
    void reloadPostsTheReasonAndListsWhatTheControllerNowHas() throws Exception {
        controller.answer("POST /v1/runbooks/reload", 200, List.of(summary("thermal", "alert GpuTemperatureHigh",
                "node", "active", 0, "cordon", "notify")));

        CliRun reload = vigil("runbooks", "reload");
        CliRun withReason = vigil("runbooks", "reload", "--reason", "thermal: page the facilities team");

        assertThat(reload.exit()).as(reload.err()).isZero();
        assertThat(reload.out()).startsWith("Reloaded: 1 runbook\nNAME  ")
                .containsPattern("(?m)^thermal  +alert GpuTemperatureHigh  +node  +active  +cordon, notify  +0$");
        assertThat(withReason.exit()).as(withReason.err()).isZero();
        assertThat(controller.requests()).extracting(StandInController.Request::body).containsExactly(
                "{\"reason\":\"runbook files changed\"}", "{\"reason\":\"thermal: page the facilities team\"}");
    }

    @Test
    void aRunbookFileTheControllerRefusesIsOneLineNamingFileFieldAndValue() throws Exception {
        controller.problem("POST /v1/runbooks/reload", new Problem("/problems/invalid-input", "Invalid input", 400,
                "conf/runbooks/nvlink.yaml: steps[2].kind: \"reboto\" is not allowed (allowed: cordon, uncordon, "
                        + "drain, wait, gpu-reset, reboot, power-cycle, health-check, notify, approve, exec)",
                "/v1/runbooks/reload", "steps[2].kind", "reboto", "a step kind"));

        CliRun reload = vigil("runbooks", "reload");

        assertThat(reload.exit()).isEqualTo(2);
        assertThat(reload.out()).isEmpty();
        assertThat(reload.err()).isEqualTo("vigil runbooks reload: 400 Invalid input: conf/runbooks/nvlink.yaml: "
                + "steps[2].kind: \"reboto\" is not allowed (allowed: cordon, uncordon, drain, wait, gpu-reset, "
                + "reboot, power-cycle, health-check, notify, approve, exec)\n");
    }

    @Test
    void resumeNeedsAReasonAndPrintsTheAutomationItLeft() throws Exception {
        controller.answer("POST /v1/runbooks/resume", 200, new AutomationStatus(false, "resumed by alice: rack B7 "
                + "power restored", T0, 0, 1, 0, 2));

        CliRun noReason = vigil("runbooks", "resume");
        CliRun resume = vigil("runbooks", "resume", "--reason", "rack B7 power restored");

        assertThat(noReason.exit()).isEqualTo(2);
        assertThat(noReason.err()).startsWith("vigil runbooks resume: missing required option: '--reason=TEXT'");
        assertThat(resume.exit()).as(resume.err()).isZero();
        assertThat(resume.out()).isEqualTo("Automation: active; in remediation 0/1 nodes; recent cordons 0/2\n");
        assertThat(controller.requests()).singleElement().satisfies(request -> {
            assertThat(request.method() + " " + request.path()).isEqualTo("POST /v1/runbooks/resume");
            assertThat(request.body()).isEqualTo("{\"reason\":\"rack B7 power restored\"}");
        });
    }

    // --- vigil runbook run ----------------------------------------------------------------------

    @Test
    void runbookRunSendsTheTargetAndPrintsTheRunsIdAndHowToFollowIt() throws Exception {
        RunRecord queued = run("run-12", "gpu-reset-needed", new RunTarget("gpu-017", 3), true, RunState.QUEUED,
                "waiting for the fleet-wide limit (1 of 1 nodes in remediation)", 0,
                List.of(StepRecord.pending("drain", "drain"), StepRecord.pending("gpu-reset", "gpu-reset")));
        controller.answer("POST /v1/runbooks/gpu-reset-needed/runs", 201, queued);

        CliRun start = vigil("runbook", "run", "gpu-reset-needed", "--node", "gpu-017", "--gpu", "3", "--dry-run",
                "--reason", "ECC DBE, ticket OPS-1234");
        CliRun plain = vigil("runbook", "run", "gpu-reset-needed", "--node", "gpu-017");

        assertThat(start.exit()).as(start.err()).isZero();
        assertThat(start.out()).isEqualTo("run run-12 of gpu-reset-needed on gpu-017 gpu 3: queued (dry run: changes "
                + "nothing)\n  follow it: vigil run run-12 --follow\n");
        assertThat(plain.exit()).as(plain.err()).isZero();
        assertThat(controller.requests()).extracting(StandInController.Request::body).containsExactly(
                "{\"node\":\"gpu-017\",\"gpu\":3,\"dryRun\":true,\"reason\":\"ECC DBE, ticket OPS-1234\"}",
                "{\"node\":\"gpu-017\"}");
        assertThat(json(vigil("runbook", "run", "gpu-reset-needed", "--node", "gpu-017", "-o", "json")).get("id")
                .asText()).isEqualTo("run-12");
    }

    @Test
    void aRefusedRunSaysWhyWithTheOptionToFixAndTheExitStatusOfItsKind() throws Exception {
        controller.problem("POST /v1/runbooks/gpu-reset-needed/runs", invalid("gpu", "9", "a GPU of gpu-017: 0 to 7"))
                .problem("POST /v1/runbooks/nvlink-degraded/runs", invalid("dryRun", "1", "true or false"))
                .problem("POST /v1/runbooks/no-such/runs", new Problem("/problems/not-found", "Not found", 404,
                        "no runbook no-such ('vigil runbooks' lists them)", "/v1/runbooks/no-such/runs", null, null, null))
                .problem("POST /v1/runbooks/gpu-fallen-off-bus/runs", new Problem("/problems/automation-halted",
                        "Conflict", 409, "automation is halted: 5 nodes cordoned within 10m", "", null, null, null));

        CliRun badGpu = vigil("runbook", "run", "gpu-reset-needed", "--node", "gpu-017", "--gpu", "9");
        CliRun badDryRun = vigil("runbook", "run", "nvlink-degraded", "--node", "gpu-017", "--dry-run");
        CliRun unknown = vigil("runbook", "run", "no-such", "--node", "gpu-017");
        CliRun halted = vigil("runbook", "run", "gpu-fallen-off-bus", "--node", "gpu-017");
        CliRun fleet = vigil("runbook", "run", "capacity-report");

        assertThat(badGpu.exit()).isEqualTo(2);
        assertThat(badGpu.err()).isEqualTo("vigil runbook run: 400 Invalid input: gpu: \"9\" is not allowed "
                + "(allowed: a GPU of gpu-017: 0 to 7) (--gpu)\n");
        assertThat(badDryRun.err()).endsWith(" (--dry-run)\n");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).isEqualTo("vigil runbook run: 404 Not found: no runbook no-such ('vigil runbooks' "
                + "lists them)\n");
        assertThat(halted.exit()).isEqualTo(1);
        assertThat(halted.err()).isEqualTo("vigil runbook run: 409 Conflict: automation is halted: 5 nodes cordoned "
                + "within 10m\n");
        assertThat(controller.requests()).hasSize(5);
        assertThat(controller.requests().get(4).path()).isEqualTo("/v1/runbooks/capacity-report/runs");
        assertThat(controller.requests().get(4).body()).as("a fleet runbook names no node").doesNotContain("node");
        assertThat(fleet.err()).doesNotContain("--node");
    }

    // --- vigil runs -----------------------------------------------------------------------------

    @Test
    void runsAsksWithTheFiltersAndShowsEachRunsStepWhereItIsOrStoppedAndWhenOlderOnesMayBeLeftOut() throws Exception {
        List<StepRecord> running = List.of(
                step("drain", StepState.SUCCEEDED, 1, 0, 2, "requeued j-000042"),
                step("reboot", StepState.RUNNING, 1, 2, null, null),
                StepRecord.pending("wait", "wait"));
        List<StepRecord> failed = List.of(
                step("drain", StepState.SUCCEEDED, 1, 0, 2, "requeued j-000042"),
                step("reboot", StepState.FAILED, 3, 2, 90, "the agent did not answer"),
                step("wait", StepState.SKIPPED, 0, null, 90, null));
        List<StepRecord> succeeded = List.of(
                step("drain", StepState.SUCCEEDED, 1, 0, 2, "would requeue j-000042"),
                step("reboot", StepState.SUCCEEDED, 1, 2, 3, "would reboot"),
                step("wait", StepState.SUCCEEDED, 1, 3, 4, "would wait"));
        List<RunRecord> newestFirst = List.of(
                        run("run-12", "gpu-fallen-off-bus", new RunTarget("gpu-017", null), false, RunState.RUNNING,
                                "step 2 of 3: reboot", 1, running),
                        run("run-11", "gpu-reset-needed", new RunTarget("gpu-009", 5), false, RunState.FAILED,
                                "reboot failed", 3, failed),
                        run("run-10", "gpu-fallen-off-bus", new RunTarget("gpu-001", null), true, RunState.SUCCEEDED,
                                "all steps done", 3, succeeded));
        controller.answer("GET /v1/runs?state=running%2Cqueued&runbook=gpu-fallen-off-bus&node=gpu-017", 200, List.of())
                .answer("GET /v1/runs", 200, newestFirst)
                .answer("GET /v1/runs?limit=3", 200, newestFirst);

        CliRun filtered = vigil("runs", "--state", "running,queued", "--runbook", "gpu-fallen-off-bus",
                "--node", "gpu-017");
        CliRun runs = vigil("runs");
        CliRun limited = vigil("runs", "--limit", "3");

        assertThat(filtered.exit()).as(filtered.err()).isZero();
        assertThat(filtered.out()).isEqualTo("No runs match.\n");
        assertThat(runs.exit()).as(runs.err()).isZero();
        assertThat(runs.out().lines()).hasSize(4);
        assertThat(runs.out()).containsPattern("(?m)^ID +RUNBOOK +TARGET +STATE +STEP +UPDATED +DRY-RUN$")
                .containsPattern("(?m)^run-12  +gpu-fallen-off-bus  +gpu-017  +running  +2/3 reboot  +\\d+[smhd] ago  +no$")
                .containsPattern("(?m)^run-11  +gpu-reset-needed  +gpu-009 gpu 5  +failed  +2/3 reboot  +\\d+[smhd] ago  +no$")
                .containsPattern("(?m)^run-10  +gpu-fallen-off-bus  +gpu-001  +succeeded  +3/3 wait  +\\d+[smhd] ago  +yes$");
        assertThat(runs.err()).isEmpty();
        assertThat(limited.out().lines()).hasSize(4);
        assertThat(limited.err()).isEqualTo("(older runs may not be shown: --limit N shows more)\n");
    }

    @Test
    void noRunsYetSaysHowToStartOne() throws Exception {
        controller.answer("GET /v1/runs", 200, List.of());
        CliRun runs = vigil("runs");
        assertThat(runs.out()).isEqualTo("No runs yet: 'vigil runbooks' lists the runbooks, 'vigil runbook run NAME "
                + "--node NODE' starts one by hand.\n");
    }

    @Test
    void aRunThatEndedBeforeAnyStepIsAtNoneOfThemAndOneWithoutStepsHasNoPosition() {
        List<StepRecord> none = List.of(step("drain", StepState.SKIPPED, 0, null, 1, null),
                step("reboot", StepState.SKIPPED, 0, null, 1, null));
        assertThat(RunsCommand.position(run("run-3", "r", new RunTarget("n", null), false, RunState.ABORTED,
                "aborted", 2, none))).isEqualTo("0/2");
        assertThat(RunsCommand.position(run("run-4", "r", new RunTarget("n", null), false, RunState.SUCCEEDED,
                "nothing to do", 0, List.of()))).isNull();
    }

    // --- vigil run ID -----------------------------------------------------------------------------

    @Test
    void runShowsTheRunThenEachStepWithItsTimesAttemptsAndOutput() throws Exception {
        RunRecord run = run("run-12", "gpu-fallen-off-bus", new RunTarget("gpu-017", null), false, RunState.RUNNING,
                "step 2 of 3: reboot", 1, List.of(
                        step("drain-node", "drain", StepState.SUCCEEDED, 1, 0, 2, "requeued j-000042", null),
                        step("reboot", "reboot", StepState.RUNNING, 1, 2, null, "the agent did not answer", 40),
                        StepRecord.pending("wait", "wait")));
        controller.answer("GET /v1/runs/run-12", 200, run);

        CliRun shown = vigil("run", "run-12");

        assertThat(shown.exit()).as(shown.err()).isZero();
        assertThat(shown.out()).startsWith("Run run-12 (gpu-fallen-off-bus) on gpu-017: running\n"
                        + "  reason    step 2 of 3: reboot\n"
                        + "  step      2/3 reboot\n"
                        + "  trigger   alert GpuXidFatal{node=gpu-017}, started by alert\n")
                .containsPattern("(?m)^  created   2026-12-06T18:00:00Z \\(\\d+[smhd] ago\\)$")
                .contains("  actor     runbook:gpu-fallen-off-bus/run-12\n\nSteps:\n")
                .containsPattern("(?m)^# +STEP +KIND +STATE +ATTEMPTS +STARTED +ENDED +OUTPUT$")
                .containsPattern("(?m)^1  +drain-node  +drain  +succeeded  +1  +2026-12-06T18:00:00Z  +"
                        + "2026-12-06T18:00:02Z  +requeued j-000042$")
                .containsPattern("(?m)^2  +reboot  +reboot  +running  +1  +2026-12-06T18:00:02Z  +-  +the agent did not "
                        + "answer \\(next attempt 2026-12-06T18:00:40Z\\)$")
                .containsPattern("(?m)^3  +wait  +wait  +pending  +0  +-  +-  +-$")
                .endsWith("\nFollow it: vigil run run-12 --follow\n")
                .doesNotContain("approved", "an operator decides");
        assertThat(controller.requests()).extracting(StandInController.Request::path).containsExactly("/v1/runs/run-12");
    }

    @Test
    void aRunWaitingForApprovalSaysWhoDecidesAndAnEndedOneHasNothingToFollow() throws Exception {
        controller.answer("GET /v1/runs/run-13", 200, run("run-13", "nvlink-degraded", new RunTarget("gpu-017", null),
                        false, RunState.WAITING_APPROVAL, "waiting for an operator to approve: reset all 8 GPUs", 1,
                        List.of(step("drain", StepState.SUCCEEDED, 1, 0, 2, "requeued j-000042"),
                                step("approve", StepState.RUNNING, 1, 2, null, null))))
                .answer("GET /v1/runs/run-14", 200, new RunRecord("run-14", "rma", new RunTarget("gpu-017", 2), false,
                        RunState.SUCCEEDED, "all steps done", "manual", "runbook:rma/run-14", "alice", T0, T0, 1,
                        "bob", List.of(step("approve", StepState.SUCCEEDED, 1, 0, 1, "approved by bob"))));

        CliRun waiting = vigil("run", "run-13");
        CliRun ended = vigil("run", "run-14");

        assertThat(waiting.out()).startsWith("Run run-13 (nvlink-degraded) on gpu-017: waiting-approval\n")
                .contains("  an operator decides: vigil run approve run-13 (or vigil run abort run-13)\n");
        assertThat(ended.out()).contains("  approved  by bob\n", "  trigger   manual, started by alice\n")
                .doesNotContain("Follow it");
    }

    @Test
    void runWithoutAnIdSaysSoWithExitStatus2AndAsksNothing() {
        CliRun run = vigil("run");
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("vigil run: missing ID: the run's id, as 'vigil runs' lists it (see 'vigil run "
                + "--help')\n");
        assertThat(controller.requests()).isEmpty();
    }

    @Test
    void runAsJsonIsTheAnswerAsItIsAndAnUnknownRunIsExitStatus2() throws Exception {
        RunRecord run = run("run-12", "gpu-fallen-off-bus", new RunTarget("gpu-017", null), true, RunState.RUNNING,
                "step 1 of 1", 0, List.of(step("drain", StepState.RUNNING, 1, 0, null, null)));
        controller.answer("GET /v1/runs/run-12", 200, run)
                .problem("GET /v1/runs/run-99", new Problem("/problems/not-found", "Not found", 404, "no run run-99",
                        "/v1/runs/run-99", null, null, null));

        JsonNode json = json(vigil("run", "run-12", "-o", "json"));
        CliRun unknown = vigil("run", "run-99");

        assertThat(json).isEqualTo(Documents.json().valueToTree(run));
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).isEqualTo("vigil run: 404 Not found: no run run-99\n");
    }

    // --- vigil run ID --follow ----------------------------------------------------------------------

    @Test
    void followPrintsEachStepChangeInOrderUntilTheRunSucceedsThenExits0() throws Exception {
        String route = "GET /v1/runs/run-12";
        controller.answer(route, 200, following(RunState.RUNNING, 0, 5,
                        step("drain", StepState.RUNNING, 1, 0, null, null),
                        StepRecord.pending("reboot", "reboot"), StepRecord.pending("health-check", "health-check")))
                .answer(route, 200, following(RunState.RUNNING, 1, 6,
                        step("drain", StepState.SUCCEEDED, 1, 0, 2, "requeued j-000042"),
                        step("reboot", StepState.RUNNING, 1, 2, null, null),
                        StepRecord.pending("health-check", "health-check")))
                .answer(route, 200, following(RunState.RUNNING, 1, 6,
                        step("drain", StepState.SUCCEEDED, 1, 0, 2, "requeued j-000042"),
                        step("reboot", StepState.RUNNING, 1, 2, null, null),
                        StepRecord.pending("health-check", "health-check")))
                .answer(route, 200, following(RunState.RUNNING, 1, 10,
                        step("drain", StepState.SUCCEEDED, 1, 0, 2, "requeued j-000042"),
                        step("reboot", "reboot", StepState.RUNNING, 1, 2, null, "the agent did not answer", 30),
                        StepRecord.pending("health-check", "health-check")))
                .answer(route, 200, following(RunState.RUNNING, 1, 30,
                        step("drain", StepState.SUCCEEDED, 1, 0, 2, "requeued j-000042"),
                        step("reboot", StepState.RUNNING, 2, 2, null, null),
                        StepRecord.pending("health-check", "health-check")))
                .answer(route, 200, following(RunState.SUCCEEDED, 3, 46,
                        step("drain", StepState.SUCCEEDED, 1, 0, 2, "requeued j-000042"),
                        step("reboot", StepState.SUCCEEDED, 2, 2, 40, "rebooted in 9 s"),
                        step("health-check", StepState.SUCCEEDED, 1, 40, 45, "dcgmi diag -r 1: pass")));

        CliRun follow = vigil("run", "run-12", "--follow");

        assertThat(follow.exit()).as(follow.err()).isZero();
        assertThat(follow.err()).isEmpty();
        assertThat(follow.out()).startsWith("Run run-12 (gpu-fallen-off-bus) on gpu-017: running\n");
        assertThat(changes(follow.out())).satisfiesExactly(
                line -> assertThat(line).matches("TIME +STEP +STATE +ATTEMPT +OUTPUT"),
                line -> assertThat(line).matches("2026-12-06T18:00:00Z  +1/3 drain  +running  +1  +-"),
                line -> assertThat(line).matches("2026-12-06T18:00:02Z  +1/3 drain  +succeeded  +1  +requeued j-000042"),
                line -> assertThat(line).matches("2026-12-06T18:00:02Z  +2/3 reboot  +running  +1  +-"),
                line -> assertThat(line).matches("2026-12-06T18:00:02Z  +2/3 reboot  +running  +1  +the agent did not "
                        + "answer \\(next attempt 2026-12-06T18:00:30Z\\)"),
                line -> assertThat(line).matches("2026-12-06T18:00:30Z  +2/3 reboot  +running  +2  +-"),
                line -> assertThat(line).matches("2026-12-06T18:00:40Z  +2/3 reboot  +succeeded  +2  +rebooted in 9 s"),
                line -> assertThat(line).matches("2026-12-06T18:00:45Z  +3/3 health-check  +succeeded  +1  +dcgmi diag "
                        + "-r 1: pass"),
                line -> assertThat(line).matches("2026-12-06T18:00:46Z  +run  +succeeded  +-  +the run's reason"));
        assertThat(controller.requests()).hasSize(6).extracting(StandInController.Request::path)
                .containsOnly("/v1/runs/run-12");
    }

    @Test
    void followOfARunThatFailsPrintsTheSkippedStepsAndExits1NamingWhy() throws Exception {
        String route = "GET /v1/runs/run-12";
        controller.answer(route, 200, following(RunState.RUNNING, 1, 5,
                        step("drain", StepState.SUCCEEDED, 1, 0, 2, "requeued j-000042"),
                        step("reboot", StepState.RUNNING, 1, 2, null, null), StepRecord.pending("wait", "wait")))
                .answer(route, 200, new RunRecord("run-12", "gpu-fallen-off-bus", new RunTarget("gpu-017", null), false,
                        RunState.FAILED, "reboot: the agent did not answer after 3 attempts; gpu-017 stays cordoned",
                        "manual", "runbook:gpu-fallen-off-bus/run-12", "alice", T0, T0.plusSeconds(90), 3, null,
                        List.of(step("drain", StepState.SUCCEEDED, 1, 0, 2, "requeued j-000042"),
                                step("reboot", StepState.FAILED, 3, 2, 90, "the agent did not answer"),
                                step("wait", StepState.SKIPPED, 0, null, 90, null))));

        CliRun follow = vigil("run", "run-12", "--follow");

        assertThat(follow.exit()).isEqualTo(1);
        assertThat(follow.err()).isEqualTo("vigil run: run run-12 failed: reboot: the agent did not answer after 3 "
                + "attempts; gpu-017 stays cordoned\n");
        assertThat(changes(follow.out())).satisfiesExactly(
                line -> assertThat(line).startsWith("TIME "),
                line -> assertThat(line).matches("\\S+  +1/3 drain  +succeeded  +1  +requeued j-000042"),
                line -> assertThat(line).matches("\\S+  +2/3 reboot  +running  +1  +-"),
                line -> assertThat(line).matches("2026-12-06T18:01:30Z  +2/3 reboot  +failed  +3  +the agent did not answer"),
                line -> assertThat(line).matches("2026-12-06T18:01:30Z  +3/3 wait  +skipped  +0  +-"),
                line -> assertThat(line).matches("2026-12-06T18:01:30Z  +run  +failed  +-  +reboot: the agent did not "
                        + "answer after 3 attempts; gpu-017 stays cordoned"));
    }

    @Test
    void followOfARunThatAlreadyEndedPrintsItOnceAndExitsByItsResult() throws Exception {
        controller.answer("GET /v1/runs/run-10", 200, following(RunState.SUCCEEDED, 1, 3,
                        step("drain", StepState.SUCCEEDED, 1, 0, 2, "requeued j-000042")))
                .answer("GET /v1/runs/run-11", 200, run("run-11", "gpu-fallen-off-bus", new RunTarget("gpu-017", null),
                        false, RunState.ABORTED, "aborted by alice: repairing by hand", 1,
                        List.of(step("drain", StepState.SKIPPED, 0, null, 3, null))));

        CliRun succeeded = vigil("run", "run-10", "--follow");
        CliRun aborted = vigil("run", "run-11", "--follow");

        assertThat(succeeded.exit()).as(succeeded.err()).isZero();
        assertThat(changes(succeeded.out())).hasSize(2).last().asString().contains("1/1 drain  succeeded");
        assertThat(aborted.exit()).isEqualTo(1);
        assertThat(aborted.err()).isEqualTo("vigil run: run run-11 aborted: aborted by alice: repairing by hand\n");
        assertThat(controller.requests()).hasSize(2);
    }

    @Test
    void followKeepsAskingWhileTheControllerIsBrieflyUnavailable() throws Exception {
        String route = "GET /v1/runs/run-12";
        controller.answer(route, 200, following(RunState.RUNNING, 0, 1, step("drain", StepState.RUNNING, 1, 0, null, null)))
                .problem(route, new Problem("/problems/unavailable", "Unavailable", 503, "no leader yet", "", null,
                        null, null))
                .problem(route, new Problem("/problems/unavailable", "Unavailable", 503, "no leader yet", "", null,
                        null, null))
                .answer(route, 200, following(RunState.SUCCEEDED, 1, 9,
                        step("drain", StepState.SUCCEEDED, 1, 0, 8, "requeued j-000042")));

        CliRun follow = vigil("run", "run-12", "--follow");

        assertThat(follow.exit()).as(follow.err()).isZero();
        assertThat(follow.err()).isEqualTo("vigil run: 503 Unavailable: no leader yet; asking again every second\n"
                + "vigil run: the controller answers again\n");
        assertThat(changes(follow.out())).hasSize(4);
        assertThat(controller.requests()).hasSize(4);
    }

    @Test
    void followThatCannotReachTheControllerAtFirstFailsAtOnce() throws Exception {
        controller.problem("GET /v1/runs/run-12", new Problem("/problems/unavailable", "Unavailable", 503,
                "no leader yet", "", null, null, null));

        CliRun follow = vigil("run", "run-12", "--follow");

        assertThat(follow.exit()).isEqualTo(1);
        assertThat(follow.err()).isEqualTo("vigil run: 503 Unavailable: no leader yet\n");
        assertThat(controller.requests()).hasSize(1);
    }

    @Test
    void followAsJsonPrintsTheRunOncePerChangeOneALine() throws Exception {
        String route = "GET /v1/runs/run-12";
        RunRecord running = following(RunState.RUNNING, 0, 1, step("drain", StepState.RUNNING, 1, 0, null, null));
        controller.answer(route, 200, running).answer(route, 200, running)
                .answer(route, 200, following(RunState.SUCCEEDED, 1, 9,
                        step("drain", StepState.SUCCEEDED, 1, 0, 8, "requeued j-000042")));

        CliRun follow = vigil("run", "run-12", "--follow", "-o", "json");

        assertThat(follow.exit()).as(follow.err()).isZero();
        List<String> lines = follow.out().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(Documents.json().readTree(lines.get(0)).get("state").asText()).isEqualTo("running");
        assertThat(Documents.json().readTree(lines.get(1)).get("steps").get(0).get("output").asText())
                .isEqualTo("requeued j-000042");
        assertThat(controller.requests()).hasSize(3);
    }

    @Test
    void anInterruptedFollowSaysTheRunGoesOnAndDoesNotExit0() throws Exception {
        controller.answer("GET /v1/runs/run-12", 200, following(RunState.RUNNING, 0, 1,
                step("drain", StepState.RUNNING, 1, 0, null, null)));
        AtomicReference<CliRun> result = new AtomicReference<>();
        Thread following = new Thread(() -> result.set(vigil("run", "run-12", "--follow")));

        following.start();
        Instant deadline = Instant.now().plusSeconds(10);
        while (controller.requests().size() < 3 && Instant.now().isBefore(deadline)) {
            Thread.sleep(5);
        }
        following.interrupt();
        following.join(Duration.ofSeconds(10).toMillis());

        assertThat(result.get()).isNotNull();
        assertThat(result.get().exit()).isEqualTo(1);
        assertThat(result.get().err()).isEqualTo("vigil run: stopped following run-12 before it ended; the run goes on "
                + "('vigil run run-12 --follow' follows it again, 'vigil run abort run-12' stops it)\n");
    }

    // --- vigil run approve|abort ------------------------------------------------------------------

    @Test
    void approveAndAbortPostTheReasonAndPrintWhereTheRunIsNow() throws Exception {
        controller.answer("POST /v1/runs/run-13/approve", 200, new RunRecord("run-13", "nvlink-degraded",
                        new RunTarget("gpu-017", null), false, RunState.RUNNING, "approved by alice: approved by hand",
                        "manual", "runbook:nvlink-degraded/run-13", "alice", T0, T0, 2, "alice", List.of()))
                .answer("POST /v1/runs/run-14/abort", 200, new RunRecord("run-14", "rma", new RunTarget("gpu-017", 2),
                        false, RunState.ABORTED, "aborted by alice: repairing by hand", "manual", "runbook:rma/run-14",
                        "alice", T0, T0, 1, null, List.of()));

        CliRun approve = vigil("run", "approve", "run-13");
        CliRun abort = vigil("run", "abort", "run-14", "--reason", "repairing by hand");

        assertThat(approve.exit()).as(approve.err()).isZero();
        assertThat(approve.out()).isEqualTo("run run-13 of nvlink-degraded on gpu-017: running\n"
                + "  reason  approved by alice: approved by hand\n"
                + "  follow it: vigil run run-13 --follow\n");
        assertThat(abort.exit()).as(abort.err()).isZero();
        assertThat(abort.out()).isEqualTo("run run-14 of rma on gpu-017 gpu 2: aborted\n"
                + "  reason  aborted by alice: repairing by hand\n");
        assertThat(controller.requests()).extracting(r -> r.method() + " " + r.path() + " " + r.body()).containsExactly(
                "POST /v1/runs/run-13/approve {\"reason\":\"approved by hand\"}",
                "POST /v1/runs/run-14/abort {\"reason\":\"repairing by hand\"}");
    }

    @Test
    void approvingARunThatDoesNotWaitIsRefusedWithExitStatus1() throws Exception {
        controller.problem("POST /v1/runs/run-13/approve", new Problem("/problems/conflict", "Conflict", 409,
                "run-13 does not wait for approval (it is running)", "/v1/runs/run-13/approve", null, null, null));

        CliRun approve = vigil("run", "approve", "run-13", "-o", "json");

        assertThat(approve.exit()).isEqualTo(1);
        assertThat(approve.out()).isEmpty();
        assertThat(approve.err()).isEqualTo("vigil run approve: 409 Conflict: run-13 does not wait for approval (it is "
                + "running)\n");
    }

    // --- helpers --------------------------------------------------------------------------------

    /** Runs vigil against the stand-in, with the token; {@code run --follow} asks every millisecond. */
    private CliRun vigil(String... args) {
        CommandLine cli = Vigil.commandLine();
        RunCommand run = cli.getSubcommands().get("run").getCommand();
        run.poll = Duration.ofMillis(1);
        String[] all = Stream.concat(Arrays.stream(args), Stream.of("--url", controller.url(), "--token", TOKEN))
                .toArray(String[]::new);
        return CliRun.execute(cli, all);
    }

    private static JsonNode json(CliRun run) throws Exception {
        assertThat(run.exit()).as(run.err()).isZero();
        return Documents.json().readTree(run.out());
    }

    /** The lines of {@code --follow} from the changes' header on. */
    private static List<String> changes(String out) {
        List<String> lines = out.lines().toList();
        int header = lines.indexOf(lines.stream().filter(l -> l.startsWith("TIME ")).findFirst().orElseThrow());
        return lines.subList(header, lines.size());
    }

    private static RunbookSummary summary(String name, String trigger, String target, String mode, int running,
                                          String... steps) {
        return new RunbookSummary(name, "what " + name + " is for", trigger, target, mode, List.of(steps), running,
                "conf/runbooks/" + name + ".yaml");
    }

    private static RunRecord run(String id, String runbook, RunTarget target, boolean dryRun, RunState state,
                                 String reason, int step, List<StepRecord> steps) {
        return new RunRecord(id, runbook, target, dryRun, state, reason, "alert GpuXidFatal{node=" + target.node() + "}",
                "runbook:" + runbook + "/" + id, "alert", T0, T0, step, null, steps);
    }

    /** run-12 of gpu-fallen-off-bus on gpu-017, last changed {@code updated} seconds after T0. */
    private static RunRecord following(RunState state, int step, int updated, StepRecord... steps) {
        return new RunRecord("run-12", "gpu-fallen-off-bus", new RunTarget("gpu-017", null), false, state,
                "the run's reason", "manual", "runbook:gpu-fallen-off-bus/run-12", "alice", T0,
                T0.plusSeconds(updated), step, null, List.of(steps));
    }

    /** A step named as its kind; times in seconds after T0, null for none. */
    private static StepRecord step(String kind, StepState state, int attempts, Integer started, Integer ended,
                                   String output) {
        return step(kind, kind, state, attempts, started, ended, output, null);
    }

    private static StepRecord step(String name, String kind, StepState state, int attempts, Integer started,
                                   Integer ended, String output, Integer nextAttempt) {
        return new StepRecord(name, kind, state, attempts, at(started), at(ended), at(nextAttempt), null, output);
    }

    private static Instant at(Integer seconds) {
        return seconds == null ? null : T0.plusSeconds(seconds);
    }

    private static Problem invalid(String field, String value, String allowed) {
        return new Problem("/problems/invalid-input", "Invalid input", 400, field + ": \"" + value
                + "\" is not allowed (allowed: " + allowed + ")", "", field, value, allowed);
    }
}
