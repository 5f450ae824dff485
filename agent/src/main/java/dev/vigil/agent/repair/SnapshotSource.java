package dev.vigil.agent.repair;

import dev.vigil.agent.sampling.Snapshot;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/** The agent's latest snapshot, and a way to wait for one taken after a given time. */
public final class SnapshotSource {
    private final Supplier<Snapshot> latest;
    private final Duration interval;

    /**
     * @param latest   the sampler's latest snapshot
     * @param interval how often the sampler samples
     */
    public SnapshotSource(Supplier<Snapshot> latest, Duration interval) {
        this.latest = latest;
        this.interval = interval;
    }

    /**
     * A snapshot sampled at or after {@code time}, waiting up to three sampling intervals for it;
     * the latest one when none comes (a sampler that fails shows in the checks' verdicts).
     */
    Snapshot after(Instant time) throws InterruptedException {
        long deadline = System.nanoTime() + interval.multipliedBy(3).plusMillis(500).toNanos();
        Snapshot snapshot = latest.get();
        while (isBefore(snapshot, time) && System.nanoTime() < deadline) {
            Thread.sleep(10);
            snapshot = latest.get();
        }
        return snapshot;
    }

    private static boolean isBefore(Snapshot snapshot, Instant time) {
        return snapshot == null || snapshot.sampledAt() == null || snapshot.sampledAt().isBefore(time);
    }
}
