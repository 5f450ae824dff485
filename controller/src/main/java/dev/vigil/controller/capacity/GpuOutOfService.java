package dev.vigil.controller.capacity;

import dev.vigil.api.cluster.CordonedGpu;
import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.gpu.GpuDevice;
import dev.vigil.api.gpu.GpuHealth;
import dev.vigil.api.gpu.HealthReason;
import dev.vigil.api.gpu.HealthState;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A GPU failed or cordoned at report time. The inventory carries no serial number, so the UUID is
 * what identifies the board for an RMA.
 *
 * @param node         the node
 * @param gpu          its index
 * @param uuid         its UUID
 * @param model        its product name, where the inventory says
 * @param health       its health as last reported (null when it never reported one)
 * @param reason       the first reason it failed, or null when it did not fail
 * @param cordoned     whether the GPU itself is cordoned
 * @param cordonReason why, if it is
 * @param since        since when: the cordon, else the failure
 */
public record GpuOutOfService(String node, int gpu, String uuid, String model, HealthState health, String reason,
                              boolean cordoned, String cordonReason, Instant since) {

    static List<GpuOutOfService> of(List<NodeRecord> nodes) {
        List<GpuOutOfService> out = new ArrayList<>();
        for (NodeRecord node : nodes.stream().sorted(Comparator.comparing(NodeRecord::name)).toList()) {
            TreeSet<Integer> indices = new TreeSet<>();
            node.health().stream().filter(h -> h.state() == HealthState.FAILED).forEach(h -> indices.add(h.gpu()));
            node.cordonedGpus().forEach(c -> indices.add(c.gpu()));
            for (int gpu : indices) {
                out.add(of(node, gpu));
            }
        }
        return out;
    }

    private static GpuOutOfService of(NodeRecord node, int gpu) {
        GpuHealth health = node.health().stream().filter(h -> h.gpu() == gpu).findFirst().orElse(null);
        CordonedGpu cordon = node.cordonedGpus().stream().filter(c -> c.gpu() == gpu).findFirst().orElse(null);
        Optional<GpuDevice> device = JobModels.devices(node).stream().filter(d -> d.index() == gpu).findFirst();
        HealthReason failure = health == null ? null
                : health.reasons().stream().filter(r -> r.state() == HealthState.FAILED).findFirst().orElse(null);
        String uuid = health != null ? health.uuid() : cordon.uuid(); // one of them put it on the list
        Instant since = cordon != null ? cordon.since() : failure != null ? failure.since() : null;
        return new GpuOutOfService(node.name(), gpu, uuid, device.map(GpuDevice::model).orElse(null),
                health == null ? null : health.state(), failure == null ? null : failure.message(), cordon != null,
                cordon == null ? null : cordon.reason(), since);
    }
}
