package dev.vigil.scheduler.topology;

import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.cluster.Hostlist;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The network above the nodes: which nodes hang under which leaf switch, which leaves under
 * which spine. Written in config like Slurm's topology.conf, with host lists. Without one, every
 * node is under one leaf. Nodes not listed are under a leaf of their own name, so no gang spans
 * them with others: a node the fabric does not know is not one to place a gang across.
 *
 * @param spines the spine switches, each with its leaves
 */
public record Fabric(List<Spine> spines) {
    /** The leaf every node is under when no fabric is configured. */
    public static final String DEFAULT_LEAF = "default";

    /** A spine switch and the leaves under it. */
    public record Spine(String name, List<Leaf> leaves) {
        public Spine {
            InvalidValueException.required(name, "name", "the spine switch's name");
            leaves = leaves == null ? List.of() : List.copyOf(leaves);
        }
    }

    /** A leaf switch and the nodes under it, as host lists. */
    public record Leaf(String name, List<String> nodes) {
        public Leaf {
            InvalidValueException.required(name, "name", "the leaf switch's name");
            nodes = nodes == null ? List.of() : List.copyOf(nodes);
        }
    }

    public Fabric {
        spines = spines == null ? List.of() : List.copyOf(spines);
        Map<String, String> leafOf = new HashMap<>();
        for (int s = 0; s < spines.size(); s++) {
            for (int l = 0; l < spines.get(s).leaves().size(); l++) {
                Leaf leaf = spines.get(s).leaves().get(l);
                for (int n = 0; n < leaf.nodes().size(); n++) {
                    String field = "spines[" + s + "].leaves[" + l + "].nodes[" + n + "]";
                    for (String node : Hostlist.expandNonEmpty(leaf.nodes().get(n), field)) {
                        String earlier = leafOf.put(node, leaf.name());
                        InvalidValueException.require(earlier == null, field, node,
                                "each node under one leaf (it is under " + earlier + " too)");
                    }
                }
            }
        }
    }

    public static Fabric none() {
        return new Fabric(List.of());
    }

    /** Node → (leaf, spine), for every node the fabric lists. */
    public Map<String, Position> positions() {
        Map<String, Position> positions = new HashMap<>();
        for (Spine spine : spines) {
            for (Leaf leaf : spine.leaves()) {
                for (String expression : leaf.nodes()) {
                    for (String node : Hostlist.expandNonEmpty(expression, "nodes")) {
                        positions.put(node, new Position(leaf.name(), spine.name()));
                    }
                }
            }
        }
        return positions;
    }

    /** Where a node hangs. */
    public record Position(String leaf, String spine) {
    }

    /** The leaf of a node the fabric does not list: its own, or the one default leaf without a fabric. */
    public Position positionOf(String node, Map<String, Position> known) {
        Position position = known.get(node);
        if (position != null) {
            return position;
        }
        return spines.isEmpty() ? new Position(DEFAULT_LEAF, DEFAULT_LEAF) : new Position("unlisted:" + node,
                "unlisted:" + node);
    }

    /** A uniform fabric, for simulations: {@code leaves} leaves of {@code nodesPerLeaf} nodes under one spine. */
    public static Fabric uniform(int leaves, int nodesPerLeaf, String nodePrefix) {
        List<Leaf> list = new ArrayList<>();
        int width = String.valueOf(leaves * nodesPerLeaf - 1).length();
        for (int l = 0; l < leaves; l++) {
            int from = l * nodesPerLeaf;
            int to = from + nodesPerLeaf - 1;
            list.add(new Leaf(String.format("leaf-%02d", l + 1), List.of(nodePrefix + "[" + pad(from, width) + "-"
                    + pad(to, width) + "]")));
        }
        return new Fabric(List.of(new Spine("spine-1", list)));
    }

    private static String pad(int value, int width) {
        return String.format("%0" + width + "d", value);
    }
}
