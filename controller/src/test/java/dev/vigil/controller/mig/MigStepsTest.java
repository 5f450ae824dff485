package dev.vigil.controller.mig;

import dev.vigil.api.cluster.ExecutionNode;
import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.cluster.NodeState;
import dev.vigil.api.gpu.GpuDevice;
import dev.vigil.api.gpu.MigInstance;
import dev.vigil.api.gpu.MigStatus;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.api.jobs.Allocation;
import dev.vigil.api.jobs.JobKind;
import dev.vigil.api.mig.GpuMig;
import dev.vigil.api.mig.GpuMigStatus;
import dev.vigil.api.mig.MigPhase;
import dev.vigil.api.mig.MigSlot;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The MIG change's step function, phase by phase, deadlines included. */
class MigStepsTest {
    private static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");
    private static final Duration APPLY = Duration.ofMinutes(10);
    private static final List<MigSlot> SLICES = List.of(new MigSlot("3g.40gb", 0), new MigSlot("3g.40gb", 4));

    private static GpuMig record(int gpu, MigPhase phase, Instant deadline, boolean force, long version) {
        return new GpuMig(gpu, "all-3g.40gb", true, SLICES, phase, "closed to new work", T0, deadline, force, "olga",
                version);
    }

    private static NodeRecord node(NodeState state, List<GpuMig> mig, List<Allocation> allocations,
                                   List<GpuMigStatus> reported) {
        GpuDevice sliced = new GpuDevice(6, "GPU-6", "NVIDIA H100 80GB HBM3", "00000000:16:00.0", "0x233010DE",
                81_920, 0, "0-55", 18, List.of(), new MigStatus(true, true, List.of(
                new MigInstance(1, "3g.40gb", 0, 4, "MIG-1", 40_448), new MigInstance(2, "3g.40gb", 4, 4, "MIG-2", 40_448))));
        return NodeRecord.named("n1").state(state).version(7)
                .inventory(new NodeInventory("n1", "simulated", "550", List.of(sliced), null))
                .mig(mig).allocations(allocations).migReported(reported).build();
    }

    private static Allocation on(String job, int gpu) {
        return new Allocation(job, null, JobKind.TRAINING, List.of(gpu), List.of("GPU-" + gpu), List.of(), List.of(),
                null, null, 1, null);
    }

    @Test
    void anEmptyDrainingGpuIsSentToTheAgentWithTheNextVersionAndAnApplyDeadline() {
        NodeRecord node = node(NodeState.READY, List.of(record(6, MigPhase.DRAINING, T0.plusSeconds(60), false, 0)),
                List.of(on("j1", 5)), List.of());

        MigSteps.Step step = MigSteps.advance(node, APPLY, T0.plusSeconds(1));

        GpuMig sent = step.mig().get(0);
        assertThat(sent.phase()).isEqualTo(MigPhase.APPLYING);
        assertThat(sent.version()).isEqualTo(8);
        assertThat(sent.deadline()).isEqualTo(T0.plusSeconds(1).plus(APPLY));
        assertThat(sent.message()).isEqualTo("sent to the agent: MIG on: 3g.40gb@0, 3g.40gb@4");
        assertThat(step.transitions()).containsExactly(new MigSteps.Transition(6, MigPhase.DRAINING,
                MigPhase.APPLYING, sent.message()));
    }

    @Test
    void aGpuWithAJobWaitsUntilTheDrainEndsThenFailsNamingTheJobUnlessForced() {
        NodeRecord node = node(NodeState.READY, List.of(record(6, MigPhase.DRAINING, T0.plusSeconds(60), false, 0),
                record(7, MigPhase.DRAINING, T0.plusSeconds(60), true, 0)), List.of(on("j1", 6), on("j2", 7)), List.of());

        MigSteps.Step waiting = MigSteps.advance(node, APPLY, T0.plusSeconds(59));
        assertThat(waiting.transitions()).isEmpty();
        assertThat(waiting.mig().get(0).message()).isEqualTo("waiting for job j1 to leave GPU 6 until "
                + T0.plusSeconds(60) + "; then the change fails (--force requeues instead)");
        assertThat(waiting.mig().get(1).message()).endsWith("then what is left is requeued (--force)");

        MigSteps.Step ended = MigSteps.advance(node, APPLY, T0.plusSeconds(60));
        assertThat(ended.mig().get(0).phase()).isEqualTo(MigPhase.FAILED);
        assertThat(ended.mig().get(0).message()).startsWith("drain timed out at " + T0.plusSeconds(60)
                + ": job j1 still on GPU 6; set the config again with --force");
        assertThat(ended.mig().get(0).deadline()).isNull();
        assertThat(ended.mig().get(1).phase()).isEqualTo(MigPhase.DRAINING);
        assertThat(ended.mig().get(1).message()).isEqualTo("drain timed out: requeuing job j2 (--force)");
    }

    @Test
    void preemptibleJobsAreReclaimedAtOnceAndEveryJobOnceAForcedDrainEnds() {
        NodeRecord node = node(NodeState.READY, List.of(record(6, MigPhase.DRAINING, T0.plusSeconds(60), false, 0),
                record(7, MigPhase.DRAINING, T0.plusSeconds(60), true, 0),
                record(5, MigPhase.APPLYING, T0.plusSeconds(60), true, 3)),
                List.of(on("spot", 6), on("steady", 6), on("steady2", 7), on("other", 5)), List.of());

        assertThat(MigSteps.reclaims(node, Set.of("spot")::contains, T0)).containsExactly(
                new MigSteps.Reclaim(6, true, "gpu 6 of n1 changes MIG layout to all-3g.40gb"));
        assertThat(MigSteps.reclaims(node, job -> false, T0.plusSeconds(60))).containsExactly(
                new MigSteps.Reclaim(7, false, "gpu 7 of n1 changes MIG layout to all-3g.40gb (drain timed out; forced)"));
    }

    @Test
    void workVigilDidNotLaunchIsWaitedForAndNeverForced() {
        NodeRecord node = node(NodeState.READY, List.of(record(2, MigPhase.DRAINING, T0.plusSeconds(60), true, 0)),
                List.of(), List.of()).with()
                .execution(new ExecutionNode("slurm", "allocated", true, false, null, null, null,
                        List.of(new ExecutionNode.ForeignJob("4711", "train", "bob", List.of(2))), false)).build();

        assertThat(MigSteps.advance(node, APPLY, T0).mig().get(0).message()).contains("work Vigil did not launch",
                "then the change fails");
        assertThat(MigSteps.reclaims(node, job -> true, T0.plusSeconds(61))).isEmpty();
        GpuMig ended = MigSteps.advance(node, APPLY, T0.plusSeconds(61)).mig().get(0);
        assertThat(ended.phase()).isEqualTo(MigPhase.FAILED);
        assertThat(ended.message()).endsWith("the GPU is left as it is");
    }

    @Test
    void theAgentsWordForTheSentVersionEndsTheChangeAndAnOlderVersionsIsIgnored() {
        GpuMig applying = record(6, MigPhase.APPLYING, T0.plus(APPLY), false, 8);
        NodeRecord stale = node(NodeState.READY, List.of(applying), List.of(),
                List.of(new GpuMigStatus(6, 5, MigPhase.SUCCESS, "applied an old layout", T0)));
        assertThat(MigSteps.advance(stale, APPLY, T0.plusSeconds(5)).mig().get(0)).isEqualTo(applying);

        NodeRecord done = node(NodeState.READY, List.of(applying), List.of(),
                List.of(new GpuMigStatus(6, 8, MigPhase.SUCCESS, "applied: MIG on: 2×3g.40gb", T0)));
        GpuMig success = MigSteps.advance(done, APPLY, T0.plusSeconds(5)).mig().get(0);
        assertThat(success.phase()).isEqualTo(MigPhase.SUCCESS);
        assertThat(success.message()).isEqualTo("applied: MIG on: 2×3g.40gb");
        assertThat(success.deadline()).isNull();

        NodeRecord refused = node(NodeState.READY, List.of(applying), List.of(),
                List.of(new GpuMigStatus(6, 8, MigPhase.FAILED, "pids 4121 use GPU 6", T0)));
        GpuMig failed = MigSteps.advance(refused, APPLY, T0.plusSeconds(5)).mig().get(0);
        assertThat(failed.phase()).isEqualTo(MigPhase.FAILED);
        assertThat(failed.message()).isEqualTo("pids 4121 use GPU 6");
    }

    @Test
    void applyingAndResetRequiredTimeOutToFailedWithWhatTheAgentLastSaid() {
        GpuMig applying = record(6, MigPhase.APPLYING, T0.plus(APPLY), false, 8);
        NodeRecord working = node(NodeState.READY, List.of(applying), List.of(),
                List.of(new GpuMigStatus(6, 8, MigPhase.APPLYING, "refused: pids 4121 use GPU 6; waiting", T0)));
        GpuMig still = MigSteps.advance(working, APPLY, T0.plusSeconds(5)).mig().get(0);
        assertThat(still.phase()).isEqualTo(MigPhase.APPLYING);
        assertThat(still.message()).isEqualTo("refused: pids 4121 use GPU 6; waiting");
        GpuMig late = MigSteps.advance(working.with().mig(List.of(still)).build(), APPLY, T0.plus(APPLY)).mig().get(0);
        assertThat(late.phase()).isEqualTo(MigPhase.FAILED);
        assertThat(late.message()).isEqualTo("the agent did not apply the layout by " + T0.plus(APPLY)
                + "; last: refused: pids 4121 use GPU 6; waiting");

        NodeRecord reset = node(NodeState.READY, List.of(applying), List.of(), List.of(new GpuMigStatus(6, 8,
                MigPhase.RESET_REQUIRED, "needs a GPU reset; mig.allowReset is false", T0)));
        GpuMig waiting = MigSteps.advance(reset, APPLY, T0.plusSeconds(5)).mig().get(0);
        assertThat(waiting.phase()).isEqualTo(MigPhase.RESET_REQUIRED);
        assertThat(waiting.deadline()).isEqualTo(T0.plus(APPLY));
        GpuMig gaveUp = MigSteps.advance(reset.with().mig(List.of(waiting)).build(), APPLY, T0.plus(APPLY)).mig()
                .get(0);
        assertThat(gaveUp.phase()).isEqualTo(MigPhase.FAILED);
        assertThat(gaveUp.message()).contains("needs a GPU reset");
    }

    @Test
    void aChangeForASilentNodeWaitsPendingUntilItReportsOrItsDeadline() {
        GpuMig pending = record(1, MigPhase.PENDING, T0.plusSeconds(60), false, 0);
        NodeRecord silent = node(NodeState.UNKNOWN, List.of(pending), List.of(), List.of());
        assertThat(MigSteps.advance(silent, APPLY, T0.plusSeconds(59)).mig().get(0)).isEqualTo(pending);
        GpuMig failed = MigSteps.advance(silent, APPLY, T0.plusSeconds(60)).mig().get(0);
        assertThat(failed.phase()).isEqualTo(MigPhase.FAILED);
        assertThat(failed.message()).isEqualTo("node n1 did not report before " + T0.plusSeconds(60)
                + ": the change was not made");

        NodeRecord back = node(NodeState.READY, List.of(pending), List.of(on("j1", 1)), List.of());
        MigSteps.Step step = MigSteps.advance(back, APPLY, T0.plusSeconds(10));
        assertThat(step.mig().get(0).phase()).isEqualTo(MigPhase.DRAINING);
        assertThat(step.transitions()).extracting(MigSteps.Transition::to).containsExactly(MigPhase.DRAINING);
    }

    @Test
    void aHeldLayoutTheAgentCannotKeepFailsAndOtherwiseStays() {
        GpuMig held = record(6, MigPhase.SUCCESS, null, false, 8);
        NodeRecord kept = node(NodeState.READY, List.of(held), List.of(on("j1", 6)),
                List.of(new GpuMigStatus(6, 8, MigPhase.SUCCESS, "applied", T0)));
        assertThat(MigSteps.advance(kept, APPLY, T0).mig().get(0)).isEqualTo(held);

        NodeRecord lost = node(NodeState.READY, List.of(held), List.of(),
                List.of(new GpuMigStatus(6, 8, MigPhase.FAILED, "recreating after a reboot failed: NVML error", T0)));
        GpuMig failed = MigSteps.advance(lost, APPLY, T0).mig().get(0);
        assertThat(failed.phase()).isEqualTo(MigPhase.FAILED);
        assertThat(failed.message()).isEqualTo("the agent could not keep the layout: recreating after a reboot "
                + "failed: NVML error");
    }

    @Test
    void theAgentsSuccessCountsOnceTheInventoryShowsTheLayout() {
        GpuMig whole = new GpuMig(6, "all-disabled", false, List.of(), MigPhase.APPLYING, "sent", T0, T0.plus(APPLY),
                false, "olga", 8);
        NodeRecord stale = node(NodeState.READY, List.of(whole), List.of(),
                List.of(new GpuMigStatus(6, 8, MigPhase.SUCCESS, "applied: MIG off", T0)));

        GpuMig waiting = MigSteps.advance(stale, APPLY, T0.plusSeconds(1)).mig().get(0);

        assertThat(waiting.phase()).isEqualTo(MigPhase.APPLYING);
        assertThat(waiting.message()).isEqualTo("applied by the agent; waiting for its inventory to show it");
        GpuMig other = new GpuMig(5, "all-disabled", false, List.of(), MigPhase.APPLYING, "sent", T0, T0.plus(APPLY),
                false, "olga", 8);
        NodeRecord noSuchGpu = node(NodeState.READY, List.of(other), List.of(),
                List.of(new GpuMigStatus(5, 8, MigPhase.SUCCESS, "applied", T0)));
        assertThat(MigSteps.advance(noSuchGpu, APPLY, T0).mig().get(0).phase()).isEqualTo(MigPhase.APPLYING);
    }

    @Test
    void aJobAndForeignWorkAreBothNamedAndAnInventoryInAnotherModeOrMissingHoldsNoLayout() {
        NodeRecord both = node(NodeState.READY, List.of(record(6, MigPhase.DRAINING, T0.plusSeconds(60), false, 0)),
                List.of(on("j1", 6)), List.of()).with()
                .execution(new ExecutionNode("slurm", "allocated", true, false, null, null, null,
                        List.of(new ExecutionNode.ForeignJob("4711", "train", "bob", List.of(6))), false)).build();
        assertThat(MigSteps.advance(both, APPLY, T0).mig().get(0).message()).startsWith("waiting for job j1 and work "
                + "Vigil did not launch (another user's Slurm job) to leave GPU 6");

        GpuMig off = new GpuMig(6, "all-disabled", false, List.of(), MigPhase.APPLYING, "sent", T0, T0.plus(APPLY),
                false, "olga", 8);
        NodeRecord sliced = node(NodeState.READY, List.of(off), List.of(), List.of());
        assertThat(MigSteps.inventoryHolds(sliced, off)).as("MIG on in the inventory, off asked").isFalse();
        assertThat(MigSteps.inventoryHolds(sliced, record(6, MigPhase.APPLYING, null, false, 8))).isTrue();
        assertThat(MigSteps.inventoryHolds(sliced, record(5, MigPhase.APPLYING, null, false, 8)))
                .as("GPU 6 holds the layout, GPU 5 is not in the inventory").isFalse();
        GpuMig sevenSlices = new GpuMig(6, "all-1g.10gb", true, List.of(new MigSlot("1g.10gb", 0)), MigPhase.APPLYING,
                "sent", T0, T0.plus(APPLY), false, "olga", 8);
        assertThat(MigSteps.inventoryHolds(sliced, sevenSlices)).as("MIG on both, other instances").isFalse();
        assertThat(MigSteps.inventoryHolds(sliced.with().inventory(null).build(),
                record(6, MigPhase.APPLYING, null, false, 8))).isFalse();
    }
}
