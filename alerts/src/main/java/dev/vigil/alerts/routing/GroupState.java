package dev.vigil.alerts.routing;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An aggregation group as stored: enough for a new leader to go on where the old one stopped.
 *
 * @param key            the group key: route path and group labels
 * @param route          the route's id
 * @param receiver       the receiver its notifications go to
 * @param labels         the group labels
 * @param createdAt      when its first alert arrived
 * @param lastNotifiedAt when a notification last went out, or null before the first
 * @param seq            how many notifications it sent (names the next one, so a re-planned one has the same id)
 * @param open           the alerts the receiver was told are firing and not yet told resolved, by
 *                       fingerprint, with the start of the cycle it was told about
 */
public record GroupState(String key, String route, String receiver, SortedMap<String, String> labels,
                         Instant createdAt, Instant lastNotifiedAt, long seq, Map<String, Instant> open) {
    public GroupState {
        labels = Collections.unmodifiableSortedMap(new TreeMap<>(labels));
        open = open == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(open));
    }
}
