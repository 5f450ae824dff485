package dev.vigil.controller.scheduling;

import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.cluster.NodeState;
import dev.vigil.api.gpu.GpuEvent;
import dev.vigil.api.gpu.RepairAction;
import dev.vigil.api.gpu.Severity;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class NodeChangesTest {
    private final NodeChanges changes = new NodeChanges();
    private final AtomicInteger wakes = new AtomicInteger();

    @BeforeEach
    void countWakes() {
        changes.onChange(wakes::incrementAndGet);
    }

    @Test
    void takeGivesTheLatestOfEachChangedNodeOnce() {
        NodeRecord a1 = NodeRecord.named("a").state(NodeState.UNKNOWN).build();
        NodeRecord a2 = a1.with().state(NodeState.READY).build();
        NodeRecord b = NodeRecord.named("b").build();
        changes.changed(null, a1);
        changes.changed(a1, a2);
        changes.changed(null, b);

        assertThat(changes.take()).containsExactlyInAnyOrder(a2, b);
        assertThat(changes.take()).isEmpty();
    }

    @Test
    void aChangeThatMattersWakesTheScheduler() {
        NodeRecord old = NodeRecord.named("a").state(NodeState.UNKNOWN).build();

        changes.changed(old, old.with().state(NodeState.READY).build());

        assertThat(wakes).hasValue(1);
    }

    @Test
    void aChangeThatDoesNotMatterIsKeptWithoutWaking() {
        NodeRecord old = NodeRecord.named("a").state(NodeState.READY).build();
        NodeRecord next = old.with().lastReport(Instant.EPOCH).build();

        changes.changed(old, next);

        assertThat(wakes).hasValue(0);
        assertThat(changes.take()).containsExactly(next);
    }

    @Test
    void anXidToRestartTheApplicationIsAnApplicationFaultAndWakes() {
        changes.events("gpu-1", List.of(
                event(GpuEvent.Kind.XID, 2, RepairAction.RESTART_APP, "XID 13: graphics engine exception"),
                event(GpuEvent.Kind.XID, 3, RepairAction.RESET_GPU, "XID 79: fallen off the bus"),
                event(GpuEvent.Kind.HEALTH, 4, RepairAction.RESTART_APP, "health"),
                event(GpuEvent.Kind.XID, 5, RepairAction.RESTART_APP, "XID 31: page fault")));

        assertThat(wakes).hasValue(1);
        assertThat(changes.takeFaults()).containsExactly(
                new NodeChanges.ApplicationFault("gpu-1", 2, "XID 13: graphics engine exception"),
                new NodeChanges.ApplicationFault("gpu-1", 5, "XID 31: page fault"));
        assertThat(changes.takeFaults()).isEmpty();
    }

    @Test
    void eventsWithoutAnApplicationFaultDoNotWake() {
        changes.events("gpu-1", List.of(event(GpuEvent.Kind.XID, 0, RepairAction.REBOOT_NODE, "XID 95"),
                event(GpuEvent.Kind.FAULT, 1, RepairAction.RESTART_APP, "fault")));
        changes.events("gpu-1", List.of());

        assertThat(wakes).hasValue(0);
        assertThat(changes.takeFaults()).isEmpty();
    }

    private static GpuEvent event(GpuEvent.Kind kind, int gpu, RepairAction action, String message) {
        return new GpuEvent(1, Instant.EPOCH, gpu, "GPU-" + gpu, null, null, kind, 13, Severity.WARNING, action,
                message);
    }
}
