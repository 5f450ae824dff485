package dev.vigil.agent.sampling;

import dev.vigil.api.gpu.GpuEvent;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.TreeMap;

/**
 * XIDs counted over a sliding window, per GPU and XID: dcgm-exporter's
 * {@code DCGM_EXP_XID_ERRORS_COUNT}. Unlike the sticky last-XID gauge, it goes back to nothing
 * once the window has passed. Used by the sampling loop only.
 */
final class XidWindow {
    private record Seen(Instant time, GpuXid key) {
    }

    private final Duration window;
    private final ArrayDeque<Seen> seen = new ArrayDeque<>();

    XidWindow(Duration window) {
        this.window = window;
    }

    void record(GpuEvent event) {
        if (event.kind() == GpuEvent.Kind.XID && event.xid() != null) {
            seen.addLast(new Seen(event.time(), new GpuXid(event.gpu(), event.xid())));
        }
    }

    /** Counts of the XIDs seen in the window ending at {@code now}. */
    Map<GpuXid, Integer> counts(Instant now) {
        Instant from = now.minus(window);
        while (!seen.isEmpty() && seen.peekFirst().time().isBefore(from)) {
            seen.pollFirst();
        }
        Map<GpuXid, Integer> counts = new TreeMap<>();
        for (Seen s : seen) {
            counts.merge(s.key(), 1, Integer::sum);
        }
        return counts;
    }

    Duration window() {
        return window;
    }
}
