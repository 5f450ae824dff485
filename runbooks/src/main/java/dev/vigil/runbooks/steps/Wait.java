package dev.vigil.runbooks.steps;

import dev.vigil.api.cluster.NodeState;
import dev.vigil.api.gpu.HealthState;

import java.util.Locale;

/** Waits until a condition holds; the step's timeout bounds the wait. */
public record Wait(Condition until) implements Step {
    @Override
    public Progress attempt(StepContext context) {
        if (holds(context)) {
            return Progress.done(describe() + ": holds");
        }
        return Progress.pending("waiting until " + describe());
    }

    private boolean holds(StepContext context) {
        return switch (until) {
            case NODE_EMPTY -> !context.fleet().busy(context.target());
            case GPU_HEALTHY -> context.node().map(node -> node.health().stream().anyMatch(gpu ->
                    gpu.gpu() == context.target().gpu() && gpu.state() == HealthState.HEALTHY)).orElse(false);
            case NODE_REPORTING -> context.node().map(node -> node.state() != NodeState.UNKNOWN
                    && node.lastReport() != null && node.lastReport().isAfter(context.attemptStarted())).orElse(false);
            case NODE_READY -> context.node().map(node -> node.state() == NodeState.READY).orElse(false);
        };
    }

    private String describe() {
        return until.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    @Override
    public String plan(StepContext context) {
        return "would wait until " + describe() + " (" + (holds(context) ? "holds now" : "does not hold now") + ")";
    }
}
