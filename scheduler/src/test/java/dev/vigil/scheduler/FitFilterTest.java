package dev.vigil.scheduler;

import dev.vigil.api.jobs.JobSpec;
import dev.vigil.scheduler.placement.Filters;
import dev.vigil.scheduler.placement.NodeFilter;
import dev.vigil.scheduler.placement.NodeMatch;
import dev.vigil.scheduler.placement.Unreserved;
import dev.vigil.scheduler.policy.Tenant;
import dev.vigil.scheduler.topology.ClusterState;
import dev.vigil.scheduler.topology.Fabric;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static dev.vigil.scheduler.Clusters.H100;
import static dev.vigil.scheduler.Clusters.hgx;
import static org.assertj.core.api.Assertions.assertThat;

/** The filters {@link Fit} gives a job: its match's plugins, and the reservation's only when asked. */
class FitFilterTest {
    private static final Instant T0 = Instant.parse("2026-12-07T08:00:00Z");

    private static Job job(NodeMatch match) {
        JobSpec spec = Jobs.training(8).spec();
        return new Job("j", spec, new Form(spec, match), Tenant.unlimited("t"), 500, T0, 0);
    }

    @Test
    void aJobAnyNodeSuitsGetsNoFilterOrTheReservationAlone() {
        assertThat(Fit.filter(job(NodeMatch.ANY), false)).isSameAs(Filters.NONE);
        assertThat(Fit.filter(job(NodeMatch.ANY), true)).isSameAs(Unreserved.FILTER);
    }

    @Test
    void aJobWithAMatchKeepsOffReservedNodesOnlyWhenAsked() {
        ClusterState state = new ClusterState(Fabric.none());
        state.upsert(Clusters.runBy(hgx("slurm-0", H100), "slurm"));
        state.upsert(Clusters.runBy(hgx("slurm-1", H100), "slurm"));
        state.upsert(Clusters.runBy(hgx("k8s-0", H100), "kubernetes"));
        state.reserve(state.node("slurm-1"), true);
        Job job = job(new NodeMatch(null, false, "slurm"));

        NodeFilter keepsOff = Fit.filter(job, true);
        NodeFilter mayUse = Fit.filter(job, false);

        assertThat(state.nodes()).filteredOn(n -> !keepsOff.rejects(n)).extracting(n -> n.name)
                .containsExactly("slurm-0");
        assertThat(state.nodes()).filteredOn(n -> !mayUse.rejects(n)).extracting(n -> n.name)
                .containsExactly("slurm-0", "slurm-1");
        assertThat(keepsOff.why(state.node("slurm-1"))).isEqualTo("reserved for a gang ahead of it");
        assertThat(keepsOff.why(state.node("k8s-0"))).isEqualTo("run by kubernetes");
    }
}
