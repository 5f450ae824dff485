package dev.vigil.controller.capacity;

import dev.vigil.api.jobs.JobRecord;
import dev.vigil.api.jobs.JobSpec;
import dev.vigil.api.jobs.JobTransition;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * When a job held GPUs and how many: what its GPU-hours are made of. The spans come from its
 * history (every move into PLACED or RUNNING opens one, every move out closes it), so a requeued
 * job counts each of its runs; a span still open ends when it finished, else now.
 */
final class HeldTime {
    /** A MIG GPU has 7 compute slices: a {@code 3g.40gb} slice is 3/7 of a GPU. */
    static final int MIG_SLICES_PER_GPU = 7;

    private HeldTime() {
    }

    /** One stretch of time a job held its GPUs, {@code [start, end)}. */
    record Span(Instant start, Instant end) {
        /** Hours of this span within {@code [from, to)}. */
        double hoursWithin(Instant from, Instant to) {
            Instant a = start.isAfter(from) ? start : from;
            Instant b = end.isBefore(to) ? end : to;
            return a.isBefore(b) ? hours(Duration.between(a, b)) : 0;
        }
    }

    /** The spans in which {@code job} held GPUs, oldest first. */
    static List<Span> spans(JobRecord job, Instant now) {
        Instant last = job.finished() != null ? job.finished() : now;
        List<Span> spans = new ArrayList<>();
        if (job.history().isEmpty()) {
            // A record without its transitions: its last start is all there is to go on.
            if (job.started() != null) {
                spans.add(new Span(job.started(), last));
            }
            return spans;
        }
        Instant open = null;
        for (JobTransition transition : job.history()) {
            if (transition.to().holdsGpus()) {
                open = open == null ? transition.time() : open;
            } else if (open != null) {
                spans.add(new Span(open, transition.time()));
                open = null;
            }
        }
        if (open != null) {
            spans.add(new Span(open, last));
        }
        return spans;
    }

    /** Hours {@code job} held GPUs within {@code [from, to)}. */
    static double hoursWithin(JobRecord job, Instant from, Instant to, Instant now) {
        double hours = 0;
        for (Span span : spans(job, now)) {
            hours += span.hoursWithin(from, to);
        }
        return hours;
    }

    /** GPUs the job holds when it runs: whole GPUs, or each replica's MIG slice as its share of a GPU. */
    static double gpus(JobSpec spec) {
        return spec.migProfile() == null ? spec.totalGpus() : spec.replicas() * sliceShare(spec.migProfile());
    }

    /** The share of a GPU one slice of {@code profile} ({@code 3g.40gb}) takes: its compute slices over 7. */
    static double sliceShare(String profile) {
        return Integer.parseInt(profile.substring(0, profile.indexOf('g'))) / (double) MIG_SLICES_PER_GPU;
    }

    static double hours(Duration duration) {
        return duration.toMillis() / 3_600_000.0;
    }
}
