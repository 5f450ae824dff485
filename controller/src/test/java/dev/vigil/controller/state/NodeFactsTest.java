package dev.vigil.controller.state;

import dev.vigil.api.cluster.AgentAction;
import dev.vigil.api.cluster.AgentActionResult;
import dev.vigil.api.cluster.AgentReport;
import dev.vigil.api.cluster.CordonedGpu;
import dev.vigil.api.cluster.DesiredState;
import dev.vigil.api.cluster.ExecutionNode;
import dev.vigil.api.cluster.GpuSummary;
import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.cluster.NodeState;
import dev.vigil.api.gpu.GpuDevice;
import dev.vigil.api.gpu.GpuEvent;
import dev.vigil.api.gpu.GpuHealth;
import dev.vigil.api.gpu.HealthReason;
import dev.vigil.api.gpu.HealthState;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.api.gpu.RepairAction;
import dev.vigil.api.gpu.Severity;
import dev.vigil.api.mig.GpuMig;
import dev.vigil.api.mig.GpuMigStatus;
import dev.vigil.api.mig.GpuMigTarget;
import dev.vigil.api.mig.MigPhase;
import dev.vigil.api.mig.MigSlot;
import dev.vigil.api.placement.Enforcement;
import dev.vigil.api.placement.JudgedProcess;
import dev.vigil.api.placement.PlacementAction;
import dev.vigil.api.placement.PlacementPolicy;
import dev.vigil.api.placement.PlacementVerdict;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which reports a member may answer alone: only those that change nothing but the vital signs.
 * Each other kind of report must reach the leader, or its change would be lost.
 */
class NodeFactsTest {
    private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");
    private static final List<GpuHealth> HEALTHY = List.of(GpuHealth.of(0, "GPU-0", List.of()));
    private static final NodeInventory INVENTORY = new NodeInventory("n1", "simulated", "550", List.of(), null);
    private static final NodeRecord NODE = NodeRecord.named("n1").state(NodeState.READY).since(NOW).lastReport(NOW)
            .agentId("agent-1").agentVersion("1.0").inventoryHash("h1").inventory(INVENTORY).health(HEALTHY)
            .version(4).appliedVersion(4).lastEventSeq(7)
            .cordonedGpus(List.of(new CordonedGpu(1, "GPU-1", "bad", "op", NOW))).build();
    private static final NodeFacts FACTS = NodeFacts.of(NODE);

    private static AgentReport steady() {
        return report("agent-1", "1.0", "h1", null, HEALTHY, List.of(), 4L, null);
    }

    private static AgentReport report(String agent, String version, String hash, NodeInventory inventory,
                                      List<GpuHealth> health, List<GpuEvent> events, Long applied, String error) {
        return new AgentReport(agent, version, hash, inventory, health, List.of(new GpuSummary(0, 97.0, 70.0, 650.0,
                1000.0)), events, applied, error);
    }

    private static GpuEvent xid(long seq) {
        return new GpuEvent(seq, NOW, 0, "GPU-0", null, null, GpuEvent.Kind.XID, 79, Severity.CRITICAL,
                RepairAction.REBOOT_NODE, "fallen off the bus");
    }

    @Test
    void aReportThatChangesOnlyReadingsIsAnsweredWithTheStoredDesiredState() {
        assertThat(FACTS.unchangedBy(steady())).isTrue();
        assertThat(FACTS.desired()).isEqualTo(new DesiredState(4, false, false, List.of("GPU-1"), false, 7,
                List.of()));
    }

    @Test
    void anEventNotStoredYetGoesToTheLeaderAndOneAlreadyStoredDoesNot() {
        assertThat(FACTS.unchangedBy(report("agent-1", "1.0", "h1", null, HEALTHY, List.of(xid(8)), 4L, null)))
                .isFalse();
        assertThat(FACTS.unchangedBy(report("agent-1", "1.0", "h1", null, HEALTHY, List.of(xid(7)), 4L, null)))
                .isTrue();
    }

    @Test
    void aHealthChangeGoesToTheLeader() {
        List<GpuHealth> failed = List.of(GpuHealth.of(0, "GPU-0", List.of(new HealthReason("xid-79",
                HealthState.FAILED, "fallen off the bus", RepairAction.REBOOT_NODE, 79, NOW))));

        assertThat(FACTS.unchangedBy(report("agent-1", "1.0", "h1", null, failed, List.of(), 4L, null))).isFalse();
    }

    @Test
    void anotherAgentProcessVersionInventoryOrAppliedStateGoesToTheLeader() {
        assertThat(FACTS.unchangedBy(report("agent-2", "1.0", "h1", null, HEALTHY, List.of(), 4L, null)))
                .as("agent restarted").isFalse();
        assertThat(FACTS.unchangedBy(report("agent-1", "1.1", "h1", null, HEALTHY, List.of(), 4L, null)))
                .as("agent upgraded").isFalse();
        assertThat(FACTS.unchangedBy(report("agent-1", "1.0", "h2", null, HEALTHY, List.of(), 4L, null)))
                .as("inventory hash").isFalse();
        assertThat(FACTS.unchangedBy(report("agent-1", "1.0", "h1", INVENTORY, HEALTHY, List.of(), 4L, null)))
                .as("inventory sent").isFalse();
        assertThat(FACTS.unchangedBy(report("agent-1", "1.0", "h1", null, HEALTHY, List.of(), 3L, null)))
                .as("applied version").isFalse();
        assertThat(FACTS.unchangedBy(report("agent-1", "1.0", "h1", null, HEALTHY, List.of(), 4L, "no MIG")))
                .as("apply error").isFalse();
    }

    @Test
    void aNodeThatIsUnknownOrHasNoInventoryYetGoesToTheLeader() {
        assertThat(NodeFacts.of(NODE.with().state(NodeState.UNKNOWN).build()).unchangedBy(steady()))
                .as("reporting again").isFalse();
        NodeFacts noInventory = NodeFacts.of(NODE.with().inventory(null).build());
        assertThat(noInventory.desired().needInventory()).isTrue();
        assertThat(noInventory.unchangedBy(steady())).isFalse();
    }

    @Test
    void aRepairsOutcomeGoesToTheLeaderAndTheAskedRepairIsInTheDesiredState() {
        AgentAction reboot = new AgentAction("run-1/1/1", AgentAction.Kind.REBOOT, null, null, NOW);
        AgentActionResult done = new AgentActionResult("run-1/1/1", AgentAction.Kind.REBOOT,
                AgentActionResult.State.SUCCEEDED, "rebooted", null, NOW, NOW);
        NodeFacts asked = NodeFacts.of(NODE.with().actions(List.of(reboot)).build());
        AgentReport reporting = new AgentReport("agent-1", "1.0", "h1", null, HEALTHY, List.of(), List.of(), 4L, null,
                List.of(done));

        assertThat(asked.desired().actions()).containsExactly(reboot);
        assertThat(asked.unchangedBy(reporting)).as("a new outcome").isFalse();
        NodeFacts stored = NodeFacts.of(NODE.with().actions(List.of(reboot)).actionResults(List.of(done)).build());
        assertThat(stored.unchangedBy(reporting)).as("the outcome stored already").isTrue();
        assertThat(stored.unchangedBy(steady())).as("the agent no longer tells of it").isFalse();
    }

    @Test
    void aMigStatusGoesToTheLeaderAndOnlySentLayoutsAreInTheDesiredState() {
        List<MigSlot> slots = List.of(new MigSlot("3g.40gb", 0), new MigSlot("3g.40gb", 4));
        GpuMig applying = new GpuMig(6, "all-3g.40gb", true, slots, MigPhase.APPLYING, "sent", NOW, NOW, false, "ops", 5);
        GpuMig draining = new GpuMig(7, "all-3g.40gb", true, slots, MigPhase.DRAINING, "waiting", NOW, NOW, false,
                "ops", 0);
        GpuMig failed = new GpuMig(5, "all-3g.40gb", true, slots, MigPhase.FAILED, "no", NOW, null, false, "ops", 4);
        GpuMigStatus done = new GpuMigStatus(6, 5, MigPhase.SUCCESS, "applied", NOW);
        NodeFacts asked = NodeFacts.of(NODE.with().mig(List.of(applying, draining, failed)).build());
        AgentReport reporting = new AgentReport("agent-1", "1.0", "h1", null, HEALTHY, List.of(), List.of(), 4L, null,
                List.of(), List.of(done));

        assertThat(asked.desired().mig()).containsExactly(new GpuMigTarget(6, "all-3g.40gb", true, slots, 5));
        assertThat(asked.unchangedBy(reporting)).as("a new status").isFalse();
        NodeFacts stored = NodeFacts.of(NODE.with().mig(List.of(applying)).migReported(List.of(done)).build());
        assertThat(stored.unchangedBy(reporting)).as("the status stored already").isTrue();
        assertThat(stored.unchangedBy(steady())).as("the agent no longer tells of it").isFalse();
    }

    @Test
    void aNewViolationOrActionGoesToTheLeaderWhileProcessesAloneAreVitalSignsAndThePolicyIsInTheDesiredState() {
        JudgedProcess allowed = new JudgedProcess(0, null, 900, "1002", "python3", "job:train-a", "train-a",
                PlacementVerdict.ALLOWED, null, null);
        JudgedProcess rogue = new JudgedProcess(0, null, 901, "1001", "xmrig", "unknown", null, PlacementVerdict.ROGUE,
                Enforcement.SIGTERM_SENT, NOW);
        PlacementPolicy kill = new PlacementPolicy(PlacementAction.KILL, Duration.ofSeconds(5));
        NodeFacts stored = NodeFacts.of(NODE.with().placement(kill).violations(List.of(rogue)).build());
        assertThat(stored.desired().placement()).isEqualTo(kill);
        assertThat(NodeFacts.of(NODE).desired().placement()).as("the default").isEqualTo(PlacementPolicy.REPORT);

        AgentReport both = new AgentReport("agent-1", "1.0", "h1", null, HEALTHY, List.of(), List.of(), 4L, null,
                List.of(), List.of(), List.of(allowed, rogue));
        assertThat(NodeFacts.violations(both)).containsExactly(rogue);
        assertThat(stored.unchangedBy(both)).as("the violation stored already").isTrue();
        AgentReport killed = new AgentReport("agent-1", "1.0", "h1", null, HEALTHY, List.of(), List.of(), 4L, null,
                List.of(), List.of(), List.of(allowed, new JudgedProcess(0, null, 901, "1001", "xmrig", "unknown", null,
                PlacementVerdict.ROGUE, Enforcement.SIGKILL_SENT, NOW)));
        assertThat(stored.unchangedBy(killed)).as("a new action").isFalse();
        assertThat(stored.unchangedBy(steady())).as("the violation ended").isFalse();
        AgentReport onlyAllowed = new AgentReport("agent-1", "1.0", "h1", null, HEALTHY, List.of(), List.of(), 4L,
                null, List.of(), List.of(), List.of(allowed));
        assertThat(FACTS.unchangedBy(onlyAllowed)).as("processes alone are vital signs").isTrue();
    }

    @Test
    void slurmJobsVigilDidNotLaunchAreAllocationsOfTheirOwnInTheDesiredState() {
        NodeInventory two = new NodeInventory("n1", "nvml", "550", List.of(device(0), device(1)), null);
        NodeRecord node = NODE.with().inventory(two).execution(new ExecutionNode("slurm", "mixed", true, false, null,
                null, null, List.of(new ExecutionNode.ForeignJob("812", "train", "alice", List.of(1, 5))), false))
                .build();
        assertThat(NodeFacts.of(node).desired().allocations()).singleElement().satisfies(allocation -> {
            assertThat(allocation.job()).isEqualTo("slurm:812");
            assertThat(allocation.backendJob()).isEqualTo("slurm:812");
            assertThat(allocation.gpus()).as("a GPU the inventory lacks is left out").containsExactly(1);
            assertThat(allocation.uuids()).containsExactly("GPU-1");
        });
        assertThat(NodeFacts.of(NODE).desired().allocations()).isEmpty();
    }

    private static GpuDevice device(int index) {
        return new GpuDevice(index, "GPU-" + index, "NVIDIA H100 80GB HBM3", "00000000:1" + index + ":00.0",
                "0x233010DE", 81_920, 0, "0-55", 18, List.of(), null);
    }
}
