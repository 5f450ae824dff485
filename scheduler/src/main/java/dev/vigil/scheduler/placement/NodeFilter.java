package dev.vigil.scheduler.placement;

import dev.vigil.scheduler.topology.ClusterState.Node;

import java.util.List;

/**
 * The filter stage: one rule a node must meet to take a job (its pool, its backend, a reservation). The placement
 * searches ask {@link #rejects} of every node they consider, so it allocates nothing; the rest says the rule for
 * {@code vigil why} and is asked only then. {@link Filters} runs several in order.
 */
public interface NodeFilter {
    /** Whether the rule keeps the job off {@code node}. */
    boolean rejects(Node node);

    /** Why the rule keeps the job off {@code node}, for people: "run by slurm". */
    String why(Node node);

    /** Which nodes the rule keeps, for people (" in pool train"), or "" when that goes without saying. */
    default String describe() {
        return "";
    }

    /**
     * What the nodes of one GPU model the rule rejected mean for a job that cannot fit, appended to the verdict:
     * by default "; 2 nodes with these GPUs excluded: n0: why; n1: why" (the first three).
     */
    default String summary(List<Node> rejected, String model) {
        List<String> shown = rejected.stream().limit(3).map(n -> n.name + ": " + why(n)).toList();
        return "; " + rejected.size() + (rejected.size() == 1 ? " node" : " nodes") + " with these GPUs excluded: "
                + String.join("; ", shown) + (rejected.size() > shown.size() ? "; …" : "");
    }
}
