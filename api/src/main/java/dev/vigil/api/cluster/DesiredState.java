package dev.vigil.api.cluster;

import dev.vigil.api.jobs.Allocation;
import dev.vigil.api.mig.GpuMigTarget;
import dev.vigil.api.placement.PlacementPolicy;

import java.util.List;

/**
 * What the controller wants a node to be, in the reply to each report.
 *
 * @param version       increases with every change; the agent reports which it applied
 * @param cordoned      no new work may land on the node
 * @param drain         work should leave the node
 * @param cordonedGpus  UUIDs of GPUs no new work may land on
 * @param needInventory the controller does not know the agent's inventory: send it next time
 * @param lastEventSeq  the highest agent event sequence number the controller has stored
 * @param allocations   the jobs that run on the node, down to GPUs and MIG instances
 * @param actions       repairs to carry out (each id once), until their results are stored
 * @param mig           the MIG layouts its GPUs must be brought to and kept in (GPUs not listed are left alone)
 * @param placement     what the agent does about processes that violate placement (its pool's policy)
 */
public record DesiredState(long version, boolean cordoned, boolean drain, List<String> cordonedGpus,
                           boolean needInventory, long lastEventSeq, List<Allocation> allocations,
                           List<AgentAction> actions, List<GpuMigTarget> mig,
                           PlacementPolicy placement) {
    public DesiredState {
        placement = placement == null ? PlacementPolicy.REPORT : placement;
        mig = mig == null ? List.of() : List.copyOf(mig);
        cordonedGpus = cordonedGpus == null ? List.of() : List.copyOf(cordonedGpus);
        allocations = allocations == null ? List.of() : List.copyOf(allocations);
        actions = actions == null ? List.of() : List.copyOf(actions);
    }

    /** A desired state that asks for no repair. */
    public DesiredState(long version, boolean cordoned, boolean drain, List<String> cordonedGpus,
                        boolean needInventory, long lastEventSeq, List<Allocation> allocations) {
        this(version, cordoned, drain, cordonedGpus, needInventory, lastEventSeq, allocations, List.of(), List.of(),
                null);
    }

    /** A desired state that asks for no MIG layout. */
    public DesiredState(long version, boolean cordoned, boolean drain, List<String> cordonedGpus,
                        boolean needInventory, long lastEventSeq, List<Allocation> allocations,
                        List<AgentAction> actions) {
        this(version, cordoned, drain, cordonedGpus, needInventory, lastEventSeq, allocations, actions, List.of(),
                null);
    }
}
