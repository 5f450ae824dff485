package dev.vigil.testsupport;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Waiting for a condition in a test, instead of sleeping and hoping: fails naming the limit when it never holds. */
public final class Await {
    private Await() {
    }

    /** Something a test waits for; it may throw (a request to a server that is not up yet fails the wait). */
    @FunctionalInterface
    public interface Check {
        boolean holds() throws Exception;
    }

    /** Asks {@code check} every 20 ms until it holds; fails once {@code limit} has passed. */
    public static void await(Duration limit, Check check) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!check.holds()) {
            assertThat(System.nanoTime()).as("condition not met within %s", limit).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
