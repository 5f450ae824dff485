package dev.vigil.agent.execution;

import dev.vigil.api.jobs.Allocation;

import java.util.List;

/**
 * Runs on this node what the controller's desired state allocates to it. The reporter hands over
 * every new desired state's allocations (already checked against the node's GPUs).
 */
@FunctionalInterface
public interface JobRunner {
    /** Nothing is enforced yet on real GPUs: the agent records the allocations and shows them in /v1/node. */
    JobRunner RECORD_ONLY = allocations -> null;

    /**
     * Makes the node run exactly {@code allocations}: starts the new ones, stops the ones gone.
     *
     * @return what could not be done, naming each allocation's job, or null
     */
    String apply(List<Allocation> allocations);
}
