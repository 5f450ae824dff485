package dev.vigil.api.cluster;

import dev.vigil.api.gpu.GpuDevice;
import dev.vigil.api.gpu.HealthState;

import java.time.Instant;
import java.util.List;

/**
 * A node in a list: enough for a table row; {@code GET /v1/nodes/{node}} has the rest.
 *
 * @param name         the node's name
 * @param state        where it is in its lifecycle
 * @param reason       why
 * @param since        since when
 * @param lastReport   when its agent last reported, to within a few seconds
 * @param model        its GPU model (the first GPU's), or null before the inventory arrived
 * @param gpus         how many GPUs it has
 * @param gpusFailed   how many of them are failed
 * @param gpusCordoned how many of them are cordoned
 * @param pool         the node pool it is in ({@code scheduler.pools} of the controller's config), or null
 * @param leaf         the leaf switch it hangs under ({@code fabric}), or null when the fabric does not list it
 */
public record NodeSummary(String name, NodeState state, String reason, Instant since, Instant lastReport,
                          String model, int gpus, int gpusFailed, int gpusCordoned, String pool, String leaf) {

    /** The summary of a node's record: pool and leaf are configuration, which the controller adds as it serves the list. */
    public static NodeSummary of(NodeRecord node) {
        List<GpuDevice> gpus = node.inventory() == null ? List.of() : node.inventory().gpus();
        int failed = (int) node.health().stream().filter(h -> h.state() == HealthState.FAILED).count();
        return new NodeSummary(node.name(), node.state(), node.reason(), node.since(), node.lastReport(),
                gpus.isEmpty() ? null : gpus.get(0).model(), gpus.size(), failed, node.cordonedGpus().size(), null, null);
    }
}
