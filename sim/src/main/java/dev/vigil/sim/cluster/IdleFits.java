package dev.vigil.sim.cluster;

import dev.vigil.api.jobs.JobKind;
import dev.vigil.api.jobs.JobSpec;
import dev.vigil.api.jobs.Topology;
import dev.vigil.api.jobs.TopologyLevel;
import dev.vigil.scheduler.topology.NodeCapacity;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@link IdleFit} for many jobs of one cluster, remembered per request shape. Whole-GPU work counts
 * only GPUs not in MIG mode, as the scheduler places it.
 */
public final class IdleFits {
    private final SimCluster cluster;
    private final List<Shape> nodes = new ArrayList<>();
    private final Set<String> models = new LinkedHashSet<>();
    private final Map<Key, IdleFit> known = new HashMap<>();

    /** What placement sees of one node. */
    private record Shape(String model, String pool, int leaf, int whole, int largestDomain,
                         Map<String, Integer> slices) {
    }

    /** The parts of a spec that decide where it can go. */
    private record Key(JobKind kind, List<String> models, Integer nodes, Integer gpusPerNode, Integer replicas,
                       String migProfile, Topology topology, String pool) {
    }

    public IdleFits(SimCluster cluster) {
        this.cluster = cluster;
        for (NodeCapacity node : cluster.nodes()) {
            int whole = 0;
            Map<Integer, Integer> domains = new HashMap<>();
            Map<String, Integer> slices = new HashMap<>();
            for (NodeCapacity.Gpu gpu : node.gpus()) {
                if (gpu.mig().isEmpty()) {
                    whole++;
                    domains.merge(gpu.nvlinkDomain(), 1, Integer::sum);
                }
                gpu.mig().forEach(s -> slices.merge(s.profile(), 1, Integer::sum));
            }
            int largest = domains.values().stream().mapToInt(Integer::intValue).max().orElse(0);
            nodes.add(new Shape(node.model(), node.pool(), cluster.leafOf(node.name()), whole, largest, slices));
            models.add(node.model());
        }
    }

    public IdleFit check(JobSpec spec) {
        Key key = new Key(spec.kind(), spec.models(), spec.nodes(), spec.gpusPerNode(), spec.replicas(),
                spec.migProfile(), spec.topology(), spec.pool());
        return known.computeIfAbsent(key, k -> compute(spec));
    }

    private IdleFit compute(JobSpec spec) {
        List<String> usable = models.stream().filter(m -> SimCluster.allows(spec.models(), m)).toList();
        if (usable.isEmpty()) {
            return new IdleFit.NeverFits("no node has a GPU model matching " + String.join(" or ", spec.models()));
        }
        if (spec.kind() == JobKind.INFERENCE) {
            return services(spec, usable);
        }
        Topology topology = spec.topology();
        boolean required = topology != null && topology.required();
        boolean oneDomain = required && topology.level() == TopologyLevel.SAME_NVLINK;
        int fewest = Integer.MAX_VALUE;
        int most = 0;
        for (String model : usable) {
            int[] perLeaf = new int[cluster.leaves()];
            for (Shape node : nodes) {
                int room = oneDomain ? node.largestDomain() : node.whole();
                if (node.model().equals(model) && (spec.pool() == null || spec.pool().equals(node.pool()))
                        && room >= spec.gpusPerNode()) {
                    perLeaf[node.leaf()]++;
                }
            }
            Arrays.sort(perLeaf);
            int sum = 0;
            int leaves = 0;
            for (int i = perLeaf.length - 1; i >= 0 && sum < spec.nodes() && perLeaf[i] > 0; i--) {
                sum += perLeaf[i];
                leaves++;
            }
            most = Math.max(most, sum);
            if (sum >= spec.nodes()) {
                fewest = Math.min(fewest, leaves);
            }
        }
        String wants = spec.nodes() + " node" + (spec.nodes() == 1 ? "" : "s") + " × " + spec.gpusPerNode() + " GPUs"
                + (oneDomain ? " in one NVLink domain" : "");
        if (fewest == Integer.MAX_VALUE) {
            return new IdleFit.NeverFits("needs " + wants + "; " + most + " node" + (most == 1 ? "" : "s")
                    + " of one model" + (spec.pool() == null ? "" : " in pool " + spec.pool()) + " can hold "
                    + spec.gpusPerNode() + (oneDomain ? " NVLink-connected" : "") + " GPUs");
        }
        if (required && spec.nodes() > 1 && (topology.level() == TopologyLevel.SAME_NODE || oneDomain)) {
            return new IdleFit.NeverFits("needs " + wants + " on one node: more than one node cannot be one "
                    + (oneDomain ? "NVLink domain" : "node"));
        }
        if (required && fewest > topology.leafLimit()) {
            return new IdleFit.NeverFits("needs " + wants + " under at most " + topology.leafLimit() + " leaf switch"
                    + (topology.leafLimit() == 1 ? "" : "es") + "; the fewest that hold it are " + fewest);
        }
        return new IdleFit.Fits(fewest);
    }

    private IdleFit services(JobSpec spec, List<String> usable) {
        long room = 0;
        for (Shape node : nodes) {
            if (usable.contains(node.model()) && (spec.pool() == null || spec.pool().equals(node.pool()))) {
                room += spec.migProfile() != null ? node.slices().getOrDefault(spec.migProfile(), 0)
                        : node.whole() / spec.gpusPerNode();
            }
        }
        if (room >= spec.replicas()) {
            return new IdleFit.Fits(1);
        }
        String each = spec.migProfile() != null ? "a " + spec.migProfile() + " MIG slice"
                : spec.gpusPerNode() + " GPU" + (spec.gpusPerNode() == 1 ? "" : "s") + " on one node";
        return new IdleFit.NeverFits("needs " + spec.replicas() + " replica" + (spec.replicas() == 1 ? "" : "s")
                + " of " + each + "; the cluster holds " + room);
    }
}
