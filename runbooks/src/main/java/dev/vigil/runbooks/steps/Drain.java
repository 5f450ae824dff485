package dev.vigil.runbooks.steps;

import dev.vigil.api.binding.HumanDurations;
import dev.vigil.api.runbooks.RunTarget;

import java.time.Duration;

/**
 * Moves work off the node or GPU: cordons it, marks it draining, and requeues what runs there, at
 * once ({@code requeue}) or once the deadline passed ({@code allow-completion}); done when nothing
 * runs there any more.
 */
public record Drain(Scope scope, DrainMode mode, Duration deadline) implements Step {
    @Override
    public Progress attempt(StepContext context) {
        RunTarget target = context.target(scope);
        context.fleet().drain(target, context.actor(), context.reason("drain"));
        boolean requeueNow = mode == DrainMode.REQUEUE
                || !context.now().isBefore(context.attemptStarted().plus(deadline));
        if (context.fleet().busy(target) && requeueNow) {
            context.fleet().requeue(target, context.actor(), context.reason("drain, requeue what runs on " + target));
        }
        if (!context.fleet().busy(target)) {
            return Progress.done("drained " + target);
        }
        return Progress.pending(requeueNow ? "requeued the work on " + target + ", waiting for it to leave"
                : "draining " + target + ": work may finish until the deadline ("
                + HumanDurations.format(deadline) + "), then it is requeued");
    }

    @Override
    public String plan(StepContext context) {
        RunTarget target = context.target(scope);
        return "would drain " + target + (mode == DrainMode.REQUEUE ? " and requeue its work at once"
                : ", letting work finish for " + HumanDurations.format(deadline) + ", then requeue what is left")
                + (context.fleet().busy(target) ? " (work runs there now)" : " (nothing runs there now)");
    }
}
