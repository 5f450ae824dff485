package dev.vigil.runbooks.steps;

import dev.vigil.runbooks.ExecResult;

import java.util.Optional;

/**
 * A command on the node over SSH, through the controller's SSH (the provisioning module's: key
 * authentication, host keys pinned, connect and command timeouts). Asked once per attempt under
 * the attempt's id; done when it exits 0, failed otherwise or where no SSH is configured, with the
 * controller's reason.
 */
public record Exec(String command) implements Step {
    @Override
    public Progress attempt(StepContext context) {
        String id = context.actionId();
        Optional<ExecResult> result = context.fleet().execResult(id);
        if (result.isEmpty()) {
            context.fleet().exec(id, context.target().node(), command, context.actor());
            return Progress.pending("running \"" + command + "\" on " + context.target().node() + " over SSH").asked(id);
        }
        String output = "exec \"" + command + "\": " + result.get().message();
        return switch (result.get().state()) {
            case SUCCEEDED -> Progress.done(output).asked(id);
            case FAILED -> Progress.failed(output).asked(id);
            case RUNNING -> Progress.pending(output).asked(id);
        };
    }

    @Override
    public String plan(StepContext context) {
        return "would run \"" + command + "\" on " + context.target().node() + " over SSH";
    }
}
