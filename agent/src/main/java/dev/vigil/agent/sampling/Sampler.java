package dev.vigil.agent.sampling;

import dev.vigil.api.gpu.GpuEvent;
import dev.vigil.api.gpu.GpuHealth;
import dev.vigil.api.gpu.HealthReason;
import dev.vigil.api.gpu.HealthState;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.api.gpu.Severity;
import dev.vigil.gpu.backend.GpuBackend;
import dev.vigil.gpu.backend.GpuBackendException;
import dev.vigil.gpu.backend.NodeSample;
import dev.vigil.gpu.fields.FieldSet;
import dev.vigil.gpu.health.HealthEvaluator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The sampling loop: reads the backend at the configured interval (and at once when the
 * backend reports an event), evaluates health, keeps events, and publishes an immutable
 * {@link Snapshot}. Scrapes read the snapshot and never wait on the backend.
 */
public final class Sampler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Sampler.class);

    private final String node;
    private final GpuBackend backend;
    private final FieldSet fields;
    private final HealthEvaluator evaluator;
    private final EventLog events;
    private final XidWindow xids;
    private final Duration interval;
    private final SamplingObserver observer;
    private final Thread thread;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wakeUp = lock.newCondition();
    private final Map<Integer, HealthState> lastStates = new HashMap<>();
    private final Map<Integer, Integer> lastXids = new TreeMap<>();
    private boolean wakeRequested;
    private volatile boolean running = true;
    private volatile Snapshot latest;
    private volatile long lastCycleNanos = System.nanoTime();
    private String lastError;

    public Sampler(String node, GpuBackend backend, FieldSet fields, HealthEvaluator evaluator, EventLog events,
                   Duration interval, Duration xidWindow, SamplingObserver observer) {
        this.node = node;
        this.backend = backend;
        this.fields = fields;
        this.evaluator = evaluator;
        this.events = events;
        this.xids = new XidWindow(xidWindow);
        this.interval = interval;
        this.observer = observer;
        this.latest = Snapshot.initial(backend.inventory(), xidWindow);
        this.thread = new Thread(this::loop, "vigil-sampler-" + node);
        this.thread.setDaemon(true);
        backend.onEvent(this::wakeUp);
    }

    public void start() {
        thread.start();
    }

    public Snapshot latest() {
        return latest;
    }

    public Duration interval() {
        return interval;
    }

    /** Asks for a sample now rather than at the next tick (an event arrived). */
    public void wakeUp() {
        lock.lock();
        try {
            wakeRequested = true;
            wakeUp.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Nanos timestamp of the last completed cycle; the systemd watchdog only pets a loop that turns. */
    public long lastCycleNanos() {
        return lastCycleNanos;
    }

    private void loop() {
        while (running) {
            long start = System.nanoTime();
            sampleOnce();
            lastCycleNanos = System.nanoTime();
            waitForNextTick(start + interval.toNanos());
        }
    }

    /** One cycle; public for tests and benchmarks that drive the loop themselves. */
    public void sampleOnce() {
        long start = System.nanoTime();
        try {
            NodeSample sample = backend.sample(fields);
            List<GpuEvent> added = events.append(backend.drainEvents());
            for (GpuEvent event : added) {
                xids.record(event);
                if (event.kind() == GpuEvent.Kind.XID && event.xid() != null) {
                    lastXids.put(event.gpu(), event.xid());
                }
            }
            NodeInventory inventory = backend.inventory();
            List<GpuHealth> health = evaluator.evaluate(inventory, sample, added);
            events.append(healthChanges(health, sample));
            latest = new Snapshot(inventory, sample, health, Map.copyOf(lastXids), xids.counts(sample.time()),
                    xids.window(), null);
            if (lastError != null) {
                LOG.atInfo().addKeyValue("node", node).addKeyValue("backend", backend.name())
                        .log("backend_recovered");
                lastError = null;
            }
            observer.sampled(System.nanoTime() - start);
            observer.published(latest);
        } catch (GpuBackendException e) {
            observer.failed(e.reason());
            fail(e.getMessage(), e.reason().name(), null);
        } catch (RuntimeException e) {
            observer.failed(GpuBackendException.Reason.DRIVER_ERROR);
            fail(e.toString(), "unexpected", e);
        }
    }

    private void fail(String message, String reason, Throwable bug) {
        latest = latest.failed(message);
        // One line when the failure starts or changes, not one per tick.
        if (!message.equals(lastError)) {
            LOG.atWarn().addKeyValue("node", node).addKeyValue("backend", backend.name())
                    .addKeyValue("reason", reason).addKeyValue("error", message).setCause(bug).log("sample_failed");
            lastError = message;
        }
    }

    private List<GpuEvent> healthChanges(List<GpuHealth> health, NodeSample sample) {
        List<GpuEvent> changes = new ArrayList<>();
        for (GpuHealth gpu : health) {
            HealthState before = lastStates.put(gpu.gpu(), gpu.state());
            if (before == null && gpu.state() == HealthState.HEALTHY || before == gpu.state()) {
                continue;
            }
            String from = before == null ? "unknown" : before.name().toLowerCase();
            String why = gpu.reasons().stream().map(HealthReason::message).findFirst().orElse("all conditions cleared");
            Severity severity = switch (gpu.state()) {
                case FAILED -> Severity.CRITICAL;
                case DEGRADED -> Severity.WARNING;
                case HEALTHY -> Severity.INFO;
            };
            changes.add(new GpuEvent(0, sample.time(), gpu.gpu(), gpu.uuid(), null, null, GpuEvent.Kind.HEALTH, null,
                    severity, gpu.action(), "gpu " + gpu.gpu() + " " + from + " -> " + gpu.state().name().toLowerCase()
                    + ": " + why));
            LOG.atInfo().addKeyValue("node", node).addKeyValue("gpu", gpu.gpu()).addKeyValue("from", from)
                    .addKeyValue("to", gpu.state().name().toLowerCase())
                    .addKeyValue("action", gpu.action().name().toLowerCase()).addKeyValue("reason", why)
                    .log("gpu_health_changed");
        }
        return changes;
    }

    private void waitForNextTick(long deadline) {
        lock.lock();
        try {
            long remaining;
            while (running && !wakeRequested && (remaining = deadline - System.nanoTime()) > 0) {
                wakeUp.awaitNanos(remaining);
            }
            wakeRequested = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        running = false;
        wakeUp();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
