package dev.vigil.runbooks.steps;

/**
 * A command on the node over SSH. Refused until the provisioning module (issue 18) provides SSH
 * access to nodes: the runbook loads, and the step fails saying why.
 */
public record Exec(String command) implements Step {
    static final String REFUSED = "exec needs the provisioning module (issue 18), which Vigil does not have yet";

    @Override
    public Progress attempt(StepContext context) {
        return Progress.failed("refused to run \"" + command + "\": " + REFUSED);
    }

    @Override
    public String plan(StepContext context) {
        return "would run \"" + command + "\" on " + context.target().node() + ", but " + REFUSED;
    }
}
