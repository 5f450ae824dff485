package dev.vigil.scheduler;

import java.util.TreeMap;

/**
 * Running preemptible jobs counted by priority, whole-GPU jobs apart from MIG slice jobs (each can only make room
 * for its own kind): whether any could be evicted for a job is asked of every job of a full cluster's cycle.
 */
final class Preemptible {
    private final TreeMap<Integer, Integer> whole = new TreeMap<>();
    private final TreeMap<Integer, Integer> slices = new TreeMap<>();

    /** {@code job} holds GPUs now. */
    void add(Job job) {
        if (job.spec.preemptible()) {
            of(job).merge(job.priority, 1, Integer::sum);
        }
    }

    /** {@code job} holds none any more. */
    void remove(Job job) {
        if (job.spec.preemptible()) {
            of(job).merge(job.priority, -1, (a, b) -> a + b == 0 ? null : a + b);
        }
    }

    /** Whether a preemptible job of lower priority than {@code preemptor} runs on what it would run on. */
    boolean anyBelow(Job preemptor) {
        TreeMap<Integer, Integer> kind = of(preemptor);
        return !kind.isEmpty() && kind.firstKey() < preemptor.priority;
    }

    private TreeMap<Integer, Integer> of(Job job) {
        return job.wholeGpus() ? whole : slices;
    }
}
