package dev.vigil.scheduler;

import dev.vigil.scheduler.policy.SchedulerPolicy;
import dev.vigil.scheduler.topology.Fabric;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static dev.vigil.scheduler.Clusters.H100;
import static dev.vigil.scheduler.Clusters.hgx;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A reservation is planned with at most 256 placement attempts a cycle, and only attempts made
 * once enough GPUs are free count.
 */
class ReservationBudgetTest {
    private static final Instant T0 = Instant.parse("2026-11-22T08:00:00Z");

    /**
     * {@code nodes} nodes, each running a 7-GPU job until T0+2h and, all but the last, a 1-GPU job
     * until T0+1h: one GPU is free, and no node is whole until a 7-GPU job ends. A head job (a
     * two-node gang unless given) is then submitted: planning the gang's reservation releases the
     * 1-GPU jobs first, each a failed attempt once 16 GPUs are free, and finds room when the second
     * 7-GPU job is released.
     */
    private static Scheduler fragmented(int nodes) {
        return fragmented(nodes, Jobs.gang(2, 8));
    }

    private static Scheduler fragmented(int nodes, Jobs head) {
        Scheduler scheduler = new Scheduler(SchedulerPolicy.defaults(), Fabric.none());
        for (int i = 0; i < nodes; i++) {
            scheduler.upsertNode(hgx(String.format("n%03d", i), H100));
        }
        for (int i = 0; i < nodes; i++) {
            scheduler.submit("seven-" + i, Jobs.training(7).limit(Duration.ofHours(2)).spec(), T0);
        }
        scheduler.schedule(T0);
        for (int i = 0; i < nodes - 1; i++) {
            scheduler.submit("one-" + i, Jobs.training(1).limit(Duration.ofHours(1)).spec(), T0);
        }
        scheduler.schedule(T0);
        assertThat(scheduler.holding()).isEqualTo(2 * nodes - 1);
        scheduler.submit("head", head.spec(), T0.plusSeconds(1));
        scheduler.schedule(T0.plusSeconds(1));
        return scheduler;
    }

    @Test
    void aReservationNeedingFewerThan256AttemptsOnceEnoughGpusAreFreeIsFound() {
        // 262 nodes: 248 failed attempts (the 1-GPU jobs from the 15th on, then the first 7-GPU job).
        assertThat(fragmented(262).job("head").orElseThrow().reason())
                .isEqualTo("waiting for 2 nodes × 8 GPUs; reserved 2 nodes from 2026-11-22T10:00:00Z");
    }

    @Test
    void aReservationNeedingMoreThan256AttemptsIsGivenUpForTheCycle() {
        assertThat(fragmented(300).job("head").orElseThrow().reason()).isEqualTo("waiting for 2 nodes × 8 GPUs");
    }

    @Test
    void forAOneNodeHeadOnlyAReleaseThatLeavesANodeWithRoomCostsAnAttempt() {
        // 299 1-GPU jobs end first, each freeing one GPU on a node that stays 7 GPUs full: tried, they
        // would use up the 256 attempts before the first 7-GPU job's release frees a whole node.
        assertThat(fragmented(300, Jobs.training(8)).job("head").orElseThrow().reason())
                .isEqualTo("waiting for 8 GPUs on one node; reserved 1 node from 2026-11-22T10:00:00Z");
    }
}
