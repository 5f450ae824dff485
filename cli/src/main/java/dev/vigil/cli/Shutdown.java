package dev.vigil.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Runs until SIGTERM or Ctrl-C, then closes what it was given in reverse order. The JVM exits
 * when the hook returns (status 143 after SIGTERM; the unit file counts that as success).
 */
final class Shutdown {
    private static final Logger LOG = LoggerFactory.getLogger(Shutdown.class);

    private Shutdown() {
    }

    static void closeOnSignal(List<? extends AutoCloseable> resources) throws InterruptedException {
        onSignal(resources).await();
    }

    /**
     * Closes what {@code resources} holds when the JVM ends (a signal, or the end of {@code main}),
     * taking the list as it is then: a list still filling (a start under way) loses nothing
     * started so far. The latch opens once all is closed.
     */
    static CountDownLatch onSignal(List<? extends AutoCloseable> resources) {
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            List<AutoCloseable> reversed;
            synchronized (resources) {
                reversed = new ArrayList<>(resources);
            }
            if (!reversed.isEmpty()) {
                LOG.atInfo().log("shutting_down");
            }
            Collections.reverse(reversed);
            for (AutoCloseable resource : reversed) {
                try {
                    resource.close();
                } catch (Exception e) {
                    LOG.atWarn().addKeyValue("error", e.toString()).log("close_failed");
                }
            }
            closed.countDown();
        }, "vigil-shutdown"));
        return closed;
    }
}
