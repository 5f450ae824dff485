package dev.vigil.runbooks.steps;

import dev.vigil.api.runbooks.RunTarget;

/** New work may land on the node or GPU again. */
public record Uncordon(Scope scope) implements Step {
    @Override
    public Progress attempt(StepContext context) {
        RunTarget target = context.target(scope);
        context.fleet().uncordon(target, context.actor(), context.reason("uncordon"));
        return Progress.done("uncordoned " + target);
    }

    @Override
    public String plan(StepContext context) {
        return "would uncordon " + context.target(scope);
    }
}
