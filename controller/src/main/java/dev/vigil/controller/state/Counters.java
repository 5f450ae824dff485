package dev.vigil.controller.state;

import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.cache.CacheEntryProcessor;
import org.apache.ignite.cache.CacheMode;
import org.apache.ignite.cache.CacheWriteSynchronizationMode;
import org.apache.ignite.configuration.CacheConfiguration;
import org.apache.ignite.lang.IgniteFuture;

import javax.cache.processor.MutableEntry;

/**
 * The cluster's counters (sequence numbers, the leader epoch, the cluster id), persisted with the
 * rest of the state in a replicated cache. Not Ignite's atomics: a member that joins while the
 * cluster activates (every member restarting at once) may never finish initialising those
 * (IGNITE-7753), and then waits for them forever while opening its state.
 */
public final class Counters {
    public static final String LEADER_EPOCH = "leader_epoch";
    /** Bumped by a member checking, after a pause, that the others still count it in. */
    public static final String VIEW_CHECKS = "view_checks";

    private final IgniteCache<String, Long> cache;

    public Counters(Ignite ignite) {
        this.cache = ignite.getOrCreateCache(new CacheConfiguration<String, Long>("vigil_counters")
                .setCacheMode(CacheMode.REPLICATED)
                .setWriteSynchronizationMode(CacheWriteSynchronizationMode.FULL_SYNC));
    }

    /** The counter's value, 0 before its first increment. */
    public long get(String name) {
        Long value = cache.get(name);
        return value == null ? 0 : value;
    }

    public long incrementAndGet(String name) {
        return addAndGet(name, 1);
    }

    /** Adds {@code delta} in one step: a block of {@code delta} numbers ending at the value returned. */
    public long addAndGet(String name, long delta) {
        return cache.invoke(name, new Increment(), delta);
    }

    /** As {@link #incrementAndGet}, answered when every member's copy has the new value. */
    public IgniteFuture<Long> incrementAsync(String name) {
        return cache.invokeAsync(name, new Increment(), 1L);
    }

    /** The counter's value, set to {@code initial} by whichever member asks first. */
    public long getOrInit(String name, long initial) {
        cache.putIfAbsent(name, initial);
        return cache.get(name);
    }

    /** Runs on the entry's primary member, so increments from different members never collide. */
    private static final class Increment implements CacheEntryProcessor<String, Long, Long> {
        private static final long serialVersionUID = 1L;

        @Override
        public Long process(MutableEntry<String, Long> entry, Object... arguments) {
            // A member of an older version asks without the delta: one.
            long delta = arguments.length == 0 ? 1 : (long) arguments[0];
            long next = (entry.exists() ? entry.getValue() : 0) + delta;
            entry.setValue(next);
            return next;
        }
    }
}
