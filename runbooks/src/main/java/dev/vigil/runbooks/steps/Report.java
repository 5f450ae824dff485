package dev.vigil.runbooks.steps;

/** The capacity report: the controller produces it, writes it and sends it (see {@code Fleet.report}). */
public record Report() implements Step {
    @Override
    public Progress attempt(StepContext context) {
        context.fleet().report(context.actionId(), context.actor(), context.now());
        return Progress.done("asked for the capacity report").asked(context.actionId());
    }

    @Override
    public String plan(StepContext context) {
        return "would produce the capacity report and send it";
    }
}
