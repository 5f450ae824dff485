package dev.vigil.scheduler;

import dev.vigil.scheduler.placement.NodeMatch;
import dev.vigil.scheduler.policy.Tenant;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The queue's order: priority, then the tenant's fair-share factor, then first submitted; and its size. */
class QueueTest {
    private static final Instant T0 = Instant.parse("2026-11-22T08:00:00Z");

    private long seq;

    private Job job(String id, String tenant, int priority, int submittedSecond) {
        return new Job(id, Jobs.training(1).spec(), new Form(Jobs.training(1).spec(), new NodeMatch(null, false, null)),
                Tenant.unlimited(tenant), priority, T0.plusSeconds(submittedSecond), seq++);
    }

    private static List<String> ids(List<Job> jobs) {
        return jobs.stream().map(j -> j.id).toList();
    }

    @Test
    void higherPriorityFirstThenTheBetterFairShareFactorThenFirstSubmitted() {
        Queue queue = new Queue();
        queue.add(job("low", "a", 100, 0));
        queue.add(job("b-late", "b", 500, 5));
        queue.add(job("a-late", "a", 500, 4));
        queue.add(job("a-early", "a", 500, 1));
        queue.add(job("high", "b", 1000, 9));

        // b used less (factor 0.9 against a's 0.5): its job goes before a's at equal priority.
        assertThat(ids(queue.snapshot(Map.of("a", 0.5, "b", 0.9))))
                .containsExactly("high", "b-late", "a-early", "a-late", "low");
        assertThat(ids(queue.snapshot(Map.of("a", 0.9, "b", 0.5))))
                .containsExactly("high", "a-early", "a-late", "b-late", "low");
    }

    @Test
    void tenantsWithEqualFactorsInterleaveInSubmitOrder() {
        for (String first : List.of("a", "b")) {
            String second = first.equals("a") ? "b" : "a";
            Queue queue = new Queue();
            queue.add(job(first + "1", first, 500, 1));
            queue.add(job(second + "2", second, 500, 2));
            queue.add(job(first + "3", first, 500, 3));
            queue.add(job(second + "4", second, 500, 4));

            assertThat(ids(queue.snapshot(Map.of()))).containsExactly(first + "1", second + "2", first + "3",
                    second + "4");
        }
    }

    @Test
    void jobsSubmittedAtTheSameInstantKeepTheOrderTheyWereQueuedIn() {
        Queue queue = new Queue();
        Job first = job("first", "a", 500, 0);
        Job second = job("second", "a", 500, 0);
        queue.add(second);
        queue.add(first);
        assertThat(ids(queue.snapshot(Map.of()))).containsExactly("first", "second");
    }

    @Test
    void sizeCountsEachJobOnceAndRemovingAnAbsentJobChangesNothing() {
        Queue queue = new Queue();
        Job a = job("a", "t", 500, 0);
        Job b = job("b", "t", 500, 1);
        Job other = job("other", "t", 500, 2);
        queue.add(a);
        queue.add(a);
        queue.add(b);
        assertThat(queue.size()).isEqualTo(2);
        assertThat(queue.contains(a)).isTrue();
        assertThat(queue.contains(other)).isFalse();
        assertThat(queue.contains(job("elsewhere", "u", 100, 3))).isFalse();

        queue.remove(other);
        queue.remove(job("elsewhere", "u", 100, 3));
        assertThat(queue.size()).isEqualTo(2);

        queue.remove(a);
        assertThat(queue.size()).isEqualTo(1);
        assertThat(queue.contains(a)).isFalse();
        assertThat(queue.contains(b)).isTrue();
        assertThat(ids(queue.snapshot(Map.of()))).containsExactly("b");
        queue.remove(b);
        assertThat(queue.size()).isZero();
        assertThat(queue.snapshot(Map.of())).isEmpty();
    }

    @Test
    void readingPastTheLastJobFails() {
        Queue queue = new Queue();
        queue.add(job("only", "t", 500, 0));
        Iterator<Job> order = queue.ordered(Map.of());
        assertThat(order.next().id).isEqualTo("only");
        assertThat(order.hasNext()).isFalse();
        assertThatThrownBy(order::next).isInstanceOf(NoSuchElementException.class);
    }

    @Test
    void removingATenantsLastJobKeepsOtherTenantsJobsOfThatPriority() {
        Queue queue = new Queue();
        Job a = job("a", "ta", 500, 0);
        queue.add(a);
        queue.add(job("b", "tb", 500, 1));

        queue.remove(a);

        assertThat(ids(queue.snapshot(Map.of()))).containsExactly("b");
    }
}
