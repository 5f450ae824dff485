package dev.vigil.slurm;

import java.time.Instant;
import java.util.List;

/**
 * A job as Slurm reports it, whoever submitted it: jobs that did not come through Vigil hold
 * GPUs too.
 *
 * @param id         Slurm's job id
 * @param name       the job name
 * @param user       who owns it
 * @param account    its account, or null
 * @param partition  its partition
 * @param comment    its comment, or null (Vigil marks its own jobs here)
 * @param state      the folded state
 * @param slurmState Slurm's own state word(s), e.g. {@code RUNNING} or {@code PENDING}
 * @param reason     why it waits or failed ({@code Resources}, {@code Priority}, ...), or null
 * @param nodes      the nodes it holds (or held), in Slurm's order; empty while pending
 * @param gpus       the GPUs it holds on each node, with their indices; empty when it holds none
 * @param submitted  when it was submitted
 * @param started    when it started, or null
 * @param ended      when it ended, or null while it has not
 * @param exitCode   its exit status once its processes ended, COMPLETING on (128 + N when signal N ended it), or null
 */
public record SlurmJob(long id, String name, String user, String account, String partition, String comment,
                       JobState state, String slurmState, String reason, List<String> nodes, List<NodeGpus> gpus,
                       Instant submitted, Instant started, Instant ended, Integer exitCode) {
    public SlurmJob {
        nodes = List.copyOf(nodes);
        gpus = List.copyOf(gpus);
    }

    /** GPUs held on one node: their indices as Slurm numbers them (gres.conf order). */
    public record NodeGpus(String node, List<Integer> indices) {
        public NodeGpus {
            indices = List.copyOf(indices);
        }
    }

    /** How many GPUs the job holds on {@code node}. */
    public int gpusOn(String node) {
        return gpus.stream().filter(g -> g.node().equals(node)).mapToInt(g -> g.indices().size()).sum();
    }
}
