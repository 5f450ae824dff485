package dev.vigil.scheduler.placement;

import dev.vigil.scheduler.topology.ClusterState.Node;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A job of an execution backend that runs nodes of its own (Slurm, Kubernetes) runs only on the nodes that backend
 * runs: elsewhere it could not start (a mixed fleet, or a node its backend has not seen yet).
 */
record RunBy(String backend) implements NodeFilter {
    @Override
    public boolean rejects(Node node) {
        return !backend.equals(node.backend());
    }

    @Override
    public String why(Node node) {
        return node.backend() == null ? "no execution backend (yet)" : "run by " + node.backend();
    }

    @Override
    public String describe() {
        return " run by " + backend;
    }

    /** Per backend: "; 2 nodes with these GPUs are run by slurm, where a kubernetes job cannot start". */
    @Override
    public String summary(List<Node> rejected, String model) {
        Map<String, Integer> byBackend = new TreeMap<>();
        for (Node node : rejected) {
            byBackend.merge(node.backend() == null ? "no execution backend (yet)" : node.backend(), 1, Integer::sum);
        }
        StringBuilder all = new StringBuilder();
        byBackend.forEach((other, count) -> all.append("; ").append(count).append(" node")
                .append(count == 1 ? " with these GPUs is" : "s with these GPUs are").append(" run by ").append(other)
                .append(", where a ").append(backend).append(" job cannot start"));
        return all.toString();
    }
}
