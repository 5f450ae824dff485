package dev.vigil.alerts.routing;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.vigil.alerts.suppression.Matcher;
import dev.vigil.api.binding.InvalidValueException;

import java.time.Duration;
import java.util.List;

/**
 * Alertmanager's routing tree, as {@code route:} writes it. Every alert enters the root; child
 * routes are tried in order and the first that matches takes it (and its children are tried in
 * turn) unless it says {@code continue: true}, in which case later siblings are tried as well;
 * when no child matches, the route itself takes it. A child inherits every key it does not set.
 *
 * @param receiver       where its alerts go
 * @param groupBy        labels that split alerts into groups; {@code ['...']} for every label
 * @param groupWait      how long a new group waits before its first notification, so alerts
 *                       that arrive together (and those that inhibit others) go out together
 * @param groupInterval  how long after a notification the group is looked at again for news
 * @param repeatInterval how long after a notification an unchanged firing group is told again
 * @param matchers       which alerts this route takes (none on the root)
 * @param continueMatching whether later siblings are tried after this one matched ({@code continue})
 * @param routes         child routes
 */
public record Route(String receiver, List<String> groupBy, Duration groupWait, Duration groupInterval,
                    Duration repeatInterval, List<Matcher> matchers,
                    @JsonProperty("continue") Boolean continueMatching, List<Route> routes) {
    public Route {
        groupBy = groupBy == null ? null : List.copyOf(groupBy);
        if (groupBy != null) {
            for (int i = 0; i < groupBy.size(); i++) {
                String label = groupBy.get(i);
                InvalidValueException.require(label != null && (label.equals("...")
                                || label.matches("[A-Za-z_][A-Za-z0-9_]*")), "groupBy[" + i + "]", label,
                        "a label name, or '...' alone for every label");
            }
            InvalidValueException.require(!groupBy.contains("...") || groupBy.size() == 1, "groupBy",
                    String.join(", ", groupBy), "'...' alone, or label names");
        }
        InvalidValueException.require(groupWait == null || groupWait.compareTo(Duration.ofHours(1)) <= 0,
                "groupWait", groupWait, "from 0s to 1h");
        InvalidValueException.require(groupInterval == null || groupInterval.compareTo(Duration.ofSeconds(1)) >= 0
                && groupInterval.compareTo(Duration.ofDays(1)) <= 0, "groupInterval", groupInterval, "from 1s to 1d");
        InvalidValueException.require(repeatInterval == null || repeatInterval.compareTo(Duration.ofMinutes(1)) >= 0
                && repeatInterval.compareTo(Duration.ofDays(30)) <= 0, "repeatInterval", repeatInterval,
                "from 1m to 30d");
        matchers = matchers == null ? List.of() : List.copyOf(matchers);
        continueMatching = continueMatching != null && continueMatching;
        routes = routes == null ? List.of() : List.copyOf(routes);
    }

    /** Alertmanager's defaults: one group, 30s wait, 5m interval, 4h repeat. */
    public static Route defaults(String receiver) {
        return new Route(receiver, List.of(), Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofHours(4),
                List.of(), false, List.of());
    }
}
