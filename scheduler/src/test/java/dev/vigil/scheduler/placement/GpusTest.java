package dev.vigil.scheduler.placement;

import dev.vigil.scheduler.topology.ClusterState;
import dev.vigil.scheduler.topology.ClusterState.Node;
import dev.vigil.scheduler.topology.Fabric;
import dev.vigil.scheduler.topology.NodeCapacity;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntUnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/** Which GPUs of a node a request takes: one NVLink domain, one NUMA node, best fit, fewest NUMA nodes crossed. */
class GpusTest {
    /** A node of {@code count} GPUs whose NVLink domain and NUMA node the functions give. */
    private static Node node(int count, IntUnaryOperator domain, IntUnaryOperator numa) {
        List<NodeCapacity.Gpu> gpus = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            gpus.add(new NodeCapacity.Gpu(i, "GPU-" + i, true, domain.applyAsInt(i), numa.applyAsInt(i), List.of()));
        }
        return new ClusterState(Fabric.none()).upsert(new NodeCapacity("n", "H100", null, true, true, gpus));
    }

    private static int mask(int... gpus) {
        int mask = 0;
        for (int gpu : gpus) {
            mask |= 1 << gpu;
        }
        return mask;
    }

    private static final int ALL8 = 0xff;

    @Test
    void fewerFreeGpusThanAskedGiveNothing() {
        Node node = node(8, i -> 0, i -> 0);
        assertThat(Gpus.pick(node, mask(0, 1, 2), 4, false)).isZero();
        assertThat(Gpus.pick(node, mask(0, 1, 2), 4, true)).isZero();
        assertThat(Gpus.pick(node, mask(0, 1, 2), 3, false)).isEqualTo(mask(0, 1, 2));
    }

    @Test
    void oneDomainTakesTheSmallestNvlinkDomainThatHoldsTheRequestTheFirstAmongEquals() {
        // Domains: 0-3, 4-5, 6-7.
        Node node = node(8, i -> i < 4 ? 0 : i < 6 ? 1 : 2, i -> 0);

        assertThat(Gpus.pick(node, ALL8, 2, true)).isEqualTo(mask(4, 5));
        assertThat(Gpus.pick(node, ALL8, 3, true)).isEqualTo(mask(0, 1, 2));
        assertThat(Gpus.pick(node, ALL8, 1, true)).isEqualTo(mask(4));
        // Only what is free counts: with 4 taken, domain 1 is too small.
        assertThat(Gpus.pick(node, ALL8 & ~mask(4), 2, true)).isEqualTo(mask(6, 7));
    }

    @Test
    void noDomainLargeEnoughGivesNothingWhenOneDomainIsRequired() {
        Node node = node(8, i -> i / 2, i -> 0);
        assertThat(Gpus.pick(node, ALL8, 3, true)).isZero();
        assertThat(Gpus.pick(node, ALL8, 3, false)).isEqualTo(mask(0, 1, 2));
    }

    @Test
    void withinADomainTheGpusOfOneNumaNodeAreTaken() {
        // One NVLink domain; NUMA 0 holds 0-5, NUMA 1 holds 6-7.
        Node node = node(8, i -> 0, i -> i < 6 ? 0 : 1);
        assertThat(Gpus.pick(node, ALL8, 2, true)).isEqualTo(mask(6, 7));
        assertThat(Gpus.pick(node, ALL8, 3, true)).isEqualTo(mask(0, 1, 2));
    }

    @Test
    void theSmallestNumaNodeThatHoldsTheRequestIsTakenTheFirstAmongEquals() {
        // NUMA nodes: 0-3, 4-5, 6-7.
        Node node = node(8, i -> i, i -> i < 4 ? 0 : i < 6 ? 1 : 2);

        assertThat(Gpus.pick(node, ALL8, 2, false)).isEqualTo(mask(4, 5));
        assertThat(Gpus.pick(node, ALL8, 4, false)).isEqualTo(mask(0, 1, 2, 3));
    }

    @Test
    void aRequestSpanningNumaNodesTakesTheLargestGroupsWholeFirst() {
        // NUMA nodes of two: 0-1, 2-3, 4-5; 1 is taken, so NUMA 0 has one GPU free.
        Node node = node(6, i -> i, i -> i / 2);
        assertThat(Gpus.pick(node, mask(0, 2, 3, 4, 5), 3, false)).isEqualTo(mask(2, 3, 4));
        // Equal groups: the first whole, then what is missing from the next.
        assertThat(Gpus.pick(node, mask(0, 1, 2, 3, 4, 5), 3, false)).isEqualTo(mask(0, 1, 2));
    }

    @Test
    void aSpanningRequestTakesExactlyAsManyGpusAsAsked() {
        // NUMA nodes of three: 0-2, 3-5.
        Node node = node(6, i -> i, i -> i / 3);
        assertThat(Gpus.pick(node, mask(0, 1, 2, 3, 4, 5), 4, false)).isEqualTo(mask(0, 1, 2, 3));
        assertThat(Gpus.pick(node, mask(0, 1, 2, 3, 4, 5), 5, false)).isEqualTo(mask(0, 1, 2, 3, 4));
    }

    @Test
    void aThirtyTwoGpuNodeWithANumaNodePerGpuSpansThemAll() {
        Node node = node(32, i -> i, i -> i);
        assertThat(Gpus.pick(node, -1, 2, false)).isEqualTo(mask(0, 1));
        assertThat(Gpus.pick(node, -1, 32, false)).isEqualTo(-1);
    }
}
