package dev.vigil.api.cluster;

import dev.vigil.api.gpu.GpuHealth;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.api.jobs.Allocation;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A node as the controller knows it. Stored as JSON in the cluster state and served as is.
 *
 * @param name          the node's name
 * @param state         where it is in its lifecycle
 * @param reason        why it is in that state
 * @param actor         who put it there
 * @param since         since when
 * @param lastReport    when its agent last reported, to within a few seconds (the leader keeps the
 *                      exact time in memory and stores it when something else changes or it is 5 s old)
 * @param agentId       the reporting agent process's id: a new one means the agent restarted
 * @param agentVersion  the agent's version
 * @param inventoryHash the hash of the inventory below
 * @param inventory     its GPUs and topology
 * @param health        each GPU's health, as last reported
 * @param gpus          each GPU's vital signs, as last reported
 * @param cordoned      no new work may land: the health reflex or an operator said so
 * @param cordonedGpus  GPUs out of service
 * @param drain         an operator asked for the node to be drained
 * @param version       the desired-state version
 * @param appliedVersion the desired-state version the agent says it applied
 * @param applyError    why it could not, or null
 * @param lastEventSeq  the highest agent event sequence number stored
 * @param history       the latest state transitions, newest last
 * @param allocations   the jobs that run there, as its desired state carries them
 * @param execution     the node as its execution backend (Slurm) sees it, or null when none reports on it
 */
public record NodeRecord(String name, NodeState state, String reason, String actor, Instant since, Instant lastReport,
                         String agentId, String agentVersion, String inventoryHash, NodeInventory inventory,
                         List<GpuHealth> health, List<GpuSummary> gpus, boolean cordoned, List<CordonedGpu> cordonedGpus,
                         boolean drain, long version,
                         long appliedVersion, String applyError, long lastEventSeq, List<Transition> history,
                         List<Allocation> allocations, ExecutionNode execution) {
    public NodeRecord {
        health = health == null ? List.of() : List.copyOf(health);
        gpus = gpus == null ? List.of() : List.copyOf(gpus);
        cordonedGpus = cordonedGpus == null ? List.of() : List.copyOf(cordonedGpus);
        history = history == null ? List.of() : List.copyOf(history);
        allocations = allocations == null ? List.of() : List.copyOf(allocations);
    }

    /** GPU indices that work Vigil did not launch holds (another user's Slurm job). */
    public Set<Integer> foreignGpus() {
        Set<Integer> gpus = new TreeSet<>();
        if (execution != null) {
            execution.foreignJobs().forEach(job -> gpus.addAll(job.gpus()));
        }
        return gpus;
    }

    /** Whether new work may not land here: cordoned, draining, drained or unknown. */
    public boolean unschedulable() {
        return state != NodeState.READY;
    }
}
