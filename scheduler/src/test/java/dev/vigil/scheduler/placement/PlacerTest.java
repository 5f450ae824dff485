package dev.vigil.scheduler.placement;

import dev.vigil.api.jobs.Topology;
import dev.vigil.api.jobs.TopologyLevel;
import dev.vigil.scheduler.placement.Placer.Choice;
import dev.vigil.scheduler.placement.Placer.Pick;
import dev.vigil.scheduler.topology.ClusterState;
import dev.vigil.scheduler.topology.ClusterState.Node;
import dev.vigil.scheduler.topology.Fabric;
import dev.vigil.scheduler.topology.NodeCapacity;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Where the placer puts gangs, replicas and slices on a cluster it only reads. */
class PlacerTest {
    private static final String H100 = "H100";

    /** HGX-like: one NVLink domain, NUMA 0 for GPUs 0-3 and 1 for 4-7 (of 8). */
    private static NodeCapacity hgx(String name, int count) {
        List<NodeCapacity.Gpu> gpus = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            gpus.add(new NodeCapacity.Gpu(i, name + "-" + i, true, 0, i / 4, List.of()));
        }
        return new NodeCapacity(name, H100, null, true, true, gpus);
    }

    /** PCIe: every GPU its own NVLink domain, two GPUs per NUMA node. */
    private static NodeCapacity pcie(String name) {
        List<NodeCapacity.Gpu> gpus = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            gpus.add(new NodeCapacity.Gpu(i, name + "-" + i, true, i, i / 2, List.of()));
        }
        return new NodeCapacity(name, H100, null, true, true, gpus);
    }

    /** Two GPUs in MIG mode with {@code slices} 1g.10gb instances each; GPU {@code unusable} unhealthy (-1: none). */
    private static NodeCapacity mig(String name, int slices, int unusable) {
        List<NodeCapacity.Gpu> gpus = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            List<NodeCapacity.MigSlice> instances = new ArrayList<>();
            for (int s = 0; s < slices; s++) {
                instances.add(new NodeCapacity.MigSlice(10 * i + s, "1g.10gb"));
            }
            gpus.add(new NodeCapacity.Gpu(i, name + "-" + i, i != unusable, 0, 0, instances));
        }
        return new NodeCapacity(name, H100, null, true, true, gpus);
    }

    private static Fabric.Leaf leaf(String name, String... nodes) {
        return new Fabric.Leaf(name, List.of(nodes));
    }

    private static Fabric.Spine spine(String name, Fabric.Leaf... leaves) {
        return new Fabric.Spine(name, List.of(leaves));
    }

    private static ClusterState cluster(Fabric fabric, NodeCapacity... nodes) {
        ClusterState state = new ClusterState(fabric);
        for (NodeCapacity node : nodes) {
            state.upsert(node);
        }
        return state;
    }

    /** {@code count} 8-GPU nodes named prefix0, prefix1, ... */
    private static NodeCapacity[] hgxs(String prefix, int count) {
        NodeCapacity[] nodes = new NodeCapacity[count];
        for (int i = 0; i < count; i++) {
            nodes[i] = hgx(prefix + i, 8);
        }
        return nodes;
    }

    private static NodeCapacity[] concat(NodeCapacity[]... parts) {
        List<NodeCapacity> all = new ArrayList<>();
        for (NodeCapacity[] part : parts) {
            all.addAll(List.of(part));
        }
        return all.toArray(NodeCapacity[]::new);
    }

    private static List<String> nodes(Choice choice) {
        return choice.picks().stream().map(p -> p.node().name).toList();
    }

    /** A filter that rejects {@code excluded} only. */
    private static NodeFilter without(Node excluded) {
        return new NodeFilter() {
            @Override
            public boolean rejects(Node node) {
                return node == excluded;
            }

            @Override
            public String why(Node node) {
                return "excluded by the test";
            }
        };
    }

    private static void take(ClusterState state, String node, int gpus) {
        state.allocate(state.node(node), (1 << gpus) - 1, "filler-" + node);
    }

    @Test
    void aOneNodeRequestTakesTheNodeWithTheFewestFreeGpusThatHoldsIt() {
        ClusterState state = cluster(Fabric.none(), hgx("a", 8), hgx("b", 8), hgx("c", 8));
        take(state, "a", 2);
        take(state, "b", 5);

        Choice choice = new Placer(state).gang(0, 1, 3, null, Filters.NONE);

        assertThat(nodes(choice)).containsExactly("b");
        assertThat(choice.picks().get(0).mask()).isEqualTo(0b1110_0000);
        assertThat(choice.leaves()).isEqualTo(1);
        assertThat(nodes(new Placer(state).gang(0, 1, 7, null, Filters.NONE))).containsExactly("c");
    }

    @Test
    void aThirtyTwoGpuNodeTakesOneNodeWork() {
        ClusterState state = cluster(Fabric.none(), hgx("big", 32));
        assertThat(nodes(new Placer(state).gang(0, 1, 8, null, Filters.NONE))).containsExactly("big");
    }

    @Test
    void oneNodeWorkCrossesNvlinkDomainsOnlyWhenOneDomainIsNotRequired() {
        ClusterState state = cluster(Fabric.none(), pcie("box"));
        Placer placer = new Placer(state);

        assertThat(placer.gang(0, 1, 2, null, Filters.NONE).picks().get(0).mask()).isEqualTo(0b0011);
        assertThat(placer.gang(0, 1, 2, new Topology(TopologyLevel.SAME_NVLINK, false, null), Filters.NONE))
                .isNotNull();
        assertThat(placer.gang(0, 1, 2, new Topology(TopologyLevel.SAME_NODE, true, null), Filters.NONE))
                .isNotNull();
        assertThat(placer.gang(0, 1, 2, new Topology(TopologyLevel.SAME_NVLINK, true, null), Filters.NONE))
                .isNull();
    }

    @Test
    void aGangOfSeveralNodesIsNeverPlacedWhenOneNodeOrOneDomainIsRequired() {
        ClusterState state = cluster(Fabric.none(), hgxs("n", 4));
        Placer placer = new Placer(state);

        assertThat(placer.gang(0, 2, 8, new Topology(TopologyLevel.SAME_NODE, true, null), Filters.NONE)).isNull();
        assertThat(placer.gang(0, 2, 8, new Topology(TopologyLevel.SAME_NVLINK, true, null), Filters.NONE))
                .isNull();
        assertThat(placer.gang(0, 2, 8, new Topology(TopologyLevel.SAME_NODE, false, null), Filters.NONE))
                .isNotNull();
        assertThat(placer.gang(0, 2, 8, new Topology(TopologyLevel.SAME_NVLINK, false, null), Filters.NONE))
                .isNotNull();
        assertThat(placer.gang(0, 2, 8, new Topology(TopologyLevel.SAME_LEAF, true, null), Filters.NONE))
                .isNotNull();
    }

    @Test
    void aGangTakesTheLeafWithExactlyEnoughNodesOverRoomierOnes() {
        ClusterState state = cluster(new Fabric(List.of(spine("s", leaf("roomy", "r[0-3]"), leaf("tight", "t[0-1]")))),
                concat(hgxs("r", 4), hgxs("t", 2)));

        Choice choice = new Placer(state).gang(0, 2, 8, null, Filters.NONE);

        assertThat(nodes(choice)).containsExactly("t0", "t1");
        assertThat(choice.leaves()).isEqualTo(1);
    }

    @Test
    void withinALeafTheBestFittingNodesAreTaken() {
        ClusterState state = cluster(Fabric.none(), hgx("n0", 8), hgx("n1", 8), hgx("n2", 8), hgx("n3", 8));
        take(state, "n1", 4);
        take(state, "n3", 2);

        Choice choice = new Placer(state).gang(0, 2, 4, null, Filters.NONE);

        // n1 has 4 free, n3 6, n0 and n2 8: the two tightest.
        assertThat(nodes(choice)).containsExactly("n1", "n3");
        assertThat(choice.picks().get(0).mask()).isEqualTo(0b1111_0000);
    }

    @Test
    void aGangAcrossLeavesStaysUnderOneSpineWhenThatNeedsNoMoreLeaves() {
        // Spine s1: two leaves of three nodes; spine s2: one leaf of five. Six nodes: s1's two leaves, not s2's
        // leaf and one of s1's (as many leaves, but across spines).
        ClusterState state = cluster(new Fabric(List.of(
                        spine("s1", leaf("a", "a[0-2]"), leaf("b", "b[0-2]")),
                        spine("s2", leaf("c", "c[0-4]")))),
                concat(hgxs("a", 3), hgxs("b", 3), hgxs("c", 5)));

        Choice choice = new Placer(state).gang(0, 6, 8, null, Filters.NONE);

        assertThat(nodes(choice)).containsExactlyInAnyOrder("a0", "a1", "a2", "b0", "b1", "b2");
        assertThat(choice.leaves()).isEqualTo(2);
        // Also when at most two leaves are allowed: one spine's two leaves meet the limit.
        assertThat(nodes(new Placer(state).gang(0, 6, 8, new Topology(TopologyLevel.MAX_LEAVES, true, 2),
                Filters.NONE))).containsExactlyInAnyOrder("a0", "a1", "a2", "b0", "b1", "b2");
    }

    @Test
    void aGangCrossesSpinesWhenOneSpineWouldNeedMoreLeavesThanAllowed() {
        // Spine s1: three leaves of two nodes; spine s2: one leaf of four.
        ClusterState state = cluster(new Fabric(List.of(
                        spine("s1", leaf("a", "a[0-1]"), leaf("b", "b[0-1]"), leaf("c", "c[0-1]")),
                        spine("s2", leaf("d", "d[0-3]")))),
                concat(hgxs("a", 2), hgxs("b", 2), hgxs("c", 2), hgxs("d", 4)));
        Placer placer = new Placer(state);

        // Preferred only: one spine's three leaves.
        assertThat(nodes(placer.gang(0, 6, 8, null, Filters.NONE)))
                .containsExactlyInAnyOrder("a0", "a1", "b0", "b1", "c0", "c1");
        // At most two leaves: d's four nodes and two of the next leaf, across spines.
        Choice two = placer.gang(0, 6, 8, new Topology(TopologyLevel.MAX_LEAVES, true, 2), Filters.NONE);
        assertThat(nodes(two)).containsExactly("d0", "d1", "d2", "d3", "a0", "a1");
        assertThat(two.leaves()).isEqualTo(2);
        // One leaf cannot hold six.
        assertThat(placer.gang(0, 6, 8, new Topology(TopologyLevel.SAME_LEAF, true, null), Filters.NONE)).isNull();
        assertThat(placer.gang(0, 11, 8, null, Filters.NONE)).isNull();
    }

    @Test
    void leavesWithoutRoomAreNotCountedAmongTheLeavesAGangSpans() {
        // Leaf a's only node is full: the gang spans b and c.
        ClusterState state = cluster(new Fabric(List.of(spine("s", leaf("a", "a0"), leaf("b", "b0"),
                leaf("c", "c0")))), hgx("a0", 8), hgx("b0", 8), hgx("c0", 8));
        take(state, "a0", 8);

        Choice choice = new Placer(state).gang(0, 2, 8, null, Filters.NONE);

        assertThat(nodes(choice)).containsExactly("b0", "c0");
        assertThat(choice.leaves()).isEqualTo(2);
    }

    @Test
    void aGangOverSeveralLeavesEndsOnTheBestFittingLeafSoARoomierOneStaysWhole() {
        // Leaves a, b, c with 4, 3 and 2 free nodes. Five nodes need two leaves: all of a, and one node more,
        // from c (the smallest leaf that holds the rest), not from b, which stays whole for a 3-node gang.
        ClusterState state = cluster(new Fabric(List.of(spine("s", leaf("a", "a[0-3]"), leaf("b", "b[0-2]"),
                leaf("c", "c[0-1]")))), concat(hgxs("a", 4), hgxs("b", 3), hgxs("c", 2)));
        Placer placer = new Placer(state);

        Choice five = placer.gang(0, 5, 8, null, Filters.NONE);

        assertThat(nodes(five)).containsExactly("a0", "a1", "a2", "a3", "c0");
        assertThat(five.leaves()).isEqualTo(2);
        // Six: all of a and two more; c and b both hold two, and c, the smaller, gives them.
        assertThat(nodes(placer.gang(0, 6, 8, null, Filters.NONE)))
                .containsExactly("a0", "a1", "a2", "a3", "c0", "c1");
        // Seven: all of a and three more, which only b holds.
        assertThat(nodes(placer.gang(0, 7, 8, null, Filters.NONE)))
                .containsExactly("a0", "a1", "a2", "a3", "b0", "b1", "b2");
    }

    @Test
    void aGangHeldToOneLeafDoesNotSpreadEvenUnpreferred() {
        // a has one free node, b two of three: two nodes fit on b; three only across leaves.
        ClusterState state = cluster(new Fabric(List.of(spine("s", leaf("a", "a[0-1]"), leaf("b", "b[0-2]")))),
                concat(hgxs("a", 2), hgxs("b", 3)));
        take(state, "a0", 8);
        take(state, "b0", 1);
        Placer placer = new Placer(state);

        assertThat(nodes(placer.gang(0, 2, 8, null, 1, Filters.NONE))).containsExactly("b1", "b2");
        assertThat(placer.gang(0, 3, 8, null, 1, Filters.NONE)).isNull();
        assertThat(placer.gang(0, 3, 8, null, 2, Filters.NONE).leaves()).isEqualTo(2);
        // A required limit of one leaf holds however many the caller allows.
        assertThat(placer.gang(0, 3, 8, new Topology(TopologyLevel.SAME_LEAF, true, null), 2, Filters.NONE))
                .isNull();
    }

    @Test
    void aSingleNodeJobTakesABestFittingNodeAndAnIdleOneUnderTheFullestLeaf() {
        // Leaf b (b0, b1) idle; under leaf a, a0 has 4 GPUs taken: free GPUs a 4 + 8 = 12, b 16.
        ClusterState state = cluster(new Fabric(List.of(spine("s", leaf("b", "b[0-1]"), leaf("a", "a[0-1]")))),
                hgx("b0", 8), hgx("b1", 8), hgx("a0", 8), hgx("a1", 8));
        take(state, "a0", 4);
        Placer placer = new Placer(state);

        // 4 GPUs: a0 fits best.
        assertThat(nodes(placer.gang(0, 1, 4, null, Filters.NONE))).containsExactly("a0");
        // 8 GPUs: an idle node; a1, under the fuller leaf, though b0 comes first.
        assertThat(nodes(placer.gang(0, 1, 8, null, Filters.NONE))).containsExactly("a1");
        // With a1 filtered out, the fullest leaf has no idle node left: b0, the first in order.
        assertThat(nodes(placer.gang(0, 1, 8, null, without(state.node("a1"))))).containsExactly("b0");
    }

    @Test
    void aLeafWithoutAnIdleNodeIsPassedOverEvenWhenFullest() {
        // Leaves b, c, a. Under a no node is idle (4 + 4 free GPUs, the fullest); b has 4 + 8 free, c 2 + 8. An idle
        // node: c1 under c, the fuller of the leaves with one, not b1, the first idle node.
        ClusterState state = cluster(new Fabric(List.of(spine("s", leaf("b", "b[0-1]"), leaf("c", "c[0-1]"),
                leaf("a", "a[0-1]")))), concat(hgxs("b", 2), hgxs("c", 2), hgxs("a", 2)));
        take(state, "b0", 4);
        take(state, "c0", 6);
        take(state, "a0", 4);
        take(state, "a1", 4);

        assertThat(nodes(new Placer(state).gang(0, 1, 8, null, Filters.NONE))).containsExactly("c1");
    }

    @Test
    void aGangThatFitsOneLeafTakesTheBestFittingLeafOfAnySpine() {
        // Spine s1's leaf a has 3 nodes, spine s2's leaf b 2: a 2-node gang fills b and leaves a whole.
        ClusterState state = cluster(new Fabric(List.of(spine("s1", leaf("a", "a[0-2]")), spine("s2", leaf("b", "b[0-1]")))),
                concat(hgxs("a", 3), hgxs("b", 2)));

        assertThat(nodes(new Placer(state).gang(0, 2, 8, null, Filters.NONE))).containsExactly("b0", "b1");
    }

    @Test
    void aGangOfPcieNodesTakesGpusAcrossNvlinkDomains() {
        ClusterState state = cluster(Fabric.none(), pcie("p0"), pcie("p1"));

        Choice choice = new Placer(state).gang(0, 2, 2, null, Filters.NONE);

        assertThat(choice.picks()).extracting(Pick::mask).containsExactly(0b0011, 0b0011);
    }

    @Test
    void filteredNodesAreLeftOutAndNotCountedAsAvailable() {
        ClusterState state = cluster(Fabric.none(), hgxs("n", 3));
        Node excluded = state.node("n0");
        NodeFilter filter = without(excluded);
        Placer placer = new Placer(state);

        assertThat(placer.available(0, 0, 8, Filters.NONE)).isEqualTo(3);
        assertThat(placer.available(0, 0, 8, filter)).isEqualTo(2);
        take(state, "n1", 1);
        assertThat(placer.available(0, 0, 8, filter)).isEqualTo(1);
        assertThat(placer.available(0, 0, 7, filter)).isEqualTo(2);
        assertThat(nodes(placer.gang(0, 2, 7, null, filter))).containsExactly("n1", "n2");
        assertThat(placer.gang(0, 3, 7, null, filter)).isNull();
        assertThat(nodes(placer.gang(0, 1, 8, null, filter))).containsExactly("n2");
    }

    @Test
    void aThirtyTwoGpuNodeCountsAsAvailable() {
        ClusterState state = cluster(Fabric.none(), hgx("big", 32));
        assertThat(new Placer(state).available(0, 0, 8, Filters.NONE)).isEqualTo(1);
        assertThat(new Placer(state).available(0, 0, 32, Filters.NONE)).isEqualTo(1);
    }

    @Test
    void packedReplicasFillTheFullestNodeFirstTheFirstAmongEquals() {
        ClusterState state = cluster(Fabric.none(), hgx("n0", 8), hgx("n1", 8), hgx("n2", 8));
        take(state, "n2", 4);

        Choice choice = new Placer(state).replicas(0, List.of(0, 1, 2), 2, false, Filters.NONE, List.of());

        assertThat(nodes(choice)).containsExactly("n2", "n2", "n0");
        assertThat(choice.picks()).extracting(Pick::replica).containsExactly(0, 1, 2);
        assertThat(choice.picks()).extracting(Pick::mask).containsExactly(0b0011_0000, 0b1100_0000, 0b0000_0011);
    }

    @Test
    void spreadReplicasGoToTheEmptiestLeafThenTheEmptiestNode() {
        ClusterState state = cluster(new Fabric(List.of(spine("s", leaf("a", "a[0-1]"), leaf("b", "b[0-1]")))),
                concat(hgxs("a", 2), hgxs("b", 2)));
        Placer placer = new Placer(state);

        Choice choice = placer.replicas(0, List.of(0, 1, 2, 3), 1, true, Filters.NONE, List.of());

        assertThat(nodes(choice)).containsExactly("a0", "b0", "a1", "b1");
        assertThat(choice.leaves()).isEqualTo(2);
        // Replicas already on a0 count: the next go elsewhere first.
        Choice more = placer.replicas(0, List.of(4, 5), 1, true, Filters.NONE, List.of(state.node("a0")));
        assertThat(nodes(more)).containsExactly("b0", "a1");
    }

    @Test
    void replicasOfPcieNodesTakeGpusAcrossNvlinkDomainsAndOnlyAsManyAsFit() {
        ClusterState state = cluster(Fabric.none(), pcie("p"));

        Choice choice = new Placer(state).replicas(0, List.of(0, 1, 2), 2, true, Filters.NONE, List.of());

        assertThat(choice.picks()).extracting(Pick::mask).containsExactly(0b0011, 0b1100);
        assertThat(new Placer(state).replicas(0, List.of(0), 8, true, Filters.NONE, List.of())).isNull();
    }

    @Test
    void slicesPackOntoTheGpuWithTheFewestFreeSlicesOfTheProfile() {
        ClusterState state = cluster(Fabric.none(), mig("m", 3, -1));
        Node m = state.node("m");
        state.allocate(m, 1, m.slices(1)[0], "other");

        Choice choice = new Placer(state).slices(0, List.of(0, 1, 2), "1g.10gb", false, Filters.NONE, List.of());

        // GPU 1 has two free, GPU 0 three: GPU 1 first, then (one left there) GPU 1 again, then GPU 0.
        assertThat(choice.picks()).extracting(Pick::gpu).containsExactly(1, 1, 0);
        assertThat(choice.picks()).extracting(p -> p.slice().gpuInstanceId).containsExactly(11, 12, 0);
        assertThat(choice.leaves()).isEqualTo(1);
        assertThat(new Placer(state).slices(0, List.of(0), "3g.40gb", false, Filters.NONE, List.of())).isNull();
    }

    @Test
    void slicesOnAnUnhealthyGpuOrACordonedOrFilteredNodeAreNotTaken() {
        ClusterState state = cluster(Fabric.none(), mig("sick", 3, 0), mig("cordoned", 3, -1), mig("filtered", 3, -1));
        state.schedulable(state.node("cordoned"), false);
        Node filtered = state.node("filtered");

        Choice choice = new Placer(state).slices(0, List.of(0, 1, 2, 3), "1g.10gb", false, without(filtered),
                List.of());

        assertThat(nodes(choice)).containsOnly("sick");
        assertThat(choice.picks()).extracting(Pick::gpu).containsOnly(1);
        assertThat(choice.picks()).hasSize(3);
    }

    @Test
    void spreadSlicesGoToTheNodeWithFewestReplicasCountingThoseAlreadyThere() {
        ClusterState state = cluster(new Fabric(List.of(spine("s", leaf("a", "a"), leaf("b", "b")))),
                mig("a", 3, -1), mig("b", 3, -1));
        Placer placer = new Placer(state);

        Choice spread = placer.slices(0, List.of(0, 1), "1g.10gb", true, Filters.NONE, List.of());
        assertThat(nodes(spread)).containsExactly("a", "b");
        assertThat(spread.leaves()).isEqualTo(2);

        Choice after = placer.slices(0, List.of(2), "1g.10gb", true, Filters.NONE, List.of(state.node("a")));
        assertThat(nodes(after)).containsExactly("b");

        Choice packed = placer.slices(0, List.of(0, 1), "1g.10gb", false, Filters.NONE, List.of());
        assertThat(nodes(packed)).containsExactly("a", "a");
    }

    @Test
    void ofLeavesThatFitEquallyTheFirstIsTaken() {
        ClusterState state = cluster(new Fabric(List.of(spine("s", leaf("a", "a[0-1]"), leaf("b", "b[0-1]")))),
                concat(hgxs("a", 2), hgxs("b", 2)));
        assertThat(nodes(new Placer(state).gang(0, 2, 8, null, Filters.NONE))).containsExactly("a0", "a1");
    }

    @Test
    void ofSpinesThatHoldAGangTheOneNeedingFewestLeavesIsTakenTheFirstAmongEquals() {
        // s1 needs three leaves for four nodes (2 + 1 + 1), s2 two (3 + 3).
        ClusterState fewer = cluster(new Fabric(List.of(
                        spine("s1", leaf("a", "a0"), leaf("b", "b0"), leaf("e", "e[0-1]")),
                        spine("s2", leaf("c", "c[0-2]"), leaf("d", "d[0-2]")))),
                concat(hgxs("a", 1), hgxs("b", 1), hgxs("e", 2), hgxs("c", 3), hgxs("d", 3)));
        assertThat(nodes(new Placer(fewer).gang(0, 4, 8, null, Filters.NONE))).containsExactly("c0", "c1", "c2",
                "d0");
        // Two leaves each: the first spine.
        ClusterState equal = cluster(new Fabric(List.of(
                        spine("s1", leaf("a", "a[0-1]"), leaf("b", "b[0-1]")),
                        spine("s2", leaf("c", "c[0-1]"), leaf("d", "d[0-1]")))),
                concat(hgxs("a", 2), hgxs("b", 2), hgxs("c", 2), hgxs("d", 2)));
        assertThat(nodes(new Placer(equal).gang(0, 4, 8, null, Filters.NONE))).containsExactly("a0", "a1", "b0",
                "b1");
    }

    @Test
    void aThirtyTwoGpuNodeWithoutSlicesGivesNone() {
        ClusterState state = cluster(Fabric.none(), hgx("big", 32));
        assertThat(new Placer(state).slices(0, List.of(0), "1g.10gb", false, Filters.NONE, List.of())).isNull();
    }
}
