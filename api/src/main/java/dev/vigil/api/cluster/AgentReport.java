package dev.vigil.api.cluster;

import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.binding.TextFields;
import dev.vigil.api.gpu.GpuEvent;
import dev.vigil.api.gpu.GpuHealth;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.api.mig.GpuMigStatus;
import dev.vigil.api.placement.JudgedProcess;

import java.util.List;

/**
 * What an agent tells the controller, every few seconds and at once when a GPU's health changes.
 *
 * @param agentId        a random id the agent process picks at start: a new one tells the controller
 *                       the agent restarted and numbers its events from 1 again
 * @param agentVersion   the agent's version
 * @param inventoryHash  a hash of the inventory, so it only travels when it changed
 * @param inventory      the inventory: on first contact, when it changed, or when the controller asked
 * @param health         each GPU's health
 * @param gpus           each GPU's vital signs
 * @param events         events since the last report the controller acknowledged
 * @param appliedVersion the desired-state version the agent has applied
 * @param applyError     why the agent could not apply the desired state, or null
 * @param actions        how the repairs the desired state asked for went (running or ended)
 * @param mig            how the MIG targets of the desired state stand, one per GPU with a target
 * @param placement      every process on the node's GPUs, attributed and judged (as of the agent's last pass)
 */
public record AgentReport(String agentId, String agentVersion, String inventoryHash, NodeInventory inventory, List<GpuHealth> health,
                          List<GpuSummary> gpus, List<GpuEvent> events, Long appliedVersion, String applyError,
                          List<AgentActionResult> actions, List<GpuMigStatus> mig,
                          List<JudgedProcess> placement) {
    public AgentReport {
        placement = placement == null ? List.of() : List.copyOf(placement);
        mig = mig == null ? List.of() : List.copyOf(mig);
        InvalidValueException.required(agentId, "agentId", "the agent process's id");
        InvalidValueException.required(inventoryHash, "inventoryHash", "the hash of the agent's inventory");
        TextFields.line(agentId, "agentId", 128);
        TextFields.line(agentVersion, "agentVersion", 64);
        TextFields.line(inventoryHash, "inventoryHash", 128);
        TextFields.text(applyError, "applyError", 4096);
        health = health == null ? List.of() : List.copyOf(health);
        gpus = gpus == null ? List.of() : List.copyOf(gpus);
        events = events == null ? List.of() : List.copyOf(events);
        appliedVersion = appliedVersion == null ? 0L : appliedVersion;
        actions = actions == null ? List.of() : List.copyOf(actions);
    }

    /** A report with no repair to tell of. */
    public AgentReport(String agentId, String agentVersion, String inventoryHash, NodeInventory inventory,
                       List<GpuHealth> health, List<GpuSummary> gpus, List<GpuEvent> events, Long appliedVersion,
                       String applyError) {
        this(agentId, agentVersion, inventoryHash, inventory, health, gpus, events, appliedVersion, applyError,
                List.of(), List.of(), List.of());
    }

    /** A report with no MIG target to tell of. */
    public AgentReport(String agentId, String agentVersion, String inventoryHash, NodeInventory inventory,
                       List<GpuHealth> health, List<GpuSummary> gpus, List<GpuEvent> events, Long appliedVersion,
                       String applyError, List<AgentActionResult> actions) {
        this(agentId, agentVersion, inventoryHash, inventory, health, gpus, events, appliedVersion, applyError,
                actions, List.of(), List.of());
    }

    /** A report with no process to tell of. */
    public AgentReport(String agentId, String agentVersion, String inventoryHash, NodeInventory inventory,
                       List<GpuHealth> health, List<GpuSummary> gpus, List<GpuEvent> events, Long appliedVersion,
                       String applyError, List<AgentActionResult> actions, List<GpuMigStatus> mig) {
        this(agentId, agentVersion, inventoryHash, inventory, health, gpus, events, appliedVersion, applyError,
                actions, mig, List.of());
    }
}
