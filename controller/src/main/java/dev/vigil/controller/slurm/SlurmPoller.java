package dev.vigil.controller.slurm;

import dev.vigil.slurm.JobState;
import dev.vigil.slurm.SlurmException;
import dev.vigil.slurm.SlurmJob;
import dev.vigil.slurm.SlurmNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Lists Slurm's jobs and nodes on a thread of its own, when asked and at most one listing at a
 * time, and keeps the latest. Jobs are asked for only if any changed since the last look
 * (slurmrestd answers 304 otherwise), so a quiet cluster costs a node list per poll. A busy one
 * answers with every job slurmctld keeps (MinJobAge), in a time that grows with them, while
 * slurmctld holds its job lock: a listing starts no sooner than {@link #SPACING} times the last
 * one took after that one began, so listings never take more than a quarter of slurmrestd's time.
 *
 * <p>A job said to have ended (its node's epilog told the controller) is looked up alone at
 * once, on a few threads of their own (the ends of a whole round of jobs come together), and again
 * after 10, 20, 40 ms ... while Slurm still has it running, until the next regular listing is due
 * anyway: a lost or early hint costs nothing but the normal poll. What a lookup finds replaces that
 * job in the latest view, whose {@code asked} stays that of its listing, and in the next listing's
 * too when the lookup is the newer.
 */
final class SlurmPoller implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SlurmPoller.class);

    /**
     * What Slurm said.
     *
     * @param jobs  every job slurmctld knows (running, pending, and finished within MinJobAge), anyone's
     * @param nodes every node
     * @param asked when the listing began: it holds everything that happened in Slurm before then
     */
    record View(List<SlurmJob> jobs, List<SlurmNode> nodes, Instant asked) {
    }

    private final SlurmConnection slurm;
    private final Clock clock;
    /** The first wait before a hinted job is looked up again; each next one doubles. */
    static final Duration FIRST_RELOOK = Duration.ofMillis(10);

    /** A listing begins at least this many times the last listing's duration after the last began. */
    static final int SPACING = 4;

    /** Lookups of hinted jobs at once: each is one request to slurmrestd, which serves several together. */
    private static final int LOOKUP_THREADS = 4;

    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "vigil-slurm-poller");
        t.setDaemon(true);
        return t;
    });
    private final ScheduledExecutorService lookups = Executors.newScheduledThreadPool(LOOKUP_THREADS, r -> {
        Thread t = new Thread(r, "vigil-slurm-lookup");
        t.setDaemon(true);
        return t;
    });
    /** Guards {@link #latest} and {@link #looked}: listings and lookups replace the view from their threads. */
    private final Object views = new Object();
    /** What lookups found since the latest listing was asked for, by job id: laid over the next listing. */
    private final Map<Long, Looked> looked = new HashMap<>();
    private final AtomicBoolean inFlight = new AtomicBoolean();
    /** Lookups of hinted jobs scheduled or under way. */
    private final AtomicInteger looking = new AtomicInteger();
    /** Told when a new view is there, so the scheduler loop takes it at once. */
    private volatile Runnable onView = () -> { };
    private volatile View latest;
    private volatile Instant lastAsked = Instant.EPOCH;
    /** How long the last listing took, from its start to its view. */
    private volatile Duration lastTook = Duration.ZERO;
    /** Whether the listings are spaced wider than the poll interval: said in the log when it changes. */
    private boolean spaced;
    /** The poll interval the scheduler loop last asked for: hinted lookups stop when it is spent. */
    private volatile Duration interval = Duration.ofSeconds(1);
    private String lastError;

    /** A job as a lookup found it, and when the lookup began. */
    private record Looked(SlurmJob job, Instant at) {
    }

    SlurmPoller(SlurmConnection slurm, Clock clock) {
        this.slurm = slurm;
        this.clock = clock;
    }

    /** The latest view, or null before the first listing succeeded. */
    View latest() {
        return latest;
    }

    /**
     * Starts a listing unless one runs or the last began less than {@code interval} ago, or less
     * than {@link #SPACING} times as long as it took.
     */
    void refresh(Duration interval) {
        this.interval = interval;
        Duration spacing = lastTook.multipliedBy(SPACING);
        if (Duration.between(lastAsked, clock.instant()).compareTo(spacing.compareTo(interval) > 0 ? spacing : interval) < 0
                || !inFlight.compareAndSet(false, true)) {
            return;
        }
        lastAsked = clock.instant();
        try {
            thread.execute(this::list);
        } catch (RejectedExecutionException e) {
            inFlight.set(false);
        }
    }

    private void list() {
        try {
            Instant asked = clock.instant();
            View previous = latest;
            List<SlurmJob> jobs;
            if (previous == null) {
                jobs = slurm.get().jobs();
            } else {
                Optional<List<SlurmJob>> changed = slurm.get().jobsChangedSince(previous.asked());
                jobs = changed.orElse(previous.jobs());
            }
            List<SlurmNode> nodes = List.copyOf(slurm.get().nodes());
            took(Duration.between(asked, clock.instant()));
            synchronized (views) {
                looked.values().removeIf(lookup -> !lookup.at().isAfter(asked));
                for (Looked lookup : looked.values()) {
                    jobs = replaced(jobs, lookup.job());
                }
                latest = new View(List.copyOf(jobs), nodes, asked);
            }
            onView.run();
            if (lastError != null) {
                LOG.atInfo().addKeyValue("jobs", jobs.size()).log("slurm_poll_recovered");
                lastError = null;
            }
        } catch (SlurmException | RuntimeException e) {
            String error = String.valueOf(e.getMessage());
            if (!error.equals(lastError)) {
                LOG.atWarn().addKeyValue("error", error).log("slurm_poll_failed");
                lastError = error;
            }
        } finally {
            inFlight.set(false);
        }
    }

    /**
     * Keeps a listing's duration for the next one's spacing, and logs when the spacing passes the interval, and
     * when it is back under half of it (not at every listing near the line).
     */
    private void took(Duration took) {
        lastTook = took;
        boolean wider = took.multipliedBy(spaced ? 2L * SPACING : SPACING).compareTo(interval) > 0;
        if (wider != spaced) {
            spaced = wider;
            LOG.atInfo().addKeyValue("listing_ms", took.toMillis()).addKeyValue("poll_ms", interval.toMillis())
                    .addKeyValue("every_ms", wider ? took.multipliedBy(SPACING).toMillis() : interval.toMillis())
                    .log(wider ? "slurm_listings_spaced" : "slurm_listings_at_poll");
        }
    }

    /**
     * Looks up one job at once, and again while Slurm has it running or pending, each wait twice the last,
     * until the waits add up to the poll interval. Nothing happens before the first listing.
     */
    void lookAt(long job) {
        schedule(job, Duration.ZERO, Duration.ZERO);
    }

    private void schedule(long job, Duration delay, Duration waited) {
        looking.incrementAndGet();
        try {
            lookups.schedule(() -> look(job, delay, waited), delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            looking.decrementAndGet();   // closed: the hint is dropped
        }
    }

    /** How many lookups of hinted jobs are scheduled or under way. */
    int looking() {
        return looking.get();
    }

    private void look(long job, Duration delay, Duration waited) {
        try {
            if (latest == null) {
                return;
            }
            Instant at = clock.instant();
            Optional<SlurmJob> found = slurm.get().job(job);
            if (found.isEmpty()) {
                return;
            }
            synchronized (views) {
                View current = latest;
                if (current == null) {
                    return;   // forgotten meanwhile: this member stopped leading
                }
                looked.put(job, new Looked(found.get(), at));
                if (current.asked().isBefore(at)) {
                    latest = new View(replaced(current.jobs(), found.get()), current.nodes(), current.asked());
                }
            }
            onView.run();
            Duration next = delay.isZero() ? FIRST_RELOOK : delay.multipliedBy(2);
            // COMPLETING is what a hinted job is looked up for; until then (the hint came early), look again
            if (!found.get().state().finished() && found.get().state() != JobState.COMPLETING
                    && waited.plus(next).compareTo(interval) < 0) {
                schedule(job, next, waited.plus(next));
            }
        } catch (SlurmException | RuntimeException e) {
            LOG.atDebug().addKeyValue("slurm_job", job).addKeyValue("error", String.valueOf(e.getMessage()))
                    .log("slurm_lookup_failed");
        } finally {
            looking.decrementAndGet();
        }
    }

    /** The jobs with {@code fresh} in place of the entry of its id (or added, when it had none). */
    private static List<SlurmJob> replaced(List<SlurmJob> jobs, SlurmJob fresh) {
        List<SlurmJob> next = new ArrayList<>(jobs.size() + 1);
        boolean found = false;
        for (SlurmJob job : jobs) {
            if (job.id() == fresh.id()) {
                next.add(fresh);
                found = true;
            } else {
                next.add(job);
            }
        }
        if (!found) {
            next.add(fresh);
        }
        return List.copyOf(next);
    }

    void onView(Runnable wake) {
        onView = wake;
    }

    /** Forgets the view: this member no longer leads. */
    void forget() {
        synchronized (views) {
            latest = null;
            looked.clear();
        }
        lastAsked = Instant.EPOCH;
        lastTook = Duration.ZERO;
    }

    @Override
    public void close() {
        thread.shutdownNow();
        lookups.shutdownNow();
    }
}
