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
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.atInfo().log("shutting_down");
            List<AutoCloseable> reversed = new ArrayList<>(resources);
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
        closed.await();
    }
}
