package dev.vigil.scheduler;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Jobs that need GPUs, in the order they get them: higher priority first; within a priority,
 * the tenant with the better fair-share factor; within a tenant, first submitted first. Kept as
 * one FIFO per tenant and priority, merged when read, so the order costs O(log tenants) a job.
 */
final class Queue {
    private static final Comparator<Job> FIFO = (a, b) -> {
        int bySubmit = a.submitted.compareTo(b.submitted);
        return bySubmit != 0 ? bySubmit : Long.compare(a.seq, b.seq);
    };

    private final TreeMap<Integer, Map<String, TreeSet<Job>>> levels = new TreeMap<>(Comparator.reverseOrder());
    private int size;

    void add(Job job) {
        if (levels.computeIfAbsent(job.priority, p -> new HashMap<>())
                .computeIfAbsent(job.tenant.name(), t -> new TreeSet<>(FIFO)).add(job)) {
            size++;
        }
    }

    void remove(Job job) {
        Map<String, TreeSet<Job>> level = levels.get(job.priority);
        TreeSet<Job> fifo = level == null ? null : level.get(job.tenant.name());
        if (fifo != null && fifo.remove(job)) {
            size--;
            if (fifo.isEmpty()) {
                level.remove(job.tenant.name());
                if (level.isEmpty()) {
                    levels.remove(job.priority);
                }
            }
        }
    }

    boolean contains(Job job) {
        Map<String, TreeSet<Job>> level = levels.get(job.priority);
        TreeSet<Job> fifo = level == null ? null : level.get(job.tenant.name());
        return fifo != null && fifo.contains(job);
    }

    int size() {
        return size;
    }

    /** The jobs in order, given each tenant's fair-share factor. Do not change the queue while reading. */
    Iterator<Job> ordered(Map<String, Double> factors) {
        Iterator<Map<String, TreeSet<Job>>> levelIterator = levels.values().iterator();
        return new Iterator<>() {
            private PriorityQueue<Cursor> cursors = new PriorityQueue<>();

            @Override
            public boolean hasNext() {
                while (cursors.isEmpty() && levelIterator.hasNext()) {
                    for (Map.Entry<String, TreeSet<Job>> tenant : levelIterator.next().entrySet()) {
                        Iterator<Job> jobs = tenant.getValue().iterator();
                        cursors.add(new Cursor(factors.getOrDefault(tenant.getKey(), 1.0), jobs, jobs.next()));
                    }
                }
                return !cursors.isEmpty();
            }

            @Override
            public Job next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Cursor top = cursors.poll();
                Job job = top.head;
                if (top.rest.hasNext()) {
                    top.head = top.rest.next();
                    cursors.add(top);
                }
                return job;
            }
        };
    }

    /** The jobs in order, as a list (for {@code vigil why}'s queue position). */
    List<Job> snapshot(Map<String, Double> factors) {
        List<Job> jobs = new ArrayList<>(size);
        ordered(factors).forEachRemaining(jobs::add);
        return jobs;
    }

    /** One tenant's FIFO while merging: its next job, and the rest. */
    private static final class Cursor implements Comparable<Cursor> {
        private final double factor;
        private final Iterator<Job> rest;
        private Job head;

        Cursor(double factor, Iterator<Job> rest, Job head) {
            this.factor = factor;
            this.rest = rest;
            this.head = head;
        }

        @Override
        public int compareTo(Cursor other) {
            int byFactor = Double.compare(other.factor, factor);
            return byFactor != 0 ? byFactor : FIFO.compare(head, other.head);
        }
    }
}
