package dev.vigil.api.jobs;

import java.time.Instant;
import java.util.List;

/**
 * A job in a list: enough for a table row; {@code GET /v1/jobs/{id}} has the rest.
 *
 * @param id         the job's id
 * @param name       its name
 * @param kind       training or inference
 * @param tenant     who pays
 * @param queue      the tenant's queue
 * @param state      where it is
 * @param waiting    what it waits for, when it is not running
 * @param reason     why it is there
 * @param gpus       GPUs (or MIG slices) it holds when it runs
 * @param migProfile the MIG profile of its slices, or null for whole GPUs
 * @param nodes      the nodes it holds GPUs on now, by name
 * @param submitted  when it was submitted
 * @param started    when it last started running, or null
 * @param finished   when it finished, or null
 * @param submitter  who submitted it
 */
public record JobSummary(String id, String name, JobKind kind, String tenant, String queue, JobState state,
                         WaitReason waiting, String reason, int gpus, String migProfile, List<String> nodes,
                         Instant submitted, Instant started, Instant finished, String submitter) {
    public JobSummary {
        nodes = nodes == null ? List.of() : List.copyOf(nodes);
    }

    public static JobSummary of(JobRecord job) {
        List<String> nodes = job.placements().stream().map(Placement::node).distinct().sorted().toList();
        JobSpec spec = job.spec();
        return new JobSummary(job.id(), spec.name(), spec.kind(), spec.tenant(), spec.queue(), job.state(),
                job.waiting(), job.reason(), spec.totalGpus(), spec.migProfile(), nodes, job.submitted(),
                job.started(), job.finished(), job.submitter());
    }
}
