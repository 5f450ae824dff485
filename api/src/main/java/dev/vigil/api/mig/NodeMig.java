package dev.vigil.api.mig;

import java.util.List;

/**
 * A node's GPUs and their MIG layouts: {@code GET /v1/nodes/{node}/mig}, and what
 * {@code PUT /v1/nodes/{node}/mig} answers.
 *
 * @param node the node's name
 * @param gpus its GPUs, by index
 */
public record NodeMig(String node, List<GpuLayout> gpus) {
    public NodeMig {
        gpus = List.copyOf(gpus);
    }
}
