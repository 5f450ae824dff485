package dev.vigil.controller.capacity;

import dev.vigil.api.cluster.GpuSummary;
import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.jobs.JobRecord;
import dev.vigil.api.jobs.Placement;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A GPU a running job holds that was idle at report time, and the GPU-hours that job has held it
 * in the period. The controller keeps one utilization sample per GPU (the last report), not its
 * history (that is Prometheus'), so the hours assume it was idle for the whole of its job's current
 * run: an upper bound, named as such in the report.
 *
 * @param job         the job
 * @param tenant      its tenant
 * @param node        the node
 * @param gpu         the GPU's index
 * @param share       the share of the GPU the job holds (1, or a MIG slice's compute slices over 7)
 * @param utilization its utilization at report time, in percent
 * @param gpuHours    share × the hours of the job's current run within the period
 */
public record IdleGpu(String job, String tenant, String node, int gpu, double share, double utilization,
                      double gpuHours) {
    /** Below this utilization (percent) an allocated GPU counts as idle. */
    static final double IDLE_BELOW = 5.0;
    static final String METHOD = "snapshot: GPUs held by running jobs whose last reported utilization is below "
            + IDLE_BELOW + " %, counted idle for the whole of their job's current run within the period"
            + " (an upper bound; GPUs that report no utilization are not counted)";

    static List<IdleGpu> of(List<JobRecord> jobs, Map<String, NodeRecord> nodes, Instant from, Instant to,
                            Instant now) {
        List<IdleGpu> idle = new ArrayList<>();
        for (JobRecord job : jobs) {
            List<HeldTime.Span> spans = HeldTime.spans(job, now);
            if (!job.state().holdsGpus() || spans.isEmpty()) {
                continue;
            }
            double hours = spans.get(spans.size() - 1).hoursWithin(from, to);
            double share = job.spec().migProfile() == null ? 1 : HeldTime.sliceShare(job.spec().migProfile());
            for (Placement placement : job.placements()) {
                NodeRecord node = nodes.get(placement.node());
                for (int gpu : placement.gpus()) {
                    Double utilization = node == null ? null : utilization(node, gpu);
                    if (utilization != null && utilization < IDLE_BELOW) {
                        idle.add(new IdleGpu(job.id(), job.spec().tenant(), placement.node(), gpu,
                                CapacityReport.round(share), utilization, CapacityReport.round(share * hours)));
                    }
                }
            }
        }
        return idle;
    }

    private static Double utilization(NodeRecord node, int gpu) {
        return node.gpus().stream().filter(s -> s.gpu() == gpu).findFirst().map(GpuSummary::utilization)
                .orElse(null);
    }
}
