package dev.vigil.controller.rest;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

import java.util.Map;

/**
 * Where each node sits by this member's configuration: its pool ({@code scheduler.pools}) and its
 * leaf switch ({@code fabric}). They are configuration, not cluster state, so the stored node
 * summaries do not carry them; they are added to the node list's items as it is served.
 */
final class NodePlaces {
    private final Map<String, String> poolOf;
    private final Map<String, String> leafOf;

    NodePlaces(Map<String, String> poolOf, Map<String, String> leafOf) {
        this.poolOf = Map.copyOf(poolOf);
        this.leafOf = Map.copyOf(leafOf);
    }

    /** A stored summary's JSON (an object) with {@code pool} and {@code leaf} added where the node has one. */
    String addTo(String node, String summaryJson) {
        String pool = poolOf.get(node);
        String leaf = leafOf.get(node);
        if (pool == null && leaf == null) {
            return summaryJson;
        }
        StringBuilder json = new StringBuilder(summaryJson.substring(0, summaryJson.lastIndexOf('}')));
        field(json, "pool", pool);
        field(json, "leaf", leaf);
        return json.append('}').toString();
    }

    private static void field(StringBuilder json, String name, String value) {
        if (value != null) {
            json.append(",\"").append(name).append("\":\"");
            JsonStringEncoder.getInstance().quoteAsString(value, json);
            json.append('"');
        }
    }
}
