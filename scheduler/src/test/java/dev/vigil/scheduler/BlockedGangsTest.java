package dev.vigil.scheduler;

import dev.vigil.api.jobs.JobSpec;
import dev.vigil.scheduler.placement.NodeMatch;
import dev.vigil.scheduler.policy.Tenant;
import dev.vigil.scheduler.topology.ClusterState;
import dev.vigil.scheduler.topology.Fabric;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static dev.vigil.scheduler.Clusters.H100;
import static dev.vigil.scheduler.Clusters.hgx;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A gang shape that found no room stays known blocked across cycles until whole GPUs come back where it could then
 * fit, worked out by hand: two leaves of two 8-GPU nodes (n0, n1 | n2, n3), all full but half of n2; the gang wants
 * 2 nodes × 8 GPUs.
 */
class BlockedGangsTest {
    private static final Instant T0 = Instant.parse("2026-12-07T08:00:00Z");
    private static final int ONE_LEAF = 1;
    private static final int ANY_LEAVES = Integer.MAX_VALUE;

    private ClusterState state;
    private BlockedGangs blocked;
    private Job gang;

    private static Job job(JobSpec spec) {
        return new Job("j", spec, new Form(spec, new NodeMatch(null, false, null)), Tenant.unlimited("t"), 500, T0, 0);
    }

    @BeforeEach
    void fullCluster() {
        state = new ClusterState(Fabric.uniform(2, 2, "n"));
        for (int i = 0; i < 4; i++) {
            state.upsert(hgx("n" + i, H100));
        }
        state.allocate(state.node("n0"), 0xFF, "a");
        state.allocate(state.node("n1"), 0xFF, "b");
        state.allocate(state.node("n2"), 0x0F, "c");
        state.allocate(state.node("n3"), 0xFF, "d");
        blocked = new BlockedGangs(state);
        gang = job(Jobs.gang(2, 8).spec());
    }

    @Test
    void aShapeIsKnownBlockedOnlyOnceASearchFoundNoRoom() {
        assertThat(blocked.known(gang, 0, ONE_LEAF)).isFalse();

        blocked.remember(gang, 0, ONE_LEAF);

        assertThat(blocked.known(gang, 0, ONE_LEAF)).isTrue();
        assertThat(blocked.known(gang, 0, ANY_LEAVES)).as("held to one leaf and not are remembered apart").isFalse();
    }

    @Test
    void gpusBackWhereItStillCannotFitKeepItBlocked() {
        blocked.remember(gang, 0, ONE_LEAF);
        blocked.remember(gang, 0, ANY_LEAVES);

        state.release(state.node("n2"), "c");

        // n2 is whole again, but one free node is not two, under one leaf or anywhere.
        assertThat(blocked.known(gang, 0, ONE_LEAF)).isTrue();
        assertThat(blocked.known(gang, 0, ANY_LEAVES)).isTrue();
    }

    @Test
    void gpusBackUnderALeafWhereItCouldFitNowMakeItSearchAgain() {
        blocked.remember(gang, 0, ONE_LEAF);

        state.release(state.node("n2"), "c");
        state.release(state.node("n3"), "d");

        assertThat(blocked.known(gang, 0, ONE_LEAF)).isFalse();
    }

    @Test
    void aNodeFreeUnderEachLeafIsRoomOnlyForAGangThatMayTakeTwoLeaves() {
        blocked.remember(gang, 0, ONE_LEAF);
        blocked.remember(gang, 0, ANY_LEAVES);

        state.release(state.node("n0"), "a");
        state.release(state.node("n2"), "c");

        assertThat(blocked.known(gang, 0, ONE_LEAF)).isTrue();
        assertThat(blocked.known(gang, 0, ANY_LEAVES)).isFalse();
    }

    @Test
    void aCapacityChangeForgetsWhatWasBlocked() {
        blocked.remember(gang, 0, ONE_LEAF);

        state.schedulable(state.node("n1"), true);

        assertThat(blocked.known(gang, 0, ONE_LEAF)).isFalse();
    }

    @Test
    void servicesAreNotRemembered() {
        Job service = job(Jobs.inference(2, 8).spec());

        blocked.remember(service, 0, ANY_LEAVES);

        assertThat(blocked.known(service, 0, ANY_LEAVES)).isFalse();
    }
}
