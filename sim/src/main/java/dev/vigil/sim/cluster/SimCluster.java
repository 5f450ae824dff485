package dev.vigil.sim.cluster;

import dev.vigil.api.binding.Documents;
import dev.vigil.api.binding.InvalidDocumentException;
import dev.vigil.scheduler.policy.SchedulerPolicy;
import dev.vigil.scheduler.topology.Fabric;
import dev.vigil.scheduler.topology.NodeCapacity;
import dev.vigil.sim.trace.MigSlices;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A cluster built from a {@link ClusterFile}: the nodes as the scheduler takes them, the fabric
 * above them, and the scheduler policy.
 */
public final class SimCluster implements MigSlices {
    /** The config that turns MIG off. */
    public static final String MIG_OFF = "all-disabled";
    private final String name;
    private final List<NodeCapacity> nodes;
    private final Fabric fabric;
    private final SchedulerPolicy policy;
    private final Map<String, Integer> leafOfNode;
    private final List<String> leafNames;
    private final int spines;
    private final int gpus;
    /** MIG profiles offered, by GPU model. */
    private final Map<String, List<String>> migProfiles;
    /** The MIG configs each model with MIG groups may take, for demand-driven layouts. */
    private final Map<String, List<dev.vigil.scheduler.mig.Layout>> migLayouts;

    private SimCluster(String name, List<NodeCapacity> nodes, List<List<String>> leaves, int leavesPerSpine,
                       SchedulerPolicy policy, Map<String, List<String>> migProfiles,
                       Map<String, List<dev.vigil.scheduler.mig.Layout>> migLayouts) {
        this.name = name;
        this.migLayouts = migLayouts;
        this.nodes = List.copyOf(nodes);
        this.policy = policy;
        this.migProfiles = migProfiles;
        this.leafNames = new ArrayList<>();
        this.leafOfNode = new HashMap<>();
        int width = Math.max(2, String.valueOf(leaves.size()).length());
        List<Fabric.Spine> spineList = new ArrayList<>();
        List<Fabric.Leaf> underSpine = new ArrayList<>();
        for (int l = 0; l < leaves.size(); l++) {
            String leaf = String.format("leaf-%0" + width + "d", l + 1);
            leafNames.add(leaf);
            for (String node : leaves.get(l)) {
                leafOfNode.put(node, l);
            }
            underSpine.add(new Fabric.Leaf(leaf, leaves.get(l)));
            if (underSpine.size() == leavesPerSpine || l == leaves.size() - 1) {
                spineList.add(new Fabric.Spine("spine-" + (spineList.size() + 1), underSpine));
                underSpine = new ArrayList<>();
            }
        }
        this.fabric = new Fabric(spineList);
        this.spines = spineList.size();
        this.gpus = nodes.stream().mapToInt(n -> n.gpus().size()).sum();
    }

    /** Reads and builds a cluster file; errors name the file, the field, the value and what is allowed. */
    public static SimCluster load(Path file) {
        ClusterFile parsed = Documents.readYaml(file, ClusterFile.class);
        String fallback = file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
        Path folder = file.toAbsolutePath().getParent();
        return build(parsed.name() != null ? parsed.name() : fallback, parsed, folder, file.toString());
    }

    /** Builds a cluster; a node list's relative path is read from {@code folder}. */
    public static SimCluster build(String name, ClusterFile file, Path folder, String source) {
        List<NodeCapacity> nodes = new ArrayList<>();
        List<List<String>> leaves = new ArrayList<>();
        Map<String, List<String>> migProfiles = new LinkedHashMap<>();
        Map<String, List<dev.vigil.scheduler.mig.Layout>> migLayouts = new LinkedHashMap<>();
        for (ClusterFile.NodeGroup group : file.groups()) {
            int width = Math.max(2, String.valueOf(group.nodes() - 1).length());
            for (int i = 0; i < group.nodes(); i++) {
                String node = group.name() + "-" + String.format("%0" + width + "d", i);
                nodes.add(new NodeCapacity(node, group.model(), group.pool(), true, true,
                        gpus(node, group.gpusPerNode(), group.layout(), group.mig())));
                place(leaves, node, i, group.nodesPerLeaf());
            }
            if (group.mig() != null) {
                List<String> profiles = migProfiles.computeIfAbsent(group.model(), m -> new ArrayList<>());
                if (!profiles.contains(group.mig().profile())) {
                    profiles.add(group.mig().profile());
                }
                addLayouts(migLayouts, group.model(), group.mig());
            }
        }
        if (file.nodeList() != null) {
            ClusterFile.NodeList list = file.nodeList();
            Path csv = folder == null ? list.file() : folder.resolve(list.file());
            List<AlibabaNodes.Listed> all = AlibabaNodes.read(csv);
            List<AlibabaNodes.Listed> listed = new ArrayList<>();
            for (int i = 0; i < all.size(); i += list.every()) {
                listed.add(all.get(i));
            }
            Set<String> taken = new HashSet<>();
            nodes.forEach(n -> taken.add(n.name()));
            for (int i = 0; i < listed.size(); i++) {
                AlibabaNodes.Listed node = listed.get(i);
                if (taken.contains(node.name())) {
                    throw new InvalidDocumentException(source, "nodeList.file", node.name(),
                            "node names no group uses", "nodeList.file: node \"" + node.name() + "\" of " + csv
                            + " has the name of a node of a group (allowed: node names no group uses)");
                }
                nodes.add(new NodeCapacity(node.name(), node.model(), null, true, true,
                        gpus(node.name(), node.gpus(), list.layout(), null)));
                place(leaves, node.name(), i, list.nodesPerLeaf());
            }
        }
        int perSpine = file.leavesPerSpine() == null ? Integer.MAX_VALUE : file.leavesPerSpine();
        return new SimCluster(name, nodes, leaves, perSpine, file.scheduler(), migProfiles, migLayouts);
    }

    /**
     * A model's configs: {@value #MIG_OFF}, and for each MIG group's profile {@code all-PROFILE} with as many
     * instances as that group's GPUs have (the first group of a model and profile names it).
     */
    private static void addLayouts(Map<String, List<dev.vigil.scheduler.mig.Layout>> layouts, String model,
                                   ClusterFile.Mig mig) {
        List<dev.vigil.scheduler.mig.Layout> ofModel = layouts.computeIfAbsent(model, m -> new ArrayList<>(
                List.of(new dev.vigil.scheduler.mig.Layout(MIG_OFF, List.of()))));
        String config = "all-" + mig.profile();
        if (ofModel.stream().noneMatch(l -> l.config().equals(config))) {
            ofModel.add(new dev.vigil.scheduler.mig.Layout(config, Collections.nCopies(mig.instances(),
                    mig.profile())));
        }
    }

    /** The {@code i}-th node of a group goes on a fresh leaf every {@code perLeaf} nodes. */
    private static void place(List<List<String>> leaves, String node, int i, int perLeaf) {
        if (i % perLeaf == 0) {
            leaves.add(new ArrayList<>());
        }
        leaves.get(leaves.size() - 1).add(node);
    }

    private static List<NodeCapacity.Gpu> gpus(String node, int count, Layout layout, ClusterFile.Mig mig) {
        List<NodeCapacity.Gpu> gpus = new ArrayList<>(count);
        int half = (count + 1) / 2;
        for (int i = 0; i < count; i++) {
            List<NodeCapacity.MigSlice> slices = new ArrayList<>();
            if (mig != null && i < mig.gpus()) {
                for (int s = 0; s < mig.instances(); s++) {
                    slices.add(new NodeCapacity.MigSlice(s + 1, mig.profile()));
                }
            }
            int nvlink = layout == Layout.HGX ? 0 : i;
            gpus.add(new NodeCapacity.Gpu(i, "GPU-" + node + "-" + i, true, nvlink, i < half ? 0 : 1, slices));
        }
        return gpus;
    }

    /**
     * Whether a job that wants {@code models} may use GPUs named {@code model}: the scheduler's rule,
     * a wanted name matches when it is part of the product name, ignoring case; no wish matches all.
     */
    public static boolean allows(List<String> models, String model) {
        String name = model.toLowerCase(Locale.ROOT);
        return models.isEmpty() || models.stream().anyMatch(w -> name.contains(w.toLowerCase(Locale.ROOT)));
    }

    @Override
    public Optional<String> smallestCovering(int milli, List<String> models) {
        String best = null;
        for (Map.Entry<String, List<String>> offered : migProfiles.entrySet()) {
            if (!allows(models, offered.getKey())) {
                continue;
            }
            for (String profile : offered.getValue()) {
                int slices = ClusterFile.Mig.computeSlices(profile);
                boolean covers = (slices * 1000 + 6) / 7 >= milli;
                if (covers && (best == null || slices < ClusterFile.Mig.computeSlices(best))) {
                    best = profile;
                }
            }
        }
        return Optional.ofNullable(best);
    }

    public String name() {
        return name;
    }

    /** The MIG configs of each model that has MIG groups; other models keep their GPUs as they are. */
    public Map<String, List<dev.vigil.scheduler.mig.Layout>> migLayouts() {
        return migLayouts;
    }

    /** The config a GPU of {@code model} with these slices is in, or null when no config of the model matches. */
    public String migConfigOf(String model, List<NodeCapacity.MigSlice> slices) {
        List<String> profiles = slices.stream().map(NodeCapacity.MigSlice::profile).toList();
        return migLayouts.getOrDefault(model, List.of()).stream().filter(l -> l.slices().equals(profiles))
                .map(dev.vigil.scheduler.mig.Layout::config).findFirst().orElse(null);
    }

    public List<NodeCapacity> nodes() {
        return nodes;
    }

    public Fabric fabric() {
        return fabric;
    }

    public SchedulerPolicy policy() {
        return policy;
    }

    /** The index of the leaf a node hangs under. */
    public int leafOf(String node) {
        return leafOfNode.get(node);
    }

    public int leaves() {
        return leafNames.size();
    }

    public int spines() {
        return spines;
    }

    /** All GPUs, MIG-mode ones included. */
    public int gpus() {
        return gpus;
    }
}
