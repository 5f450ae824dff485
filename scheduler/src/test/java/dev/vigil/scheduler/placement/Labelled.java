package dev.vigil.scheduler.placement;

import java.util.Set;

/**
 * A test's stand-in for a Kubernetes nodeSelector: allows the named nodes and says the others lack the label gpu,
 * naming the node so a test sees which node it was asked about.
 */
public record Labelled(Set<String> nodes) implements NodeConstraint {
    @Override
    public boolean allows(String node) {
        return nodes.contains(node);
    }

    @Override
    public String why(String node) {
        return "no label gpu on " + node;
    }

    @Override
    public String describe() {
        return "nodeSelector gpu=h100";
    }
}
