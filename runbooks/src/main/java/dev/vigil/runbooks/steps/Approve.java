package dev.vigil.runbooks.steps;

/**
 * The run waits for an operator ({@code vigil run approve ID}); the step's timeout (default 4h)
 * fails it when nobody answers.
 */
public record Approve() implements Step {
    @Override
    public Progress attempt(StepContext context) {
        if (context.approvedBy() != null) {
            return Progress.done("approved by " + context.approvedBy());
        }
        return Progress.pending("waiting for an operator: vigil run approve " + context.runId());
    }

    @Override
    public String plan(StepContext context) {
        return "would wait for an operator's approval";
    }
}
