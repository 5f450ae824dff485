package dev.vigil.api.jobs;

import java.util.List;

/**
 * GPUs a job holds on one node.
 *
 * @param node         the node
 * @param gpus         GPU indices on the node
 * @param uuids        their UUIDs (what the agent is told)
 * @param migInstances MIG GPU instance ids on the first GPU, for slice allocations (else empty)
 * @param replica      the inference replica this is, or null for a training gang
 */
public record Placement(String node, List<Integer> gpus, List<String> uuids, List<Integer> migInstances,
                        Integer replica) {
    public Placement {
        gpus = List.copyOf(gpus);
        uuids = List.copyOf(uuids);
        migInstances = migInstances == null ? List.of() : List.copyOf(migInstances);
    }
}
