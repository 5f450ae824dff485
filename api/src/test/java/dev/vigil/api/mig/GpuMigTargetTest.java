package dev.vigil.api.mig;

import dev.vigil.api.gpu.MigInstance;
import dev.vigil.api.gpu.MigStatus;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Whether a GPU holds a layout: what the agent and the controller both ask. */
class GpuMigTargetTest {
    private static final GpuMigTarget TWO = new GpuMigTarget(6, "all-3g.40gb", true,
            List.of(new MigSlot("3g.40gb", 0), new MigSlot("3g.40gb", 4)), 3);
    private static final GpuMigTarget OFF = new GpuMigTarget(6, "all-disabled", false, List.of(), 3);

    private static MigInstance at(int start, String uuid) {
        return new MigInstance(start + 1, "3g.40gb", start, 4, uuid, 40_448);
    }

    @Test
    void theSameInstancesInAnyOrderHoldTheLayoutAndAnythingElseDoesNot() {
        assertThat(TWO.heldBy(new MigStatus(true, true, List.of(at(4, "MIG-b"), at(0, "MIG-a"))))).isTrue();
        assertThat(TWO.heldBy(new MigStatus(true, true, List.of(at(0, "MIG-a"))))).as("one missing").isFalse();
        assertThat(TWO.heldBy(new MigStatus(true, true, List.of(at(0, "MIG-a"), at(4, null))))).as("one without its "
                + "compute instance").isFalse();
        assertThat(TWO.heldBy(new MigStatus(true, false, List.of()))).as("MIG off").isFalse();
        assertThat(TWO.heldBy(null)).as("no MIG").isFalse();
    }

    @Test
    void migOffIsHeldByAGpuWithMigOffOrWithoutMig() {
        assertThat(OFF.heldBy(new MigStatus(true, false, List.of()))).isTrue();
        assertThat(OFF.heldBy(MigStatus.notCapable())).isTrue();
        assertThat(OFF.heldBy(null)).isTrue();
        assertThat(OFF.heldBy(new MigStatus(true, true, List.of()))).isFalse();
    }
}
