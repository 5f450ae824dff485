package dev.vigil.controller.cluster;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Notices that this process was frozen (SIGSTOP, a long GC pause, a stalled VM): a ticker calls
 * {@link #tick()} every 100 ms, and a longer gap between two ticks is a pause. For a moment after
 * one the member still believes in its old view of the cluster (who leads, who is up, the state it
 * holds), because Ignite has not yet heard whether the others declared it failed. So after a pause:
 * <ul>
 *   <li>its view is stale until a check with the other members, begun after the pause, succeeds
 *       (the check runs on {@code checks}, started by the next tick and retried by the ticks after a
 *       failure);</li>
 *   <li>it does not act (lead, accept writes) while its view is stale, nor for a settling time
 *       after the pause, by when the others have either dropped it or still count it in.</li>
 * </ul>
 */
final class PauseDetector {
    private static final Logger LOG = LoggerFactory.getLogger(PauseDetector.class);

    private final String member;
    private final LongSupplier nanoTime;
    private final long thresholdNanos;
    private final long settlingNanos;
    private final BooleanSupplier viewCheck;
    private final Executor checks;
    private final AtomicBoolean checking = new AtomicBoolean();
    /** Pauses noticed so far, and how many of them a check has confirmed the view after. */
    private final AtomicLong pauses = new AtomicLong();
    private volatile long confirmed;
    private volatile long lastTick;
    private volatile long settledAt;
    private volatile long lastPauseMillis;

    /**
     * @param thresholdNanos a gap this long between ticks means the process was not running
     * @param settlingNanos  how long after a pause the member does not act, even with its view confirmed
     * @param viewCheck      asks the other members whether they still count this one in: true when they do
     * @param checks         where the check runs (it may take a while: never on the ticker)
     */
    PauseDetector(String member, LongSupplier nanoTime, long thresholdNanos, long settlingNanos,
                  BooleanSupplier viewCheck, Executor checks) {
        this.member = member;
        this.nanoTime = nanoTime;
        this.thresholdNanos = thresholdNanos;
        this.settlingNanos = settlingNanos;
        this.viewCheck = viewCheck;
        this.checks = checks;
        this.lastTick = nanoTime.getAsLong();
        this.settledAt = lastTick;
    }

    void tick() {
        long now = nanoTime.getAsLong();
        long gap = now - lastTick;
        lastTick = now;
        if (gap > thresholdNanos) {
            paused(gap);
        }
        if (confirmed < pauses.get() && checking.compareAndSet(false, true)) {
            long after = pauses.get();
            try {
                checks.execute(() -> check(after));
            } catch (RejectedExecutionException e) {
                checking.set(false); // closing
            }
        }
    }

    /** A pause of {@code gapNanos} ended now: the ticker's finding, and the hook tests simulate a pause with. */
    void paused(long gapNanos) {
        lastPauseMillis = TimeUnit.NANOSECONDS.toMillis(gapNanos);
        settledAt = nanoTime.getAsLong() + settlingNanos;
        pauses.incrementAndGet();
        LOG.atWarn().addKeyValue("member", member).addKeyValue("paused_ms", lastPauseMillis).log("member_was_paused");
    }

    private void check(long after) {
        try {
            if (viewCheck.getAsBoolean()) {
                confirmed = Math.max(confirmed, after);
                LOG.atInfo().addKeyValue("member", member).addKeyValue("paused_ms", lastPauseMillis)
                        .addKeyValue("stale", confirmed < pauses.get()).log("member_view_confirmed");
            }
        } finally {
            checking.set(false);
        }
    }

    /** Why this member's view of the cluster may be out of date, or null when it is confirmed. */
    String staleReason() {
        long sinceTick = nanoTime.getAsLong() - lastTick;
        if (sinceTick > thresholdNanos) {
            // Resumed, and the ticker has not run yet.
            return pausedFor(TimeUnit.NANOSECONDS.toMillis(sinceTick));
        }
        return confirmed < pauses.get() ? pausedFor(lastPauseMillis) : null;
    }

    /** Why this member must not act because of a pause, or null. */
    String notActingReason() {
        String stale = staleReason();
        if (stale != null) {
            return stale;
        }
        long now = nanoTime.getAsLong();
        return now - settledAt < 0 ? "this member was paused (" + lastPauseMillis + " ms): it does not act for "
                + TimeUnit.NANOSECONDS.toSeconds(settlingNanos) + " s after a pause, until the other members have "
                + "settled whether it is still one of them" : null;
    }

    private static String pausedFor(long millis) {
        return "this member was paused (" + millis + " ms) and has not yet confirmed its view of the cluster with "
                + "the other members: what it holds may be out of date";
    }
}
