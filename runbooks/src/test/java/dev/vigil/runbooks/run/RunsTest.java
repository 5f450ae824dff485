package dev.vigil.runbooks.run;

import dev.vigil.api.binding.Documents;
import dev.vigil.api.cluster.AgentActionResult;
import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.cluster.NodeState;
import dev.vigil.api.cluster.Transition;
import dev.vigil.api.runbooks.RunRecord;
import dev.vigil.api.runbooks.RunState;
import dev.vigil.api.runbooks.RunTarget;
import dev.vigil.api.runbooks.StepRecord;
import dev.vigil.api.runbooks.StepState;
import dev.vigil.runbooks.BmcResult;
import dev.vigil.runbooks.FakeFleet;
import dev.vigil.runbooks.Runbook;
import dev.vigil.runbooks.guards.Admission;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RunsTest {
    private static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");
    private static final RunTarget NODE = new RunTarget("sim-1", null);
    private static final Admission START = new Admission(Admission.Verdict.START, "ok");

    private final FakeFleet fleet = new FakeFleet().node("sim-1", NodeState.CORDONED);

    private static Runbook shipped(String name, String mode) throws IOException {
        try (InputStream in = RunsTest.class.getResourceAsStream("/runbooks/" + name + ".yaml")) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("mode: dry-run", "mode: " + mode);
            return Documents.readYaml(text, Runbook.class, name);
        }
    }

    private static Runbook runbook(String steps) {
        return Documents.readYaml("name: rb\ntarget: node\nmode: active\nsteps:\n" + steps, Runbook.class, "test");
    }

    private RunRecord started(Runbook runbook, RunTarget target, Instant now) {
        return Runs.admit(Runs.create("run-1", runbook, target, null, "manual", "alice", now), START, runbook, fleet, now);
    }

    /** As the controller stores it and a new leader reads it back. */
    private static RunRecord stored(RunRecord run) {
        try {
            return Documents.json().readValue(Documents.json().writeValueAsBytes(run), RunRecord.class);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static List<StepState> states(RunRecord run) {
        return run.steps().stream().map(StepRecord::state).toList();
    }

    @Test
    void aNewRunIsQueuedWithEveryStepPendingAndItsActor() {
        Runbook runbook = runbook("  - kind: cordon\n  - {kind: notify, name: tell, message: hi}\n");

        RunRecord run = Runs.create("run-1", runbook, NODE, null, "alert GpuXidFatal", "alert", T0);

        assertThat(run.state()).isEqualTo(RunState.QUEUED);
        assertThat(run.actor()).isEqualTo("runbook:rb/run-1");
        assertThat(run.dryRun()).isFalse();
        assertThat(run.steps()).containsExactly(StepRecord.pending("cordon", "cordon"), StepRecord.pending("tell", "notify"));
        assertThat(Runs.advance(run, runbook, fleet, T0)).isEqualTo(run);
        assertThat(Runs.create("run-2", runbook, NODE, true, "manual", "bob", T0).dryRun()).isTrue();
    }

    @Test
    void gpuFallenOffTheBusDrainsRebootsWaitsChecksAndReturnsTheNode() throws IOException {
        Runbook runbook = shipped("gpu-fallen-off-bus", "active");
        fleet.busy.add(new RunTarget("sim-1", 3));

        RunRecord run = stored(started(runbook, NODE, T0));
        assertThat(run.state()).isEqualTo(RunState.RUNNING);
        assertThat(run.step()).isEqualTo(1);
        assertThat(fleet.calls).containsExactly("drain sim-1", "requeue sim-1", "ask sim-1 run-1/1/1 REBOOT");

        fleet.report("sim-1", "run-1/1/1", AgentActionResult.State.SUCCEEDED, "rebooting");
        Instant t1 = T0.plusSeconds(60);
        run = stored(Runs.advance(run, runbook, fleet, t1));
        assertThat(states(run)).containsExactly(StepState.SUCCEEDED, StepState.SUCCEEDED, StepState.SKIPPED,
                StepState.RUNNING, StepState.PENDING, StepState.PENDING);
        assertThat(run.step()).isEqualTo(3);

        fleet.update("sim-1", node -> node.lastReport(t1.plusSeconds(30)));
        run = stored(Runs.advance(run, runbook, fleet, t1.plusSeconds(31)));
        assertThat(run.steps().get(4).actionId()).isEqualTo("run-1/4/1");

        fleet.report("sim-1", "run-1/4/1", AgentActionResult.State.SUCCEEDED, "diag level 2 passed in 41 s");
        run = stored(Runs.advance(run, runbook, fleet, t1.plusSeconds(90)));
        assertThat(run.state()).isEqualTo(RunState.SUCCEEDED);
        assertThat(run.step()).isEqualTo(6);
        assertThat(run.steps().get(4).output()).isEqualTo("health-check diag level 2 passed in 41 s");
        assertThat(Runs.advance(run, runbook, fleet, t1.plusSeconds(91))).isEqualTo(run);

        assertThat(fleet.calls).containsExactly("drain sim-1", "requeue sim-1", "ask sim-1 run-1/1/1 REBOOT",
                "withdraw sim-1 run-1/1/1", "ask sim-1 run-1/4/1 HEALTH_CHECK", "resume sim-1",
                "withdraw sim-1 run-1/4/1");
        assertThat(fleet.nodes.get("sim-1").actions()).isEmpty();
    }

    @Test
    void aRebootThatFailsGoesOnToThePowerCycle() throws IOException {
        Runbook runbook = shipped("gpu-fallen-off-bus", "active");
        RunRecord run = stored(started(runbook, NODE, T0));
        fleet.report("sim-1", "run-1/1/1", AgentActionResult.State.FAILED, "agent gone");

        run = stored(Runs.advance(run, runbook, fleet, T0.plusSeconds(1)));

        assertThat(states(run).subList(0, 3)).containsExactly(StepState.SUCCEEDED, StepState.FAILED_CONTINUED,
                StepState.RUNNING);
        assertThat(fleet.calls).endsWith("power-cycle sim-1 run-1/2/1");
        fleet.bmc.put("run-1/2/1", new BmcResult("run-1/2/1", AgentActionResult.State.SUCCEEDED, "cycled"));
        run = Runs.advance(run, runbook, fleet, T0.plusSeconds(2));
        assertThat(run.steps().get(2).state()).isEqualTo(StepState.SUCCEEDED);
        assertThat(run.step()).isEqualTo(3);
    }

    @Test
    void aDryRunPlansEveryStepAndChangesNothing() throws IOException {
        Runbook runbook = shipped("gpu-fallen-off-bus", "dry-run");
        fleet.busy.add(new RunTarget("sim-1", 3));
        NodeRecord before = fleet.nodes.get("sim-1");

        RunRecord run = started(runbook, NODE, T0);

        assertThat(run.dryRun()).isTrue();
        assertThat(run.state()).isEqualTo(RunState.SUCCEEDED);
        assertThat(run.reason()).isEqualTo("dry run: every step planned");
        assertThat(run.steps()).allSatisfy(step -> {
            assertThat(step.state()).isEqualTo(StepState.SUCCEEDED);
            assertThat(step.output()).startsWith("dry run: ");
            assertThat(step.actionId()).isNull();
        });
        assertThat(run.steps().get(2).output()).isEqualTo(
                "dry run: if the step before fails, would power-cycle sim-1 through its BMC");
        assertThat(fleet.calls).isEmpty();
        assertThat(fleet.nodes.get("sim-1")).isEqualTo(before);
        assertThat(fleet.busy).containsExactly(new RunTarget("sim-1", 3));
    }

    @Test
    void aDryRunThatTheGuardsEscalateNeitherCordonsNorPages() throws IOException {
        Runbook runbook = shipped("gpu-fallen-off-bus", "dry-run");
        RunRecord run = Runs.create("run-1", runbook, NODE, null, "manual", "alice", T0);

        RunRecord escalated = Runs.admit(run, new Admission(Admission.Verdict.ESCALATE, "repeat offender"), runbook,
                fleet, T0);

        assertThat(escalated.state()).isEqualTo(RunState.ESCALATED);
        assertThat(fleet.calls).isEmpty();
    }

    @Test
    void anApprovalWaitsForAnOperatorAndGoesOn() {
        Runbook runbook = runbook("  - kind: approve\n  - kind: cordon\n");

        RunRecord run = started(runbook, NODE, T0);
        assertThat(run.state()).isEqualTo(RunState.WAITING_APPROVAL);
        assertThat(run.reason()).contains("vigil run approve run-1");
        assertThat(Runs.advance(run, runbook, fleet, T0.plusSeconds(60)).state()).isEqualTo(RunState.WAITING_APPROVAL);
        assertThat(fleet.calls).isEmpty();

        RunRecord approved = Runs.approve(run, "alice", T0.plusSeconds(61));
        assertThat(approved.approvedBy()).isEqualTo("alice");
        assertThat(approved.state()).isEqualTo(RunState.RUNNING);
        RunRecord done = Runs.advance(approved, runbook, fleet, T0.plusSeconds(62));

        assertThat(done.state()).isEqualTo(RunState.SUCCEEDED);
        assertThat(done.steps().get(0).output()).isEqualTo("approved by alice");
        assertThat(done.approvedBy()).isNull();
        assertThat(fleet.calls).containsExactly("cordon sim-1");
        assertThatThrownBy(() -> Runs.approve(done, "bob", T0)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("succeeded, not waiting for approval");
    }

    @Test
    void oneApprovalLetsOneApproveStepPass() {
        Runbook runbook = runbook("  - kind: approve\n  - {kind: approve, name: again}\n");

        RunRecord run = Runs.advance(Runs.approve(started(runbook, NODE, T0), "alice", T0), runbook, fleet, T0);

        assertThat(run.state()).isEqualTo(RunState.WAITING_APPROVAL);
        assertThat(run.step()).isEqualTo(1);
        assertThat(run.approvedBy()).isNull();
    }

    @Test
    void anApprovalThatNobodyGivesTimesOutAndFailsTheRunLeavingTheNodeCordoned() {
        Runbook runbook = runbook("  - {kind: approve, timeout: 1h}\n  - kind: return\n");
        RunRecord run = started(runbook, NODE, T0);

        assertThat(Runs.advance(run, runbook, fleet, T0.plus(Duration.ofMinutes(59))).state())
                .isEqualTo(RunState.WAITING_APPROVAL);
        RunRecord failed = Runs.advance(run, runbook, fleet, T0.plus(Duration.ofHours(1)));

        assertThat(failed.state()).isEqualTo(RunState.FAILED);
        assertThat(failed.reason()).contains("timed out after 1h");
        assertThat(states(failed)).containsExactly(StepState.FAILED, StepState.SKIPPED);
        assertThat(fleet.calls).hasSize(2);
        assertThat(fleet.calls.get(0)).isEqualTo("cordon sim-1");
        assertThat(fleet.calls.get(1)).startsWith("page run-1/page runbook rb failed on sim-1");
        assertThat(fleet.calls("resume")).isEmpty();
    }

    @Test
    void aFailedAttemptIsRetriedAfterItsBackoffDoublingUnderANewIdThenTheRunStops() {
        Runbook runbook = runbook("  - {kind: reboot, retries: 2, backoff: 10s}\n  - kind: return\n");
        RunRecord run = stored(started(runbook, NODE, T0));
        fleet.report("sim-1", "run-1/0/1", AgentActionResult.State.FAILED, "no");

        run = stored(Runs.advance(run, runbook, fleet, T0.plusSeconds(1)));
        StepRecord waiting = run.steps().get(0);
        assertThat(waiting.state()).isEqualTo(StepState.PENDING);
        assertThat(waiting.attempts()).isEqualTo(1);
        assertThat(waiting.nextAttempt()).isEqualTo(T0.plusSeconds(11));
        assertThat(run.state()).isEqualTo(RunState.RUNNING);
        assertThat(run.reason()).contains("attempt 1 of 3");
        assertThat(Runs.advance(run, runbook, fleet, T0.plusSeconds(10)).reason())
                .isEqualTo("step reboot: attempt 2 at " + T0.plusSeconds(11));

        assertThat(Runs.advance(run, runbook, fleet, T0.plusSeconds(10)).steps().get(0)).isEqualTo(waiting);
        run = stored(Runs.advance(run, runbook, fleet, T0.plusSeconds(11)));
        assertThat(run.steps().get(0).attempts()).isEqualTo(2);
        assertThat(run.steps().get(0).actionId()).isEqualTo("run-1/0/2");
        fleet.report("sim-1", "run-1/0/2", AgentActionResult.State.FAILED, "no");
        run = stored(Runs.advance(run, runbook, fleet, T0.plusSeconds(12)));
        assertThat(run.steps().get(0).nextAttempt()).isEqualTo(T0.plusSeconds(32));

        run = stored(Runs.advance(run, runbook, fleet, T0.plusSeconds(32)));
        fleet.report("sim-1", "run-1/0/3", AgentActionResult.State.FAILED, "still no");
        run = stored(Runs.advance(run, runbook, fleet, T0.plusSeconds(33)));

        assertThat(run.state()).isEqualTo(RunState.FAILED);
        assertThat(run.steps().get(0).attempts()).isEqualTo(3);
        assertThat(run.steps().get(0).output()).isEqualTo("reboot still no");
        assertThat(run.steps().get(0).started()).isEqualTo(T0);
        assertThat(run.steps().get(0).ended()).isEqualTo(T0.plusSeconds(33));
        assertThat(fleet.calls("ask")).containsExactly("ask sim-1 run-1/0/1 REBOOT", "ask sim-1 run-1/0/2 REBOOT",
                "ask sim-1 run-1/0/3 REBOOT");
        assertThat(fleet.calls("withdraw")).containsExactly("withdraw sim-1 run-1/0/1", "withdraw sim-1 run-1/0/2");
        assertThat(fleet.calls("resume")).isEmpty();
        Runs.advance(run, runbook, fleet, T0.plusSeconds(34));
        assertThat(fleet.calls("withdraw")).endsWith("withdraw sim-1 run-1/0/3");
    }

    @Test
    void anAttemptThatOutlivesItsTimeoutFails() {
        Runbook runbook = runbook("  - {kind: wait, until: node-ready, timeout: 1m, onFailure: continue}\n"
                + "  - kind: cordon\n");
        RunRecord run = started(runbook, NODE, T0);

        assertThat(Runs.advance(run, runbook, fleet, T0.plusSeconds(59)).step()).isZero();
        RunRecord after = Runs.advance(run, runbook, fleet, T0.plusSeconds(60));

        assertThat(states(after)).containsExactly(StepState.FAILED_CONTINUED, StepState.SUCCEEDED);
        assertThat(after.steps().get(0).output()).isEqualTo("waiting until node-ready; timed out after 1m");
        assertThat(after.state()).isEqualTo(RunState.SUCCEEDED);
    }

    @Test
    void aRetryTimesOutFromWhenItWasDue() {
        Runbook runbook = runbook("  - {kind: wait, until: node-ready, timeout: 1m, retries: 1, backoff: 5s}\n");
        RunRecord run = started(runbook, NODE, T0);
        run = Runs.advance(run, runbook, fleet, T0.plusSeconds(60));
        run = Runs.advance(run, runbook, fleet, T0.plusSeconds(65));
        assertThat(run.steps().get(0).attempts()).isEqualTo(2);

        assertThat(Runs.advance(run, runbook, fleet, T0.plusSeconds(124)).state()).isEqualTo(RunState.RUNNING);
        assertThat(Runs.advance(run, runbook, fleet, T0.plusSeconds(125)).state()).isEqualTo(RunState.FAILED);
    }

    @Test
    void anEscalatingStepEndsTheRunEscalatedCordonedAndPagedWithTheNodesHistory() {
        fleet.update("sim-1", node -> node.history(List.of(new Transition(NodeState.READY, NodeState.CORDONED,
                "XID 79 on GPU 3", "health-reflex", T0))));
        Runbook runbook = runbook("  - kind: cordon\n  - {kind: exec, command: fix, onFailure: escalate}\n"
                + "  - kind: return\n");
        fleet.failingCommands.add("fix");

        RunRecord run = Runs.advance(started(runbook, NODE, T0), runbook, fleet, T0.plusSeconds(1));

        assertThat(run.state()).isEqualTo(RunState.ESCALATED);
        assertThat(run.step()).isEqualTo(3);
        assertThat(states(run)).containsExactly(StepState.SUCCEEDED, StepState.FAILED, StepState.SKIPPED);
        assertThat(fleet.calls("resume")).isEmpty();
        assertThat(fleet.calls("cordon")).hasSize(2);
        assertThat(fleet.calls("page")).singleElement().asString()
                .startsWith("page run-1/page runbook rb escalated on sim-1: step exec failed, escalated: exec \"fix\": exit 1")
                .contains("exec [exec] failed: exec \"fix\": exit 1: refused", "ready -> cordoned by health-reflex: XID 79 on GPU 3");
    }

    @Test
    void aStoppingStepFailsTheRunAndNeverReachesReturn() {
        Runbook runbook = runbook("  - {kind: exec, command: fix}\n  - kind: return\n");
        fleet.failingCommands.add("fix");

        RunRecord run = Runs.advance(started(runbook, NODE, T0), runbook, fleet, T0.plusSeconds(1));

        assertThat(run.state()).isEqualTo(RunState.FAILED);
        assertThat(run.reason()).isEqualTo("step exec failed: exec \"fix\": exit 1: refused");
        assertThat(fleet.calls.subList(0, 2)).as("the failed exec, then the node cordoned")
                .containsExactly("exec sim-1 run-1/0/1 fix", "cordon sim-1");
        assertThat(fleet.calls("resume")).isEmpty();
    }

    @Test
    void aNewLeaderGoesOnFromTheStoredRunRepeatingNoEffectAndSkippingNoStep() throws IOException {
        Runbook runbook = shipped("gpu-fallen-off-bus", "active");
        fleet.busy.add(NODE);
        RunRecord run = stored(started(runbook, NODE, T0));

        // The leader dies after asking for the reboot; the new one reads the stored run and advances it.
        RunRecord resumed = stored(Runs.advance(stored(run), runbook, fleet, T0.plusSeconds(5)));
        assertThat(resumed.steps()).isEqualTo(run.steps());
        fleet.report("sim-1", "run-1/1/1", AgentActionResult.State.SUCCEEDED, "rebooted");

        // It dies again after seeing the reboot end, before storing: the next one sees the same outcome.
        Runs.advance(resumed, runbook, fleet, T0.plusSeconds(6));
        RunRecord again = stored(Runs.advance(resumed, runbook, fleet, T0.plusSeconds(7)));

        assertThat(again.steps().get(1).state()).isEqualTo(StepState.SUCCEEDED);
        assertThat(again.steps().get(2).state()).isEqualTo(StepState.SKIPPED);
        assertThat(again.step()).isEqualTo(3);
        assertThat(fleet.calls("drain")).hasSize(1);
        assertThat(fleet.calls("requeue")).hasSize(1);
        assertThat(fleet.calls("ask")).containsExactly("ask sim-1 run-1/1/1 REBOOT");
        assertThat(fleet.calls("power-cycle")).isEmpty();
    }

    @Test
    void anAbortFailsTheCurrentStepSkipsTheRestAndWithdrawsItsAction() throws IOException {
        Runbook runbook = shipped("gpu-fallen-off-bus", "active");
        RunRecord run = stored(started(runbook, NODE, T0));

        RunRecord aborted = Runs.abort(run, "alice", "wrong node", fleet, T0.plusSeconds(9));

        assertThat(aborted.state()).isEqualTo(RunState.ABORTED);
        assertThat(aborted.reason()).isEqualTo("aborted by alice: wrong node");
        assertThat(aborted.updated()).isEqualTo(T0.plusSeconds(9));
        assertThat(states(aborted)).containsExactly(StepState.SUCCEEDED, StepState.FAILED, StepState.SKIPPED,
                StepState.SKIPPED, StepState.SKIPPED, StepState.SKIPPED);
        assertThat(fleet.calls).endsWith("withdraw sim-1 run-1/1/1");
        assertThat(fleet.calls("cordon")).isEmpty();
        assertThat(fleet.calls("page")).isEmpty();
        assertThatThrownBy(() -> Runs.abort(aborted, "bob", "again", fleet, T0)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aQueuedRunCanBeAbortedBeforeItDidAnything() {
        Runbook runbook = runbook("  - kind: cordon\n");
        RunRecord run = Runs.create("run-1", runbook, NODE, null, "manual", "alice", T0);

        RunRecord aborted = Runs.abort(run, "alice", "not needed", fleet, T0);

        assertThat(states(aborted)).containsExactly(StepState.SKIPPED);
        assertThat(fleet.calls).isEmpty();
    }

    @Test
    void theGuardsAnswerQueuesRefusesOrEscalates() {
        Runbook runbook = runbook("  - kind: drain\n");
        RunRecord run = Runs.create("run-1", runbook, NODE, null, "manual", "alice", T0);

        RunRecord queued = Runs.admit(run, new Admission(Admission.Verdict.QUEUE, "limit"), runbook, fleet, T0.plusSeconds(1));
        assertThat(queued.state()).isEqualTo(RunState.QUEUED);
        assertThat(queued.reason()).isEqualTo("limit");
        assertThat(Runs.admit(queued, new Admission(Admission.Verdict.HALT, "limit"), runbook, fleet, T0.plusSeconds(2)))
                .isSameAs(queued);
        RunRecord refused = Runs.admit(run, new Admission(Admission.Verdict.REFUSE, "no node"), runbook, fleet, T0);
        assertThat(refused.state()).isEqualTo(RunState.FAILED);
        assertThat(refused.reason()).isEqualTo("refused: no node");
        assertThat(fleet.calls).isEmpty();

        RunRecord escalated = Runs.admit(run, new Admission(Admission.Verdict.ESCALATE, "repeat offender"), runbook,
                fleet, T0);
        assertThat(escalated.state()).isEqualTo(RunState.ESCALATED);
        assertThat(states(escalated)).containsExactly(StepState.SKIPPED);
        assertThat(fleet.calls).hasSize(2);
        assertThat(fleet.calls.get(0)).isEqualTo("cordon sim-1");
        assertThat(fleet.calls.get(1)).startsWith("page run-1/page runbook rb escalated on sim-1: escalated: repeat offender");
        assertThat(Runs.admit(escalated, START, runbook, fleet, T0)).isSameAs(escalated);
    }

    @Test
    void aRunWhoseRunbookChangedUnderItFailsLeavingTheNodeCordoned() {
        Runbook before = runbook("  - kind: approve\n  - kind: return\n");
        Runbook after = runbook("  - kind: approve\n  - kind: reboot\n  - kind: return\n");
        RunRecord run = started(before, NODE, T0);

        RunRecord failed = Runs.advance(run, after, fleet, T0.plusSeconds(1));

        assertThat(failed.state()).isEqualTo(RunState.FAILED);
        assertThat(failed.reason()).isEqualTo("runbook rb changed while the run was under way (its steps differ)");
        assertThat(fleet.calls.get(0)).isEqualTo("cordon sim-1");
        assertThat(fleet.calls("resume")).isEmpty();
    }

    @Test
    void aFleetRunReportsAndHasNoNodeToCordon() throws IOException {
        Runbook runbook = shipped("capacity-report", "active");

        RunRecord run = started(runbook, null, T0);

        assertThat(run.state()).isEqualTo(RunState.SUCCEEDED);
        assertThat(fleet.calls).containsExactly("report run-1/0/1");
    }

    @Test
    void aFailedFleetRunPagesWithoutCordoning() {
        Runbook runbook = Documents.readYaml("name: rb\ntarget: fleet\nmode: active\nsteps:\n"
                + "  - {kind: notify, message: x}\n", Runbook.class, "test");
        RunRecord run = Runs.create("run-1", runbook, null, null, "schedule", "schedule", T0);

        Runs.admit(run, new Admission(Admission.Verdict.ESCALATE, "why"), runbook, fleet, T0);

        assertThat(fleet.calls).singleElement().asString().startsWith("page run-1/page runbook rb escalated on the fleet");
    }
}
