package dev.vigil.controller.leader;

import java.util.concurrent.atomic.AtomicLong;

/** Whether this member leads now, since which epoch, and how often leadership has come here. */
public final class Leadership {
    private volatile boolean leading;
    private volatile long epoch;
    private final AtomicLong changes = new AtomicLong();

    void began(long newEpoch) {
        epoch = newEpoch;
        leading = true;
        changes.incrementAndGet();
    }

    void ended() {
        leading = false;
    }

    public boolean leading() {
        return leading;
    }

    /** The epoch this member led in last, 0 if never. */
    public long epoch() {
        return epoch;
    }

    /** How many times this member became leader. */
    public long changes() {
        return changes.get();
    }
}
