package dev.vigil.controller.slurm;

import dev.vigil.api.cluster.AuditEntry;
import dev.vigil.api.cluster.ClusterEvent;
import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.gpu.RepairAction;
import dev.vigil.api.gpu.Severity;
import dev.vigil.controller.config.BackendName;
import dev.vigil.controller.config.SlurmSettings;
import dev.vigil.controller.leader.NodeListener;
import dev.vigil.controller.state.Store;
import dev.vigil.slurm.Slurm;
import dev.vigil.slurm.SlurmException;
import dev.vigil.slurm.SlurmNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Carries Vigil's cordons to Slurm the moment the leader stores them: a node cordoned or drained
 * in Vigil (by an operator, or by the health reflex on an XID 79) is drained in Slurm with
 * {@code vigil: <reason>}; uncordoned or resumed, it is resumed there. Slurm's own drains are
 * left alone: a node someone else drained is never resumed unless an operator uncordons or
 * resumes it in Vigil, which says so in the audit log. Cordons that came from Slurm are not sent
 * back. Runs on a thread of its own; a Slurm that cannot be reached is retried a few times.
 */
public final class SlurmNodeSync implements NodeListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SlurmNodeSync.class);
    /** Actors that are Vigil itself rather than a person: they never override someone else's drain. */
    private static final Set<String> SYSTEM = Set.of("health-reflex", "scheduler", "agent", BackendName.SLURM);
    private static final int TRIES = 4;

    private final SlurmConnection slurm;
    private final Store store;
    private final Clock clock;
    /** Where what a Slurm call came to is recorded: the leader's event loop, as every change. */
    private final Executor records;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "vigil-slurm-node-sync");
        t.setDaemon(true);
        return t;
    });
    /** Per node, when the last change sent to Slurm finished (Instant.MAX while one is under way). */
    private final Map<String, Instant> settled = new ConcurrentHashMap<>();

    /** @param settings where Slurm is: the sync's connection is the backend's too */
    /** @param records runs the recording of each drain and resume done (the leader's event loop) */
    public SlurmNodeSync(SlurmSettings settings, Store store, Clock clock, Executor records) {
        this.records = records;
        this.slurm = new SlurmConnection(settings.connection());
        this.store = store;
        this.clock = clock;
    }

    SlurmConnection connection() {
        return slurm;
    }

    @Override
    public void changed(NodeRecord old, NodeRecord next) {
        if (old == null || old.cordoned() == next.cordoned() || BackendName.SLURM.equals(next.actor())) {
            return;
        }
        settled.put(next.name(), Instant.MAX);
        boolean drain = next.cordoned();
        send(next.name(), drain, next.reason(), next.actor(), 1);
    }

    /**
     * Whether a view of the node asked for at {@code asked} predates a change sent to Slurm (or one
     * is under way): such a view would undo it in Vigil.
     */
    boolean unsettled(String node, Instant asked) {
        Instant at = settled.get(node);
        return at != null && !asked.isAfter(at);
    }

    private void send(String node, boolean drain, String reason, String actor, int attempt) {
        try {
            thread.schedule(() -> apply(node, drain, reason, actor, attempt),
                    attempt == 1 ? 0 : 500L << (attempt - 2), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            settled.remove(node);
        }
    }

    private void apply(String node, boolean drain, String reason, String actor, int attempt) {
        String what = (drain ? "drain " : "resume ") + node + " in slurm";
        try {
            Optional<SlurmNode> current = slurm.get().nodes().stream().filter(n -> n.name().equals(node)).findFirst();
            if (current.isEmpty()) {
                LOG.atInfo().addKeyValue("node", node).log("slurm_node_unknown");
            } else if (drain) {
                drain(current.get(), reason, actor);
            } else {
                resume(current.get(), reason, actor);
            }
            settled.put(node, clock.instant());
        } catch (SlurmException e) {
            if (e.retryable() && attempt < TRIES) {
                send(node, drain, reason, actor, attempt + 1);
                return;
            }
            settled.put(node, clock.instant());
            LOG.atError().addKeyValue("node", node).addKeyValue("action", drain ? "drain" : "resume")
                    .addKeyValue("error", e.getMessage()).log("slurm_node_sync_failed");
            record(node, actor, what, reason, 502, "failed: " + e.getMessage(), Severity.WARNING,
                    "could not " + what + ": " + e.getMessage());
        }
    }

    private void drain(SlurmNode node, String reason, String actor) throws SlurmException {
        if (node.drain() && !ours(node)) {
            // Someone drained it already; their reason stays, and only an operator may lift it.
            LOG.atInfo().addKeyValue("node", node.name()).addKeyValue("reason", node.reason())
                    .addKeyValue("by", node.reasonBy()).log("slurm_drain_kept");
            return;
        }
        long start = System.nanoTime();
        slurm.get().drain(node.name(), reason);
        record(node.name(), actor, "drain " + node.name() + " in slurm", reason, 200, "drained in slurm ("
                + (System.nanoTime() - start) / 1_000_000 + " ms)", Severity.INFO, "node " + node.name()
                + " drained in Slurm: " + Slurm.REASON_PREFIX + reason);
    }

    private void resume(SlurmNode node, String reason, String actor) throws SlurmException {
        if (!node.drain() && node.responding()) {
            return;
        }
        boolean ours = ours(node);
        if (!ours && SYSTEM.contains(actor)) {
            LOG.atInfo().addKeyValue("node", node.name()).addKeyValue("reason", node.reason())
                    .addKeyValue("by", node.reasonBy()).addKeyValue("actor", actor).log("slurm_resume_refused");
            return;
        }
        slurm.get().resume(node.name());
        String overridden = ours ? "" : ", overriding the drain by " + (node.reasonBy() == null ? "someone"
                : node.reasonBy()) + " (" + node.reason() + ") because " + actor + " asked";
        record(node.name(), actor, "resume " + node.name() + " in slurm", reason, 200, "resumed in slurm" + overridden,
                ours ? Severity.INFO : Severity.WARNING, "node " + node.name() + " resumed in Slurm" + overridden);
    }

    private static boolean ours(SlurmNode node) {
        return node.reason() != null && node.reason().startsWith(Slurm.REASON_PREFIX);
    }

    private void record(String node, String actor, String action, String detail, int status, String result,
                        Severity severity, String event) {
        Instant now = clock.instant();
        records.execute(() -> {
            store.audit(new AuditEntry(0, now, actor, null, null, action, detail, status, result));
            store.append(new ClusterEvent(0, now, node, null, BackendName.SLURM, severity, RepairAction.NONE,
                    event, actor));
        });
        LOG.atInfo().addKeyValue("node", node).addKeyValue("action", action).addKeyValue("actor", actor)
                .addKeyValue("result", result).log("slurm_node_synced");
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
