package dev.vigil.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Routes by method and path pattern. A pattern is a literal path whose segments may be
 * parameters in braces: {@code /v1/nodes/{node}/cordon}.
 */
public final class Router {
    /** One route: its method, pattern and handler. */
    public record Route(String method, String pattern, Handler handler) {
        String[] segments() {
            return split(pattern);
        }
    }

    /** The result of matching a request: a handler with its parameters, or why none matched. */
    sealed interface Match {
        record Found(Route route, Map<String, String> params) implements Match {
        }

        record WrongMethod(Set<String> allowed) implements Match {
        }

        record NotFound() implements Match {
        }
    }

    private final List<Route> routes = new ArrayList<>();

    public Router get(String pattern, Handler handler) {
        return add("GET", pattern, handler);
    }

    public Router post(String pattern, Handler handler) {
        return add("POST", pattern, handler);
    }

    public Router put(String pattern, Handler handler) {
        return add("PUT", pattern, handler);
    }

    public Router delete(String pattern, Handler handler) {
        return add("DELETE", pattern, handler);
    }

    public Router add(String method, String pattern, Handler handler) {
        for (Route route : routes) {
            if (route.method().equals(method) && route.pattern().equals(pattern)) {
                throw new IllegalArgumentException("route " + method + " " + pattern + " is defined twice");
            }
        }
        routes.add(new Route(method, pattern, handler));
        return this;
    }

    /** Every route, in the order added (the OpenAPI test compares these with the document). */
    public List<Route> routes() {
        return List.copyOf(routes);
    }

    /** The route for {@code method} and a path's decoded {@code segments}. */
    Match match(String method, List<String> segments) {
        String[] requested = segments.toArray(String[]::new);
        Set<String> allowed = new LinkedHashSet<>();
        for (Route route : routes) {
            Map<String, String> params = bind(route.segments(), requested);
            if (params == null) {
                continue;
            }
            if (route.method().equals(method)) {
                return new Match.Found(route, params);
            }
            allowed.add(route.method());
        }
        return allowed.isEmpty() ? new Match.NotFound() : new Match.WrongMethod(allowed);
    }

    /** The parameters of {@code pattern} bound to a path's decoded segments, or null when it does not match. */
    private static Map<String, String> bind(String[] pattern, String[] path) {
        if (pattern.length != path.length) {
            return null;
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < pattern.length; i++) {
            String segment = pattern[i];
            if (segment.startsWith("{") && segment.endsWith("}")) {
                if (path[i].isEmpty()) {
                    return null;
                }
                params.put(segment.substring(1, segment.length() - 1), path[i]);
            } else if (!segment.equals(path[i])) {
                return null;
            }
        }
        return params;
    }

    private static String[] split(String path) {
        String trimmed = path.startsWith("/") ? path.substring(1) : path;
        if (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed.isEmpty() ? new String[0] : trimmed.split("/", -1);
    }
}
