package dev.vigil.controller.slurm;

import dev.vigil.slurm.JobRequest;
import dev.vigil.slurm.SlurmException;
import dev.vigil.slurm.SlurmJob;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Submits and cancels Slurm jobs on threads of its own, so the scheduler loop never waits on
 * Slurm; what came of each submit is collected for the loop to take. Each job is known by its key,
 * the comment it carries in Slurm, and always goes to the same thread: its cancel follows its
 * submit. Different jobs go out together (a round of jobs ending frees GPUs for as many new ones).
 */
final class Launcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Launcher.class);

    /** What came of a submit. */
    sealed interface Outcome {
        String key();
    }

    /** Slurm took it. */
    record Submitted(String key, long id, Instant at) implements Outcome {
    }

    /** Slurm said no. */
    record Refused(String key, SlurmException error) implements Outcome {
    }

    /** Slurm could not be asked, or did not answer: the job may or may not be there (look for its key). */
    record Unsure(String key, SlurmException error, Instant at) implements Outcome {
    }

    private final SlurmConnection slurm;
    private final Clock clock;
    /** Requests to slurmrestd at once; it serves several together. */
    private static final int THREADS = 4;

    private final List<ThreadPoolExecutor> threads = new ArrayList<>();
    private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    /** Keys submitted whose outcome the loop has not taken yet: a cancel may come first. */
    private final Map<String, Long> submitted = new ConcurrentHashMap<>();
    /** Keys cancelled before their submit ran: it is skipped. */
    private final Set<String> withdrawn = ConcurrentHashMap.newKeySet();
    /** Keys whose submit was skipped: their cancel has nothing to do. Touched on the key's thread only. */
    private final Set<String> skipped = ConcurrentHashMap.newKeySet();

    Launcher(SlurmConnection slurm, Clock clock) {
        this.slurm = slurm;
        this.clock = clock;
        for (int i = 0; i < THREADS; i++) {
            String name = "vigil-slurm-launcher-" + i;
            threads.add(new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                return t;
            }));
        }
    }

    private ThreadPoolExecutor threadOf(String key) {
        return threads.get(Math.floorMod(key.hashCode(), threads.size()));
    }

    void submit(String key, JobRequest request) {
        withdrawn.remove(key);
        threadOf(key).execute(() -> {
            if (withdrawn.remove(key)) {
                skipped.add(key);
                return;
            }
            try {
                long id = slurm.get().submit(request);
                submitted.put(key, id);
                outcomes.add(new Submitted(key, id, clock.instant()));
            } catch (SlurmException e) {
                LOG.atWarn().addKeyValue("key", key).addKeyValue("retryable", e.retryable())
                        .addKeyValue("error", e.getMessage()).log("slurm_submit_failed");
                outcomes.add(e.retryable() ? new Unsure(key, e, clock.instant()) : new Refused(key, e));
            } catch (RuntimeException e) {
                outcomes.add(new Refused(key, new SlurmException(e.getMessage(), "submit " + key, false)));
            }
        });
    }

    /**
     * Cancels the job submitted under {@code key}: {@code id} when the caller knows it, else the
     * one this launcher submitted, else whatever unfinished job Slurm lists with that comment. A
     * submit still waiting is dropped.
     */
    void cancel(String key, Long id) {
        withdrawn.add(key);
        threadOf(key).execute(() -> {
            withdrawn.remove(key);
            if (skipped.remove(key) && id == null) {
                return;
            }
            Long known = id != null ? id : submitted.remove(key);
            try {
                List<Long> ids = new ArrayList<>();
                if (known != null) {
                    ids.add(known);
                } else {
                    for (SlurmJob job : slurm.get().jobs()) {
                        if (key.equals(job.comment()) && !job.state().finished()) {
                            ids.add(job.id());
                        }
                    }
                }
                for (long each : ids) {
                    slurm.get().cancel(each);
                }
            } catch (SlurmException e) {
                LOG.atWarn().addKeyValue("key", key).addKeyValue("job", known).addKeyValue("error", e.getMessage())
                        .log("slurm_cancel_failed");
            }
        });
    }

    /** Whether this launcher submitted that Slurm job and the loop has not taken the outcome yet. */
    boolean submitted(long id) {
        return submitted.containsValue(id);
    }

    /** The outcomes since the last call, oldest first. */
    List<Outcome> take() {
        List<Outcome> taken = new ArrayList<>();
        for (Outcome outcome = outcomes.poll(); outcome != null; outcome = outcomes.poll()) {
            submitted.remove(outcome.key());
            taken.add(outcome);
        }
        return taken;
    }

    /** Drops what is waiting: this member no longer leads, and the next leader adopts by key. */
    void forget() {
        threads.forEach(thread -> thread.getQueue().clear());
        outcomes.clear();
        submitted.clear();
        withdrawn.clear();
    }

    @Override
    public void close() {
        threads.forEach(ThreadPoolExecutor::shutdownNow);
    }
}
