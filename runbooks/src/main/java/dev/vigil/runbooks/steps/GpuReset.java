package dev.vigil.runbooks.steps;

import dev.vigil.api.cluster.AgentAction;

/** Resets the run's GPU through the node's agent (no process may hold it: drain it first). */
public record GpuReset() implements Step {
    @Override
    public Progress attempt(StepContext context) {
        return AgentRequest.attempt(context, AgentAction.Kind.GPU_RESET, context.target().gpu(), null);
    }

    @Override
    public String plan(StepContext context) {
        return "would ask the agent of " + context.target().node() + " to reset gpu " + context.target().gpu();
    }
}
