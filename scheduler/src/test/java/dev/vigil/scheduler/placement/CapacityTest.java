package dev.vigil.scheduler.placement;

import dev.vigil.api.jobs.JobKind;
import dev.vigil.api.jobs.JobSpec;
import dev.vigil.api.jobs.Topology;
import dev.vigil.api.jobs.TopologyLevel;
import dev.vigil.api.jobs.WaitReason;
import dev.vigil.scheduler.topology.ClusterState;
import dev.vigil.scheduler.topology.ClusterState.Node;
import dev.vigil.scheduler.topology.Fabric;
import dev.vigil.scheduler.topology.NodeCapacity;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntUnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/** The numbers behind {@code vigil why}: whether a request could ever fit, and what is free for it now. */
class CapacityTest {
    private static final String H100 = "H100";
    private static final NodeMatch ANY = new NodeMatch(null, false, null);

    private static JobSpec gang(int nodes, int perNode, Topology topology) {
        return new JobSpec(null, JobKind.TRAINING, null, null, null, null, null, nodes, perNode, null, null, null, null,
                topology, null, null, null, null, null, null, null);
    }

    private static JobSpec service(int perReplica) {
        return new JobSpec(null, JobKind.INFERENCE, null, null, null, null, null, null, perReplica, null, null, 2, null,
                null, null, null, null, null, null, null, null);
    }

    private static JobSpec slice(String profile) {
        return new JobSpec(null, JobKind.INFERENCE, null, null, null, null, null, null, null, null, profile, 1, null,
                null, null, null, null, null, null, null, null);
    }

    private static NodeCapacity node(String name, int count, IntUnaryOperator domain, String pool, boolean simulated) {
        List<NodeCapacity.Gpu> gpus = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            gpus.add(new NodeCapacity.Gpu(i, name + "-" + i, true, domain.applyAsInt(i), 0, List.of()));
        }
        return new NodeCapacity(name, H100, pool, true, simulated, gpus);
    }

    private static NodeCapacity hgx(String name) {
        return node(name, 8, i -> 0, null, true);
    }

    /** GPU 0 in MIG mode with two 1g.10gb instances, GPU 1 whole; {@code usable} says whether GPU 0 is healthy. */
    private static NodeCapacity mig(String name, boolean usable) {
        List<NodeCapacity.MigSlice> slices = List.of(new NodeCapacity.MigSlice(1, "1g.10gb"),
                new NodeCapacity.MigSlice(2, "1g.10gb"));
        return new NodeCapacity(name, H100, null, true, true, List.of(
                new NodeCapacity.Gpu(0, name + "-0", usable, 0, 0, slices),
                new NodeCapacity.Gpu(1, name + "-1", true, 0, 0, List.of())));
    }

    private static ClusterState cluster(Fabric fabric, NodeCapacity... nodes) {
        ClusterState state = new ClusterState(fabric);
        for (NodeCapacity node : nodes) {
            state.upsert(node);
        }
        return state;
    }

    private static Fabric leaves(String... hostlists) {
        List<Fabric.Leaf> leaves = new ArrayList<>();
        for (int i = 0; i < hostlists.length; i++) {
            leaves.add(new Fabric.Leaf("leaf-" + (i + 1), List.of(hostlists[i])));
        }
        return new Fabric(List.of(new Fabric.Spine("s", leaves)));
    }

    private static NodeCapacity cordoned(NodeCapacity node) {
        return new NodeCapacity(node.name(), node.model(), node.pool(), false, node.simulated(), node.gpus());
    }

    @Test
    void requestsInWords() {
        assertThat(Capacity.wants(slice("1g.10gb"))).isEqualTo("a 1g.10gb slice");
        assertThat(Capacity.wants(service(1))).isEqualTo("1 GPU on one node");
        assertThat(Capacity.wants(service(2))).isEqualTo("2 GPUs on one node");
        assertThat(Capacity.wants(gang(1, 4, null))).isEqualTo("4 GPUs on one node");
        assertThat(Capacity.wants(gang(2, 8, null))).isEqualTo("2 nodes × 8 GPUs");
        assertThat(Capacity.wants(gang(2, 8, new Topology(TopologyLevel.SAME_LEAF, true, null))))
                .isEqualTo("2 nodes × 8 GPUs under one leaf switch (required)");
        assertThat(Capacity.wants(gang(2, 8, new Topology(TopologyLevel.MAX_LEAVES, false, 3))))
                .isEqualTo("2 nodes × 8 GPUs under at most 3 leaf switches (preferred)");
        assertThat(Capacity.wants(gang(1, 2, new Topology(TopologyLevel.SAME_NVLINK, true, null))))
                .isEqualTo("2 GPUs on one node in one NVLink domain (required)");
        assertThat(Capacity.wants(gang(1, 2, new Topology(TopologyLevel.SAME_NODE, false, null))))
                .isEqualTo("2 GPUs on one node on one node (preferred)");
    }

    @Test
    void aRequestTheIdleClusterHoldsHasNoVerdict() {
        Capacity capacity = new Capacity(cluster(Fabric.none(), hgx("a"), hgx("b")));
        assertThat(capacity.idle(0, gang(2, 8, null), ANY)).isNull();
        assertThat(capacity.idle(0, gang(1, 8, new Topology(TopologyLevel.SAME_NVLINK, true, null)), ANY)).isNull();
        assertThat(capacity.idle(0, service(8), ANY)).isNull();
    }

    @Test
    void oneNvlinkDomainIsMeasuredByItsLargestDomainWhereverItsGpusSit() {
        // GPU 0 alone in domain 0; GPUs 1-3 in domain 1.
        Capacity capacity = new Capacity(cluster(Fabric.none(), node("p", 4, i -> i == 0 ? 0 : 1, null, true)));
        Topology oneDomain = new Topology(TopologyLevel.SAME_NVLINK, true, null);

        assertThat(capacity.idle(0, gang(1, 3, oneDomain), ANY)).isNull();
        Capacity.Verdict four = capacity.idle(0, gang(1, 4, oneDomain), ANY);
        assertThat(four.reason()).isEqualTo(WaitReason.TOPOLOGY);
        assertThat(four.why()).isEqualTo("needs 4 GPUs on one node in one NVLink domain (required) of H100; "
                + "the largest NVLink domain has 3");
        assertThat(capacity.idle(0, gang(1, 4, null), ANY)).isNull();
        assertThat(capacity.idle(0, gang(1, 5, null), ANY).why()).endsWith("the largest node has 4");
    }

    @Test
    void aGangBeyondItsLeafLimitSaysWhatTheLargestLeavesHold() {
        // leaf-1 has three nodes, leaf-2 one: listed roomiest first, so order alone does not pick the largest.
        Capacity capacity = new Capacity(cluster(leaves("a[0-2]", "b0"), hgx("a0"), hgx("a1"), hgx("a2"), hgx("b0")));

        Capacity.Verdict oneLeaf = capacity.idle(0, gang(4, 8, new Topology(TopologyLevel.SAME_LEAF, true, null)), ANY);
        assertThat(oneLeaf.reason()).isEqualTo(WaitReason.TOPOLOGY);
        assertThat(oneLeaf.why()).endsWith("; the largest leaf switch has 3 such nodes");
        assertThat(capacity.idle(0, gang(3, 8, new Topology(TopologyLevel.SAME_LEAF, true, null)), ANY)).isNull();
        assertThat(capacity.idle(0, gang(4, 8, new Topology(TopologyLevel.MAX_LEAVES, true, 2)), ANY)).isNull();
        assertThat(capacity.idle(0, gang(5, 8, null), ANY).why())
                .endsWith("; the 2 largest leaf switches have 4 such nodes");
        assertThat(capacity.idle(0, gang(5, 8, new Topology(TopologyLevel.MAX_LEAVES, true, 5)), ANY).why())
                .endsWith("; the 2 largest leaf switches have 4 such nodes");
    }

    @Test
    void aLeafWithOneSuchNodeSaysSoInTheSingular() {
        Capacity capacity = new Capacity(cluster(leaves("a0", "b0"), hgx("a0"), hgx("b0")));
        assertThat(capacity.idle(0, gang(2, 8, new Topology(TopologyLevel.SAME_LEAF, true, null)), ANY).why())
                .endsWith("; the largest leaf switch has 1 such node");
    }

    @Test
    void severalNodesCanNeverBeOneNodeOrOneDomain() {
        Capacity capacity = new Capacity(cluster(Fabric.none(), hgx("a"), hgx("b")));
        assertThat(capacity.idle(0, gang(2, 8, new Topology(TopologyLevel.SAME_NODE, true, null)), ANY).why())
                .endsWith("; more than one node cannot be one node");
        assertThat(capacity.idle(0, gang(2, 8, new Topology(TopologyLevel.SAME_NVLINK, true, null)), ANY).why())
                .endsWith("; more than one node cannot be one NVLink domain");
        assertThat(capacity.idle(0, gang(2, 8, new Topology(TopologyLevel.SAME_NODE, false, null)), ANY)).isNull();
    }

    @Test
    void whatOnlyCordonsAndUnhealthyGpusKeepFromFittingIsUnschedulableWithTheCounts() {
        // "down" is cordoned and has a sick GPU too: that GPU is not counted among the others'.
        NodeCapacity down = cordoned(hgx("down"));
        ClusterState state = cluster(Fabric.none(), hgx("up"), new NodeCapacity("down", H100, null, false, true,
                down.gpus().stream().map(g -> new NodeCapacity.Gpu(g.index(), g.uuid(), g.index() > 0, 0, 0,
                        List.of())).toList()), node("small", 4, i -> 0, null, true));
        state.upsert(new NodeCapacity("up", H100, null, true, true, hgx("up").gpus().stream()
                .map(g -> new NodeCapacity.Gpu(g.index(), g.uuid(), g.index() > 1, 0, 0, List.of())).toList()));
        Capacity capacity = new Capacity(state);

        Capacity.Verdict verdict = capacity.idle(0, gang(2, 6, null), ANY);

        assertThat(verdict.reason()).isEqualTo(WaitReason.UNSCHEDULABLE);
        assertThat(verdict.why()).isEqualTo("needs 2 nodes × 6 GPUs of H100; counting only schedulable GPUs, the "
                + "largest leaf switch has 1 such node (1 of 3 nodes cordoned, draining or down; 2 GPUs unhealthy "
                + "or cordoned on the others)");
        assertThat(capacity.idle(0, gang(1, 6, null), ANY)).isNull();
    }

    @Test
    void noMatchingNodeSaysWhichNodesWouldHaveAndWhySimulatedJobsKeepOffRealGpus() {
        ClusterState state = cluster(Fabric.none(), node("real-1", 8, i -> 0, "train", false),
                node("real-2", 8, i -> 0, "train", false), node("other", 8, i -> 0, "serve", false));
        Capacity capacity = new Capacity(state);

        Capacity.Verdict simulated = capacity.idle(0, gang(1, 8, null), new NodeMatch("train", true, null));
        assertThat(simulated.reason()).isEqualTo(WaitReason.NO_MATCHING_NODES);
        assertThat(simulated.why()).isEqualTo("no node in pool train with simulated GPUs has H100 GPUs; the simulated "
                + "backend never runs a job on real GPUs (2 nodes read real H100 GPUs, where nothing would run): "
                + "name a backend that runs jobs");
        assertThat(capacity.idle(0, gang(1, 8, null), new NodeMatch("serve", true, null)).why())
                .contains("(1 node reads real H100 GPUs");
        assertThat(capacity.idle(0, gang(1, 8, null), new NodeMatch("none", false, null)).why())
                .isEqualTo("no node in pool none has H100 GPUs");
        assertThat(capacity.idle(0, gang(1, 8, null), new NodeMatch("train", false, null))).isNull();
    }

    @Test
    void aGangTooBigForTheNodesItMayUseHearsWhatTheFiltersKeptItOff() {
        // Four nodes under one leaf switch: two run by slurm, one by kubernetes, one by no backend yet.
        ClusterState state = cluster(Fabric.none(), runBy(hgx("s0"), "slurm"), runBy(hgx("s1"), "slurm"),
                runBy(hgx("k0"), "kubernetes"), hgx("bare"));
        Capacity capacity = new Capacity(state);

        Capacity.Verdict three = capacity.idle(0, gang(3, 8, null), new NodeMatch(null, false, "slurm"));

        assertThat(three.reason()).isEqualTo(WaitReason.TOPOLOGY);
        assertThat(three.why()).isEqualTo("needs 3 nodes × 8 GPUs of H100; the largest leaf switch has 2 such nodes"
                + "; 1 node with these GPUs is run by kubernetes, where a slurm job cannot start"
                + "; 1 node with these GPUs is run by no execution backend (yet), where a slurm job cannot start");
        assertThat(capacity.idle(0, gang(2, 8, null), new NodeMatch(null, false, "slurm"))).isNull();
    }

    private static NodeCapacity runBy(NodeCapacity node, String backend) {
        return new NodeCapacity(node.name(), node.model(), node.pool(), node.schedulable(), node.simulated(),
                node.gpus(), backend);
    }

    @Test
    void aSliceFitsOnlyWhereAGpuHasThatProfileAndIsUsable() {
        Capacity capacity = new Capacity(cluster(Fabric.none(), mig("m", true)));
        assertThat(capacity.idle(0, slice("1g.10gb"), ANY)).isNull();
        Capacity.Verdict other = capacity.idle(0, slice("3g.40gb"), ANY);
        assertThat(other.reason()).isEqualTo(WaitReason.NO_MATCHING_NODES);
        assertThat(other.why()).isEqualTo("needs a 3g.40gb slice of H100; no GPU has 3g.40gb MIG instances (MIG "
                + "layouts are set on the nodes)");

        Capacity sick = new Capacity(cluster(Fabric.none(), mig("m", false)));
        assertThat(sick.idle(0, slice("1g.10gb"), ANY).reason()).isEqualTo(WaitReason.UNSCHEDULABLE);
        Capacity down = new Capacity(cluster(Fabric.none(), cordoned(mig("m", true))));
        assertThat(down.idle(0, slice("1g.10gb"), ANY).reason()).isEqualTo(WaitReason.UNSCHEDULABLE);
    }

    @Test
    void nowCountsNodesUsableGpusAndNodesWithRoomPerLeaf() {
        ClusterState state = cluster(leaves("a[0-1]", "b0", "c0"), hgx("a0"), hgx("a1"), hgx("b0"),
                cordoned(hgx("c0")), mig("m", true));
        state.allocate(state.node("a1"), 0b1111, "x");
        Capacity capacity = new Capacity(state);

        assertThat(capacity.now(0, gang(2, 6, null), ANY)).containsExactly(
                "H100: 5 nodes, 4 schedulable, 21 of 25 usable GPUs free",
                "nodes with 6+ free GPUs now: 2 (leaf-1 1, leaf-2 1); the job needs 2");
        assertThat(capacity.now(0, gang(2, 4, new Topology(TopologyLevel.SAME_LEAF, true, null)), ANY)).last()
                .isEqualTo("nodes with 4+ free GPUs now: 3 (leaf-1 2, leaf-2 1); the job needs 2 under one leaf switch "
                        + "(required)");
        assertThat(capacity.now(0, service(8), ANY)).last()
                .isEqualTo("nodes with 8+ free GPUs now: 2 (leaf-1 1, leaf-2 1); the job needs 1");
        state.allocate(state.node("a0"), 0xff, "y");
        state.allocate(state.node("b0"), 0xff, "z");
        assertThat(capacity.now(0, service(8), ANY)).last().isEqualTo("nodes with 8+ free GPUs now: 0; the job needs 1");
        assertThat(capacity.now(0, service(1), new NodeMatch("elsewhere", false, null))).containsExactly(
                "H100: 0 nodes, 0 schedulable, 0 of 0 usable GPUs free",
                "nodes with 1+ free GPUs now: 0; the job needs 1");
    }

    @Test
    void nowCountsFreeSlicesOnSchedulableNodesAndUsableGpus() {
        ClusterState state = cluster(Fabric.none(), mig("m1", true), mig("m2", true), mig("sick", false),
                cordoned(mig("down", true)), hgx("whole"));
        Node m1 = state.node("m1");
        state.allocate(m1, 0, m1.slices(0)[0], "s");
        Capacity capacity = new Capacity(state);

        assertThat(capacity.now(0, slice("1g.10gb"), ANY)).last().isEqualTo("free 1g.10gb slices: 3 on 2 nodes");
        assertThat(capacity.now(0, slice("2g.20gb"), ANY)).last().isEqualTo("free 2g.20gb slices: 0 on 0 nodes");
        assertThat(capacity.now(0, slice("1g.10gb"), new NodeMatch("elsewhere", false, null))).as("another pool's")
                .last().isEqualTo("free 1g.10gb slices: 0 on 0 nodes");
        assertThat(Capacity.freeSlices(m1, "1g.10gb")).isEqualTo(1);
        assertThat(Capacity.freeSlices(state.node("sick"), "1g.10gb")).isZero();
    }

    @Test
    void notNowNamesTheNodesNearestToTakingTheJobFirstAndCountsTheRest() {
        ClusterState state = cluster(Fabric.none(), hgx("full"), hgx("two"), hgx("idle"), hgx("six"), hgx("three"),
                node("real", 8, i -> 0, null, false));
        state.allocate(state.node("full"), 0xff, "x");
        state.allocate(state.node("real"), 0xff, "x");
        NodeMatch simulated = new NodeMatch(null, true, null);
        state.allocate(state.node("two"), 0b111111, "x");
        state.allocate(state.node("six"), 0b11, "x");
        state.allocate(state.node("three"), 0b11111, "x");
        Capacity capacity = new Capacity(state);

        assertThat(capacity.notNow(0, service(8), simulated, Filters.NONE)).isEqualTo("not now: 4 of 5 nodes: "
                + "six: 6 of 8 GPUs free, needs 8; three: 3 of 8 GPUs free, needs 8; two: 2 of 8 GPUs free, needs 8; "
                + "…");
        assertThat(capacity.notNow(0, service(3), simulated, Filters.NONE)).isEqualTo("not now: 2 of 5 nodes: "
                + "two: 2 of 8 GPUs free, needs 3; full: 0 of 8 GPUs free, needs 3");
        state.release(state.node("full"), "x");
        assertThat(capacity.notNow(0, service(2), simulated, Filters.NONE)).as("every node it may use could take it")
                .isNull();
    }

    @Test
    void notNowSaysADownNodeIsDownAndAReservedNodeIsHeldOnlyWhenTheReservationKeepsTheJobOff() {
        ClusterState state = cluster(Fabric.none(), hgx("held"), cordoned(hgx("down")), hgx("free"));
        state.reserve(state.node("held"), true);
        Capacity capacity = new Capacity(state);

        assertThat(capacity.notNow(0, service(8), ANY, new Unreserved("job gang"))).isEqualTo("not now: 2 of 3 nodes: "
                + "held: reserved for job gang; down: cordoned, draining or down");
        assertThat(capacity.notNow(0, service(8), ANY, Filters.NONE)).isEqualTo("not now: 1 of 3 nodes: "
                + "down: cordoned, draining or down");
    }

    @Test
    void notNowCountsFreeSlicesOfTheProfileForASliceJob() {
        ClusterState state = cluster(Fabric.none(), mig("taken", true), mig("open", true));
        Node taken = state.node("taken");
        state.allocate(taken, 0, taken.slices(0)[0], "s");
        state.allocate(taken, 0, taken.slices(0)[1], "s");
        Capacity capacity = new Capacity(state);

        assertThat(capacity.notNow(0, slice("1g.10gb"), ANY, Filters.NONE))
                .isEqualTo("not now: 1 of 2 nodes: taken: no free 1g.10gb slice");
    }

    @Test
    void slicesOnAnyUsableGpuCountNotOnlyTheFirst() {
        NodeCapacity laterGpu = new NodeCapacity("m", H100, null, true, true, List.of(
                new NodeCapacity.Gpu(0, "m-0", true, 0, 0, List.of()),
                new NodeCapacity.Gpu(1, "m-1", true, 0, 0, List.of(new NodeCapacity.MigSlice(1, "1g.10gb")))));
        ClusterState state = cluster(Fabric.none(), laterGpu);
        Capacity capacity = new Capacity(state);

        assertThat(Capacity.freeSlices(state.node("m"), "1g.10gb")).isEqualTo(1);
        assertThat(capacity.idle(0, slice("1g.10gb"), ANY)).isNull();
    }

    @Test
    void aThirtyTwoGpuNodeWithoutSlicesHasNoneFree() {
        ClusterState state = cluster(Fabric.none(), node("big", 32, i -> 0, null, true));
        assertThat(Capacity.freeSlices(state.node("big"), "1g.10gb")).isZero();
    }
    @Test
    void theFewestLeavesOfTheIdleClusterCountSchedulableNodesWithRoomOfTheAllowedPool() {
        // leaf-1: a0, a1 (a1 cordoned); leaf-2: b0, b1, b2 (b2 in pool p); leaf-3: c0 (4 GPUs only). Idle, for 8 GPUs
        // a node outside pool p: leaf-1 has 1 such node, leaf-2 2, leaf-3 none.
        ClusterState state = cluster(leaves("a[0-1]", "b[0-2]", "c0"), hgx("a0"), cordoned(hgx("a1")), hgx("b0"),
                hgx("b1"), node("b2", 8, i -> 0, "p", true), node("c0", 4, i -> 0, null, true));
        Capacity capacity = new Capacity(state);
        NodeMatch poolP = new NodeMatch("p", false, null);
        // Busy GPUs do not count against it: it is the idle cluster.
        state.allocate(state.node("b0"), 0xff, "running");

        assertThat(capacity.fewestLeaves(0, gang(2, 8, null), new NodeMatch(null, false, null))).isEqualTo(1);
        assertThat(capacity.fewestLeaves(0, gang(3, 8, null), ANY)).isEqualTo(1);
        assertThat(capacity.fewestLeaves(0, gang(4, 8, null), ANY)).isEqualTo(2);
        assertThat(capacity.fewestLeaves(0, gang(5, 8, null), ANY)).isEqualTo(Integer.MAX_VALUE);
        assertThat(capacity.fewestLeaves(0, gang(5, 4, null), ANY)).isEqualTo(3);
        assertThat(capacity.fewestLeaves(0, gang(1, 8, null), poolP)).isEqualTo(1);
        assertThat(capacity.fewestLeaves(0, gang(2, 8, null), poolP)).isEqualTo(Integer.MAX_VALUE);
    }
}
