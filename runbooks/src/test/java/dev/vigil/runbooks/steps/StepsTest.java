package dev.vigil.runbooks.steps;

import dev.vigil.api.cluster.AgentAction;
import dev.vigil.api.cluster.AgentActionResult;
import dev.vigil.api.cluster.NodeState;
import dev.vigil.api.cluster.Transition;
import dev.vigil.api.gpu.GpuHealth;
import dev.vigil.api.gpu.HealthState;
import dev.vigil.api.gpu.RepairAction;
import dev.vigil.api.runbooks.RunTarget;
import dev.vigil.runbooks.BmcResult;
import dev.vigil.runbooks.ExecResult;
import dev.vigil.runbooks.FakeFleet;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Each step kind against the fake port, one look at a time. */
class StepsTest {
    private static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");
    private static final RunTarget NODE = new RunTarget("sim-1", null);
    private static final RunTarget GPU = new RunTarget("sim-1", 3);

    private final FakeFleet fleet = new FakeFleet().node("sim-1", NodeState.CORDONED);

    private StepContext context(RunTarget target, int attempt, Instant now) {
        return new StepContext("run-7", "rb", 2, attempt, T0, target, "runbook:rb/run-7", null, fleet, now);
    }

    @Test
    void cordonUncordonAndReturnActOnTheScopeTheyName() {
        assertThat(new Cordon(null).attempt(context(GPU, 1, T0))).isEqualTo(Progress.done("cordoned sim-1 gpu 3"));
        assertThat(new Cordon(Scope.NODE).attempt(context(GPU, 1, T0)).output()).isEqualTo("cordoned sim-1");
        assertThat(new Uncordon(Scope.GPU).attempt(context(GPU, 1, T0)).output()).isEqualTo("uncordoned sim-1 gpu 3");
        assertThat(new Return(null).attempt(context(NODE, 1, T0)).output()).isEqualTo("returned sim-1 to service");

        assertThat(fleet.calls).containsExactly("cordon sim-1 gpu 3", "cordon sim-1", "uncordon sim-1 gpu 3",
                "resume sim-1");
        assertThat(fleet.reasons).containsExactly("runbook:rb/run-7: runbook rb run run-7: cordon",
                "runbook:rb/run-7: runbook rb run run-7: cordon", "runbook:rb/run-7: runbook rb run run-7: uncordon",
                "runbook:rb/run-7: runbook rb run run-7: repaired, returned to service");
    }

    @Test
    void aRequeueDrainRequeuesWhatRunsAndIsDoneWhenNothingDoes() {
        fleet.busy.add(GPU);
        fleet.requeueEmpties = false;
        Drain drain = new Drain(null, DrainMode.REQUEUE, null);

        Progress first = drain.attempt(context(NODE, 1, T0));
        assertThat(first.status()).isEqualTo(Progress.Status.PENDING);
        assertThat(first.output()).contains("requeued the work on sim-1");
        fleet.busy.clear();
        assertThat(drain.attempt(context(NODE, 1, T0.plusSeconds(5)))).isEqualTo(Progress.done("drained sim-1"));

        assertThat(fleet.calls).containsExactly("drain sim-1", "requeue sim-1", "drain sim-1");
    }

    @Test
    void anAllowCompletionDrainRequeuesOnlyOnceItsDeadlinePassed() {
        fleet.busy.add(GPU);
        Drain drain = new Drain(null, DrainMode.ALLOW_COMPLETION, Duration.ofMinutes(30));

        Progress waiting = drain.attempt(context(NODE, 1, T0.plus(Duration.ofMinutes(29))));
        assertThat(waiting.status()).isEqualTo(Progress.Status.PENDING);
        assertThat(waiting.output()).contains("until the deadline (30m)");
        assertThat(fleet.calls("requeue")).isEmpty();

        assertThat(drain.attempt(context(NODE, 1, T0.plus(Duration.ofMinutes(30))))).isEqualTo(Progress.done("drained sim-1"));
        assertThat(fleet.calls("requeue")).containsExactly("requeue sim-1");
    }

    @Test
    void aGpuDrainLeavesTheOtherGpusWork() {
        fleet.busy.add(new RunTarget("sim-1", 0));

        assertThat(new Drain(null, DrainMode.REQUEUE, null).attempt(context(GPU, 1, T0)).status())
                .isEqualTo(Progress.Status.DONE);
        assertThat(fleet.calls).containsExactly("drain sim-1 gpu 3");
    }

    @Test
    void waitForAnEmptyNode() {
        fleet.busy.add(GPU);
        Wait wait = new Wait(Condition.NODE_EMPTY);
        assertThat(wait.attempt(context(NODE, 1, T0))).isEqualTo(Progress.pending("waiting until node-empty"));
        fleet.busy.clear();
        assertThat(wait.attempt(context(NODE, 1, T0))).isEqualTo(Progress.done("node-empty: holds"));
        assertThat(fleet.calls).isEmpty();
    }

    @Test
    void waitForAHealthyGpu() {
        Wait wait = new Wait(Condition.GPU_HEALTHY);
        fleet.update("sim-1", node -> node.health(List.of(health(3, HealthState.FAILED), health(2, HealthState.HEALTHY))));
        assertThat(wait.attempt(context(GPU, 1, T0)).status()).isEqualTo(Progress.Status.PENDING);
        fleet.update("sim-1", node -> node.health(List.of(health(3, HealthState.HEALTHY))));
        assertThat(wait.attempt(context(GPU, 1, T0)).status()).isEqualTo(Progress.Status.DONE);
    }

    @Test
    void waitForTheNodeToReportAgainAfterTheWaitBegan() {
        Wait wait = new Wait(Condition.NODE_REPORTING);
        assertThat(wait.attempt(context(NODE, 1, T0)).status()).isEqualTo(Progress.Status.PENDING);
        fleet.update("sim-1", node -> node.lastReport(T0));
        assertThat(wait.attempt(context(NODE, 1, T0)).status()).isEqualTo(Progress.Status.PENDING);
        fleet.update("sim-1", node -> node.lastReport(T0.plusSeconds(1)).state(NodeState.UNKNOWN));
        assertThat(wait.attempt(context(NODE, 1, T0)).status()).isEqualTo(Progress.Status.PENDING);
        fleet.update("sim-1", node -> node.state(NodeState.CORDONED));
        assertThat(wait.attempt(context(NODE, 1, T0)).status()).isEqualTo(Progress.Status.DONE);
    }

    @Test
    void waitForAReadyNode() {
        Wait wait = new Wait(Condition.NODE_READY);
        assertThat(wait.attempt(context(NODE, 1, T0)).status()).isEqualTo(Progress.Status.PENDING);
        fleet.update("sim-1", node -> node.state(NodeState.READY));
        assertThat(wait.attempt(context(NODE, 1, T0)).status()).isEqualTo(Progress.Status.DONE);
        assertThat(wait.plan(context(NODE, 1, T0))).isEqualTo("would wait until node-ready (holds now)");
    }

    @Test
    void aWaitOnAnUnknownNodeNeverHolds() {
        RunTarget gone = new RunTarget("gone", 0);
        for (Condition condition : List.of(Condition.GPU_HEALTHY, Condition.NODE_REPORTING, Condition.NODE_READY)) {
            assertThat(new Wait(condition).attempt(context(gone, 1, T0)).status()).isEqualTo(Progress.Status.PENDING);
        }
    }

    @Test
    void aGpuResetAsksTheAgentOnceUnderTheAttemptsIdAndReadsItsOutcome() {
        GpuReset reset = new GpuReset();

        Progress asked = reset.attempt(context(GPU, 1, T0));
        Progress again = reset.attempt(context(GPU, 1, T0.plusSeconds(1)));

        assertThat(asked.actionId()).isEqualTo("run-7/2/1");
        assertThat(asked.status()).isEqualTo(Progress.Status.PENDING);
        assertThat(again.status()).isEqualTo(Progress.Status.PENDING);
        assertThat(fleet.calls).containsExactly("ask sim-1 run-7/2/1 GPU_RESET");
        AgentAction action = fleet.nodes.get("sim-1").actions().get(0);
        assertThat(action.gpu()).isEqualTo(3);
        assertThat(action.requested()).isEqualTo(T0);

        fleet.report("sim-1", "run-7/2/1", AgentActionResult.State.RUNNING, "resetting");
        assertThat(reset.attempt(context(GPU, 1, T0)).output()).endsWith(": resetting");
        fleet.report("sim-1", "run-7/2/1", AgentActionResult.State.SUCCEEDED, "reset in 3 s");
        assertThat(reset.attempt(context(GPU, 1, T0))).isEqualTo(
                new Progress(Progress.Status.DONE, "gpu-reset of gpu 3 reset in 3 s", "run-7/2/1"));
        assertThat(fleet.calls).hasSize(1);
    }

    @Test
    void aNewAttemptAsksANewId() {
        new Reboot().attempt(context(NODE, 1, T0));
        fleet.report("sim-1", "run-7/2/1", AgentActionResult.State.FAILED, "systemctl reboot failed");
        assertThat(new Reboot().attempt(context(NODE, 1, T0)))
                .isEqualTo(new Progress(Progress.Status.FAILED, "reboot systemctl reboot failed", "run-7/2/1"));

        new Reboot().attempt(context(NODE, 2, T0));

        assertThat(fleet.calls("ask")).containsExactly("ask sim-1 run-7/2/1 REBOOT", "ask sim-1 run-7/2/2 REBOOT");
    }

    @Test
    void anAgentActionOnAnUnknownNodeFails() {
        assertThat(new Reboot().attempt(context(new RunTarget("gone", null), 1, T0)).status())
                .isEqualTo(Progress.Status.FAILED);
        assertThat(fleet.calls).isEmpty();
    }

    @Test
    void aHealthCheckAsksForItsLevelOfTheNodeOrTheGpu() {
        new HealthCheck(Scope.NODE, 2).attempt(context(GPU, 1, T0));
        AgentAction action = fleet.nodes.get("sim-1").actions().get(0);
        assertThat(action.kind()).isEqualTo(AgentAction.Kind.HEALTH_CHECK);
        assertThat(action.gpu()).isNull();
        assertThat(action.level()).isEqualTo(2);

        new HealthCheck(null, 1).attempt(context(GPU, 2, T0));
        assertThat(fleet.nodes.get("sim-1").actions().get(1).gpu()).isEqualTo(3);
        assertThat(new HealthCheck(null, 1).plan(context(GPU, 1, T0)))
                .isEqualTo("would ask the agent for a level 1 health check of sim-1 gpu 3");
    }

    @Test
    void aPowerCycleAsksTheBmcOnceAndReadsItsResult() {
        PowerCycle cycle = new PowerCycle();

        assertThat(cycle.attempt(context(NODE, 1, T0)).status()).isEqualTo(Progress.Status.PENDING);
        assertThat(cycle.attempt(context(NODE, 1, T0)).output()).isEqualTo("power cycle: ipmitool chassis power cycle");
        assertThat(fleet.calls).containsExactly("power-cycle sim-1 run-7/2/1");

        fleet.bmc.put("run-7/2/1", new BmcResult("run-7/2/1", AgentActionResult.State.SUCCEEDED, "Chassis Power Control: Cycle"));
        assertThat(cycle.attempt(context(NODE, 1, T0)))
                .isEqualTo(new Progress(Progress.Status.DONE, "power cycle: Chassis Power Control: Cycle", "run-7/2/1"));
        fleet.bmc.put("run-7/2/1", new BmcResult("run-7/2/1", AgentActionResult.State.FAILED, "no BMC configured for sim-1"));
        assertThat(cycle.attempt(context(NODE, 1, T0)).status()).isEqualTo(Progress.Status.FAILED);
        assertThat(fleet.calls).hasSize(1);
    }

    @Test
    void notifyFillsInTheRunAndSendsOneNoteByTheAttemptsId() {
        Progress progress = new Notify("${node} gpu ${gpu}: ${runbook} run ${run}", false).attempt(context(GPU, 1, T0));

        assertThat(progress.output()).isEqualTo("notified: sim-1 gpu 3: rb run run-7");
        assertThat(fleet.calls).containsExactly("notify run-7/2/1 sim-1 gpu 3: rb run run-7");
        assertThat(fleet.notes).containsExactly("runbook rb, run run-7, target sim-1 gpu 3");
    }

    @Test
    void aPagingNotifyCarriesTheNodesHistory() {
        fleet.update("sim-1", node -> node.history(List.of(new Transition(NodeState.READY, NodeState.CORDONED,
                "XID 79", "health-reflex", T0))));

        assertThat(new Notify("${node} needs an RMA", true).attempt(context(GPU, 1, T0)))
                .isEqualTo(new Progress(Progress.Status.DONE, "paged: sim-1 needs an RMA", "run-7/2/1"));

        assertThat(fleet.calls).hasSize(1);
        assertThat(fleet.calls.get(0)).startsWith("page run-7/2/1 sim-1 needs an RMA\n")
                .contains("ready -> cordoned by health-reflex: XID 79");
    }

    @Test
    void aFleetNotifyNamesTheFleet() {
        new Notify("capacity for ${node}", false).attempt(context(null, 1, T0));
        assertThat(fleet.calls).containsExactly("notify run-7/2/1 capacity for fleet");
        assertThat(fleet.notes).containsExactly("runbook rb, run run-7");
    }

    @Test
    void approveWaitsForAnOperator() {
        assertThat(new Approve().attempt(context(NODE, 1, T0)))
                .isEqualTo(Progress.pending("waiting for an operator: vigil run approve run-7"));
        StepContext approved = new StepContext("run-7", "rb", 2, 1, T0, NODE, "a", "alice", fleet, T0);
        assertThat(new Approve().attempt(approved)).isEqualTo(Progress.done("approved by alice"));
    }

    @Test
    void execRunsTheCommandOnceOverSshAndReadsItsResult() {
        Exec exec = new Exec("nvidia-smi -r");

        assertThat(exec.attempt(context(NODE, 1, T0))).isEqualTo(new Progress(Progress.Status.PENDING,
                "running \"nvidia-smi -r\" on sim-1 over SSH", "run-7/2/1"));
        assertThat(exec.attempt(context(NODE, 1, T0)).output()).isEqualTo("exec \"nvidia-smi -r\": ssh sim-1 nvidia-smi -r");
        assertThat(fleet.calls).containsExactly("exec sim-1 run-7/2/1 nvidia-smi -r");

        fleet.execs.put("run-7/2/1", new ExecResult("run-7/2/1", AgentActionResult.State.SUCCEEDED, "exit 0: done"));
        assertThat(exec.attempt(context(NODE, 1, T0)))
                .isEqualTo(new Progress(Progress.Status.DONE, "exec \"nvidia-smi -r\": exit 0: done", "run-7/2/1"));
        fleet.execs.put("run-7/2/1", new ExecResult("run-7/2/1", AgentActionResult.State.FAILED, "no SSH configured"));
        assertThat(exec.attempt(context(NODE, 1, T0)))
                .isEqualTo(new Progress(Progress.Status.FAILED, "exec \"nvidia-smi -r\": no SSH configured", "run-7/2/1"));
        assertThat(fleet.calls).hasSize(1);
    }

    @Test
    void reportAsksTheControllerForTheReport() {
        assertThat(new Report().attempt(context(null, 1, T0)).status()).isEqualTo(Progress.Status.DONE);
        assertThat(fleet.calls).containsExactly("report run-7/2/1");
    }

    @Test
    void everyPlanSaysWhatItWouldDoAndChangesNothing() {
        fleet.busy.add(GPU);
        List<Step> steps = List.of(new Cordon(null), new Uncordon(null), new Drain(null, DrainMode.REQUEUE, null),
                new Drain(Scope.NODE, DrainMode.ALLOW_COMPLETION, Duration.ofMinutes(5)), new Wait(Condition.NODE_EMPTY),
                new GpuReset(), new Reboot(), new PowerCycle(), new HealthCheck(null, 1), new Notify("x", true),
                new Approve(), new Exec("ls"), new Return(null), new Report());

        List<String> plans = steps.stream().map(step -> step.plan(context(GPU, 1, T0))).toList();

        assertThat(plans).allSatisfy(plan -> assertThat(plan).startsWith("would "));
        assertThat(plans).containsExactly("would cordon sim-1 gpu 3", "would uncordon sim-1 gpu 3",
                "would drain sim-1 gpu 3 and requeue its work at once (work runs there now)",
                "would drain sim-1, letting work finish for 5m, then requeue what is left (work runs there now)",
                "would wait until node-empty (does not hold now)", "would ask the agent of sim-1 to reset gpu 3",
                "would ask the agent of sim-1 to reboot the node", "would power-cycle sim-1 through its BMC",
                "would ask the agent for a level 1 health check of sim-1 gpu 3", "would page: x",
                "would wait for an operator's approval",
                "would run \"ls\" on sim-1 over SSH",
                "would return sim-1 gpu 3 to service", "would produce the capacity report and send it");
        assertThat(fleet.calls).isEmpty();
    }

    private static GpuHealth health(int gpu, HealthState state) {
        return new GpuHealth(gpu, "GPU-" + gpu, state, RepairAction.NONE, List.of());
    }
}
