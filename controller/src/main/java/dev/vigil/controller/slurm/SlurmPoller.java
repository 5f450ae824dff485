package dev.vigil.controller.slurm;

import dev.vigil.slurm.SlurmException;
import dev.vigil.slurm.SlurmJob;
import dev.vigil.slurm.SlurmNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Lists Slurm's jobs and nodes on a thread of its own, when asked and at most one listing at a
 * time, and keeps the latest. Jobs are asked for only if any changed since the last look
 * (slurmrestd answers 304 otherwise), so a quiet cluster costs a node list per poll.
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
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "vigil-slurm-poller");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean inFlight = new AtomicBoolean();
    /** Told when a new view is there, so the scheduler loop takes it at once. */
    private volatile Runnable onView = () -> { };
    private volatile View latest;
    private volatile Instant lastAsked = Instant.EPOCH;
    private String lastError;

    SlurmPoller(SlurmConnection slurm, Clock clock) {
        this.slurm = slurm;
        this.clock = clock;
    }

    /** The latest view, or null before the first listing succeeded. */
    View latest() {
        return latest;
    }

    /** Starts a listing unless one runs or the last began less than {@code interval} ago. */
    void refresh(Duration interval) {
        if (Duration.between(lastAsked, clock.instant()).compareTo(interval) < 0
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
            latest = new View(List.copyOf(jobs), List.copyOf(slurm.get().nodes()), asked);
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

    void onView(Runnable wake) {
        onView = wake;
    }

    /** Forgets the view: this member no longer leads. */
    void forget() {
        latest = null;
        lastAsked = Instant.EPOCH;
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
