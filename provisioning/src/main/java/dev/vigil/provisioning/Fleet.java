package dev.vigil.provisioning;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/** Work over many hosts at once, at most {@code parallel} at a time, results in the hosts' order. */
public final class Fleet {
    private Fleet() {
    }

    public static <T, R> List<R> map(List<T> hosts, int parallel, Function<T, R> work) throws InterruptedException {
        if (parallel < 1) {
            throw new IllegalArgumentException("parallel " + parallel + ": allowed 1 or more");
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallel, Math.max(1, hosts.size())));
        try {
            List<Future<R>> futures = new ArrayList<>();
            for (T host : hosts) {
                futures.add(pool.submit(() -> work.apply(host)));
            }
            List<R> results = new ArrayList<>();
            for (Future<R> future : futures) {
                results.add(future.get());
            }
            return results;
        } catch (ExecutionException e) {
            throw new IllegalStateException("work on a host failed unexpectedly", e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }
}
