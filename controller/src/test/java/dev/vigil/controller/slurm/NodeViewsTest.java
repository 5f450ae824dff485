package dev.vigil.controller.slurm;

import dev.vigil.api.cluster.ExecutionNode;
import dev.vigil.api.gpu.GpuDevice;
import dev.vigil.api.gpu.MigStatus;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.slurm.JobState;
import dev.vigil.slurm.NodeState;
import dev.vigil.slurm.SlurmJob;
import dev.vigil.slurm.SlurmNode;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class NodeViewsTest {
    private static final Instant AT = Instant.parse("2026-11-22T10:00:00Z");

    /** Four GPUs whose driver index order is not their PCI bus order: Slurm's 0 is the driver's 2. */
    private static final NodeInventory INVENTORY = new NodeInventory("gpu07", "nvml", "570", List.of(
            gpu(0, "00000000:81:00.0"), gpu(1, "00000000:C1:00.0"), gpu(2, "00000000:01:00.0"),
            gpu(3, "00000000:41:00.0")), null);

    private static GpuDevice gpu(int index, String bus) {
        return new GpuDevice(index, "GPU-" + index, "NVIDIA H100 80GB HBM3", bus, "0x233010DE", 81_559, null, null, 0,
                List.of(), new MigStatus(false, false, List.of()));
    }

    private static SlurmNode node(NodeState state, Set<String> flags, String reason) {
        return new SlurmNode("gpu07", state, flags, reason, reason == null ? null : "alice", reason == null ? null : AT,
                "h100", 4, List.of(), 32, 0, List.of("gpu"));
    }

    private static SlurmJob job(long id, String comment, JobState state, List<Integer> gpus) {
        return new SlurmJob(id, "train", "bob", null, "gpu", comment, state, state.name(), null, List.of("gpu07"),
                List.of(new SlurmJob.NodeGpus("gpu07", gpus)), AT, AT, null, null);
    }

    @Test
    void someoneElsesJobsHoldTheirGpusInVigilsNumbering() {
        ExecutionNode view = NodeViews.of(node(NodeState.MIXED, Set.of(), null), List.of(
                job(11, null, JobState.RUNNING, List.of(0, 1)),
                job(12, "vigil:k3f9xq:j-000001/1", JobState.RUNNING, List.of(2)),
                job(13, "vigil:zzzzzz:j-000001/1", JobState.RUNNING, List.of(3)),
                job(14, null, JobState.COMPLETED, List.of(3))), INVENTORY, "k3f9xq");
        assertThat(view.available()).isTrue();
        assertThat(view.state()).isEqualTo("mixed");
        assertThat(view.foreignJobs()).extracting(ExecutionNode.ForeignJob::id).as("ours and ended ones are not")
                .containsExactly("11", "13");
        assertThat(view.foreignJobs().get(0).gpus()).as("Slurm's 0 and 1 are the driver's 2 and 3")
                .containsExactly(2, 3);
        assertThat(view.foreignJobs().get(0).user()).isEqualTo("bob");
    }

    @Test
    void aSuspendedOrCompletingJobStillHoldsItsGpusAndAPendingOrEndedOneDoesNot() {
        ExecutionNode view = NodeViews.of(node(NodeState.MIXED, Set.of(), null), List.of(
                job(21, null, JobState.SUSPENDED, List.of(0)),
                job(22, null, JobState.COMPLETING, List.of(1)),
                job(23, null, JobState.UNKNOWN, List.of(2)),
                job(24, null, JobState.PENDING, List.of(3)),
                job(25, null, JobState.CANCELLED, List.of(3)),
                job(26, null, JobState.NODE_FAIL, List.of(3))), INVENTORY, "k3f9xq");
        assertThat(view.foreignJobs()).extracting(ExecutionNode.ForeignJob::id).containsExactly("21", "22", "23");
        assertThat(view.foreignJobs().get(0).gpus()).as("Slurm's 0 is the driver's 2").containsExactly(2);
    }

    @Test
    void aDrainTellsWhoseItIs() {
        ExecutionNode theirs = NodeViews.of(node(NodeState.IDLE, Set.of("DRAIN"), "fan failure"), List.of(), INVENTORY,
                "k3f9xq");
        assertThat(theirs.available()).isFalse();
        assertThat(theirs.byVigil()).isFalse();
        assertThat(theirs.state()).isEqualTo("idle+drain");
        assertThat(theirs.describe()).isEqualTo("slurm says idle+drain, set by alice at 2026-11-22T10:00:00Z: fan failure");
        assertThat(NodeViews.of(node(NodeState.IDLE, Set.of("DRAIN"), "vigil: health reflex: gpu 3"), List.of(),
                INVENTORY, "k3f9xq").byVigil()).isTrue();
        assertThat(NodeViews.of(node(NodeState.DOWN, Set.of(), "Not responding"), List.of(), INVENTORY, "k3f9xq")
                .available()).isFalse();
        ExecutionNode up = NodeViews.of(node(NodeState.IDLE, Set.of(), null), List.of(), INVENTORY, "k3f9xq");
        assertThat(up.available()).isTrue();
        assertThat(up.reason()).isNull();
    }
}
