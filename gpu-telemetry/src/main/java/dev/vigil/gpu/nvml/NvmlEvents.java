package dev.vigil.gpu.nvml;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dev.vigil.api.gpu.GpuEvent;
import dev.vigil.gpu.nvml.NvmlStructs.EventData;
import dev.vigil.gpu.xid.XidCatalog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * XIDs from NVML's event API: one event set with XidCriticalError registered on every GPU, and a
 * daemon thread that waits on it with a short timeout (so {@link #close} is prompt), turns each event
 * into the catalog's {@link GpuEvent}, queues it and wakes the listener so the agent samples at once.
 * It also remembers each GPU's last XID, which is what DCGM_FI_DEV_XID_ERRORS reports.
 */
final class NvmlEvents {
    private static final Logger LOG = LoggerFactory.getLogger(NvmlEvents.class);
    /** Events kept for a caller that stopped draining; past it the oldest go, with a log line. */
    static final int MAX_QUEUED = 10_000;
    private static final int XID_FALLEN_OFF_BUS = 79;

    private final String node;
    private final NvmlGpu[] gpus;
    private final Clock clock;
    private final int waitMs;
    private final AtomicIntegerArray lastXid;
    private final ArrayDeque<GpuEvent> queue = new ArrayDeque<>();
    private volatile Runnable listener = () -> { };
    private volatile boolean running;
    private Pointer set;
    private Thread thread;
    private boolean overflowLogged;

    private NvmlEvents(String node, NvmlGpu[] gpus, Clock clock, int waitMs) {
        this.node = node;
        this.gpus = gpus;
        this.clock = clock;
        this.waitMs = waitMs;
        this.lastXid = new AtomicIntegerArray(gpus.length);
    }

    /**
     * Creates the event set, registers every GPU (a GPU that refuses is logged and left out) and
     * starts the thread. Without an event set the backend still works, only without XIDs.
     */
    static NvmlEvents start(String node, NvmlGpu[] gpus, Clock clock, int waitMs) {
        NvmlEvents events = new NvmlEvents(node, gpus, clock, waitMs);
        Memory out = new Memory(Native.POINTER_SIZE);
        int rc = Nvml.nvmlEventSetCreate(out);
        if (rc != Nvml.SUCCESS) {
            LOG.atWarn().addKeyValue("node", node).addKeyValue("error", NvmlLibrary.describe(rc))
                    .log("nvml_xid_events_unavailable");
            return events;
        }
        events.set = out.getPointer(0);
        int registered = 0;
        for (NvmlGpu gpu : gpus) {
            if (gpu.handle == null) {
                continue;
            }
            rc = Nvml.nvmlDeviceRegisterEvents(gpu.handle, Nvml.EVENT_XID_CRITICAL_ERROR, events.set);
            if (rc == Nvml.SUCCESS) {
                registered++;
            } else {
                LOG.atWarn().addKeyValue("node", node).addKeyValue("gpu", gpu.index)
                        .addKeyValue("error", NvmlLibrary.describe(rc)).log("nvml_xid_events_refused");
            }
        }
        if (registered == 0) {
            Nvml.nvmlEventSetFree(events.set);
            events.set = null;
            return events;
        }
        events.running = true;
        events.thread = new Thread(events::loop, "vigil-nvml-events-" + node);
        events.thread.setDaemon(true);
        events.thread.start();
        return events;
    }

    void onEvent(Runnable listener) {
        this.listener = listener == null ? () -> { } : listener;
    }

    /** The last XID of a GPU since the backend opened, 0 before any. */
    int lastXid(int gpu) {
        return lastXid.get(gpu);
    }

    /** A GPU stopped answering: that is XID 79, reported once unless the driver already sent it. */
    void lost(int gpu) {
        if (lastXid.get(gpu) != XID_FALLEN_OFF_BUS) {
            add(gpu, XID_FALLEN_OFF_BUS, null, null);
        }
    }

    List<GpuEvent> drain() {
        synchronized (queue) {
            List<GpuEvent> drained = new ArrayList<>(queue);
            queue.clear();
            return drained;
        }
    }

    private void loop() {
        EventData data = new EventData();
        int lastError = Nvml.SUCCESS;
        while (running) {
            int rc = Nvml.nvmlEventSetWait_v2(set, data.getPointer(), waitMs);
            if (rc == Nvml.SUCCESS) {
                data.read();
                deliver(data);
                lastError = Nvml.SUCCESS;
            } else if (rc != Nvml.ERROR_TIMEOUT) {
                if (rc != lastError) {
                    LOG.atWarn().addKeyValue("node", node).addKeyValue("error", NvmlLibrary.describe(rc))
                            .log("nvml_event_wait_failed");
                    lastError = rc;
                }
                pause(); // an error that repeats at once must not spin a core
            }
        }
    }

    private void deliver(EventData data) {
        if ((data.eventType & Nvml.EVENT_XID_CRITICAL_ERROR) == 0) {
            return;
        }
        long device = Pointer.nativeValue(data.device);
        for (NvmlGpu gpu : gpus) {
            if (gpu.handle != null && Pointer.nativeValue(gpu.handle) == device) {
                add(gpu.index, (int) data.eventData, instance(data.gpuInstanceId), instance(data.computeInstanceId));
                return;
            }
        }
        LOG.atWarn().addKeyValue("node", node).addKeyValue("xid", data.eventData).log("nvml_xid_from_unknown_device");
    }

    private static Integer instance(int id) {
        return id == Nvml.NO_INSTANCE ? null : id;
    }

    private void add(int gpu, int xid, Integer gpuInstance, Integer computeInstance) {
        GpuEvent event = XidCatalog.lookup(xid).event(clock.instant(), gpu, gpus[gpu].uuid, gpuInstance, computeInstance);
        // Recorded before the event can be drained, so a sample that finds the GPU lost sees it.
        lastXid.set(gpu, xid);
        synchronized (queue) {
            if (queue.size() >= MAX_QUEUED) {
                queue.poll();
                if (!overflowLogged) {
                    overflowLogged = true;
                    LOG.atWarn().addKeyValue("node", node).addKeyValue("kept", MAX_QUEUED).log("nvml_events_dropped");
                }
            }
            queue.add(event);
        }
        try {
            listener.run();
        } catch (RuntimeException e) {
            LOG.atWarn().addKeyValue("node", node).addKeyValue("error", e.toString()).log("event_listener_failed");
        }
    }

    private void pause() {
        try {
            TimeUnit.MILLISECONDS.sleep(waitMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /**
     * Stops the thread and frees the event set. Returns false when the thread is stuck in NVML (a hung
     * driver): then the set stays allocated, since freeing it under a waiting thread is undefined.
     */
    boolean close() {
        running = false;
        if (thread != null) {
            try {
                thread.join(Math.max(2_000L, 20L * waitMs));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive()) {
                LOG.atWarn().addKeyValue("node", node).log("nvml_event_thread_stuck");
                return false;
            }
        }
        if (set != null) {
            int rc = Nvml.nvmlEventSetFree(set);
            if (rc != Nvml.SUCCESS) {
                LOG.atWarn().addKeyValue("node", node).addKeyValue("error", NvmlLibrary.describe(rc))
                        .log("nvml_event_set_free_failed");
            }
            set = null;
        }
        return true;
    }
}
