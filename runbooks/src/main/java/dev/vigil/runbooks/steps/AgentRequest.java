package dev.vigil.runbooks.steps;

import dev.vigil.api.cluster.AgentAction;
import dev.vigil.api.cluster.AgentActionResult;
import dev.vigil.api.cluster.NodeRecord;

import java.util.Locale;
import java.util.Optional;

/**
 * A repair carried out by the node's agent: asked once per attempt under the attempt's id (in the
 * node's desired state), then read back from the agent's reports. The run withdraws the action once
 * the step's end is stored (see {@code Runs}), so that a new leader never loses its outcome.
 */
final class AgentRequest {
    private AgentRequest() {
    }

    static Progress attempt(StepContext context, AgentAction.Kind kind, Integer gpu, Integer level) {
        String id = context.actionId();
        Optional<NodeRecord> found = context.node();
        if (found.isEmpty()) {
            return Progress.failed("node " + context.target().node() + " is not known").asked(id);
        }
        NodeRecord node = found.get();
        Optional<AgentActionResult> result = node.actionResults().stream().filter(r -> r.id().equals(id)).findFirst();
        if (result.isPresent() && result.get().state().ended()) {
            String output = describe(kind, gpu) + " " + (result.get().message() == null ? "" : result.get().message())
                    + (result.get().output() == null ? "" : "\n" + result.get().output());
            return (result.get().state() == AgentActionResult.State.SUCCEEDED ? Progress.done(output.strip())
                    : Progress.failed(output.strip())).asked(id);
        }
        if (result.isEmpty() && node.actions().stream().noneMatch(action -> action.id().equals(id))) {
            context.fleet().ask(node.name(), new AgentAction(id, kind, gpu, level, context.now()));
        }
        return Progress.pending("asked the agent of " + node.name() + " for " + describe(kind, gpu) + " (action "
                + id + ")" + result.map(r -> ": " + r.message()).orElse("")).asked(id);
    }

    static String describe(AgentAction.Kind kind, Integer gpu) {
        return kind.name().toLowerCase(Locale.ROOT).replace('_', '-') + (gpu == null ? "" : " of gpu " + gpu);
    }
}
