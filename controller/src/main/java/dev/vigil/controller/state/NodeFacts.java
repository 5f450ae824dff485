package dev.vigil.controller.state;

import dev.vigil.api.cluster.AgentActionResult;
import dev.vigil.api.cluster.AgentReport;
import dev.vigil.api.cluster.CordonedGpu;
import dev.vigil.api.cluster.DesiredState;
import dev.vigil.api.cluster.ExecutionNode;
import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.cluster.NodeState;
import dev.vigil.api.gpu.GpuEvent;
import dev.vigil.api.gpu.GpuHealth;
import dev.vigil.api.jobs.Allocation;
import dev.vigil.api.jobs.JobKind;
import dev.vigil.api.mig.GpuMig;
import dev.vigil.api.mig.GpuMigStatus;
import dev.vigil.api.placement.JudgedProcess;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What any member needs to answer an agent's report without the leader: the facts a report could
 * change, and the node's desired state. The leader writes them with every node it stores.
 */
public record NodeFacts(NodeState state, String agentId, String agentVersion, String inventoryHash,
                        List<GpuHealth> health, long appliedVersion, String applyError,
                        List<AgentActionResult> actionResults, List<GpuMigStatus> migReported,
                        List<JudgedProcess> violations, DesiredState desired) {
    public NodeFacts {
        violations = violations == null ? List.of() : List.copyOf(violations);
        migReported = migReported == null ? List.of() : List.copyOf(migReported);
        health = health == null ? List.of() : List.copyOf(health);
        actionResults = actionResults == null ? List.of() : List.copyOf(actionResults);
    }

    public static NodeFacts of(NodeRecord node) {
        return new NodeFacts(node.state(), node.agentId(), node.agentVersion(), node.inventoryHash(), node.health(),
                node.appliedVersion(), node.applyError(), node.actionResults(), node.migReported(), node.violations(),
                desired(node));
    }

    /** What the node's agent is told to hold; the inventory is asked for until the node has one. */
    public static DesiredState desired(NodeRecord node) {
        return new DesiredState(node.version(), node.cordoned(), node.drain(),
                node.cordonedGpus().stream().map(CordonedGpu::uuid).toList(), node.inventory() == null,
                node.lastEventSeq(), withForeignJobs(node), node.actions(),
                node.mig().stream().filter(m -> m.phase().sent()).map(GpuMig::target).toList(), node.placement());
    }

    /**
     * Whether {@code report} changes nothing the leader keeps: the same agent process and version,
     * inventory, health, applied desired state, repairs' results, MIG statuses and placement violations (the
     * processes alone are vital signs), no event not stored yet, and a node that counts as reporting. Such a
     * report only refreshes the node's vital signs.
     */
    public boolean unchangedBy(AgentReport report) {
        if (state == NodeState.UNKNOWN || desired.needInventory() || report.inventory() != null) {
            return false;
        }
        for (GpuEvent event : report.events()) {
            if (event.seq() > desired.lastEventSeq()) {
                return false;
            }
        }
        return report.agentId().equals(agentId) && Objects.equals(report.agentVersion(), agentVersion)
                && report.inventoryHash().equals(inventoryHash) && report.health().equals(health)
                && report.appliedVersion() == appliedVersion && Objects.equals(report.applyError(), applyError)
                && report.actions().equals(actionResults) && report.mig().equals(migReported)
                && violations(report).equals(violations);
    }

    /**
     * The node's allocations and, as allocations of their own ({@code slurm:ID}), the Slurm jobs Vigil did not
     * launch: the agent's placement judge must know whose GPUs those are, or their processes would be rogue.
     */
    private static List<Allocation> withForeignJobs(NodeRecord node) {
        if (node.execution() == null || node.execution().foreignJobs().isEmpty() || node.inventory() == null) {
            return node.allocations();
        }
        Map<Integer, String> uuids = new HashMap<>();
        node.inventory().gpus().forEach(gpu -> uuids.put(gpu.index(), gpu.uuid()));
        List<Allocation> all = new ArrayList<>(node.allocations());
        for (ExecutionNode.ForeignJob job : node.execution().foreignJobs()) {
            List<Integer> gpus = job.gpus().stream().filter(uuids::containsKey).toList();
            String id = "slurm:" + job.id();
            all.add(new Allocation(id, null, JobKind.TRAINING, gpus, gpus.stream().map(uuids::get).toList(),
                    List.of(), List.of(), null, Map.of(), 0, id));
        }
        return all;
    }

    /** The processes a report judges overreach or rogue. */
    public static List<JudgedProcess> violations(AgentReport report) {
        return report.placement().stream().filter(JudgedProcess::violating).toList();
    }
}
