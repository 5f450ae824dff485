package dev.vigil.scheduler.placement;

import dev.vigil.scheduler.topology.ClusterState;
import dev.vigil.scheduler.topology.ClusterState.Node;
import dev.vigil.scheduler.topology.Fabric;
import dev.vigil.scheduler.topology.NodeCapacity;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Each score plugin ranks candidates as it says, on small clusters worked out by hand. */
class ScoresTest {
    private static NodeCapacity hgx(String name) {
        List<NodeCapacity.Gpu> gpus = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            gpus.add(new NodeCapacity.Gpu(i, name + "-" + i, true, 0, i / 4, List.of()));
        }
        return new NodeCapacity(name, "H100", null, true, true, gpus);
    }

    /** Spine s1: leaves a (a0, a1) and b (b0, b1); spine s2: leaf c (c0, c1). */
    private static ClusterState cluster() {
        ClusterState state = new ClusterState(new Fabric(List.of(
                new Fabric.Spine("s1", List.of(new Fabric.Leaf("a", List.of("a[0-1]")),
                        new Fabric.Leaf("b", List.of("b[0-1]")))),
                new Fabric.Spine("s2", List.of(new Fabric.Leaf("c", List.of("c[0-1]")))))));
        for (String name : List.of("a0", "a1", "b0", "b1", "c0", "c1")) {
            state.upsert(hgx(name));
        }
        return state;
    }

    private static void take(ClusterState state, String node, int gpus) {
        state.allocate(state.node(node), (1 << gpus) - 1, "filler");
    }

    /** The nodes in the order the score ranks them (lowest first, then by index), each with its free GPUs. */
    private static List<String> ranked(ClusterState state, NodeScore score) {
        return state.nodes().stream()
                .sorted(Comparator.comparingLong((Node n) -> score.score(n, n.freeCount())).thenComparingInt(n -> n.index))
                .map(n -> n.name).toList();
    }

    @Test
    void bestFitRanksTheNodeWithTheFewestFreeGpusFirst() {
        ClusterState state = cluster();
        take(state, "b1", 6);
        take(state, "a0", 3);
        take(state, "c1", 3);

        // Free: b1 2, a0 5, c1 5, the rest 8.
        assertThat(ranked(state, BestFit.SCORE)).containsExactly("b1", "a0", "c1", "a1", "b0", "c0");
        assertThat(BestFit.SCORE.score(state.node("a0"), 3)).isEqualTo(3);
    }

    @Test
    void spreadRanksTheLeafWithFewestReplicasFirstThenTheNodeWithFewest() {
        ClusterState state = cluster();
        // Two replicas on a0, one on b0: leaf a has 2, b 1, c none.
        Spread spread = new Spread(List.of(state.node("a0"), state.node("a0"), state.node("b0")));

        assertThat(ranked(state, spread)).containsExactly("c0", "c1", "b1", "b0", "a1", "a0");
        assertThat(spread.leaves()).isEqualTo(2);
        // One replica on c0: leaf c now ties with b, and its empty node c1 ranks with b1.
        spread.add(state.node("c0"));
        assertThat(ranked(state, spread)).containsExactly("b1", "c1", "b0", "c0", "a1", "a0");
        assertThat(spread.leaves()).isEqualTo(3);
        // Spread outranks any free count: a node with fewer replicas wins however roomy.
        NodeScore spreadThenBestFit = spread.then(BestFit.SCORE);
        assertThat(spreadThenBestFit.score(state.node("b1"), 1_000)).isLessThan(spreadThenBestFit.score(state.node("b0"), 0));
    }

    @Test
    void aTieBreakRanksOnlyAmongCandidatesTheFirstScoreRanksTheSame() {
        ClusterState state = cluster();
        take(state, "b1", 4);
        take(state, "c0", 6);
        Spread spread = new Spread(List.of(state.node("a0")));

        // Leaf a has a replica: its nodes last. Among b0, b1, c0, c1 (no replica on their leaf or node), the
        // fewest free: c0 (2), b1 (4), then b0 and c1 (8) by index.
        assertThat(ranked(state, spread.then(BestFit.SCORE))).containsExactly("c0", "b1", "b0", "c1", "a1", "a0");
        assertThat(spread.then(BestFit.SCORE).score(state.node("c0"), 0)).isZero();
    }

    @Test
    void bestFitLeafTakesTheLeafWithTheFewestSuchNodesThatHoldsTheGang() {
        int[] available = {4, 2, 3, 2};

        assertThat(BestFitLeaf.CHOICE.choose(available, 2)).containsExactly(1);
        assertThat(BestFitLeaf.CHOICE.choose(available, 3)).containsExactly(2);
        assertThat(BestFitLeaf.CHOICE.choose(available, 4)).containsExactly(0);
        assertThat(BestFitLeaf.CHOICE.choose(available, 5)).isNull();
        assertThat(BestFitLeaf.CHOICE.choose(new int[0], 1)).isNull();
    }

    @Test
    void fewestLeavesTakesTheRoomiestAndEndsOnTheBestFittingLeafForTheRest() {
        ClusterState state = cluster();
        FewestLeaves anySpine = new FewestLeaves(state, false);
        // a 4, b 3, c 2 nodes could take the gang's share.
        int[] available = {4, 3, 2};

        // Five: all of a and one more from c, the smallest leaf that holds one; b stays whole.
        assertThat(anySpine.choose(available, 5)).containsExactly(0, 2);
        // Six: c and b both hold the two left, c (smaller) gives them.
        assertThat(anySpine.choose(available, 6)).containsExactly(0, 2);
        // Seven: a and b.
        assertThat(anySpine.choose(available, 7)).containsExactly(0, 1);
        assertThat(anySpine.choose(available, 9)).containsExactly(0, 1, 2);
        assertThat(anySpine.choose(available, 10)).isNull();
        assertThat(anySpine.choose(new int[] {0, 0, 0}, 1)).isNull();
    }

    @Test
    void fewestLeavesWithinOneSpineKeepsAGangUnderOneSpineOrFindsNone() {
        ClusterState state = cluster();
        FewestLeaves oneSpine = new FewestLeaves(state, true);
        FewestLeaves anySpine = new FewestLeaves(state, false);
        // s1: a 2, b 2; s2: c 3.
        int[] available = {2, 2, 3};

        // Four: s1's two leaves; across spines c and one more would also be two leaves.
        assertThat(oneSpine.choose(available, 4)).containsExactly(0, 1);
        assertThat(anySpine.choose(available, 4)).containsExactly(2, 0);
        // Five: no spine holds it alone.
        assertThat(oneSpine.choose(available, 5)).isNull();
        assertThat(anySpine.choose(available, 5)).containsExactly(2, 0);
        // s2 needs one leaf for three, s1 two: the spine needing fewest.
        assertThat(oneSpine.choose(available, 3)).containsExactly(2);
    }

    @Test
    void fullestLeafTakesTheLeafWithTheFewestFreeGpusThatHasANodeThatFree() {
        ClusterState state = cluster();
        take(state, "a0", 6);
        take(state, "b0", 2);
        take(state, "c0", 8);

        // Free GPUs: a 2 + 8 = 10, b 6 + 8 = 14, c 0 + 8 = 8. An idle node: c's.
        assertThat(new FullestLeaf(state).choose(0, 8)).isEqualTo(2);
        // A node with 6 free: only under b.
        assertThat(new FullestLeaf(state).choose(0, 6)).isEqualTo(1);
        assertThat(new FullestLeaf(state).choose(0, 5)).isEqualTo(-1);
        take(state, "c1", 8);
        // c has no idle node left: a (10 free) before b (14).
        assertThat(new FullestLeaf(state).choose(0, 8)).isEqualTo(0);
    }
}
