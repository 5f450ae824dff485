package dev.vigil.scheduler;

import dev.vigil.api.jobs.JobRecord;
import dev.vigil.api.jobs.WaitReason;
import dev.vigil.scheduler.placement.Labelled;
import dev.vigil.scheduler.placement.NodeMatch;
import dev.vigil.scheduler.policy.SchedulerPolicy;
import dev.vigil.scheduler.topology.Fabric;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Set;

import static dev.vigil.scheduler.Clusters.H100;
import static dev.vigil.scheduler.Clusters.hgx;
import static org.assertj.core.api.Assertions.assertThat;

/** A backend's own constraint on nodes (a Kubernetes pod's nodeSelector), given through {@link NodeMatch}. */
class NodeConstraintTest {
    private static final Instant T0 = Instant.parse("2026-12-07T08:00:00Z");

    /** n0 to n2, run by kubernetes; 8-GPU jobs may use n2 only, 3×8 gangs n1 and n2, 4-GPU jobs no node. */
    private static Scheduler scheduler() {
        Scheduler scheduler = new Scheduler(SchedulerPolicy.defaults(), Fabric.uniform(1, 3, "n"),
                spec -> new NodeMatch(spec.pool(), false, "kubernetes", new Labelled(switch (spec.gpus()) {
                    case 8 -> Set.of("n2");
                    case 24 -> Set.of("n2", "n1");
                    default -> Set.of();
                })));
        for (String node : new String[] {"n0", "n1", "n2"}) {
            scheduler.upsertNode(Clusters.runBy(hgx(node, H100), "kubernetes"));
        }
        return scheduler;
    }

    @Test
    void aJobLandsOnlyOnNodesItsBackendsConstraintAllows() {
        Scheduler scheduler = scheduler();
        scheduler.submit("eight", Jobs.training(8).spec(), T0);
        scheduler.submit("second", Jobs.training(8).spec(), T0);

        scheduler.schedule(T0);

        assertThat(scheduler.job("eight").orElseThrow().placements()).singleElement()
                .satisfies(p -> assertThat(p.node()).isEqualTo("n2"));
        JobRecord second = scheduler.job("second").orElseThrow();
        assertThat(second.placements()).as("n0 and n1 are free but excluded").isEmpty();
        assertThat(second.waiting()).isEqualTo(WaitReason.ROOM);
        assertThat(scheduler.why("second").orElseThrow().details()).as("n0 and n1 are not its to wait for")
                .contains("not now: 1 of 1 node: n2: 0 of 8 GPUs free, needs 8");
    }

    @Test
    void whySaysWhichNodesTheConstraintExcludedAndWhy() {
        Scheduler scheduler = scheduler();
        scheduler.submit("none", Jobs.training(4).spec(), T0);
        scheduler.submit("gang", Jobs.gang(3, 8).spec(), T0);

        scheduler.schedule(T0);

        JobRecord none = scheduler.job("none").orElseThrow();
        assertThat(none.waiting()).isEqualTo(WaitReason.NO_MATCHING_NODES);
        assertThat(none.reason()).isEqualTo("no node run by kubernetes matching nodeSelector gpu=h100 has "
                + "NVIDIA H100 80GB HBM3 GPUs; 3 nodes with these GPUs excluded: n0: no label gpu on n0; "
                + "n1: no label gpu on n1; n2: no label gpu on n2");
        JobRecord gang = scheduler.job("gang").orElseThrow();
        assertThat(gang.placements()).isEmpty();
        assertThat(gang.reason()).as("two of three nodes allowed for a gang of three")
                .endsWith("; 1 node with these GPUs excluded: n0: no label gpu on n0");
    }
}
