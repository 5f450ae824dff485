package dev.vigil.runbooks.steps;

import dev.vigil.api.cluster.Transition;

import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A note to people, or with {@code page: true} a page that carries the node's history (the RMA
 * path); {@code ${node}}, {@code ${gpu}}, {@code ${run}}, {@code ${runbook}} are filled in.
 */
public record Notify(String message, boolean page) implements Step {
    @Override
    public Progress attempt(StepContext context) {
        String text = text(context);
        if (page) {
            context.fleet().page(context.actionId(), text, details(context) + "\n" + history(context));
            return Progress.done("paged: " + text).asked(context.actionId());
        }
        context.fleet().notify(context.actionId(), text, details(context));
        return Progress.done("notified: " + text).asked(context.actionId());
    }

    @Override
    public String plan(StepContext context) {
        return "would " + (page ? "page" : "notify") + ": " + text(context);
    }

    private String text(StepContext context) {
        return message.replace("${node}", context.target() == null ? "fleet" : context.target().node())
                .replace("${gpu}", context.target() == null ? "" : String.valueOf(context.target().gpu()))
                .replace("${run}", context.runId())
                .replace("${runbook}", context.runbook());
    }

    private static String details(StepContext context) {
        return "runbook " + context.runbook() + ", run " + context.runId()
                + (context.target() == null ? "" : ", target " + context.target());
    }

    private static String history(StepContext context) {
        return context.target() == null ? "" : context.node().map(node -> "history of " + node.name() + ":\n"
                + node.history().stream().map(Notify::line).collect(Collectors.joining("\n"))).orElse("");
    }

    private static String line(Transition transition) {
        return "  " + transition.time() + " " + name(transition.from()) + " -> " + name(transition.to()) + " by "
                + transition.actor() + ": " + transition.reason();
    }

    private static String name(Enum<?> state) {
        return state == null ? "none" : state.name().toLowerCase(Locale.ROOT);
    }
}
