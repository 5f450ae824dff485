package dev.vigil.alerts.fleet;

import dev.vigil.api.cluster.NodeState;
import dev.vigil.api.gpu.HealthState;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static dev.vigil.alerts.fixtures.Fleets.node;
import static org.assertj.core.api.Assertions.assertThat;

/** A fleet snapshot and one report's change to it. */
class FleetTest {
    @Test
    void aReportReplacesItsNodeOrAddsANewOneAndKeepsJobsAndTenants() {
        Fleet fleet = new Fleet(List.of(node("a", 1), node("b", 1)), List.of(new PendingJob("j1", "train", "nlp", "q",
                null, null)), List.of(new TenantUsage("nlp", 1, 2)));
        FleetNode down = new FleetNode("a", NodeState.UNKNOWN, null, List.of());
        Fleet replaced = fleet.withNode(down);
        assertThat(replaced.nodes()).containsExactly(down, node("b", 1));
        assertThat(replaced.pendingJobs()).isEqualTo(fleet.pendingJobs());
        assertThat(replaced.tenants()).isEqualTo(fleet.tenants());
        assertThat(replaced.withNode(node("c", 2)).nodes()).extracting(FleetNode::name).containsExactly("a", "b", "c");
        assertThat(fleet.nodes()).as("unchanged").extracting(FleetNode::name).containsExactly("a", "b");
    }

    @Test
    void missingListsAreEmptyAndAGpuWithoutHealthIsHealthy() {
        Fleet fleet = new Fleet(null, null, null);
        assertThat(fleet.nodes()).isEmpty();
        assertThat(fleet.pendingJobs()).isEmpty();
        assertThat(fleet.tenants()).isEmpty();
        assertThat(Fleet.empty()).isEqualTo(fleet);
        assertThat(Fleet.empty().withNode(node("a", 1)).nodes()).hasSize(1);
        FleetGpu gpu = new FleetGpu(0, "GPU-0", "H100", null, null, null, null, null, null, false, null);
        assertThat(gpu.health()).isEqualTo(HealthState.HEALTHY);
        assertThat(gpu.reasons()).isEmpty();
        assertThat(new FleetNode("x", NodeState.READY, Instant.EPOCH, List.of(gpu)).unreachable()).isFalse();
    }
}
