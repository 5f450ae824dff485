package dev.vigil.gpu.dcgm;

import dev.vigil.api.gpu.GpuDevice;
import dev.vigil.api.gpu.GpuEvent;
import dev.vigil.api.gpu.GpuProcess;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.gpu.backend.EntitySample;
import dev.vigil.gpu.backend.GpuBackend;
import dev.vigil.gpu.backend.GpuBackendException;
import dev.vigil.gpu.backend.NodeSample;
import dev.vigil.gpu.fields.FieldSet;
import dev.vigil.gpu.mig.MigPlacement;
import dev.vigil.gpu.xid.XidCatalog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The {@code dcgm} backend: GPU telemetry from NVIDIA DCGM through libdcgm (4.x, then 3.x).
 *
 * <p>DCGM is the source of the sampled fields, the XID event stream, the health watches and the
 * MIG hierarchy (which names the instances' entities). A <em>companion</em> backend on the same
 * node (in production NVML, always installed where DCGM is) provides the inventory, processes
 * and MIG changes: DCGM's own inventory calls take large, version-sensitive structs. DCGM GPU
 * ids are mapped to the companion's GPU indices by UUID ({@code DCGM_FI_DEV_UUID}) at open.
 *
 * <p>How it uses DCGM: one group holds every GPU, MIG GPU instance and compute instance; one
 * field group holds the sampled fields, watched at the sampling interval (made on the first
 * {@link #sample}, when the field set is known, and made again when it changes); a second holds
 * the XID field for the event stream; health watches cover the group. Each sample reads the
 * latest values of every entity in one call into a native buffer allocated once.
 *
 * <p>Events: XIDs are read with {@code dcgmGetValuesSince_v2} on every sample, on
 * {@link #drainEvents}, and by a daemon thread every {@link #XID_POLL_PERIOD}, which queues them
 * and runs the {@link #onEvent} listener, so the agent samples at once on an XID instead of at
 * its next tick. The push alternative, a DCGM policy on the XID condition with a callback
 * ({@code dcgmPolicyRegister_v2}), would run Java on libdcgm's own threads and be a second path
 * for the same data; a values-since call that finds nothing is a cheap cache lookup, so polling
 * five times a second costs little and bounds the delay at about 200 ms.
 *
 * <p>A lost host engine ({@code DCGM_ST_CONNECTION_NOT_VALID}) makes {@link #sample} throw
 * {@link GpuBackendException.Reason#CONNECTION_LOST}; later samples reconnect with exponential
 * backoff (1 s, 2 s, 4 s ... 30 s on the injected clock) and, while waiting, throw without
 * calling DCGM. A reconnect builds a new session: group, field groups, watches, health watches.
 *
 * <p>Thread-safety: every DCGM call happens under one lock; the agent's sampling loop and the
 * event thread are the callers.
 */
public final class DcgmBackend implements GpuBackend {
    private static final Logger LOG = LoggerFactory.getLogger(DcgmBackend.class);

    /** The sampling interval of {@link #open(String, DcgmSettings, Clock, GpuBackend)}: the agent's default. */
    public static final Duration DEFAULT_SAMPLING_INTERVAL = Duration.ofSeconds(1);
    /** How often the event thread looks for XIDs. */
    static final Duration XID_POLL_PERIOD = Duration.ofMillis(200);
    static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    static final Duration MAX_RETRY = Duration.ofSeconds(30);
    /** At most this many ids in one field group: DCGM refuses DCGM_MAX_FIELD_IDS_PER_FIELD_GROUP (128) or more. */
    static final int MAX_FIELDS = 127;

    private final String node;
    private final DcgmSettings settings;
    private final Clock clock;
    private final GpuBackend companion;
    private final Duration interval;
    private final DcgmLibrary lib;
    private final String libraryName;
    private final Object lock = new Object();
    private final NativeMemory memory = new NativeMemory();
    private final XidStream xids;
    private final HealthWatch health;
    private final ArrayDeque<GpuEvent> events = new ArrayDeque<>();
    private final Set<Integer> lostGpus = new HashSet<>();
    private final Thread eventThread;
    private volatile Runnable listener = () -> { };
    private volatile boolean running = true;
    private boolean initialized;
    private boolean closed;

    private Session session;
    private LatestValues latest;
    private boolean entitiesChanged;
    private String lossReason;
    private Instant nextAttempt;
    private Duration retryDelay = FIRST_RETRY;
    private int failedAttempts;

    private volatile Renamed inventory;

    /** The companion's inventory and the same under this backend's name, kept while the companion's is the same. */
    private record Renamed(NodeInventory companions, NodeInventory ours) {
    }

    private DcgmBackend(String node, DcgmSettings settings, Clock clock, GpuBackend companion, Duration interval,
                        DcgmLibrary.Loaded loaded) {
        this.node = node;
        this.settings = settings;
        this.clock = clock;
        this.companion = companion;
        this.interval = interval;
        this.lib = loaded.library();
        this.libraryName = loaded.name();
        this.xids = new XidStream(memory);
        this.health = new HealthWatch(memory);
        this.eventThread = new Thread(this::pollEvents, "vigil-dcgm-events-" + node);
        this.eventThread.setDaemon(true);
    }

    /**
     * Which of the configured libraries loads, without opening anything: lets a caller say why
     * DCGM is unavailable before it opens the companion DCGM would need.
     */
    public static String findLibrary(DcgmSettings settings) throws GpuBackendException {
        return DcgmLibrary.load(settings.libraries()).name();
    }

    /** Opens DCGM sampling at {@link #DEFAULT_SAMPLING_INTERVAL}. */
    public static DcgmBackend open(String node, DcgmSettings settings, Clock clock, GpuBackend companion)
            throws GpuBackendException {
        return open(node, settings, clock, companion, DEFAULT_SAMPLING_INTERVAL);
    }

    /**
     * Loads libdcgm, connects (or starts the embedded host engine), maps DCGM's GPUs to the
     * companion's and sets up the XID stream and health watches.
     *
     * @param samplingInterval how often the agent samples: DCGM updates the sampled fields at
     *                         this interval, so each sample finds fresh values
     * @throws GpuBackendException LIBRARY_MISSING when no library loads (each tried name with the
     *         loader's reason), NO_GPUS, or the reason of DCGM's error with DCGM's text
     */
    public static DcgmBackend open(String node, DcgmSettings settings, Clock clock, GpuBackend companion,
                                   Duration samplingInterval) throws GpuBackendException {
        if (samplingInterval.isNegative() || samplingInterval.isZero()) {
            throw new IllegalArgumentException("samplingInterval must be positive: " + samplingInterval);
        }
        DcgmLibrary.Loaded loaded = DcgmLibrary.load(settings.libraries());
        DcgmBackend backend = new DcgmBackend(node, settings, clock, companion, samplingInterval, loaded);
        try {
            backend.start();
            return backend;
        } catch (GpuBackendException | RuntimeException e) {
            backend.close();
            throw e;
        } catch (UnsatisfiedLinkError e) {
            backend.close();
            throw new GpuBackendException(GpuBackendException.Reason.LIBRARY_MISSING, loaded.name()
                    + " lacks a function Vigil needs (DCGM too old?): " + e.getMessage(), e);
        }
    }

    private void start() throws GpuBackendException {
        synchronized (lock) {
            int rc = lib.dcgmInit();
            if (rc != DcgmCodes.OK) {
                throw new DcgmCallException("dcgmInit", rc, Session.text(lib, rc))
                        .toBackendException("cannot initialize DCGM (" + libraryName + ")");
            }
            initialized = true;
            try {
                session = openSession();
                int skipped = xids.skipHistory(session);
                EntityTable entities = session.entities();
                LOG.atInfo().addKeyValue("node", node).addKeyValue("library", libraryName)
                        .addKeyValue("address", address()).addKeyValue("gpus", entities.gpus().size())
                        .addKeyValue("migInstances", entities.gpuInstances().size())
                        .addKeyValue("healthSystems", HealthWatch.systemNames(session.healthSystems()))
                        .addKeyValue("xidsBeforeStart", skipped).log("dcgm_opened");
                warnAboutGpusDcgmLacks(entities);
            } catch (DcgmCallException e) {
                throw e.toBackendException(failureContext(e));
            }
        }
        eventThread.start();
    }

    private Session openSession() throws DcgmCallException, GpuBackendException {
        return Session.open(lib, settings, companionIndices(), companion.name(), memory, interval.toNanos() / 1000);
    }

    /** The companion's GPU index of each UUID. */
    private Map<String, Integer> companionIndices() {
        Map<String, Integer> indexByUuid = new HashMap<>();
        for (GpuDevice gpu : companion.inventory().gpus()) {
            indexByUuid.put(gpu.uuid(), gpu.index());
        }
        return indexByUuid;
    }

    private void warnAboutGpusDcgmLacks(EntityTable entities) {
        Set<Integer> covered = new HashSet<>();
        entities.gpus().forEach(g -> covered.add(g.index()));
        List<Integer> missing = companion.inventory().gpus().stream().map(GpuDevice::index)
                .filter(i -> !covered.contains(i)).toList();
        if (!missing.isEmpty()) {
            LOG.atWarn().addKeyValue("node", node).addKeyValue("gpus", missing)
                    .log("dcgm_does_not_support_gpus_they_get_no_telemetry");
        }
    }

    private String failureContext(DcgmCallException e) {
        return switch (e.function()) {
            case "dcgmConnect_v2" -> "cannot connect to nv-hostengine at " + settings.address();
            case "dcgmStartEmbedded" -> "cannot start the embedded DCGM host engine";
            default -> "DCGM setup failed";
        };
    }

    private String address() {
        return settings.mode() == DcgmSettings.Mode.EMBEDDED ? "embedded" : settings.address();
    }

    @Override
    public String name() {
        return "dcgm";
    }

    /** The companion's inventory, named as this backend's (no lock: a reconnect in progress does not block it). */
    @Override
    public NodeInventory inventory() {
        NodeInventory current = companion.inventory();
        Renamed renamed = inventory;
        if (renamed == null || renamed.companions() != current) {
            renamed = new Renamed(current, new NodeInventory(current.node(), name(), current.driverVersion(),
                    current.gpus(), current.topology()));
            inventory = renamed;
        }
        return renamed.ours();
    }

    @Override
    public NodeSample sample(FieldSet fields) throws GpuBackendException {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the DCGM backend of " + node + " is closed");
            }
            Instant now = clock.instant();
            ensureConnected(now);
            try {
                if (entitiesChanged) {
                    rebuildEntities();
                }
                LatestValues reader = watching(fields);
                xids.poll(session, events);
                List<EntitySample> entities = reader.read(session);
                noticeLostGpus(reader.lostGpus(), now);
                health.maybeCheck(session, now);
                return new NodeSample(now, entities, health.current());
            } catch (DcgmCallException e) {
                if (e.connectionLost()) {
                    connectionLost(e, now);
                    throw new GpuBackendException(GpuBackendException.Reason.CONNECTION_LOST,
                            lossReason + "; reconnecting in " + secondsUntil(nextAttempt, now) + " s", e);
                }
                throw e.toBackendException("DCGM sampling failed");
            }
        }
    }

    /** The reader of {@code fields}, watching them first when they are new (or differ from the watched ones). */
    private LatestValues watching(FieldSet fields) throws DcgmCallException, GpuBackendException {
        if (latest != null && (latest.fields() == fields
                || Arrays.equals(LatestValues.fieldIds(latest.fields()), LatestValues.fieldIds(fields)))) {
            return latest;
        }
        short[] ids = LatestValues.fieldIds(fields);
        if (ids.length > MAX_FIELDS) {
            throw new GpuBackendException(GpuBackendException.Reason.NOT_SUPPORTED, "DCGM watches at most "
                    + MAX_FIELDS + " fields in one field group; " + ids.length + " were asked for");
        }
        if (latest != null) {
            latest.close();
            latest = null;
            session.unwatchSampled();
        }
        if (ids.length > 0) {
            session.watchSampled(ids, interval.toNanos() / 1000, keepAgeSeconds());
        }
        latest = new LatestValues(fields, session.entities(), memory);
        return latest;
    }

    /** Only the latest value is read; a few intervals' worth rides out a late sample. */
    private double keepAgeSeconds() {
        return Math.max(10.0, 3 * interval.toNanos() / 1e9);
    }

    /** A GPU DCGM calls lost fell off the bus: an XID 79 event, unless the stream already had one. */
    private void noticeLostGpus(List<Integer> lost, Instant now) {
        for (int gpu : lost) {
            if (lostGpus.add(gpu) && !xids.sawFallenOffBus(gpu)) {
                events.add(XidCatalog.lookup(79).event(now, gpu, session.entities().uuid(gpu), null, null));
            }
        }
        lostGpus.removeIf(gpu -> {
            if (lost.contains(gpu)) {
                return false;
            }
            xids.gpuAnswers(gpu);
            return true;
        });
    }

    /** After a MIG change the instances have new entities: a new group and new watches. */
    private void rebuildEntities() throws DcgmCallException, GpuBackendException {
        closeLatest();
        session.tearDown();
        try {
            session.setUp(companionIndices(), companion.name(), memory, interval.toNanos() / 1000);
        } catch (DcgmCallException | GpuBackendException e) {
            session.tearDown(); // half made: try again from scratch at the next sample
            throw e;
        }
        entitiesChanged = false;
        health.checkSoon();
    }

    private void ensureConnected(Instant now) throws GpuBackendException {
        if (session != null) {
            return;
        }
        if (now.isBefore(nextAttempt)) {
            throw new GpuBackendException(GpuBackendException.Reason.CONNECTION_LOST,
                    lossReason + "; reconnecting in " + secondsUntil(nextAttempt, now) + " s");
        }
        try {
            session = openSession();
        } catch (DcgmCallException | GpuBackendException e) {
            failedAttempts++;
            retryDelay = retryDelay.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : retryDelay.multipliedBy(2);
            nextAttempt = now.plus(retryDelay);
            throw new GpuBackendException(GpuBackendException.Reason.CONNECTION_LOST, lossReason + "; reconnect attempt "
                    + failedAttempts + " failed: " + e.getMessage() + "; reconnecting in " + retryDelay.toSeconds() + " s",
                    e);
        }
        entitiesChanged = false;
        health.checkSoon();
        LOG.atInfo().addKeyValue("node", node).addKeyValue("address", address())
                .addKeyValue("failedAttempts", failedAttempts).log("dcgm_connection_recovered");
        lossReason = null;
        retryDelay = FIRST_RETRY;
        failedAttempts = 0;
    }

    private void connectionLost(DcgmCallException e, Instant now) {
        if (session == null) {
            return;
        }
        closeLatest();
        session.abandon();
        session = null;
        lossReason = "DCGM host engine (" + address() + ") connection lost: " + e.getMessage();
        retryDelay = FIRST_RETRY;
        nextAttempt = now.plus(FIRST_RETRY);
        failedAttempts = 0;
        LOG.atWarn().addKeyValue("node", node).addKeyValue("address", address()).addKeyValue("error", e.getMessage())
                .log("dcgm_connection_lost");
    }

    private static long secondsUntil(Instant then, Instant now) {
        long millis = Duration.between(now, then).toMillis();
        return Math.max(1, (millis + 999) / 1000);
    }

    private void closeLatest() {
        if (latest != null) {
            latest.close();
            latest = null;
        }
    }

    @Override
    public List<GpuEvent> drainEvents() {
        synchronized (lock) {
            pollQuietly();
            List<GpuEvent> drained = new ArrayList<>(events);
            events.clear();
            return drained;
        }
    }

    /** Polls the XID stream under the lock; a lost connection is noted for the next sample. Returns whether anything happened. */
    private boolean pollQuietly() {
        if (closed || session == null) {
            return false;
        }
        try {
            return xids.poll(session, events) > 0;
        } catch (DcgmCallException e) {
            if (e.connectionLost()) {
                connectionLost(e, clock.instant());
                return true; // the agent should sample now, and learn
            }
            LOG.atDebug().addKeyValue("error", e.getMessage()).log("dcgm_xid_poll_failed");
            return false;
        }
    }

    private void pollEvents() {
        while (running) {
            try {
                TimeUnit.MILLISECONDS.sleep(XID_POLL_PERIOD.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            boolean happened;
            synchronized (lock) {
                happened = pollQuietly();
            }
            if (happened) {
                try {
                    listener.run();
                } catch (RuntimeException e) {
                    LOG.atWarn().setCause(e).log("dcgm_event_listener_failed");
                }
            }
        }
    }

    @Override
    public void onEvent(Runnable listener) {
        this.listener = listener == null ? () -> { } : listener;
    }

    @Override
    public List<GpuProcess> processes(int gpu) throws GpuBackendException {
        return companion.processes(gpu);
    }

    /**
     * Done by the companion while DCGM watches nothing: MIG instances are DCGM entities, and the change
     * destroys and creates them under the group's watches. So the watches go first, and after the change
     * (whether it worked or not: a failed one may have destroyed instances) the entities are found again,
     * the group made anew and the sampled fields watched again; when that fails, the next sample tries
     * again. Sampling and the event thread wait for the change (it takes seconds).
     */
    @Override
    public void applyMig(int gpu, boolean enabled, List<MigPlacement> placements) throws GpuBackendException {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the DCGM backend of " + node + " is closed");
            }
            FieldSet watched = latest == null ? null : latest.fields();
            closeLatest();
            if (session != null) {
                session.tearDown();
            }
            entitiesChanged = true;
            try {
                companion.applyMig(gpu, enabled, placements);
            } finally {
                watchAgain(watched);
            }
        }
    }

    /** After a MIG change: the new entities, and the fields that were watched before it. */
    private void watchAgain(FieldSet watched) {
        if (session == null) {
            return; // reconnecting: the new session finds the entities
        }
        try {
            rebuildEntities();
            if (watched != null) {
                watching(watched);
            }
        } catch (DcgmCallException | GpuBackendException e) {
            entitiesChanged = true;
            LOG.atWarn().addKeyValue("node", node).addKeyValue("error", e.getMessage())
                    .log("dcgm_watch_after_mig_change_failed");
        }
    }

    /** Unwatches, destroys the groups, disconnects (or stops the embedded engine) and shuts DCGM down. */
    @Override
    public void close() {
        running = false;
        eventThread.interrupt();
        if (Thread.currentThread() != eventThread && eventThread.isAlive()) {
            try {
                eventThread.join(TimeUnit.SECONDS.toMillis(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            closeLatest();
            if (session != null) {
                session.close();
                session = null;
            }
            if (initialized) {
                lib.dcgmShutdown();
            }
            xids.close();
            health.close();
        }
    }

    /** Native buffers allocated since open (for tests: sampling must allocate none). */
    int nativeAllocations() {
        synchronized (lock) {
            return memory.allocations();
        }
    }
}
