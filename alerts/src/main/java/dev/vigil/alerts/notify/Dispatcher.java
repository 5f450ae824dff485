package dev.vigil.alerts.notify;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends what the outbox holds: at once when woken (a new notification), and when a retry's time
 * comes. Requests run concurrently, so a slow webhook does not hold up a page; a PagerDuty
 * routing key's rate limit holds deliveries back until the window has room.
 */
public final class Dispatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    private static final Duration IDLE_CHECK = Duration.ofSeconds(1);

    private final Outbox outbox;
    private final Map<String, Sender> senders;
    private final HttpClient http;
    private final InstantSource clock;
    private final RateLimiter limiter = new RateLimiter();
    private final Object signal = new Object();
    /** Sends whose answer is not recorded yet: a leader stepping down waits for them. */
    private final Set<CompletableFuture<Void>> inFlight = ConcurrentHashMap.newKeySet();
    private boolean woken;
    private volatile boolean running;
    private Thread thread;

    /**
     * @param senders by receiver name
     */
    public Dispatcher(Outbox outbox, Map<String, Sender> senders, HttpClient http, InstantSource clock) {
        this.outbox = outbox;
        this.senders = Map.copyOf(senders);
        this.http = http;
        this.clock = clock;
    }

    public static HttpClient httpClient() {
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /**
     * Sends everything that is due now and waits for the answers, then whatever those made due
     * (a resolve behind its trigger). For tests and benchmarks, which drive the clock themselves.
     *
     * @return how many attempts were made
     */
    public int deliverDue() {
        int attempts = 0;
        while (true) {
            List<Delivery> due = outbox.takeDue(clock.instant(), this::admit);
            if (due.isEmpty()) {
                return attempts;
            }
            List<CompletableFuture<Void>> answers = new ArrayList<>();
            for (Delivery delivery : due) {
                answers.add(send(delivery));
            }
            CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).join();
            attempts += due.size();
        }
    }

    /** Starts sending in the background (the leader does this when it takes over). */
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        thread = new Thread(this::loop, "vigil-alert-dispatcher");
        thread.setDaemon(true);
        thread.start();
    }

    /** Something new is in the outbox: look now rather than at the next check. */
    public void wake() {
        synchronized (signal) {
            woken = true;
            signal.notifyAll();
        }
    }

    private void loop() {
        while (running) {
            try {
                for (Delivery delivery : outbox.takeDue(clock.instant(), this::admit)) {
                    send(delivery).whenComplete((done, failure) -> wake());
                }
                Instant now = clock.instant();
                Instant next = outbox.nextDue();
                long waitMillis = next == null ? IDLE_CHECK.toMillis()
                        : Math.max(1, Math.min(IDLE_CHECK.toMillis(), Duration.between(now, next).toMillis()));
                synchronized (signal) {
                    if (!woken && running) {
                        signal.wait(waitMillis);
                    }
                    woken = false;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.atError().addKeyValue("error", e.toString()).log("dispatcher_error");
            }
        }
    }

    private CompletableFuture<Void> send(Delivery delivery) {
        Sender sender = senders.get(delivery.receiver());
        CompletableFuture<Outcome> outcome = sender == null
                ? CompletableFuture.completedFuture(new Outcome.Failed("receiver " + delivery.receiver()
                + " is no longer configured"))
                : sender.send(delivery, http);
        CompletableFuture<Void> recorded = outcome.exceptionally(failure -> new Outcome.Retry(failure.toString(), null))
                .thenAccept(result -> outbox.complete(delivery.id(), result, clock.instant()));
        inFlight.add(recorded);
        recorded.whenComplete((done, failure) -> inFlight.remove(recorded));
        return recorded;
    }

    private Instant admit(Delivery delivery, Instant now) {
        Sender sender = senders.get(delivery.receiver());
        if (delivery.rateKey() == null || sender == null) {
            return null;
        }
        return limiter.admit(delivery.rateKey(), sender.eventsPerMinute(), now);
    }

    /**
     * Stops sending, and waits (up to the request timeout) for the answers to requests already
     * sent, so that a leader that steps down records them and its successor does not send them
     * again. What gets no answer in time stays pending for the successor.
     */
    @Override
    public void close() {
        Thread stopping;
        synchronized (this) {
            running = false;
            stopping = thread;
            thread = null;
        }
        wake();
        try {
            if (stopping != null) {
                stopping.join(Duration.ofSeconds(5).toMillis());
            }
            CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new))
                    .get(JsonPost.TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.atWarn().addKeyValue("in_flight", inFlight.size()).addKeyValue("error", e.toString())
                    .log("dispatcher_stopped_with_unanswered_requests");
        }
    }
}
