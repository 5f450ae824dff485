package dev.vigil.controller.capacity;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.api.binding.Documents;
import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.cluster.NodeState;
import dev.vigil.api.gpu.HealthState;
import dev.vigil.api.jobs.JobRecord;
import dev.vigil.api.jobs.JobState;
import dev.vigil.controller.capacity.CapacityReport.TenantModelUsage;
import dev.vigil.controller.capacity.CapacityReport.Usage;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static dev.vigil.controller.capacity.Fleet.A100;
import static dev.vigil.controller.capacity.Fleet.H100;
import static dev.vigil.controller.capacity.Fleet.NOW;
import static dev.vigil.controller.capacity.Fleet.XID_SEEN;
import static dev.vigil.controller.capacity.Fleet.at;
import static dev.vigil.controller.capacity.Fleet.hoursAgo;
import static dev.vigil.controller.capacity.Fleet.job;
import static dev.vigil.controller.capacity.Fleet.training;
import static org.assertj.core.api.Assertions.assertThat;

class CapacityReportTest {
    private final CapacityReport report = CapacityReport.of(Fleet.jobs(), Fleet.nodes(), NOW, CapacityReport.WEEK);

    @Test
    void periodIsTheWeekBeforeNow() {
        assertThat(report.from()).isEqualTo(hoursAgo(168));
        assertThat(report.to()).isEqualTo(NOW);
        assertThat(report.period()).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void gpuHoursByTenantModelAndBoth() {
        assertThat(report.gpuHours()).isEqualTo(182.0);
        assertThat(report.byTenant()).containsExactly(new Usage("vision", 128.0, 3), new Usage("nlp", 54.0, 2));
        assertThat(report.byModel()).containsExactly(new Usage(H100, 178.0, 4), new Usage(A100, 4.0, 1));
        assertThat(report.byTenantAndModel()).containsExactly(new TenantModelUsage("vision", H100, 128.0, 3),
                new TenantModelUsage("nlp", H100, 50.0, 1), new TenantModelUsage("nlp", A100, 4.0, 1));
        assertThat(report.gpuHoursMethod()).contains("clipped to the period").contains("over 7");
    }

    @Test
    void aJobThatStartedBeforeThePeriodCountsOnlyItsHoursInside() {
        CapacityReport clipped = CapacityReport.of(List.of(Fleet.jobs().get(1)), List.of(), NOW, CapacityReport.WEEK);

        assertThat(clipped.gpuHours()).isEqualTo(8.0); // 4 GPUs × the 2 h of 170 → 166 h ago inside 168 h
    }

    @Test
    void aRunningJobCountsUntilNow() {
        CapacityReport running = CapacityReport.of(List.of(Fleet.jobs().get(3)), Fleet.nodes(), NOW,
                CapacityReport.WEEK);

        assertThat(running.gpuHours()).isEqualTo(50.0); // 2 GPUs × 25 h
        CapacityReport anHourLater = CapacityReport.of(List.of(Fleet.jobs().get(3)), Fleet.nodes(),
                NOW.plus(Duration.ofHours(1)), CapacityReport.WEEK);
        assertThat(anHourLater.gpuHours()).isEqualTo(52.0);
    }

    @Test
    void aMigSliceCountsItsComputeSlicesOverSeven() {
        CapacityReport mig = CapacityReport.of(List.of(Fleet.jobs().get(4)), Fleet.nodes(), NOW, CapacityReport.WEEK);

        assertThat(mig.gpuHours()).isEqualTo(4.0); // 2 replicas × 1/7 GPU × 14 h
        assertThat(HeldTime.sliceShare("3g.40gb")).isEqualTo(3 / 7.0);
        assertThat(HeldTime.sliceShare("7g.80gb")).isEqualTo(1.0);
    }

    @Test
    void eachRunOfARequeuedJobCounts() {
        CapacityReport requeued = CapacityReport.of(List.of(Fleet.jobs().get(2)), List.of(), NOW,
                CapacityReport.WEEK);

        assertThat(requeued.gpuHours()).isEqualTo(40.0); // 8 GPUs × (2 h + 3 h), not the 9 h from first start
    }

    @Test
    void aRecordWithoutHistoryCountsFromItsStart() {
        JobRecord bare = new JobRecord("bare", training("t", 2, List.of(), 24), 0, JobState.SUCCEEDED, null, "",
                hoursAgo(12), hoursAgo(10), hoursAgo(4), List.of(), 1, List.of());

        CapacityReport report = CapacityReport.of(List.of(bare), List.of(), NOW, CapacityReport.WEEK);

        assertThat(report.gpuHours()).isEqualTo(12.0);
        assertThat(report.queueing().p50()).isEqualTo(Duration.ofHours(2));
    }

    @Test
    void allocatedButIdleGpusAreTheHeldOnesIdleNowOverTheirJobsCurrentRun() {
        assertThat(report.idleGpus()).containsExactly(
                new IdleGpu("running", "nlp", "h100-1", 0, 1.0, 0.0, 25.0),
                new IdleGpu("mig", "nlp", "a100-1", 0, 0.14, 2.0, 2.0),
                new IdleGpu("mig", "nlp", "a100-1", 0, 0.14, 2.0, 2.0));
        assertThat(report.idleGpuHours()).isEqualTo(29.0);
        assertThat(report.idleMethod()).startsWith("snapshot").contains("upper bound");
    }

    @Test
    void queueingIsSubmittedToFirstStartForJobsFirstStartedInThePeriod() {
        Queueing queueing = report.queueing();

        // train-a 1 h, requeued 2 h, running 5 h, mig 30 m; clipped first started before the period.
        assertThat(queueing.started()).isEqualTo(4);
        assertThat(queueing.p50()).isEqualTo(Duration.ofHours(1));
        assertThat(queueing.p95()).isEqualTo(Duration.ofHours(5));
        assertThat(queueing.max()).isEqualTo(Duration.ofHours(5));
        assertThat(queueing.waitingNow()).isEqualTo(1);
        assertThat(queueing.longestWaiting()).isEqualTo(Duration.ofHours(6));
    }

    @Test
    void p95IsTheNearestRankNotTheMaximum() {
        // Jobs waiting 1 … 21 minutes: the 95th percentile of 21 is the 20th.
        List<JobRecord> jobs = new ArrayList<>();
        IntStream.rangeClosed(1, 21).forEach(minutes -> jobs.add(job("j" + minutes, training("t", 1, List.of(), 1),
                JobState.SUCCEEDED, 10, List.of(), at(JobState.RUNNING, 10 - minutes / 60.0),
                at(JobState.SUCCEEDED, 1))));

        Queueing queueing = CapacityReport.of(jobs, List.of(), NOW, CapacityReport.WEEK).queueing();

        assertThat(queueing.p50()).isEqualTo(Duration.ofMinutes(11));
        assertThat(queueing.p95()).isEqualTo(Duration.ofMinutes(20));
        assertThat(queueing.max()).isEqualTo(Duration.ofMinutes(21));
    }

    @Test
    void theLongestWaitingJobWaitsSinceItsLastRequeue() {
        List<JobRecord> waiting = List.of(
                job("requeued", training("t", 1, List.of(), 1), JobState.PENDING, 20, List.of(),
                        at(JobState.PLACED, 18), at(JobState.RUNNING, 18), at(JobState.PREEMPTED, 17),
                        at(JobState.PENDING, 17)),
                job("fresh", training("t", 1, List.of(), 1), JobState.PENDING, 6, List.of()),
                job("admitted", training("t", 1, List.of(), 1), JobState.ADMITTED, 9, List.of(),
                        at(JobState.ADMITTED, 8)));

        Queueing queueing = CapacityReport.of(waiting, List.of(), NOW, CapacityReport.WEEK).queueing();

        assertThat(queueing.waitingNow()).isEqualTo(3);
        assertThat(queueing.longestWaiting()).isEqualTo(Duration.ofHours(17));
    }

    @Test
    void noStartsMeansNoPercentiles() {
        Queueing queueing = CapacityReport.of(List.of(), List.of(), NOW, CapacityReport.WEEK).queueing();

        assertThat(queueing.started()).isZero();
        assertThat(queueing.p50()).isNull();
        assertThat(queueing.p95()).isNull();
        assertThat(queueing.longestWaiting()).isNull();
    }

    @Test
    void jobsByEndStateInThePeriod() {
        // train-a and clipped succeeded (old ended the period before), requeued failed once requeued.
        assertThat(report.ended()).isEqualTo(new EndStates(2, 1, 1, 1));
    }

    @Test
    void demandGrowthComparesRequestedGpuHoursWithThePeriodBefore() {
        Demand demand = report.demand();

        assertThat(demand.submitted()).isEqualTo(6);
        assertThat(demand.requestedGpuHours()).isEqualTo(260.0);
        assertThat(demand.previousSubmitted()).isEqualTo(2);
        assertThat(demand.previousRequestedGpuHours()).isEqualTo(100.0);
        assertThat(demand.growthPercent()).isEqualTo(160.0);
    }

    @Test
    void demandGrowthIsNullWithoutAPeriodBefore() {
        List<JobRecord> thisWeekOnly = Fleet.jobs().stream().filter(j -> j.submitted().isAfter(hoursAgo(168)))
                .toList();

        Demand demand = CapacityReport.of(thisWeekOnly, List.of(), NOW, CapacityReport.WEEK).demand();

        assertThat(demand.growthPercent()).isNull();
        JsonNode json = Documents.json().valueToTree(demand);
        assertThat(json.has("growthPercent")).as("null is written, not left out").isTrue();
        assertThat(json.get("growthPercent").isNull()).isTrue();
    }

    @Test
    void failedAndCordonedGpusNowWithWhatIdentifiesThem() {
        assertThat(report.gpusOutOfService()).containsExactly(
                new GpuOutOfService("a100-1", 5, "GPU-a100-1-5", A100, null, null, true, "fan noise", hoursAgo(2)),
                new GpuOutOfService("h100-1", 3, "GPU-h100-1-3", H100, HealthState.FAILED,
                        "GPU has fallen off the bus (XID 79)", true, "XID 79 | fallen off the bus", XID_SEEN),
                new GpuOutOfService("h100-1", 4, "GPU-h100-1-4", H100, HealthState.FAILED,
                        "uncorrectable ECC error (double bit)", false, null, hoursAgo(5)),
                new GpuOutOfService("h100-1", 7, "GPU-h100-1-7", H100, null, null, true, "burn-in test",
                        hoursAgo(4)));
    }

    @Test
    void cordonedAndDrainedNodesNow() {
        assertThat(report.nodesOutOfService()).containsExactly(
                new NodeOutOfService("h100-2", NodeState.DRAINED, 8, "rack maintenance", hoursAgo(1)));
    }

    @Test
    void aFinishedJobsModelComesFromTheFleetProductItsSpecMatches() {
        JobModels models = new JobModels(Fleet.nodes().stream()
                .collect(Collectors.toMap(NodeRecord::name, n -> n)));

        assertThat(models.of(job("a", training("t", 1, List.of("a100"), 1), JobState.SUCCEEDED, 2, List.of())))
                .isEqualTo(A100);
        assertThat(models.of(job("b", training("t", 1, List.of(), 1), JobState.SUCCEEDED, 2, List.of())))
                .as("any of two products").isEqualTo(JobModels.ANY);
        assertThat(models.of(job("c", training("t", 1, List.of("B200"), 1), JobState.SUCCEEDED, 2, List.of())))
                .as("a model the fleet no longer has, as asked").isEqualTo("B200");
    }

    @Test
    void roundTripsThroughTheProjectsJson() throws Exception {
        String json = Documents.json().writeValueAsString(report);

        assertThat(Documents.json().readValue(json, CapacityReport.class)).isEqualTo(report);
    }
}
