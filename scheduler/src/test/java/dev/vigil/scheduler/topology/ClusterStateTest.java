package dev.vigil.scheduler.topology;

import dev.vigil.scheduler.topology.ClusterState.Node;
import dev.vigil.scheduler.topology.ClusterState.Slice;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The indexes placement reads (free buckets, leaf histograms, free counts) stay true through every change. */
class ClusterStateTest {
    private static final String H100 = "NVIDIA H100 80GB HBM3";
    private static final String A100 = "NVIDIA A100-SXM4-80GB";

    /** {@code count} usable GPUs, one NVLink domain, GPU i on NUMA node i / 4. */
    private static NodeCapacity node(String name, String model, int count) {
        List<NodeCapacity.Gpu> gpus = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            gpus.add(new NodeCapacity.Gpu(i, name + "-" + i, true, 0, i / 4, List.of()));
        }
        return new NodeCapacity(name, model, "pool-" + name, true, true, gpus);
    }

    /** One GPU in MIG mode, cut into {@code slices} 1g.10gb instances (ids 7, 8, ...). */
    private static NodeCapacity migNode(String name, int slices) {
        List<NodeCapacity.MigSlice> mig = new ArrayList<>();
        for (int s = 0; s < slices; s++) {
            mig.add(new NodeCapacity.MigSlice(7 + s, "1g.10gb"));
        }
        return new NodeCapacity(name, H100, null, true, true,
                List.of(new NodeCapacity.Gpu(0, name + "-0", true, 0, 0, mig)));
    }

    private static int mask(int... gpus) {
        int mask = 0;
        for (int gpu : gpus) {
            mask |= 1 << gpu;
        }
        return mask;
    }

    /** Every index agrees with the node's own free count. */
    private static void assertIndexed(ClusterState state, Node node, int free) {
        assertThat(node.freeCount()).isEqualTo(free);
        for (int f = 0; f <= ClusterState.MAX_GPUS; f++) {
            assertThat(state.withFree(node.model(), f).get(node.index)).as("bucket %d", f).isEqualTo(f == free);
        }
        assertThat(state.leafHistogram(node.leaf(), node.model(), free)).isEqualTo(1);
    }

    @Test
    void allocatingAndReleasingMovesANodeBetweenFreeBucketsAndKeepsClusterWideCounts() {
        ClusterState state = new ClusterState(Fabric.none());
        Node n = state.upsert(node("n", H100, 8));
        assertThat(state.node("n")).isSameAs(n);
        assertIndexed(state, n, 8);

        state.allocate(n, mask(0, 1, 2), "a");
        state.allocate(n, mask(3, 4), "b");
        assertIndexed(state, n, 3);
        assertThat(state.freeGpus(n.model())).isEqualTo(3);
        assertThat(n.owner(0)).isEqualTo("a");
        assertThat(n.owner(3)).isEqualTo("b");
        assertThat(n.owner(5)).isNull();

        // Releasing one job frees its GPUs only: the other's stay taken.
        state.release(n, "a");
        assertIndexed(state, n, 6);
        assertThat(n.freeMask()).isEqualTo(mask(0, 1, 2, 5, 6, 7));
        assertThat(n.owner(0)).isNull();
        assertThat(n.owner(3)).isEqualTo("b");
        assertThat(state.freeGpus(n.model())).isEqualTo(6);
    }

    @Test
    void eachLeafCountsItsFreeGpusPerModel() {
        ClusterState state = new ClusterState(Fabric.uniform(2, 2, "n"));
        Node n0 = state.upsert(node("n0", H100, 8));
        Node n1 = state.upsert(node("n1", A100, 4));
        Node n2 = state.upsert(node("n2", H100, 8));
        assertThat(List.of(state.leafFree(0, n0.model()), state.leafFree(0, n1.model()), state.leafFree(1, n0.model()),
                state.leafFree(1, n1.model()))).containsExactly(8, 4, 8, 0);

        state.allocate(n0, mask(0, 1, 2), "a");
        state.allocate(n2, mask(0), "b");
        assertThat(List.of(state.leafFree(0, n0.model()), state.leafFree(1, n0.model()))).containsExactly(5, 7);

        state.release(n0, "a");
        assertThat(state.leafFree(0, n0.model())).isEqualTo(8);
        assertThat(n2.leaf()).isEqualTo(1);
    }

    @Test
    void aFullNodeLeavesTheEmptyBucketWhenItsGpusComeBack() {
        ClusterState state = new ClusterState(Fabric.none());
        Node n = state.upsert(node("n", H100, 8));
        state.allocate(n, mask(0, 1, 2, 3, 4, 5, 6, 7), "all");
        assertIndexed(state, n, 0);
        assertThat(state.nothingFree()).isTrue();

        state.release(n, "all");

        assertIndexed(state, n, 8);
        assertThat(state.withFree(n.model(), 0).isEmpty()).isTrue();
        assertThat(state.nothingFree()).isFalse();
    }

    @Test
    void nothingIsFreeOnlyWhenNoWholeGpuAndNoSliceIs() {
        ClusterState state = new ClusterState(Fabric.none());
        assertThat(state.nothingFree()).isTrue();
        Node a = state.upsert(node("a", H100, 2));
        Node b = state.upsert(node("b", H100, 2));
        assertThat(state.nothingFree()).isFalse();
        state.allocate(a, mask(0, 1), "x");
        assertThat(state.nothingFree()).isFalse();
        state.allocate(b, mask(0), "y");
        assertThat(state.nothingFree()).isFalse();
        state.allocate(b, mask(1), "y");
        assertThat(state.nothingFree()).isTrue();
    }

    @Test
    void upsertingAKnownNodeAgainCountsItsGpusOnce() {
        ClusterState state = new ClusterState(Fabric.none());
        Node first = state.upsert(node("n", H100, 8));
        state.allocate(first, mask(0), "a");

        Node again = state.upsert(node("n", H100, 8));

        assertThat(again).isSameAs(first);
        assertThat(state.nodes()).hasSize(1);
        assertThat(state.freeGpus(again.model())).isEqualTo(7);
        assertIndexed(state, again, 7);
        assertThat(again.owner(0)).isEqualTo("a");
    }

    @Test
    void aCordonTakesANodesGpusOutOfTheIndexesAndLiftingItPutsThemBack() {
        ClusterState state = new ClusterState(Fabric.none());
        Node n = state.upsert(node("n", H100, 8));

        state.schedulable(n, false);
        assertThat(n.schedulable()).isFalse();
        assertIndexed(state, n, 0);
        assertThat(state.freeGpus(n.model())).isZero();
        assertThat(state.nothingFree()).isTrue();

        state.schedulable(n, true);
        assertIndexed(state, n, 8);
        assertThat(state.freeGpus(n.model())).isEqualTo(8);
    }

    @Test
    void aNodeThatLosesGpusForgetsTheirAllocationsSoTheyComeBackFree() {
        ClusterState state = new ClusterState(Fabric.none());
        Node n = state.upsert(node("n", H100, 8));
        state.allocate(n, mask(1, 4, 7), "gone");

        state.upsert(node("n", H100, 4));
        assertThat(n.gpuCount()).isEqualTo(4);
        assertIndexed(state, n, 3);

        state.upsert(node("n", H100, 8));
        // GPUs 4 and 7 were dropped with the smaller inventory; 1 is still "gone"'s.
        assertIndexed(state, n, 7);
        assertThat(n.freeMask()).isEqualTo(mask(0, 2, 3, 4, 5, 6, 7));
    }

    @Test
    void aThirtyTwoGpuNodeIsTheLargestAcceptedAndKeepsItsAllocationsOnUpsert() {
        ClusterState state = new ClusterState(Fabric.none());
        Node n = state.upsert(node("big", H100, 32));
        assertIndexed(state, n, 32);

        state.allocate(n, mask(0, 31), "a");
        assertThat(n.owner(0)).isEqualTo("a");
        assertThat(n.owner(31)).isEqualTo("a");
        state.upsert(node("big", H100, 32));

        assertIndexed(state, n, 30);
        assertThat(n.owner(31)).isEqualTo("a");
        assertThatThrownBy(() -> node("huge", H100, 33)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("33 GPUs; at most 32");
    }

    @Test
    void modelsAreIndexedByNameAndEachLeafCountsOnlyItsOwnModels() {
        ClusterState state = new ClusterState(new Fabric(List.of(new Fabric.Spine("s",
                List.of(new Fabric.Leaf("l1", List.of("h1", "a1")), new Fabric.Leaf("l2", List.of("h2")))))));
        Node h1 = state.upsert(node("h1", H100, 8));
        Node a1 = state.upsert(node("a1", A100, 4));
        Node h2 = state.upsert(node("h2", H100, 8));

        assertThat(state.modelCount()).isEqualTo(2);
        assertThat(h1.model()).isZero();
        assertThat(a1.model()).isEqualTo(1);
        assertThat(h2.model()).isZero();
        assertThat(state.modelName(a1.model())).isEqualTo(A100);
        assertThat(state.freeGpus(0)).isEqualTo(16);
        assertThat(state.freeGpus(1)).isEqualTo(4);
        // l2 has no A100 node: its histogram has no row for that model.
        assertThat(state.leafHistogram(h2.leaf(), 1, 4)).isZero();
        assertThat(state.leafHistogram(h1.leaf(), 1, 4)).isEqualTo(1);
        assertThat(state.leafHistogram(h1.leaf(), 0, 8)).isEqualTo(1);
        assertThat(state.leafNodes(h1.leaf())).containsExactly(h1, a1);
        assertThat(h1.pool()).isEqualTo("pool-h1");
        assertThat(h1.numa(5)).isEqualTo(1);
    }

    @Test
    void leavesKnowTheirSpine() {
        ClusterState state = new ClusterState(new Fabric(List.of(
                new Fabric.Spine("s1", List.of(new Fabric.Leaf("l1", List.of("a")))),
                new Fabric.Spine("s2", List.of(new Fabric.Leaf("l2", List.of("b")),
                        new Fabric.Leaf("l3", List.of("c")))))));
        Node a = state.upsert(node("a", H100, 8));
        Node b = state.upsert(node("b", H100, 8));
        Node c = state.upsert(node("c", H100, 8));

        assertThat(a.spine()).isZero();
        assertThat(b.spine()).isEqualTo(1);
        assertThat(c.spine()).isEqualTo(1);
        assertThat(state.spineOfLeaf(a.leaf())).isZero();
        assertThat(state.spineOfLeaf(b.leaf())).isEqualTo(1);
        assertThat(state.spineOfLeaf(c.leaf())).isEqualTo(1);
        assertThat(state.leafCount()).isEqualTo(3);
        assertThat(state.leafName(c.leaf())).isEqualTo("l3");
    }

    @Test
    void reservingMarksANode() {
        ClusterState state = new ClusterState(Fabric.none());
        Node n = state.upsert(node("n", H100, 8));
        assertThat(n.reserved()).isFalse();
        state.reserve(n, true);
        assertThat(n.reserved()).isTrue();
        state.reserve(n, false);
        assertThat(n.reserved()).isFalse();
    }

    @Test
    void freeSlicesCountWhileNoWholeGpuIsFree() {
        ClusterState state = new ClusterState(Fabric.none());
        Node n = state.upsert(migNode("mig", 1));
        assertThat(n.freeCount()).isZero();
        assertThat(n.migMask()).isEqualTo(1);
        assertThat(state.nothingFree()).isFalse();

        Slice slice = n.slices(0)[0];
        state.allocate(n, 0, slice, "s");
        assertThat(slice.owner()).isEqualTo("s");
        assertThat(state.nothingFree()).isTrue();
        // Taking a slice the job already holds frees nothing more.
        state.allocate(n, 0, slice, "s");
        state.release(n, "s");
        assertThat(slice.owner()).isNull();
        assertThat(state.nothingFree()).isFalse();
        state.allocate(n, 0, slice, "t");
        assertThat(state.nothingFree()).isTrue();
    }

    @Test
    void upsertingAMigNodeKeepsWhoHoldsEachSliceAndCountsFreeSlicesOnce() {
        ClusterState state = new ClusterState(Fabric.none());
        Node n = state.upsert(migNode("mig", 2));
        state.allocate(n, 0, n.slices(0)[1], "s");

        state.upsert(migNode("mig", 2));
        state.upsert(migNode("mig", 2));

        assertThat(n.slices(0)[0].owner()).isNull();
        assertThat(n.slices(0)[1].owner()).isEqualTo("s");
        assertThat(n.slices(0)[1].gpuInstanceId).isEqualTo(8);
        assertThat(state.nothingFree()).isFalse();
        state.allocate(n, 0, n.slices(0)[0], "t");
        assertThat(state.nothingFree()).isTrue();
    }

    @Test
    void aSliceLayoutWithOtherInstanceIdsHoldsNoOldOwner() {
        ClusterState state = new ClusterState(Fabric.none());
        Node n = state.upsert(migNode("mig", 1));
        state.allocate(n, 0, n.slices(0)[0], "s");

        // Same GPU, a new layout: instance 20 instead of 7.
        state.upsert(new NodeCapacity("mig", H100, null, true, true, List.of(new NodeCapacity.Gpu(0, "mig-0", true, 0,
                0, List.of(new NodeCapacity.MigSlice(20, "1g.10gb"))))));

        assertThat(n.slices(0)[0].owner()).isNull();
        assertThat(state.nothingFree()).isFalse();
    }

    @Test
    void aLeafIndexedBeforeAModelJoinedHasNoNodesOfIt() {
        ClusterState state = new ClusterState(new Fabric(List.of(new Fabric.Spine("s",
                List.of(new Fabric.Leaf("l1", List.of("h")), new Fabric.Leaf("l2", List.of("a1", "a2")))))));
        Node h = state.upsert(node("h", H100, 8));
        Node a1 = state.upsert(node("a1", A100, 8));
        Node a2 = state.upsert(node("a2", A100, 8));

        assertThat(state.leafHistogram(h.leaf(), a1.model(), 8)).isZero();
        assertThat(a2.model()).isEqualTo(a1.model()).isEqualTo(1);
        assertThat(state.leafHistogram(a2.leaf(), 1, 8)).isEqualTo(2);
        assertThat(state.freeGpus(1)).isEqualTo(16);
    }
}
