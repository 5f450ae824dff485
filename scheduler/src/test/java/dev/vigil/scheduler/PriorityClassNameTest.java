package dev.vigil.scheduler;

import dev.vigil.api.jobs.JobRecord;
import dev.vigil.scheduler.policy.SchedulerPolicy;
import dev.vigil.scheduler.topology.Fabric;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static dev.vigil.scheduler.Clusters.H100;
import static dev.vigil.scheduler.Clusters.hgx;
import static org.assertj.core.api.Assertions.assertThat;

/** A job record names its priority class, the default's name when the job named none. */
class PriorityClassNameTest {
    private static final Instant T0 = Instant.parse("2026-12-07T08:00:00Z");

    @Test
    void aJobThatNamesNoClassIsRecordedWithTheDefaultsNameAndAnotherKeepsItsOwn() {
        Scheduler scheduler = new Scheduler(SchedulerPolicy.defaults(), Fabric.none());
        scheduler.upsertNode(hgx("n0", H100));
        JobRecord unnamed = scheduler.submit("a", Jobs.training(8).spec(), T0);
        JobRecord high = scheduler.submit("b", Jobs.training(8).priority("high").spec(), T0);

        assertThat(unnamed.spec().priorityClass()).isEqualTo("normal");
        assertThat(high.spec().priorityClass()).isEqualTo("high");
        assertThat(scheduler.why("a").orElseThrow().details().get(0)).startsWith("priority 500 (class normal);");
        assertThat(unnamed.spec().withPriorityClass(null)).as("only the class differs")
                .isEqualTo(Jobs.training(8).spec());
    }
}
