package dev.vigil.runbooks.steps;

import dev.vigil.api.runbooks.RunTarget;

/**
 * Returns the node or GPU to service (uncordoned, no longer draining). The run reaches it only when
 * every step before it passed or was allowed to fail; health checks are never allowed to.
 */
public record Return(Scope scope) implements Step {
    @Override
    public Progress attempt(StepContext context) {
        RunTarget target = context.target(scope);
        context.fleet().resume(target, context.actor(), context.reason("repaired, returned to service"));
        return Progress.done("returned " + target + " to service");
    }

    @Override
    public String plan(StepContext context) {
        return "would return " + context.target(scope) + " to service";
    }
}
