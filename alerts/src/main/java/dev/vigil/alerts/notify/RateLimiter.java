package dev.vigil.alerts.notify;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * A sliding one-minute window per key, as PagerDuty counts: at most N requests in any 60 s. A
 * request waits for a slot rather than being dropped. Kept in memory: a new leader starts with
 * empty windows, and PagerDuty's 429 (retried) covers the overlap.
 */
final class RateLimiter {
    private static final Duration WINDOW = Duration.ofMinutes(1);
    private final Map<String, ArrayDeque<Instant>> windows = new HashMap<>();

    /** Takes a slot and returns null, or returns when the next slot frees. */
    synchronized Instant admit(String key, int perMinute, Instant now) {
        ArrayDeque<Instant> window = windows.computeIfAbsent(key, k -> new ArrayDeque<>());
        Instant from = now.minus(WINDOW);
        while (!window.isEmpty() && !window.peekFirst().isAfter(from)) {
            window.pollFirst();
        }
        if (window.size() < perMinute) {
            window.addLast(now);
            return null;
        }
        return window.peekFirst().plus(WINDOW);
    }
}
