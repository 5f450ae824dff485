package dev.vigil.agent.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.vigil.api.jobs.Allocation;
import dev.vigil.api.placement.PlacementPolicy;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * How the agent stands with the controller, for {@code GET /v1/node}'s {@code controller}
 * object. Every key is always present, null when there is nothing to say yet.
 *
 * @param url            the controller member the agent reports to (or tries next)
 * @param agentId        this agent process's id, as the controller knows it
 * @param lastReport     when the controller last answered a report, or null before the first answer
 * @param lastError      why the last report did not get through, or null when it did
 * @param desired        the latest desired state from the controller, or null before the first answer
 * @param appliedVersion the desired-state version the agent has applied (0: none yet)
 * @param applyError     what of that version the agent could not apply, or null
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ControllerStatus(String url, String agentId, Instant lastReport, String lastError, Desired desired,
                               long appliedVersion, String applyError) {

    /**
     * The node's desired state as the controller last said it.
     *
     * @param version      increases with every change
     * @param cordoned     no new work may land on the node
     * @param drain        work should leave the node
     * @param cordonedGpus UUIDs of GPUs no new work may land on
     * @param allocations  the jobs that run on the node, down to GPUs and MIG instances
     * @param placement    what the agent does about processes that violate placement
     */
    public record Desired(long version, boolean cordoned, boolean drain, List<String> cordonedGpus,
                          List<Allocation> allocations, PlacementPolicy placement) {
        public Desired {
            cordonedGpus = List.copyOf(cordonedGpus);
            allocations = List.copyOf(allocations);
            Objects.requireNonNull(placement, "placement");
        }
    }
}
