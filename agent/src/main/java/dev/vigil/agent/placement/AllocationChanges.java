package dev.vigil.agent.placement;

import dev.vigil.api.jobs.Allocation;

import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Remembers, per GPU, when an allocation last started or ended there, so the judge can leave a GPU's processes
 * alone while a job is still starting up or cleaning up. The first observation counts as a start: an agent that
 * just (re)started does not know how long its allocations have been running.
 */
public final class AllocationChanges {
    private Set<Held> held = Set.of();
    private final Map<Integer, Instant> changedAt = new HashMap<>();

    /** Records the node's allocations as seen at {@code now}; returns when each GPU last changed. */
    public synchronized Map<Integer, Instant> observe(Iterable<Allocation> allocations, Instant now) {
        Set<Held> current = new HashSet<>();
        for (Allocation allocation : allocations) {
            for (int gpu : allocation.gpus()) {
                current.add(new Held(allocation.job(), allocation.replica(), allocation.backendJob(), gpu,
                        allocation.migInstances()));
            }
        }
        for (Held h : current) {
            if (!held.contains(h)) {
                changedAt.put(h.gpu(), now);
            }
        }
        for (Held h : held) {
            if (!current.contains(h)) {
                changedAt.put(h.gpu(), now);
            }
        }
        held = current;
        return Map.copyOf(changedAt);
    }

    private record Held(String job, Integer replica, String backendJob, int gpu, List<Integer> slices) {
        Held {
            Objects.requireNonNull(job, "job");
        }
    }
}
