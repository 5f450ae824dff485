package dev.vigil.runbooks.steps;

import dev.vigil.api.cluster.AgentAction;

/** Reboots the node through its agent; follow it with {@code wait: node-reporting}. */
public record Reboot() implements Step {
    @Override
    public Progress attempt(StepContext context) {
        return AgentRequest.attempt(context, AgentAction.Kind.REBOOT, null, null);
    }

    @Override
    public String plan(StepContext context) {
        return "would ask the agent of " + context.target().node() + " to reboot the node";
    }
}
