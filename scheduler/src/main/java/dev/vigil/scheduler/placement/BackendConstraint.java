package dev.vigil.scheduler.placement;

import dev.vigil.scheduler.topology.ClusterState.Node;

/** What the job's backend asks of a node beyond the scheduler's knowledge: a Kubernetes pod's nodeSelector. */
record BackendConstraint(NodeConstraint constraint) implements NodeFilter {
    @Override
    public boolean rejects(Node node) {
        return !constraint.allows(node.name);
    }

    @Override
    public String why(Node node) {
        return constraint.why(node.name);
    }

    @Override
    public String describe() {
        return " matching " + constraint.describe();
    }
}
