package dev.vigil.runbooks;

import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.runbooks.steps.OnFailure;
import dev.vigil.runbooks.steps.StepKind;
import dev.vigil.runbooks.steps.StepSpec;

import java.util.List;

/**
 * One runbook, as a file of {@code conf/runbooks/} holds it.
 *
 * @param name        unique among the runbooks: lower case letters, digits and '-'
 * @param description what it is for
 * @param trigger     what starts it: an alert or a schedule; none for a runbook run only by hand
 * @param target      what its runs act on
 * @param mode        active, or dry-run (the default: a runbook acts only where its file says so)
 * @param guards      its own guard (concurrency)
 * @param steps       what a run does, in order
 */
public record Runbook(String name, String description, Trigger trigger, Target target, Mode mode,
                     RunbookGuards guards, List<StepSpec> steps) {
    static final String NAME = "[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?";

    public Runbook {
        InvalidValueException.required(name, "name", "the runbook's name, e.g. gpu-fallen-off-bus");
        InvalidValueException.require(name.matches(NAME), "name", name,
                "lower-case letters, digits and '-', at most 64, e.g. gpu-fallen-off-bus");
        description = description == null ? "" : description;
        InvalidValueException.required(target, "target", Target.ALLOWED);
        mode = mode == null ? Mode.DRY_RUN : mode;
        guards = guards == null ? RunbookGuards.defaults() : guards;
        InvalidValueException.required(steps, "steps", "a list of steps, each with a kind: " + StepKind.all());
        InvalidValueException.require(!steps.isEmpty(), "steps", "[]", "at least one step");
        steps = List.copyOf(steps);
        if (trigger != null && trigger.schedule() != null) {
            InvalidValueException.require(target.kind() == Target.Kind.SELECTOR || target.kind() == Target.Kind.FLEET,
                    "target", target, "fleet or a selector: a schedule names no node or GPU");
        }
        for (int i = 0; i < steps.size(); i++) {
            StepSpec step = steps.get(i);
            String at = "steps[" + i + "].";
            if (step.needsGpu()) {
                String key = gpuKey(step);
                InvalidValueException.require(target.kind() == Target.Kind.GPU, at + key,
                        switch (key) {
                            case "kind" -> "gpu-reset";
                            case "until" -> "gpu-healthy";
                            default -> "gpu";
                        },
                        "a runbook whose target is gpu: this step acts on the run's GPU");
            }
            if (step.fallback()) {
                InvalidValueException.require(i > 0 && steps.get(i - 1).onFailure() == OnFailure.CONTINUE,
                        at + "fallback", "true", "only after a step with onFailure: continue (a fallback runs when "
                                + "that step failed)");
            }
            if (!target.actsOnNodes()) {
                InvalidValueException.require(!step.actsOnNode(), at + "kind", step.kind().wireName(),
                        "notify or report: a fleet runbook acts on no node");
            }
        }
    }

    private static String gpuKey(StepSpec step) {
        if (step.kind() == StepKind.GPU_RESET) {
            return "kind";
        }
        return step.until() != null ? "until" : "scope";
    }

    /** Whether its runs repair (and so count as remediations for the guards): it drains, resets, reboots or power-cycles. */
    public boolean repairs() {
        return steps.stream().anyMatch(step -> switch (step.kind()) {
            case DRAIN, GPU_RESET, REBOOT, POWER_CYCLE -> true;
            default -> false;
        });
    }
}
