package dev.vigil.sim;

import java.util.Arrays;

/**
 * What one scheduler did with a workload. Times are in virtual seconds, except
 * {@code schedulingSeconds} and {@code wallSeconds} (and so {@code decisionsPerSecond}), which are
 * the wall time this machine spent, and {@code schedulingCpuSeconds}, the CPU time (which a loaded machine does not
 * inflate: before and after compare on it).
 *
 * @param scheduler               which scheduler
 * @param jobs                    jobs replayed
 * @param completed               jobs that ran to their end
 * @param killed                  jobs killed at their runtime limit (they ran longer than it)
 * @param unfinished              jobs never finished: still queued when nothing else could happen (a quota too small)
 * @param makespanSeconds         from the first arrival to the last finish
 * @param jctSeconds              job completion time, finish − submit, of finished jobs
 * @param queueingSeconds         queueing delay, first start − submit, of started jobs
 * @param gpuAllocationPercent    GPUs held by jobs, averaged over the makespan, of all GPUs (a MIG slice counts its
 *                                compute share)
 * @param multiNodeJobs           gangs of more than one node that started
 * @param onFewestLeaves          of those, how many first started on the fewest leaf switches they could take
 * @param oneLeafGangs            of the gangs that started, those that fit under one leaf switch of the idle cluster
 * @param onOneLeaf               of those, how many first started under one leaf switch
 * @param preemptions             jobs stopped to make room for others (each restarts from its beginning)
 * @param placements              start decisions (a gang, or a batch of a service's replicas, is one)
 * @param cycles                  scheduling cycles run
 * @param schedulingSeconds       wall time spent deciding
 * @param schedulingCpuSeconds    CPU time the deciding thread spent deciding
 * @param decisionsPerSecond      placements per second of deciding
 * @param wallSeconds             wall time of the whole replay
 * @param mig                     static (the cluster file's MIG layouts) or auto (layouts that follow demand)
 * @param migChanges              GPU layout changes begun (auto only)
 */
public record Report(String scheduler, int jobs, int completed, int killed, int unfinished, double makespanSeconds,
                     Summary jctSeconds, Summary queueingSeconds, double gpuAllocationPercent, int multiNodeJobs,
                     int onFewestLeaves, int oneLeafGangs, int onOneLeaf, int preemptions, int placements,
                     int cycles, double schedulingSeconds, double schedulingCpuSeconds, double decisionsPerSecond, double wallSeconds, String mig,
                     int migChanges) {

    /** Placements per second of CPU time spent deciding; 0 when none was measured. */
    public double decisionsPerCpuSecond() {
        return schedulingCpuSeconds == 0 ? 0 : placements / schedulingCpuSeconds;
    }

    /** Share of multi-node gangs placed on the fewest leaves, in percent; null when there were none. */
    public Double onFewestLeavesPercent() {
        return multiNodeJobs == 0 ? null : 100.0 * onFewestLeaves / multiNodeJobs;
    }

    /** Share of the gangs that fit under one leaf switch placed under one, in percent; null when there were none. */
    public Double onOneLeafPercent() {
        return oneLeafGangs == 0 ? null : 100.0 * onOneLeaf / oneLeafGangs;
    }

    /**
     * Share of the gangs that need more than one leaf switch placed on the fewest they could take, in
     * percent; null when there were none.
     */
    public Double wideOnFewestLeavesPercent() {
        int wide = multiNodeJobs - oneLeafGangs;
        return wide == 0 ? null : 100.0 * (onFewestLeaves - onOneLeaf) / wide;
    }

    /**
     * The mean and percentiles of some values (nearest rank: p95 is the smallest value at least 95 %
     * of the values do not exceed); all 0 for no values.
     */
    public record Summary(int count, double average, double p50, double p95, double p99) {
        public static Summary of(double[] values) {
            if (values.length == 0) {
                return new Summary(0, 0, 0, 0, 0);
            }
            double[] sorted = values.clone();
            Arrays.sort(sorted);
            double sum = 0;
            for (double value : sorted) {
                sum += value;
            }
            return new Summary(sorted.length, sum / sorted.length, rank(sorted, 50), rank(sorted, 95),
                    rank(sorted, 99));
        }

        private static double rank(double[] sorted, int percentile) {
            int rank = (int) Math.ceil(percentile / 100.0 * sorted.length);
            return sorted[Math.max(0, rank - 1)];
        }
    }
}
