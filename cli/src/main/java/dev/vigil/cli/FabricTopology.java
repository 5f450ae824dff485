package dev.vigil.cli;

import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.cluster.Hostlist;
import dev.vigil.scheduler.topology.Fabric;
import dev.vigil.slurm.conf.TopologyConf;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Vigil's fabric (spines over leaves over nodes) as Slurm's topology.conf, and a topology.conf
 * back as a fabric. A leaf that no spine lists is an island in Slurm (no job spans it and
 * anything else); in the fabric it is a spine of its own name holding just that leaf, which
 * Vigil reads the same way, and which is written back as the lone leaf.
 */
final class FabricTopology {
    private FabricTopology() {
    }

    /** Leaves first, then the spines over them. */
    static TopologyConf toConf(Fabric fabric) {
        List<TopologyConf.Switch> leaves = new ArrayList<>();
        List<TopologyConf.Switch> spines = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int s = 0; s < fabric.spines().size(); s++) {
            Fabric.Spine spine = fabric.spines().get(s);
            InvalidValueException.require(!spine.leaves().isEmpty(), "spines[" + s + "].leaves", spine.name(),
                    "a spine with one or more leaves");
            for (int l = 0; l < spine.leaves().size(); l++) {
                Fabric.Leaf leaf = spine.leaves().get(l);
                InvalidValueException.require(!leaf.nodes().isEmpty(), "spines[" + s + "].leaves[" + l + "].nodes",
                        leaf.name(), "a leaf with one or more nodes");
                InvalidValueException.require(names.add(leaf.name()), "spines[" + s + "].leaves[" + l + "].name",
                        leaf.name(), "a switch name used once in the fabric");
                leaves.add(new TopologyConf.Switch(leaf.name(), String.join(",", leaf.nodes()), null, null, 0));
            }
            boolean island = spine.leaves().size() == 1 && spine.leaves().get(0).name().equals(spine.name());
            if (!island) {
                InvalidValueException.require(names.add(spine.name()), "spines[" + s + "].name", spine.name(),
                        "a switch name used once in the fabric");
                spines.add(new TopologyConf.Switch(spine.name(), null,
                        String.join(",", spine.leaves().stream().map(Fabric.Leaf::name).toList()), null, 0));
            }
        }
        InvalidValueException.require(!leaves.isEmpty(), "spines", "[]", "at least one spine with leaves");
        leaves.addAll(spines);
        return new TopologyConf(leaves);
    }

    /**
     * The fabric of a two-level topology.conf; deeper trees are refused naming the line, since
     * Vigil's fabric has spines and leaves only.
     */
    static Fabric toFabric(TopologyConf conf, String source) {
        Map<String, TopologyConf.Switch> byName = new LinkedHashMap<>();
        conf.switches().forEach(s -> byName.put(s.name(), s));
        Map<String, TopologyConf.Switch> parentOf = new HashMap<>();
        for (TopologyConf.Switch s : conf.switches()) {
            String where = source + " line " + s.line();
            InvalidValueException.require(s.nodes() == null || s.children() == null, where, s.name(),
                    "a switch with Nodes= or Switches=, not both (Vigil's fabric has nodes only under leaves)");
            for (String child : Hostlist.expand(s.children(), where + " Switches")) {
                TopologyConf.Switch leaf = byName.get(child);
                InvalidValueException.require(leaf.leaf(), where, child,
                        "leaf switches (with Nodes=) under a spine: Vigil's fabric has two levels, spine and leaf");
                TopologyConf.Switch other = parentOf.putIfAbsent(child, s);
                InvalidValueException.require(other == null, where, child, "each leaf under one spine (it is under "
                        + (other == null ? "" : other.name() + " on line " + other.line()) + " too)");
            }
        }
        List<Fabric.Spine> spines = new ArrayList<>();
        for (TopologyConf.Switch s : conf.switches()) {
            if (s.children() != null) {
                List<Fabric.Leaf> leaves = Hostlist.expand(s.children(), "Switches").stream()
                        .map(name -> new Fabric.Leaf(name, List.of(byName.get(name).nodes()))).toList();
                spines.add(new Fabric.Spine(s.name(), leaves));
            } else if (!parentOf.containsKey(s.name())) {
                spines.add(new Fabric.Spine(s.name(), List.of(new Fabric.Leaf(s.name(), List.of(s.nodes())))));
            }
        }
        InvalidValueException.require(!spines.isEmpty(), source, "", "a topology.conf with switches");
        return new Fabric(spines);
    }
}
