package dev.vigil.controller.leader;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;

/**
 * The leader's one writer. Every change to the cluster state is an event run here, by one
 * thread, in the order it came: an operator's mutation, an agent report that changes something,
 * the agents' heartbeats, a scheduling cycle with what the execution backends answered, an alert
 * evaluation, a view a backend took of a node, the sweep that marks silent nodes unknown. What an
 * event stores, audits and answers is decided on this thread, so two events never interleave.
 * Long work (a Slurm call, a notification) runs on threads of its own and comes back as an event;
 * reads never come here.
 *
 * <p>Every member has one, idle unless it leads: the control classes are built with it once, and
 * start their timers when the member begins to lead.
 */
public final class EventLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventLoop.class);

    /** Told of each event once it is applied, on the loop's thread (before a caller gets its answer). */
    @FunctionalInterface
    public interface Listener {
        Listener NONE = kind -> { };

        void applied(String kind);
    }

    private final String member;
    private final Listener listener;
    private final ScheduledThreadPoolExecutor thread;
    private final Map<String, LongAdder> applied = new ConcurrentHashMap<>();
    private volatile Thread owner;

    public EventLoop(String member) {
        this(member, Listener.NONE);
    }

    public EventLoop(String member, Listener listener) {
        this.member = member;
        this.listener = listener;
        this.thread = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "vigil-leader-events-" + member);
            t.setDaemon(true);
            owner = t;
            return t;
        });
        // A cancelled periodic event (leadership moved) must not keep its slot in the queue.
        thread.setRemoveOnCancelPolicy(true);
    }

    /** What a call answers when the loop cannot: it is closing, or the event took too long. */
    public interface Unavailable<T> {
        T because(String why);
    }

    /**
     * Runs {@code event} after those before it and waits for its answer. Called from the loop's
     * own thread (an event that applies another), it runs at once: waiting would never end.
     */
    public <T> T call(String kind, Callable<T> event, Duration timeout, Unavailable<T> unavailable) {
        if (onLoop()) {
            try {
                return run(kind, event);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("event failed: " + e, e);
            }
        }
        Future<T> answer;
        try {
            answer = thread.submit(() -> run(kind, event));
        } catch (RejectedExecutionException e) {
            return unavailable.because("member " + member + " is closing");
        }
        try {
            return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // Still applied in its turn: the answer is lost, not the change (a retry with the same id is answered from it).
            return unavailable.because("the leader did not apply it within " + timeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return unavailable.because("interrupted");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException("event failed: " + cause, cause);
        }
    }

    /** Queues {@code event} without waiting for it; what it throws is logged. */
    public void post(String kind, Runnable event) {
        try {
            thread.execute(() -> runLogged(kind, event));
        } catch (RejectedExecutionException e) {
            // Closing: no event is applied any more.
        }
    }

    /**
     * Queues {@code event} every {@code period}, the first after one period, until cancelled; a
     * throw does not stop it. The control classes run their timers only while the member leads.
     */
    public Future<?> every(String kind, Duration period, Runnable event) {
        long nanos = period.toNanos();
        try {
            return thread.scheduleWithFixedDelay(() -> runLogged(kind, event), nanos, nanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(null); // closing
        }
    }

    /** Whether the caller is the loop's thread. */
    public boolean onLoop() {
        return Thread.currentThread() == owner;
    }

    /** How many events this member's loop has applied since it started, by kind ({@code submit-job}, {@code sweep} ...). */
    public Map<String, Long> applied() {
        Map<String, Long> counts = new TreeMap<>();
        applied.forEach((kind, count) -> counts.put(kind, count.sum()));
        return counts;
    }

    /** Throws unless called on the loop's thread: for the control classes' writes. */
    public void requireLoop() {
        if (!onLoop()) {
            throw new IllegalStateException("a change to the cluster state was made off the leader's event loop, on "
                    + Thread.currentThread().getName());
        }
    }

    private <T> T run(String kind, Callable<T> event) throws Exception {
        count(kind);
        T answer = event.call();
        listener.applied(kind);
        return answer;
    }

    private void runLogged(String kind, Runnable event) {
        try {
            count(kind);
            event.run();
            listener.applied(kind);
        } catch (RuntimeException e) {
            LOG.atError().addKeyValue("member", member).addKeyValue("kind", kind).addKeyValue("error", e.toString())
                    .setCause(e)
                    .log("leader_event_failed");
        }
    }

    private void count(String kind) {
        applied.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
