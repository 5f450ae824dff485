package dev.vigil.scheduler.placement;

import dev.vigil.scheduler.topology.ClusterState;
import dev.vigil.scheduler.topology.ClusterState.Node;
import dev.vigil.scheduler.topology.Fabric;
import dev.vigil.scheduler.topology.NodeCapacity;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Each filter plugin rejects the nodes its rule keeps a job off, says why, and passes the rest; the chain in order. */
class FiltersTest {
    private static final String H100 = "H100";

    /**
     * train-sim: pool train, simulated, no backend; train-real: pool train, real, run by slurm; serve: pool serve,
     * simulated, run by kubernetes; bare: no pool, simulated, no backend. Four GPUs each.
     */
    private final ClusterState state = cluster(
            node("train-sim", "train", true, true, null),
            node("train-real", "train", false, true, "slurm"),
            node("serve", "serve", true, true, "kubernetes"),
            node("bare", null, true, true, null));

    private static NodeCapacity node(String name, String pool, boolean simulated, boolean schedulable,
                                     String backend) {
        List<NodeCapacity.Gpu> gpus = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            gpus.add(new NodeCapacity.Gpu(i, name + "-" + i, true, 0, 0, List.of()));
        }
        return new NodeCapacity(name, H100, pool, schedulable, simulated, gpus, backend);
    }

    private static ClusterState cluster(NodeCapacity... nodes) {
        ClusterState state = new ClusterState(Fabric.none());
        for (NodeCapacity node : nodes) {
            state.upsert(node);
        }
        return state;
    }

    private List<String> rejected(NodeFilter filter) {
        return state.nodes().stream().filter(filter::rejects).map(n -> n.name).toList();
    }

    private Node node(String name) {
        return state.node(name);
    }

    @Test
    void inPoolRejectsOtherPoolsAndNodesInNone() {
        InPool train = new InPool("train");

        assertThat(rejected(train)).containsExactly("serve", "bare");
        assertThat(train.why(node("serve"))).isEqualTo("in pool serve");
        assertThat(train.why(node("bare"))).isEqualTo("in no pool");
        assertThat(train.describe()).isEqualTo(" in pool train");
        assertThat(train.summary(List.of(node("serve")), H100)).as("the verdict names the pool already").isEmpty();
    }

    @Test
    void simulatedGpusRejectsRealGpusAndSaysNothingWouldRunThere() {
        SimulatedGpus simulated = new SimulatedGpus();

        assertThat(rejected(simulated)).containsExactly("train-real");
        assertThat(simulated.why(node("train-real"))).isEqualTo("real GPUs, where a simulated job would not run");
        assertThat(simulated.describe()).isEqualTo(" with simulated GPUs");
        assertThat(simulated.summary(List.of(node("train-real")), H100)).isEqualTo("; the simulated backend never "
                + "runs a job on real GPUs (1 node reads real H100 GPUs, where nothing would run): name a backend "
                + "that runs jobs");
        assertThat(simulated.summary(List.of(node("train-real"), node("serve")), H100))
                .contains("(2 nodes read real H100 GPUs");
    }

    @Test
    void runByRejectsNodesOfAnotherBackendOrNoneAndCountsThemPerBackend() {
        RunBy slurm = new RunBy("slurm");

        assertThat(rejected(slurm)).containsExactly("train-sim", "serve", "bare");
        assertThat(slurm.why(node("serve"))).isEqualTo("run by kubernetes");
        assertThat(slurm.why(node("bare"))).isEqualTo("no execution backend (yet)");
        assertThat(slurm.describe()).isEqualTo(" run by slurm");
        assertThat(slurm.summary(List.of(node("train-sim"), node("serve"), node("bare")), H100)).isEqualTo(
                "; 1 node with these GPUs is run by kubernetes, where a slurm job cannot start"
                        + "; 2 nodes with these GPUs are run by no execution backend (yet), where a slurm job cannot start");
    }

    @Test
    void backendConstraintRejectsWhatTheConstraintDisallowsWithItsReason() {
        BackendConstraint constraint = new BackendConstraint(new Labelled(Set.of("serve", "bare")));

        assertThat(rejected(constraint)).containsExactly("train-sim", "train-real");
        assertThat(constraint.why(node("train-sim"))).isEqualTo("no label gpu on train-sim");
        assertThat(constraint.describe()).isEqualTo(" matching nodeSelector gpu=h100");
        assertThat(constraint.summary(List.of(node("train-sim"), node("train-real")), H100)).isEqualTo(
                "; 2 nodes with these GPUs excluded: train-sim: no label gpu on train-sim; train-real: no label gpu "
                        + "on train-real");
    }

    @Test
    void theDefaultSummaryNamesTheFirstThreeNodesAndOneInTheSingular() {
        BackendConstraint none = new BackendConstraint(new Labelled(Set.of()));
        state.upsert(node("fifth", null, true, true, null));

        assertThat(none.summary(state.nodes(), H100)).isEqualTo("; 5 nodes with these GPUs excluded: "
                + "train-sim: no label gpu on train-sim; train-real: no label gpu on train-real; serve: no label gpu "
                + "on serve; …");
        assertThat(none.summary(List.of(node("bare")), H100))
                .isEqualTo("; 1 node with these GPUs excluded: bare: no label gpu on bare");
    }

    @Test
    void unreservedRejectsNodesHeldForTheReservation() {
        state.reserve(node("serve"), true);

        assertThat(rejected(Unreserved.FILTER)).containsExactly("serve");
        assertThat(Unreserved.FILTER.why(node("serve"))).isEqualTo("reserved for a gang ahead of it");
        state.reserve(node("serve"), false);
        assertThat(rejected(Unreserved.FILTER)).isEmpty();
    }

    @Test
    void schedulableRejectsCordonedDrainingOrDownNodes() {
        state.schedulable(node("bare"), false);

        assertThat(rejected(Schedulable.FILTER)).containsExactly("bare");
        assertThat(Schedulable.FILTER.why(node("bare"))).isEqualTo("cordoned, draining or down");
    }

    @Test
    void roomRejectsNodesWithFewerFreeGpusThanTheJobTakesThere() {
        state.allocate(node("serve"), 0b0011, "running");
        state.schedulable(node("bare"), false);

        assertThat(rejected(new Room(3))).containsExactly("serve", "bare");
        assertThat(rejected(new Room(2))).containsExactly("bare");
        assertThat(rejected(new Room(4))).containsExactly("serve", "bare");
        assertThat(new Room(3).why(node("serve"))).isEqualTo("2 of 4 GPUs free, needs 3");
    }

    @Test
    void aChainPassesWhatNoPluginRejectsAndTheFirstThatDoesSaysWhy() {
        Filters filters = new NodeMatch("train", false, "slurm").filters();

        assertThat(rejected(filters)).containsExactly("train-sim", "serve", "bare");
        assertThat(filters.rejectedBy(node("train-real"))).isNull();
        assertThat(filters.why(node("train-real"))).isNull();
        assertThat(filters.rejectedBy(node("serve"))).isEqualTo(new InPool("train"));
        assertThat(filters.why(node("serve"))).isEqualTo("in pool serve");
        assertThat(filters.why(node("train-sim"))).isEqualTo("no execution backend (yet)");
        assertThat(filters.describe()).isEqualTo(" in pool train run by slurm");
        assertThat(filters.and(Unreserved.FILTER).describe()).isEqualTo(filters.describe());
    }

    @Test
    void aChainSummarisesEachNodeUnderTheFirstPluginThatRejectedItInPluginOrder() {
        Filters filters = new NodeMatch(null, false, "kubernetes", new Labelled(Set.of("train-sim"))).filters();

        // train-sim: no backend; train-real: slurm; bare: no backend; serve: kubernetes but not labelled.
        assertThat(filters.summary(state.nodes(), H100)).isEqualTo(
                "; 2 nodes with these GPUs are run by no execution backend (yet), where a kubernetes job cannot start"
                        + "; 1 node with these GPUs is run by slurm, where a kubernetes job cannot start"
                        + "; 1 node with these GPUs excluded: serve: no label gpu on serve");
        assertThat(filters.summary(List.of(), H100)).isEmpty();
    }

    @Test
    void aMatchMakesThePluginsItNeedsInOrderAndNoneForAnyNode() {
        assertThat(NodeMatch.ANY.filters()).isSameAs(Filters.NONE);
        assertThat(rejected(NodeMatch.ANY.filters())).isEmpty();
        assertThat(new NodeMatch("train", true, null).describe()).isEqualTo(" in pool train with simulated GPUs");
        assertThat(rejected(new NodeMatch("train", true, null).filters())).containsExactly("train-real", "serve",
                "bare");
        assertThat(new NodeMatch(null, false, null, new Labelled(Set.of())).describe())
                .isEqualTo(" matching nodeSelector gpu=h100");
        assertThat(new NodeMatch(null, true, null).filters().rejectedBy(node("train-real")))
                .isInstanceOf(SimulatedGpus.class);
    }
}
