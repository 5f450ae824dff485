package dev.vigil.controller.capacity;

import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.gpu.GpuDevice;
import dev.vigil.api.jobs.JobRecord;
import dev.vigil.api.jobs.Placement;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Which GPU model a job used, by the product name the nodes report ({@code NVIDIA H100 80GB HBM3}).
 * A job that holds GPUs now names them through its placements; a finished job no longer has
 * placements, so its spec's allowed models are matched against the fleet's products as the
 * scheduler matches them (a substring, any case): one match is the answer; otherwise the one model
 * it asked for as written, or {@link #ANY} when it asked for none or several.
 */
final class JobModels {
    static final String ANY = "any";

    private final Map<String, NodeRecord> nodes;
    private final List<String> products;

    JobModels(Map<String, NodeRecord> nodes) {
        this.nodes = nodes;
        TreeSet<String> names = new TreeSet<>();
        nodes.values().forEach(node -> devices(node).forEach(device -> names.add(device.model())));
        this.products = List.copyOf(names);
    }

    String of(JobRecord job) {
        for (Placement placement : job.placements()) {
            Optional<String> placed = placement.gpus().isEmpty() ? Optional.empty()
                    : product(placement.node(), placement.gpus().get(0));
            if (placed.isPresent()) {
                return placed.get();
            }
        }
        List<String> wanted = job.spec().models();
        List<String> matching = products.stream().filter(product -> wanted.isEmpty() || wanted.stream()
                .anyMatch(w -> product.toLowerCase(Locale.ROOT).contains(w.toLowerCase(Locale.ROOT)))).toList();
        if (matching.size() == 1) {
            return matching.get(0);
        }
        return wanted.size() == 1 ? wanted.get(0) : ANY;
    }

    /** The product name of GPU {@code gpu} of {@code node}, where its inventory says. */
    Optional<String> product(String node, int gpu) {
        NodeRecord record = nodes.get(node);
        return record == null ? Optional.empty()
                : devices(record).stream().filter(d -> d.index() == gpu).map(GpuDevice::model).findFirst();
    }

    static List<GpuDevice> devices(NodeRecord node) {
        return node.inventory() == null ? List.of() : node.inventory().gpus();
    }
}
