package dev.vigil.agent.placement;

import dev.vigil.api.gpu.GpuProcess;
import dev.vigil.api.jobs.Allocation;
import dev.vigil.api.placement.PlacementVerdict;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Judges every process on the node's GPUs against the node's allocations: a pure function of what the agent
 * sampled, who each process is, what the controller allocated here and when allocations last changed per GPU.
 */
public final class PlacementJudge {
    private PlacementJudge() {
    }

    /**
     * @param processes  every process on every GPU, as the backend lists them
     * @param identities who each PID is; a PID missing here went away meanwhile and is left out
     * @param allocations the node's allocations
     * @param changedAt  per GPU, when an allocation last started or ended there
     */
    public static List<Judgement> judge(List<GpuProcess> processes, Map<Long, ProcessIdentity> identities,
                                        List<Allocation> allocations, Map<Integer, Instant> changedAt,
                                        PlacementRules rules, Instant now) {
        List<Judgement> judgements = new ArrayList<>(processes.size());
        for (GpuProcess process : processes) {
            ProcessIdentity identity = identities.get(process.pid());
            if (identity != null) {
                judgements.add(judge(process, identity, allocations, changedAt, rules, now));
            }
        }
        return judgements;
    }

    private static Judgement judge(GpuProcess process, ProcessIdentity identity, List<Allocation> allocations,
                                   Map<Integer, Instant> changedAt, PlacementRules rules, Instant now) {
        String job = null;
        boolean holds = false;
        for (Allocation allocation : allocations) {
            if (belongsTo(identity.owner(), allocation)) {
                job = job == null ? allocation.job() : job;
                holds = holds || holds(allocation, process);
            }
        }
        if (rules.isSystem(identity)) {
            return new Judgement(process, identity, PlacementVerdict.SYSTEM, job);
        }
        Instant changed = changedAt.get(process.gpu());
        if (changed != null && now.isBefore(changed.plus(rules.grace()))) {
            return new Judgement(process, identity, PlacementVerdict.UNJUDGED, job);
        }
        if (job == null) {
            return new Judgement(process, identity, PlacementVerdict.ROGUE, null);
        }
        return new Judgement(process, identity, holds ? PlacementVerdict.ALLOWED : PlacementVerdict.OVERREACH, job);
    }

    /** A Slurm job or pod matches by the backend's id ({@code slurm:1234}); a job the agent runs by its Vigil id. */
    private static boolean belongsTo(Owner owner, Allocation allocation) {
        return switch (owner.kind()) {
            case VIGIL_JOB -> owner.id().equals(allocation.job());
            case SLURM_JOB, POD -> owner.isWire(allocation.backendJob());
            case UNIT, UNKNOWN -> false;
        };
    }

    /** The allocation holds the process's GPU, and its MIG instance when the allocation is a slice. */
    private static boolean holds(Allocation allocation, GpuProcess process) {
        if (!allocation.gpus().contains(process.gpu())) {
            return false;
        }
        return allocation.migInstances().isEmpty()
                || (process.gpuInstanceId() != null && allocation.migInstances().contains(process.gpuInstanceId()));
    }
}
