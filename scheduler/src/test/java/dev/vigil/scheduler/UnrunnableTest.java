package dev.vigil.scheduler;

import dev.vigil.api.jobs.Topology;
import dev.vigil.api.jobs.TopologyLevel;
import dev.vigil.scheduler.policy.SchedulerPolicy;
import dev.vigil.scheduler.topology.Fabric;
import dev.vigil.scheduler.topology.NodeCapacity;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static dev.vigil.scheduler.Clusters.A100;
import static dev.vigil.scheduler.Clusters.H100;
import static dev.vigil.scheduler.Clusters.hgx;
import static org.assertj.core.api.Assertions.assertThat;

/** What the controller refuses at submit: work no known node could ever run. */
class UnrunnableTest {
    private static Scheduler fleet(NodeCapacity... nodes) {
        Scheduler scheduler = new Scheduler(SchedulerPolicy.defaults(), Fabric.none());
        for (NodeCapacity node : nodes) {
            scheduler.upsertNode(node);
        }
        return scheduler;
    }

    /** Four 8-GPU H100 nodes: 32 GPUs. */
    private static Scheduler fourH100() {
        return fleet(hgx("n1", H100), hgx("n2", H100), hgx("n3", H100), hgx("n4", H100));
    }

    @Test
    void aGpuModelNoNodeHasIsUnrunnable() {
        Optional<Scheduler.Unrunnable> b200 = fourH100().unrunnable(Jobs.training(8).models("B200").spec());
        assertThat(b200).hasValueSatisfying(u -> {
            assertThat(u.field()).isEqualTo("models");
            assertThat(u.why()).contains("B200").contains(H100);
        });
        assertThat(fourH100().unrunnable(Jobs.training(8).models("h100").spec())).isEmpty();
    }

    @Test
    void aGangLargerThanTheFleetIsUnrunnable() {
        Optional<Scheduler.Unrunnable> big = fourH100().unrunnable(Jobs.training(64).spec());
        assertThat(big).hasValueSatisfying(u -> {
            assertThat(u.field()).isEqualTo("gpus");
            assertThat(u.why()).contains("8 nodes × 8 GPUs").contains("4 such nodes");
        });
        assertThat(fourH100().unrunnable(Jobs.training(32).spec())).isEmpty();
    }

    @Test
    void cordonedAndUnhealthyNodesCountBecauseTheyMayReturn() {
        Scheduler scheduler = fleet(hgx("n1", H100), Clusters.with(hgx("n2", H100), false, -1),
                Clusters.with(hgx("n3", H100), true, 0), Clusters.with(hgx("n4", H100), false, 3));
        assertThat(scheduler.unrunnable(Jobs.training(32).spec())).isEmpty();
    }

    @Test
    void aPoolWithoutTheModelIsUnrunnable() {
        NodeCapacity pooled = hgx("a1", A100);
        Scheduler scheduler = fleet(hgx("n1", H100), new NodeCapacity(pooled.name(), A100, "batch", true, true,
                pooled.gpus()));
        assertThat(scheduler.unrunnable(Jobs.training(8).models("H100").pool("batch").spec()))
                .hasValueSatisfying(u -> assertThat(u.field()).isEqualTo("pool"));
        assertThat(scheduler.unrunnable(Jobs.training(8).pool("batch").spec())).isEmpty();
    }

    @Test
    void aMigSliceIsCheckedOnlyForAMatchingNode() {
        assertThat(fourH100().unrunnable(Jobs.slices(2, "3g.40gb").spec())).isEmpty();
        assertThat(fourH100().unrunnable(Jobs.slices(2, "3g.40gb").models("A100").spec()))
                .hasValueSatisfying(u -> assertThat(u.field()).isEqualTo("models"));
    }

    @Test
    void anEmptyFleetRefusesNothing() {
        assertThat(fleet().unrunnable(Jobs.training(64).models("B200").spec())).isEmpty();
    }

    @Test
    void aJobNoModelCouldHoldNamesTheFieldOnceAndEveryModelsShortfall() {
        Scheduler scheduler = fleet(hgx("h", H100), hgx("a", A100));

        assertThat(scheduler.unrunnable(Jobs.gang(2, 8).spec())).hasValueSatisfying(u -> {
            assertThat(u.field()).isEqualTo("gpus");
            assertThat(u.why()).isEqualTo("needs 2 nodes × 8 GPUs of " + H100 + "; the largest leaf switch has 1 such "
                    + "node; needs 2 nodes × 8 GPUs of " + A100 + "; the largest leaf switch has 1 such node");
        });
    }

    @Test
    void aTopologyOrReplicaSizeNoNodeMeetsNamesThatField() {
        Scheduler scheduler = fleet(hgx("h1", H100), hgx("h2", H100));
        assertThat(scheduler.unrunnable(Jobs.gang(2, 8).topology(new Topology(TopologyLevel.SAME_NODE, true,
                null)).spec()))
                .hasValueSatisfying(u -> assertThat(u.field()).isEqualTo("topology"));
        Scheduler pcie = fleet(Clusters.pcie("p", H100));
        assertThat(pcie.unrunnable(Jobs.inference(1, 8).spec()))
                .hasValueSatisfying(u -> assertThat(u.field()).isEqualTo("gpusPerNode"));
    }

    @Test
    void aSliceInAPoolWithoutTheModelIsUnrunnable() {
        NodeCapacity mig = Clusters.migHgx("m", 1);
        Scheduler scheduler = fleet(new NodeCapacity("m", H100, "serve", true, true, mig.gpus()));
        assertThat(scheduler.unrunnable(Jobs.slices(1, "1g.10gb").pool("serve").spec())).isEmpty();
        assertThat(scheduler.unrunnable(Jobs.slices(1, "1g.10gb").pool("batch").spec()))
                .hasValueSatisfying(u -> assertThat(u.field()).isEqualTo("pool"));
    }
}
