package dev.vigil.scheduler;

import dev.vigil.scheduler.placement.Filters;
import dev.vigil.scheduler.placement.NodeFilter;
import dev.vigil.scheduler.placement.NodeMatch;
import dev.vigil.scheduler.placement.Unreserved;
import dev.vigil.scheduler.topology.ClusterState;
import dev.vigil.scheduler.topology.Fabric;
import org.junit.jupiter.api.Test;

import static dev.vigil.scheduler.Clusters.H100;
import static dev.vigil.scheduler.Clusters.hgx;
import static org.assertj.core.api.Assertions.assertThat;

/** The filters a {@link Form} gives its jobs' searches: its match's plugins, and the reservation's only when asked. */
class FormFilterTest {
    private static Form form(NodeMatch match) {
        return new Form(Jobs.training(8).spec(), match);
    }

    @Test
    void aJobAnyNodeSuitsGetsNoFilterOrTheReservationAlone() {
        assertThat(form(NodeMatch.ANY).filter(false)).isSameAs(Filters.NONE);
        assertThat(form(NodeMatch.ANY).filter(true)).isSameAs(Unreserved.FILTER);
    }

    @Test
    void aJobWithAMatchKeepsOffReservedNodesOnlyWhenAsked() {
        ClusterState state = new ClusterState(Fabric.none());
        state.upsert(Clusters.runBy(hgx("slurm-0", H100), "slurm"));
        state.upsert(Clusters.runBy(hgx("slurm-1", H100), "slurm"));
        state.upsert(Clusters.runBy(hgx("k8s-0", H100), "kubernetes"));
        state.reserve(state.node("slurm-1"), true);
        Form form = form(new NodeMatch(null, false, "slurm"));

        NodeFilter keepsOff = form.filter(true);
        NodeFilter mayUse = form.filter(false);

        assertThat(state.nodes()).filteredOn(n -> !keepsOff.rejects(n)).extracting(n -> n.name)
                .containsExactly("slurm-0");
        assertThat(state.nodes()).filteredOn(n -> !mayUse.rejects(n)).extracting(n -> n.name)
                .containsExactly("slurm-0", "slurm-1");
        assertThat(keepsOff.why(state.node("slurm-1"))).isEqualTo("reserved for a gang ahead of it");
        assertThat(keepsOff.why(state.node("k8s-0"))).isEqualTo("run by kubernetes");
    }

    @Test
    void aFormBuildsItsFiltersOnceForEverySearch() {
        Form form = form(new NodeMatch("train", false, "slurm"));

        assertThat(form.filter(true)).isSameAs(form.filter(true));
        assertThat(form.filter(false)).isSameAs(form.filter(false));
    }
}
