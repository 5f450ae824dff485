package dev.vigil.scheduler.placement;

import dev.vigil.scheduler.topology.ClusterState.Node;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Filter plugins run in order: a node passes when none rejects it, and the first that does says why. */
public final class Filters implements NodeFilter {
    /** No rule: every node passes (the searches then count nodes from the cluster's index instead). */
    public static final Filters NONE = new Filters();

    private final NodeFilter[] plugins;

    public Filters(NodeFilter... plugins) {
        this.plugins = plugins;
    }

    /** These filters, then {@code more}. */
    public Filters and(NodeFilter more) {
        NodeFilter[] all = Arrays.copyOf(plugins, plugins.length + 1);
        all[plugins.length] = more;
        return new Filters(all);
    }

    @Override
    public boolean rejects(Node node) {
        for (NodeFilter plugin : plugins) {
            if (plugin.rejects(node)) {
                return true;
            }
        }
        return false;
    }

    /** The first filter that rejects {@code node}, or null when it passes. */
    public NodeFilter rejectedBy(Node node) {
        for (NodeFilter plugin : plugins) {
            if (plugin.rejects(node)) {
                return plugin;
            }
        }
        return null;
    }

    @Override
    public String why(Node node) {
        NodeFilter by = rejectedBy(node);
        return by == null ? null : by.why(node);
    }

    @Override
    public String describe() {
        StringBuilder all = new StringBuilder();
        for (NodeFilter plugin : plugins) {
            all.append(plugin.describe());
        }
        return all.toString();
    }

    /** Each filter's summary of the nodes it rejected first, in filter order. */
    @Override
    public String summary(List<Node> rejected, String model) {
        Map<NodeFilter, List<Node>> by = new LinkedHashMap<>();
        for (NodeFilter plugin : plugins) {
            by.put(plugin, new ArrayList<>());
        }
        for (Node node : rejected) {
            NodeFilter first = rejectedBy(node);
            if (first != null) {
                by.get(first).add(node);
            }
        }
        StringBuilder all = new StringBuilder();
        by.forEach((plugin, nodes) -> all.append(nodes.isEmpty() ? "" : plugin.summary(nodes, model)));
        return all.toString();
    }
}
