package dev.vigil.runbooks.run;

import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.cluster.Transition;
import dev.vigil.api.runbooks.RunRecord;
import dev.vigil.api.runbooks.StepRecord;

import java.util.Locale;

/** A page's details: what the run did, step by step, and the node's recent history. */
final class History {
    private History() {
    }

    static String of(RunRecord run, NodeRecord node) {
        StringBuilder text = new StringBuilder();
        text.append("run ").append(run.id()).append(" of runbook ").append(run.runbook()).append(", started by ")
                .append(run.startedBy()).append(" (").append(run.trigger()).append(")\n");
        for (StepRecord step : run.steps()) {
            text.append("  ").append(step.name()).append(" [").append(step.kind()).append("] ")
                    .append(step.state().name().toLowerCase(Locale.ROOT))
                    .append(step.attempts() > 1 ? " after " + step.attempts() + " attempts" : "")
                    .append(step.output() == null ? "" : ": " + step.output()).append('\n');
        }
        if (node != null) {
            text.append("history of ").append(node.name()).append(":\n");
            for (Transition transition : node.history()) {
                text.append("  ").append(transition.time()).append(' ').append(name(transition.from())).append(" -> ")
                        .append(name(transition.to())).append(" by ").append(transition.actor()).append(": ")
                        .append(transition.reason()).append('\n');
            }
        }
        return text.toString();
    }

    private static String name(Enum<?> state) {
        return state == null ? "none" : state.name().toLowerCase(Locale.ROOT);
    }
}
