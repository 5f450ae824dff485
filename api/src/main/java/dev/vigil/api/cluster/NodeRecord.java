package dev.vigil.api.cluster;

import dev.vigil.api.gpu.GpuHealth;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.api.jobs.Allocation;
import dev.vigil.api.mig.GpuMig;
import dev.vigil.api.mig.GpuMigStatus;
import dev.vigil.api.placement.JudgedProcess;
import dev.vigil.api.placement.PlacementPolicy;

import java.time.Instant;
import java.util.HashSet;
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
 * @param actions       repairs its agent is asked to carry out (in its desired state)
 * @param actionResults how its agent reports those repairs went
 * @param mig           each GPU's MIG layout as asked for, and where its change is
 * @param migReported   how its agent last reported the MIG targets it holds
 * @param placement     what its agent does about placement violations (its pool's policy, in its desired state)
 * @param violations    the processes its agent last judged overreach or rogue, with what it did about them
 * @param processes     every process on its GPUs, attributed and judged, as last reported (a vital sign: laid
 *                      over the stored record when read, like {@code gpus})
 */
public record NodeRecord(String name, NodeState state, String reason, String actor, Instant since, Instant lastReport,
                         String agentId, String agentVersion, String inventoryHash, NodeInventory inventory,
                         List<GpuHealth> health, List<GpuSummary> gpus, boolean cordoned, List<CordonedGpu> cordonedGpus,
                         boolean drain, long version,
                         long appliedVersion, String applyError, long lastEventSeq, List<Transition> history,
                         List<Allocation> allocations, ExecutionNode execution, List<AgentAction> actions,
                         List<AgentActionResult> actionResults, List<GpuMig> mig, List<GpuMigStatus> migReported,
                         PlacementPolicy placement, List<JudgedProcess> violations, List<JudgedProcess> processes) {
    public NodeRecord {
        placement = placement == null ? PlacementPolicy.REPORT : placement;
        violations = violations == null ? List.of() : List.copyOf(violations);
        processes = processes == null ? List.of() : List.copyOf(processes);
        mig = mig == null ? List.of() : List.copyOf(mig);
        migReported = migReported == null ? List.of() : List.copyOf(migReported);
        actions = actions == null ? List.of() : List.copyOf(actions);
        actionResults = actionResults == null ? List.of() : List.copyOf(actionResults);
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

    /** MIG slices that work Vigil did not launch holds (another scheduler's pod asking for a slice). */
    public Set<ExecutionNode.ForeignJob.Slice> foreignSlices() {
        Set<ExecutionNode.ForeignJob.Slice> slices = new HashSet<>();
        if (execution != null) {
            execution.foreignJobs().forEach(job -> slices.addAll(job.slices()));
        }
        return slices;
    }

    /** Whether new work may not land here: cordoned, draining, drained or unknown. */
    public boolean unschedulable() {
        return state != NodeState.READY;
    }

    /** This record with some fields changed: {@code node.with().state(READY).reason("...").build()}. */
    public Builder with() {
        return new Builder(this);
    }

    /** A new node's record, every field but its name unset. */
    public static Builder named(String name) {
        return new Builder(name);
    }

    /** Builds a record field by field, so that a change names only what it changes. */
    public static final class Builder {
        private String name;
        private NodeState state;
        private String reason;
        private String actor;
        private Instant since;
        private Instant lastReport;
        private String agentId;
        private String agentVersion;
        private String inventoryHash;
        private NodeInventory inventory;
        private List<GpuHealth> health;
        private List<GpuSummary> gpus;
        private boolean cordoned;
        private List<CordonedGpu> cordonedGpus;
        private boolean drain;
        private long version;
        private long appliedVersion;
        private String applyError;
        private long lastEventSeq;
        private List<Transition> history;
        private List<Allocation> allocations;
        private ExecutionNode execution;
        private List<AgentAction> actions;
        private List<AgentActionResult> actionResults;
        private List<GpuMig> mig;
        private List<GpuMigStatus> migReported;
        private PlacementPolicy placement;
        private List<JudgedProcess> violations;
        private List<JudgedProcess> processes;

        private Builder(String name) {
            this.name = name;
        }

        private Builder(NodeRecord from) {
            this.name = from.name;
            this.state = from.state;
            this.reason = from.reason;
            this.actor = from.actor;
            this.since = from.since;
            this.lastReport = from.lastReport;
            this.agentId = from.agentId;
            this.agentVersion = from.agentVersion;
            this.inventoryHash = from.inventoryHash;
            this.inventory = from.inventory;
            this.health = from.health;
            this.gpus = from.gpus;
            this.cordoned = from.cordoned;
            this.cordonedGpus = from.cordonedGpus;
            this.drain = from.drain;
            this.version = from.version;
            this.appliedVersion = from.appliedVersion;
            this.applyError = from.applyError;
            this.lastEventSeq = from.lastEventSeq;
            this.history = from.history;
            this.allocations = from.allocations;
            this.execution = from.execution;
            this.actions = from.actions;
            this.actionResults = from.actionResults;
            this.mig = from.mig;
            this.migReported = from.migReported;
            this.placement = from.placement;
            this.violations = from.violations;
            this.processes = from.processes;
        }

        public Builder state(NodeState value) {
            this.state = value;
            return this;
        }

        public Builder reason(String value) {
            this.reason = value;
            return this;
        }

        public Builder actor(String value) {
            this.actor = value;
            return this;
        }

        public Builder since(Instant value) {
            this.since = value;
            return this;
        }

        public Builder lastReport(Instant value) {
            this.lastReport = value;
            return this;
        }

        public Builder agentId(String value) {
            this.agentId = value;
            return this;
        }

        public Builder agentVersion(String value) {
            this.agentVersion = value;
            return this;
        }

        public Builder inventoryHash(String value) {
            this.inventoryHash = value;
            return this;
        }

        public Builder inventory(NodeInventory value) {
            this.inventory = value;
            return this;
        }

        public Builder health(List<GpuHealth> value) {
            this.health = value;
            return this;
        }

        public Builder gpus(List<GpuSummary> value) {
            this.gpus = value;
            return this;
        }

        public Builder cordoned(boolean value) {
            this.cordoned = value;
            return this;
        }

        public Builder cordonedGpus(List<CordonedGpu> value) {
            this.cordonedGpus = value;
            return this;
        }

        public Builder drain(boolean value) {
            this.drain = value;
            return this;
        }

        public Builder version(long value) {
            this.version = value;
            return this;
        }

        public Builder appliedVersion(long value) {
            this.appliedVersion = value;
            return this;
        }

        public Builder applyError(String value) {
            this.applyError = value;
            return this;
        }

        public Builder lastEventSeq(long value) {
            this.lastEventSeq = value;
            return this;
        }

        public Builder history(List<Transition> value) {
            this.history = value;
            return this;
        }

        public Builder allocations(List<Allocation> value) {
            this.allocations = value;
            return this;
        }

        public Builder execution(ExecutionNode value) {
            this.execution = value;
            return this;
        }

        public Builder actions(List<AgentAction> value) {
            this.actions = value;
            return this;
        }

        public Builder actionResults(List<AgentActionResult> value) {
            this.actionResults = value;
            return this;
        }

        public Builder mig(List<GpuMig> value) {
            this.mig = value;
            return this;
        }

        public Builder migReported(List<GpuMigStatus> value) {
            this.migReported = value;
            return this;
        }

        public Builder placement(PlacementPolicy value) {
            this.placement = value;
            return this;
        }

        public Builder violations(List<JudgedProcess> value) {
            this.violations = value;
            return this;
        }

        public Builder processes(List<JudgedProcess> value) {
            this.processes = value;
            return this;
        }

        public NodeRecord build() {
            return new NodeRecord(name, state, reason, actor, since, lastReport, agentId, agentVersion, inventoryHash, inventory, health, gpus, cordoned, cordonedGpus, drain, version, appliedVersion, applyError, lastEventSeq, history, allocations, execution, actions, actionResults, mig, migReported,
                    placement, violations, processes);
        }
    }
}
