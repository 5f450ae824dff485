package dev.vigil.agent.repair;

import dev.vigil.api.cluster.AgentAction;

import java.util.Set;

/**
 * How this node carries out each kind of repair: on simulated GPUs, or on the host's real ones.
 * Each call runs on the action thread and may take as long as the repair does.
 */
public interface NodeRepairs {
    /** Resets {@code action.gpu()}, refused while processes hold it. */
    Outcome resetGpu(AgentAction action) throws InterruptedException;

    /** Reboots the node; on a real host the outcome is running, and the agent after the reboot ends it. */
    Outcome reboot(AgentAction action) throws InterruptedException;

    /** Runs the diagnostic of {@code action.level()} and the health checks, on one GPU or the node. */
    Outcome healthCheck(AgentAction action) throws InterruptedException;

    /** Told once {@code action}'s outcome is recorded, so that the next report carries it. */
    default void recorded(AgentAction action) {
    }

    /** The ids the desired state still holds: state kept for an action that left it can go. */
    default void stillWanted(Set<String> ids) {
    }
}
