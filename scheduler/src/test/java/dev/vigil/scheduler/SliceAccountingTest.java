package dev.vigil.scheduler;

import dev.vigil.scheduler.policy.SchedulerPolicy;
import dev.vigil.scheduler.policy.Tenant;
import dev.vigil.scheduler.topology.Fabric;
import dev.vigil.scheduler.topology.NodeCapacity;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.vigil.scheduler.Clusters.H100;
import static org.assertj.core.api.Assertions.assertThat;

/** A MIG slice counts as its compute slices out of seven of a GPU, against quotas and in what tenants hold. */
class SliceAccountingTest {
    private static final Instant T0 = Instant.parse("2026-11-22T08:00:00Z");

    /** One GPU cut into two 3g.40gb instances, one into seven 1g.10gb, one whole as 7g.80gb. */
    private static NodeCapacity mixed() {
        List<NodeCapacity.MigSlice> ones = new ArrayList<>();
        for (int s = 0; s < 7; s++) {
            ones.add(new NodeCapacity.MigSlice(10 + s, "1g.10gb"));
        }
        return new NodeCapacity("mig", H100, null, true, true, List.of(
                new NodeCapacity.Gpu(0, "GPU-0", true, 0, 0, List.of(new NodeCapacity.MigSlice(1, "3g.40gb"),
                        new NodeCapacity.MigSlice(2, "3g.40gb"))),
                new NodeCapacity.Gpu(1, "GPU-1", true, 0, 0, ones),
                new NodeCapacity.Gpu(2, "GPU-2", true, 0, 0, List.of(new NodeCapacity.MigSlice(0, "7g.80gb")))));
    }

    private static Scheduler scheduler(SchedulerPolicy policy) {
        Scheduler scheduler = new Scheduler(policy, Fabric.none());
        scheduler.upsertNode(mixed());
        return scheduler;
    }

    @Test
    void aSliceHoldsItsComputeSlicesOutOfSevenOfAGpu() {
        Scheduler scheduler = scheduler(SchedulerPolicy.defaults());
        scheduler.submit("three", Jobs.slices(1, "3g.40gb").tenant("a").spec(), T0);
        scheduler.submit("one", Jobs.slices(2, "1g.10gb").tenant("b").spec(), T0);
        scheduler.submit("seven", Jobs.slices(1, "7g.80gb").tenant("c").spec(), T0);

        scheduler.schedule(T0);

        // 3/7 = 0.4286, 1/7 = 0.1429, rounded to the nearest thousandth; 7/7 is a whole GPU.
        assertThat(scheduler.heldMilliByTenant()).containsExactly(Map.entry("a", 429L), Map.entry("b", 286L),
                Map.entry("c", 1000L));
        assertThat(Fit.sliceMilli("2g.20gb")).isEqualTo(286);
        assertThat(Fit.sliceMilli("4g.40gb")).isEqualTo(572);
    }

    @Test
    void aSliceQuotaAdmitsAsManyReplicasAsItsFractionsAllow() {
        Tenant capped = new Tenant("capped", null, null, Map.of("H100", 1), null);
        Scheduler scheduler = new Scheduler(new SchedulerPolicy(null, null, null, null, null, null, List.of(capped)),
                Fabric.none());
        // Four 3g.40gb instances on two GPUs.
        List<NodeCapacity.Gpu> gpus = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            gpus.add(new NodeCapacity.Gpu(i, "GPU-" + i, true, 0, 0, List.of(new NodeCapacity.MigSlice(1, "3g.40gb"),
                    new NodeCapacity.MigSlice(2, "3g.40gb"))));
        }
        scheduler.upsertNode(new NodeCapacity("mig", H100, null, true, true, gpus));
        scheduler.submit("svc", Jobs.slices(3, "3g.40gb").tenant("capped").spec(), T0);

        scheduler.schedule(T0);
        scheduler.schedule(T0.plusSeconds(1));

        // Two 3g slices are 0.86 of a GPU; a third would make 1.29.
        assertThat(scheduler.job("svc").orElseThrow().placements()).hasSize(2);
        assertThat(scheduler.heldMilliByTenant()).containsExactly(Map.entry("capped", 858L));
        assertThat(scheduler.job("svc").orElseThrow().reason()).isEqualTo("tenant capped holds 0.86 of its 1 H100 GPUs "
                + "and the job needs 0.43 (no cohort to borrow from)");
    }
}
