package dev.vigil.runbooks.steps;

import dev.vigil.api.runbooks.RunTarget;

/** No new work may land on the node or GPU. */
public record Cordon(Scope scope) implements Step {
    @Override
    public Progress attempt(StepContext context) {
        RunTarget target = context.target(scope);
        context.fleet().cordon(target, context.actor(), context.reason("cordon"));
        return Progress.done("cordoned " + target);
    }

    @Override
    public String plan(StepContext context) {
        return "would cordon " + context.target(scope);
    }
}
