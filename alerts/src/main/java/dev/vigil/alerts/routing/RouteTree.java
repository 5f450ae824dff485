package dev.vigil.alerts.routing;

import dev.vigil.alerts.suppression.Matcher;
import dev.vigil.api.binding.InvalidValueException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/** The routing tree with inherited settings filled in, and the matching that picks an alert's routes. */
public final class RouteTree {
    private final Node root;

    /**
     * @param route     the configured root
     * @param receivers the receivers that exist, to refuse a route naming another
     */
    public RouteTree(Route route, Set<String> receivers) {
        InvalidValueException.required(route.receiver(), "route.receiver", "a receiver's name: " + receivers);
        InvalidValueException.require(route.matchers().isEmpty(), "route.matchers", route.matchers().toString(),
                "no matchers on the root route (every alert enters it)");
        Route defaults = Route.defaults(route.receiver());
        this.root = resolve(route, defaults, "{}", "route", receivers);
    }

    /**
     * A route with every setting known.
     *
     * @param id the route's path, unique in the tree: part of its groups' keys
     */
    public record Node(String id, String receiver, List<String> groupBy, Duration groupWait, Duration groupInterval,
                       Duration repeatInterval, List<Matcher> matchers, boolean continueMatching, List<Node> children) {

        boolean matches(Map<String, String> labels) {
            for (Matcher matcher : matchers) {
                if (!matcher.matches(labels)) {
                    return false;
                }
            }
            return true;
        }

        /** The labels that name this alert's group on this route. */
        public SortedMap<String, String> groupLabels(Map<String, String> labels) {
            if (groupBy.equals(List.of("..."))) {
                return new TreeMap<>(labels);
            }
            SortedMap<String, String> group = new TreeMap<>();
            for (String name : groupBy) {
                String value = labels.get(name);
                if (value != null) {
                    group.put(name, value);
                }
            }
            return group;
        }

        /** Alertmanager's group key form: the route's path, then the group's labels. */
        public String groupKey(SortedMap<String, String> groupLabels) {
            StringBuilder key = new StringBuilder(id).append(":{");
            boolean first = true;
            for (var label : groupLabels.entrySet()) {
                key.append(first ? "" : ", ").append(label.getKey()).append("=\"").append(label.getValue()).append('"');
                first = false;
            }
            return key.append('}').toString();
        }
    }

    public Node root() {
        return root;
    }

    /** The routes that take an alert with these labels (at least the root). */
    public List<Node> match(Map<String, String> labels) {
        List<Node> matched = match(root, labels);
        return matched.isEmpty() ? List.of(root) : matched;
    }

    /** Every route, for finding a group's route by id. */
    public Node byId(String id) {
        return find(root, id);
    }

    private static Node find(Node node, String id) {
        if (node.id().equals(id)) {
            return node;
        }
        for (Node child : node.children()) {
            Node found = find(child, id);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    private static List<Node> match(Node node, Map<String, String> labels) {
        if (!node.matches(labels)) {
            return List.of();
        }
        List<Node> matched = new ArrayList<>();
        for (Node child : node.children()) {
            List<Node> below = match(child, labels);
            matched.addAll(below);
            if (!below.isEmpty() && !child.continueMatching()) {
                break;
            }
        }
        return matched.isEmpty() ? List.of(node) : matched;
    }

    private static Node resolve(Route route, Route parent, String id, String path, Set<String> receivers) {
        String receiver = route.receiver() != null ? route.receiver() : parent.receiver();
        InvalidValueException.require(receivers.contains(receiver), path + ".receiver", receiver,
                "a receiver's name: " + String.join(", ", receivers));
        Route resolved = new Route(receiver, route.groupBy() != null ? route.groupBy() : parent.groupBy(),
                route.groupWait() != null ? route.groupWait() : parent.groupWait(),
                route.groupInterval() != null ? route.groupInterval() : parent.groupInterval(),
                route.repeatInterval() != null ? route.repeatInterval() : parent.repeatInterval(),
                route.matchers(), route.continueMatching(), List.of());
        List<Node> children = new ArrayList<>();
        for (int i = 0; i < route.routes().size(); i++) {
            Route child = route.routes().get(i);
            String childId = id + "/" + i + (child.matchers().isEmpty() ? "" : child.matchers().toString()
                    .replace('[', '{').replace(']', '}'));
            children.add(resolve(child, resolved, childId, path + ".routes[" + i + "]", receivers));
        }
        return new Node(id, receiver, resolved.groupBy(), resolved.groupWait(), resolved.groupInterval(),
                resolved.repeatInterval(), route.matchers(), route.continueMatching(), List.copyOf(children));
    }
}
