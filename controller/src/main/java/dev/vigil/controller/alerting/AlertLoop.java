package dev.vigil.controller.alerting;

import dev.vigil.alerts.AlertEngine;
import dev.vigil.alerts.AlertStats;
import dev.vigil.alerts.AlertView;
import dev.vigil.alerts.AlertsConfig;
import dev.vigil.alerts.inbound.AlertmanagerWebhook;
import dev.vigil.alerts.lifecycle.AlertState;
import dev.vigil.alerts.rules.Condition;
import dev.vigil.alerts.rules.Rule;
import dev.vigil.alerts.store.AlertStore;
import dev.vigil.alerts.suppression.Silence;
import dev.vigil.api.Problem;
import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.gpu.GpuEvent;
import dev.vigil.controller.leader.Alerting;
import dev.vigil.controller.leader.Caller;
import dev.vigil.controller.leader.EventLoop;
import dev.vigil.controller.leader.Mutation;
import dev.vigil.controller.leader.NodeListener;
import dev.vigil.controller.leader.Outcome;
import dev.vigil.controller.leader.Outcomes;
import dev.vigil.controller.scheduling.JobsView;
import dev.vigil.controller.state.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The alerts' control: runs the {@link AlertEngine} on the leader's {@link EventLoop}. The engine lives while this member leads and acts
 * (a member without a quorum neither evaluates nor sends); a new one loads what the last left in
 * the store, so a failover neither loses nor repeats a page.
 *
 * <p>The fleet the rules see is kept here one node at a time as the leader stores reports. A
 * report that changes a node's state, health, cordons or jobs, or brings an XID, is evaluated at
 * once, as an event; readings (the nodes' vital signs, taken from the store) and the passing of time ({@code for}, group timers,
 * retries of the push) are evaluated every second with the scheduler's latest jobs. A fault's
 * page therefore costs one evaluation after the report is stored, and a fleet of thousands of
 * nodes reporting every two seconds costs one evaluation a second, not one per report.
 */
public final class AlertLoop implements Alerting, NodeListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AlertLoop.class);
    private static final Duration TICK = Duration.ofSeconds(1);
    /** XIDs are kept at least this long, whatever the rules ask. */
    private static final Duration MIN_XID_WINDOW = Duration.ofMinutes(10);

    private final String member;
    private final AlertsConfig config;
    private final AlertStore alertStore;
    private final Store store;
    private final Clock clock;
    private final Supplier<JobsView> jobs;
    private final Supplier<RunbookFacts> runbooks;
    private final BooleanSupplier acting;
    private final FleetSnapshot fleet;
    private final Map<String, String> tenants = new ConcurrentHashMap<>();
    private final EventLoop loop;
    private final AtomicBoolean wakeQueued = new AtomicBoolean();
    private volatile boolean leading;
    /** Loop thread only. */
    private Future<?> ticks = CompletableFuture.completedFuture(null);
    /** Created and closed on the loop's thread only. */
    private volatile AlertEngine engine;

    /**
     * @param jobs     the scheduler's jobs (waiting, held by tenant, quotas)
     * @param runbooks the runbooks' recent runs and breaker, for the rules that watch automation
     * @param acting   whether this member may act now (quorum, not paused)
     */
    public AlertLoop(String member, EventLoop loop, AlertsConfig config, AlertStore alertStore, Store store,
                     Clock clock, Supplier<JobsView> jobs, Supplier<RunbookFacts> runbooks, BooleanSupplier acting) {
        this.member = member;
        this.loop = loop;
        this.config = config;
        this.alertStore = alertStore;
        this.store = store;
        this.clock = clock;
        this.jobs = jobs;
        this.runbooks = runbooks;
        this.acting = acting;
        this.fleet = new FleetSnapshot(xidWindow(config));
    }

    /** The longest window an XID rule looks back, and at least {@link #MIN_XID_WINDOW}. */
    private static Duration xidWindow(AlertsConfig config) {
        return config.rules().stream().map(Rule::when).map(when -> when.xid()).filter(Objects::nonNull)
                .map(Condition.Xid::window).reduce(MIN_XID_WINDOW, (a, b) -> a.compareTo(b) >= 0 ? a : b);
    }

    @Override
    public void startLeading() {
        loop.requireLoop();
        fleet.clear();
        tenants.clear();
        leading = true;
        open();
        ticks = loop.every("alert-tick", TICK, this::tick);
    }

    @Override
    public void stopLeading() {
        loop.requireLoop();
        leading = false;
        ticks.cancel(false);
        shut();
    }

    @Override
    public void changed(NodeRecord old, NodeRecord next) {
        if (leading && fleet.update(next)) {
            wake();
        }
    }

    @Override
    public void events(String node, List<GpuEvent> events) {
        if (leading) {
            fleet.events(node, events, clock.instant());
        }
    }

    /** The names of the alert rules, which runbooks' alert triggers must name. */
    public Set<String> ruleNames() {
        return config.rules().stream().map(Rule::alert).collect(Collectors.toCollection(TreeSet::new));
    }

    /** The alerts firing now, for the runbooks' triggers; empty while no engine runs here. */
    public List<AlertView> firing() {
        AlertEngine current = engine;
        return current == null ? List.of() : current.alerts().stream().filter(a -> a.state() == AlertState.FIRING)
                .toList();
    }

    /** Raises an alert of Vigil's own (a runbook's note or page); nothing while no engine runs here. */
    public void raise(Map<String, String> labels, Map<String, String> annotations) {
        loop.requireLoop();
        AlertEngine current = engine;
        if (current != null) {
            current.raise(labels, annotations);
        }
    }

    /** Resolves the raised alerts that carry every label of {@code matching}. */
    public void clear(Map<String, String> matching) {
        loop.requireLoop();
        AlertEngine current = engine;
        if (current != null) {
            current.clear(matching);
        }
    }

    /** Counts for the metrics, or null while no engine runs here. */
    public AlertStats stats() {
        AlertEngine current = engine;
        return current == null ? null : current.stats();
    }

    @Override
    public Outcome view() {
        AlertEngine current = engine;
        if (current == null) {
            return Outcomes.problem(starting());
        }
        Instant now = clock.instant();
        List<SilenceView> silences = current.silences().stream().map(s -> SilenceView.of(s, now)).toList();
        return Outcomes.value(new AlertsView(current.alerts(), silences, current.notifierStatus()));
    }

    @Override
    public Outcome apply(Mutation.AlertMutation mutation) {
        loop.requireLoop();
        AlertEngine current = engine;
        if (current == null) {
            return Outcomes.problem(starting());
        }
        Caller caller = mutation.caller();
        if (mutation instanceof Mutation.CreateSilence create) {
            Silence silence;
            try {
                silence = current.createSilence(create.request(), caller.actor());
            } catch (InvalidValueException e) {
                return Outcomes.problem(new Problem("/problems/invalid-input", "Invalid input", 400, "request body: "
                        + e.getMessage(), null, e.field(), e.value(), e.allowed()));
            }
            audit(caller, silence.comment(), 201, "silence " + silence.id() + " " + silence.matchers() + " until "
                    + silence.endsAt());
            return Outcomes.value(SilenceView.of(silence, clock.instant()));
        }
        if (mutation instanceof Mutation.ExpireSilence expire) {
            Optional<Silence> expired = current.expireSilence(expire.id(), caller.actor());
            if (expired.isEmpty()) {
                return Outcomes.problem(Problem.of(404, "not-found", "Not found", "no silence " + expire.id()
                        + " ('vigil silence list' shows them; expired ones are kept 5 days)", null));
            }
            audit(caller, "silence " + expire.id() + " " + expired.get().matchers(), 200, "silence expired");
            return Outcomes.value(SilenceView.of(expired.get(), clock.instant()));
        }
        AlertmanagerWebhook message = ((Mutation.ReceiveAlerts) mutation).message();
        int taken = current.receive(message);
        audit(caller, "receiver " + message.receiver() + ", " + message.status() + ", group " + message.groupKey(),
                200, message.alerts().size() + " alerts, " + taken + " taken");
        return Outcomes.value(new Received(message.alerts().size(), taken));
    }

    private Problem starting() {
        return Problem.of(503, "unavailable", "Service unavailable", "the alert engine is not running on the leader ("
                + member + "): it is starting, or leadership just moved; retry", null);
    }

    private void open() {
        if (!leading || engine != null || !acting.getAsBoolean()) {
            return;
        }
        fleet.load(store.nodes());
        AlertEngine opened = new AlertEngine(config, alertStore, clock);
        opened.start();
        engine = opened;
        LOG.atInfo().addKeyValue("member", member).log("alert_loop_started");
        evaluate();
    }

    private void shut() {
        AlertEngine current = engine;
        if (current != null) {
            engine = null;
            current.close();
            LOG.atInfo().addKeyValue("member", member).addKeyValue("leading", leading).log("alert_loop_stopped");
        }
    }

    private void tick() {
        try {
            if (!leading) {
                shut();
            } else if (!acting.getAsBoolean()) {
                // A paused or cut-off member must not send: the real leader sends what is pending.
                shut();
            } else if (engine == null) {
                open();
            } else {
                evaluate();
            }
        } catch (RuntimeException e) {
            // The next tick tries again; a periodic task that throws would never run again.
            LOG.atError().addKeyValue("member", member).addKeyValue("error", e.toString()).setCause(e)
                    .log("alert_loop_failed");
        }
    }

    private void evaluate() {
        AlertEngine current = engine;
        if (current == null) {
            return;
        }
        tenants.keySet().retainAll(fleet.allocatedJobs());
        fleet.vitals(store.vitals());
        current.evaluate(fleet.fleet(jobs.get(), this::tenantOf, runbooks.get(), clock.instant()));
    }

    /** A job's tenant never changes: read once from the store. */
    private String tenantOf(String job) {
        return tenants.computeIfAbsent(job, id -> store.job(id).map(j -> j.spec().tenant()).orElse(null));
    }

    private void wake() {
        if (wakeQueued.compareAndSet(false, true)) {
            loop.post("alert-evaluation", () -> {
                wakeQueued.set(false);
                if (acting.getAsBoolean()) {
                    evaluate();
                }
            });
        }
    }

    private void audit(Caller caller, String detail, int status, String result) {
        store.audit(caller.audited(clock.instant(), detail, status, result));
    }

    /** Closes the engine (its notifiers) when the member stops; the event loop is closed by the member. */
    @Override
    public void close() {
        leading = false;
        loop.call("alert-close", () -> {
            shut();
            return null;
        }, Duration.ofSeconds(15), why -> null);
    }
}
