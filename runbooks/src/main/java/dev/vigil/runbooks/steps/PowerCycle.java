package dev.vigil.runbooks.steps;

import dev.vigil.runbooks.BmcResult;

import java.util.Optional;

/**
 * Power-cycles the node through its BMC, for a node whose agent cannot reboot it. Asked once per
 * attempt under the attempt's id; fails where no BMC is configured, with the controller's reason.
 */
public record PowerCycle() implements Step {
    @Override
    public Progress attempt(StepContext context) {
        String id = context.actionId();
        Optional<BmcResult> result = context.fleet().powerCycleResult(id);
        if (result.isEmpty()) {
            context.fleet().powerCycle(id, context.target().node(), context.actor());
            return Progress.pending("asked the BMC of " + context.target().node() + " for a power cycle").asked(id);
        }
        String output = "power cycle: " + result.get().message();
        return switch (result.get().state()) {
            case SUCCEEDED -> Progress.done(output).asked(id);
            case FAILED -> Progress.failed(output).asked(id);
            case RUNNING -> Progress.pending(output).asked(id);
        };
    }

    @Override
    public String plan(StepContext context) {
        return "would power-cycle " + context.target().node() + " through its BMC";
    }
}
