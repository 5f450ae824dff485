package dev.vigil.runbooks.steps;

import dev.vigil.api.cluster.AgentAction;

/**
 * The agent's diagnostic ({@code dcgmi diag -r 1|2}, or the simulated one) and health checks (row
 * remapping, retired pages, NVLink count), of the node or of the run's GPU; fails when any fails.
 */
public record HealthCheck(Scope scope, int level) implements Step {
    @Override
    public Progress attempt(StepContext context) {
        return AgentRequest.attempt(context, AgentAction.Kind.HEALTH_CHECK, context.target(scope).gpu(), level);
    }

    @Override
    public String plan(StepContext context) {
        return "would ask the agent for a level " + level + " health check of " + context.target(scope);
    }
}
