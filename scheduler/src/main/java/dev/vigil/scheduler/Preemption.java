package dev.vigil.scheduler;

import dev.vigil.scheduler.placement.Placer.Choice;

import java.time.Instant;
import java.util.Map;

/**
 * The preempt stage: for a job that fits no free GPUs, which running jobs to stop so that it starts. A plugin
 * only plans (and leaves the cluster state as it found it); the scheduler stops the victims and starts the job.
 */
interface Preemption {
    /** Whether it could make room for {@code job} at all: cheap, asked before a full cluster's cycle stops early. */
    boolean mayHelp(Job job);

    /** The evictions that let {@code job} start, or null when none would. */
    Eviction plan(Job job, int[] models, boolean avoidReserved, Instant now);

    /** Jobs to stop, in order, each with the reason it is told; then {@code job} takes {@code choice} of {@code model}. */
    record Eviction(Map<Job, String> victims, int model, Choice choice) {
    }
}
