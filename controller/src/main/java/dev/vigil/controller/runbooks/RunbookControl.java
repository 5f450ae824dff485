package dev.vigil.controller.runbooks;

import dev.vigil.alerts.AlertView;
import dev.vigil.alerts.AlertsConfig;
import dev.vigil.alerts.fleet.Automation;
import dev.vigil.alerts.fleet.RunbookRun;
import dev.vigil.alerts.rules.Rule;
import dev.vigil.api.Problem;
import dev.vigil.api.binding.InvalidDocumentException;
import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.cluster.AuditEntry;
import dev.vigil.api.cluster.CordonedGpu;
import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.cluster.NodeState;
import dev.vigil.api.gpu.GpuDevice;
import dev.vigil.api.runbooks.AutomationStatus;
import dev.vigil.api.runbooks.RunRecord;
import dev.vigil.api.runbooks.RunRequest;
import dev.vigil.api.runbooks.RunState;
import dev.vigil.api.runbooks.RunTarget;
import dev.vigil.api.runbooks.RunbookSummary;
import dev.vigil.api.runbooks.StepRecord;
import dev.vigil.controller.alerting.RunbookFacts;
import dev.vigil.controller.config.RunbookSettings;
import dev.vigil.controller.leader.Caller;
import dev.vigil.controller.leader.EventLoop;
import dev.vigil.controller.leader.Mutation;
import dev.vigil.controller.leader.NodeControl;
import dev.vigil.controller.leader.NodeListener;
import dev.vigil.controller.leader.Outcome;
import dev.vigil.controller.leader.Outcomes;
import dev.vigil.controller.leader.Remediation;
import dev.vigil.controller.state.Store;
import dev.vigil.runbooks.Mode;
import dev.vigil.runbooks.Runbook;
import dev.vigil.runbooks.RunbookFile;
import dev.vigil.runbooks.RunbookFiles;
import dev.vigil.runbooks.Selector;
import dev.vigil.runbooks.ShippedRunbooks;
import dev.vigil.runbooks.Target;
import dev.vigil.runbooks.guards.Admission;
import dev.vigil.runbooks.guards.Cordoning;
import dev.vigil.runbooks.guards.FleetView;
import dev.vigil.runbooks.guards.Guards;
import dev.vigil.runbooks.run.Runs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The runbooks' control: on the leader's {@link EventLoop}, it starts runs (from firing alerts,
 * from schedules, by hand), asks the guards before each starts, advances every run that has not
 * ended ({@link Runs}, a pure step function) each {@code runbooks.interval} and at once when a
 * node changes, stores each run after every change (a new leader goes on from the stored
 * record), audits every step as {@code runbook:<name>/<run>}, and trips the circuit breaker.
 *
 * <p>Alert triggers are level-triggered: an alert that fires starts a run of each runbook that
 * matches it, unless that runbook already ran on that target since the alert fired. So a new
 * leader neither loses nor repeats a trigger, and a silenced alert starts nothing.
 */
public final class RunbookControl implements Remediation, NodeListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RunbookControl.class);
    private static final String REFLEX = "health-reflex";
    private static final String RUNBOOK_ACTOR = "runbook:";
    /** Where under the data dir the shipped runbooks are written for a controller that names no directory. */
    private static final String SHIPPED = "runbooks-shipped";

    /** How runbooks see the fleet's nodes: pools and leaves, for selectors. */
    public interface Places {
        String poolOf(String node);

        String leafOf(String node);
    }

    private final EventLoop loop;
    private final Store store;
    private final Clock clock;
    private final RunbookSettings settings;
    private final Path dataDir;
    private final Supplier<Set<String>> alertNames;
    private final Supplier<List<AlertView>> firing;
    private final Places places;
    private final BooleanSupplier acting;
    private final Guards guards;
    private final LeaderFleet fleet;
    private final Bmc bmc;
    private final NodeShell shell;
    private final LeaderFleet.Telling telling;
    private final Schedules schedules;
    private final AtomicBoolean wakeQueued = new AtomicBoolean();
    private volatile List<RunbookFile> books;
    private volatile Stats stats = new Stats(Map.of(), 0, false);
    private volatile RunbookFacts facts = RunbookFacts.NONE;

    // Owned by the event loop's thread.
    private volatile boolean leading;
    private Future<?> ticks = CompletableFuture.completedFuture(null);
    private Store.Breaker breaker = new Store.Breaker(false, "never tripped", "controller", Instant.EPOCH);
    private final List<Cordoning> cordonings = new ArrayList<>();
    /** Runs not ended, and those that ended within the repeat-offender window (the guards count them), by id. */
    private final Map<String, RunRecord> runs = new TreeMap<>(Store.ID_ORDER);
    /** Runs this member saw end while leading, by runbook and result (the metrics' counter). */
    private final Map<String, Map<String, Long>> endedCounts = new TreeMap<>();

    /** What the metrics show: ended runs by runbook and result, runs under way, the breaker. */
    public record Stats(Map<String, Map<String, Long>> ended, int inProgress, boolean halted) {
    }

    /**
     * @param books      the runbooks as {@link #read} read them at start
     * @param dataDir    where the shipped runbooks are written when {@code runbooks.dir} is not set
     * @param alertNames the alert rules' names, which alert triggers must name (for reloads)
     * @param firing     the alerts firing now on this member's engine (empty unless it leads)
     * @param vacate     drains one GPU: stops and requeues what runs there
     * @param reports    writes (and sends) the capacity report, off the loop
     * @param telling    raises and resolves the alerts a step's note or page becomes
     */
    public RunbookControl(EventLoop loop, Store store, Clock clock, RunbookSettings settings, List<RunbookFile> books,
                          Path dataDir, String member, Supplier<Set<String>> alertNames,
                          Supplier<List<AlertView>> firing, Places places, NodeControl nodes,
                          LeaderFleet.Vacate vacate, LeaderFleet.Reports reports, LeaderFleet.Telling telling,
                          BooleanSupplier acting) {
        this.loop = loop;
        this.store = store;
        this.clock = clock;
        this.settings = settings;
        this.books = books;
        this.dataDir = dataDir;
        this.alertNames = alertNames;
        this.firing = firing;
        this.places = places;
        this.acting = acting;
        this.guards = new Guards(settings.guards());
        this.bmc = new Bmc(settings.bmc());
        this.shell = new NodeShell(settings.ssh());
        this.telling = telling;
        this.fleet = new LeaderFleet(store, nodes, vacate, bmc, shell, reports, telling,
                id -> Optional.ofNullable(runs.get(id)), clock, member);
        this.schedules = new Schedules(member, name -> loop.post("runbook-schedule", () -> scheduled(name)));
    }

    /**
     * Reads the runbooks: those of {@code runbooks.dir}, or the shipped ones (written under
     * {@code dataDir}), with the config's mode over each file's own. A shipped runbook whose alert
     * the configured rules lack (an alerts file of the site's own) is left out, saying so in the
     * log; in a directory of the site's own, such a runbook is an error.
     *
     * @throws InvalidDocumentException naming file, field and value (the controller does not start on one)
     */
    public static List<RunbookFile> read(RunbookSettings settings, Path dataDir, Set<String> alertNames) {
        List<RunbookFile> loaded;
        if (settings.dir() != null) {
            loaded = RunbookFiles.load(settings.dir(), alertNames);
        } else {
            Set<String> shippedAlerts = AlertsConfig.defaults().rules().stream().map(Rule::alert)
                    .collect(Collectors.toSet());
            loaded = new ArrayList<>();
            for (RunbookFile file : RunbookFiles.load(ShippedRunbooks.writeTo(dataDir.resolve(SHIPPED)), shippedAlerts)) {
                String alert = file.runbook().trigger() == null || file.runbook().trigger().alert() == null ? null
                        : file.runbook().trigger().alert().name();
                if (alert == null || alertNames.contains(alert)) {
                    loaded.add(file);
                } else {
                    LOG.atWarn().addKeyValue("runbook", file.runbook().name()).addKeyValue("alert", alert)
                            .addKeyValue("why", "the configured alerts have no such rule")
                            .log("shipped_runbook_left_out");
                }
            }
        }
        if (settings.mode() == null) {
            return List.copyOf(loaded);
        }
        return loaded.stream().map(file -> new RunbookFile(file.file(), withMode(file.runbook(), settings.mode())))
                .toList();
    }

    private static Runbook withMode(Runbook book, Mode mode) {
        return new Runbook(book.name(), book.description(), book.trigger(), book.target(), mode, book.guards(),
                book.steps());
    }

    @Override
    public void startLeading() {
        loop.requireLoop();
        leading = true;
        breaker = store.breaker().orElse(breaker);
        runs.clear();
        Instant now = clock.instant();
        Instant from = now.minus(settings.guards().repeatWindow());
        List<RunRecord> stored = store.runs();
        for (RunRecord run : stored) {
            if (!run.state().ended() || run.created().isAfter(from)) {
                runs.put(run.id(), run);
            }
        }
        cordonings.clear();
        for (NodeRecord node : store.nodes()) {
            cordonings.addAll(cordoningsOf(node));
        }
        catchUpSchedules(stored, now);
        schedules.start(books);
        ticks = loop.every("runbook-tick", settings.interval(), this::tick);
        LOG.atInfo().addKeyValue("runbooks", books.size()).addKeyValue("runs", runs.values().stream()
                        .filter(r -> !r.state().ended()).count()).addKeyValue("halted", breaker.halted())
                .log("runbooks_started");
    }

    @Override
    public void stopLeading() {
        loop.requireLoop();
        leading = false;
        ticks.cancel(false);
        schedules.close();
        runs.clear();
        cordonings.clear();
    }

    /** A node the reflex or a runbook cordoned counts for the breaker; any change may move a run on. */
    @Override
    public void changed(NodeRecord old, NodeRecord next) {
        if (!leading) {
            return;
        }
        if (next.state() == NodeState.READY && (old == null || old.state() != NodeState.READY)) {
            // Back in service: the pages its runs raised have been acted on.
            telling.clear(Map.of("alertname", LeaderFleet.PAGE, "node", next.name()));
        }
        boolean cordoned = false;
        for (Cordoning cordoning : cordoningsOf(next)) {
            boolean before = old != null && cordoningsOf(old).stream().anyMatch(c -> c.at().equals(cordoning.at()));
            if (!before) {
                cordonings.add(cordoning);
                cordoned = true;
            }
        }
        // Most node changes concern no run: only a new cordon (the breaker) or a run's own node wakes the runs.
        if (cordoned || runs.values().stream().anyMatch(r -> !r.state().ended() && r.target() != null
                && r.target().node().equals(next.name()))) {
            wake();
        }
    }

    /** The node's cordon, and each GPU's, that the health reflex or a runbook made. */
    private static List<Cordoning> cordoningsOf(NodeRecord node) {
        List<Cordoning> found = new ArrayList<>();
        if (node.cordoned() && automatic(node.actor()) && node.since() != null) {
            found.add(new Cordoning(node.name(), node.since()));
        }
        for (CordonedGpu gpu : node.cordonedGpus()) {
            if (automatic(gpu.actor()) && gpu.since() != null) {
                found.add(new Cordoning(node.name(), gpu.since()));
            }
        }
        return found;
    }

    private static boolean automatic(String actor) {
        return REFLEX.equals(actor) || actor != null && actor.startsWith(RUNBOOK_ACTOR);
    }

    @Override
    public Outcome apply(Mutation.RunbookMutation mutation) {
        loop.requireLoop();
        if (!leading) {
            return Outcomes.problem(Problem.of(503, "unavailable", "Service unavailable", "the runbooks are not "
                    + "running on this member (leadership just moved): retry", null));
        }
        Instant now = clock.instant();
        if (mutation instanceof Mutation.StartRun start) {
            return start(start, now);
        }
        if (mutation instanceof Mutation.ApproveRun approve) {
            return approve(approve, now);
        }
        if (mutation instanceof Mutation.AbortRun abort) {
            return abort(abort, now);
        }
        if (mutation instanceof Mutation.ResumeAutomation resume) {
            return resume(resume, now);
        }
        return reload((Mutation.ReloadRunbooks) mutation);
    }

    @Override
    public Outcome view() {
        return Outcomes.value(new RunbooksView(summaries(), automation(clock.instant())));
    }

    private List<RunbookSummary> summaries() {
        Map<String, Long> running = runs.values().stream().filter(r -> !r.state().ended())
                .collect(Collectors.groupingBy(RunRecord::runbook, Collectors.counting()));
        return books.stream().map(f -> f.summary(running.getOrDefault(f.runbook().name(), 0L).intValue())).toList();
    }

    private AutomationStatus automation(Instant now) {
        FleetView view = fleetView();
        int nodes = view.nodes().size();
        Instant from = now.minus(settings.guards().breakerWindow());
        int recent = (int) view.cordonings().stream().filter(c -> !c.at().isBefore(from)).map(Cordoning::node)
                .distinct().count();
        return new AutomationStatus(breaker.halted(), breaker.reason(), breaker.since(),
                guards.inRemediation(view, placeholder()).size(), settings.guards().remediationLimit(nodes), recent,
                settings.guards().breakerLimit(nodes));
    }

    /** A run no stored run is, for asking the guards about every run. */
    private static RunRecord placeholder() {
        return new RunRecord("", "", null, false, RunState.QUEUED, "", "", "", "", Instant.EPOCH, Instant.EPOCH, 0,
                null, List.of());
    }

    private Outcome start(Mutation.StartRun start, Instant now) {
        Caller caller = start.caller();
        RunbookFile book = book(start.runbook()).orElse(null);
        if (book == null) {
            return Outcomes.problem(Problem.of(404, "not-found", "Not found", "no runbook " + start.runbook()
                    + " (there are: " + books.stream().map(f -> f.runbook().name()).collect(Collectors.joining(", "))
                    + ")", null));
        }
        RunRequest request = start.request();
        Runbook runbook = book.runbook();
        if (runbook.target().kind() == Target.Kind.GPU && request.gpu() == null) {
            return Outcomes.problem(invalid(new InvalidValueException("gpu", null, "a GPU index: runbook "
                    + runbook.name() + " acts on one GPU")));
        }
        if (runbook.target().kind() != Target.Kind.GPU && request.gpu() != null) {
            return Outcomes.problem(invalid(new InvalidValueException("gpu", request.gpu(), "nothing: runbook "
                    + runbook.name() + " acts on " + runbook.target())));
        }
        if (runbook.target().kind() == Target.Kind.FLEET) {
            if (request.node() != null) {
                return Outcomes.problem(invalid(new InvalidValueException("node", request.node(), "nothing: runbook "
                        + runbook.name() + " acts on the fleet")));
            }
            RunRecord run = Runs.create(store.nextRunId(), runbook, null, request.dryRun() != null ? request.dryRun()
                    : dryOverride(), "manual: " + request.reason(), caller.actor(), now);
            return started(caller, request, runbook, run, now);
        }
        NodeRecord node = request.node() == null ? null : store.node(request.node()).orElse(null);
        if (node == null) {
            return Outcomes.problem(invalid(new InvalidValueException("node", request.node(),
                    "the name of a node the controller knows")));
        }
        if (request.gpu() != null && (node.inventory() == null || node.inventory().gpus().stream()
                .noneMatch(g -> g.index() == request.gpu()))) {
            return Outcomes.problem(invalid(new InvalidValueException("gpu", request.gpu(), "a GPU of " + node.name()
                    + (node.inventory() == null ? " (it has sent no inventory yet)"
                    : ": 0 to " + (node.inventory().gpus().size() - 1)))));
        }
        RunRecord run = Runs.create(store.nextRunId(), runbook, new RunTarget(request.node(), request.gpu()),
                request.dryRun() != null ? request.dryRun() : dryOverride(), "manual: " + request.reason(),
                caller.actor(), now);
        return started(caller, request, runbook, run, now);
    }

    private Outcome started(Caller caller, RunRequest request, Runbook runbook, RunRecord run, Instant now) {
        RunRecord started = advance(run, runbook, now);
        save(null, started);
        store.audit(caller.audited(now, request.reason(), 201, "run " + run.id() + " of runbook " + runbook.name()
                + " on " + (run.target() == null ? "the fleet" : run.target()) + (run.dryRun() ? " (dry run)" : "")
                + ": " + wire(started.state())));
        wake();
        return Outcomes.value(started);
    }

    private Outcome approve(Mutation.ApproveRun approve, Instant now) {
        RunRecord run = runs.get(approve.run());
        if (run == null || run.state().ended()) {
            return ended(approve.run());
        }
        if (run.state() != RunState.WAITING_APPROVAL) {
            return Outcomes.problem(Problem.of(409, "conflict", "Conflict", "run " + run.id() + " is "
                    + wire(run.state()) + ": it waits for no approval", null));
        }
        RunRecord approved = Runs.approve(run, approve.caller().actor(), now);
        RunRecord next = advance(approved, book(run.runbook()).map(RunbookFile::runbook).orElse(null), now);
        save(run, next);
        store.audit(approve.caller().audited(now, approve.reason(), 200, "run " + run.id() + " approved: "
                + wire(next.state())));
        return Outcomes.value(next);
    }

    private Outcome abort(Mutation.AbortRun abort, Instant now) {
        RunRecord run = runs.get(abort.run());
        if (run == null || run.state().ended()) {
            return ended(abort.run());
        }
        RunRecord aborted = Runs.abort(run, abort.caller().actor(), abort.reason(), fleet, now);
        save(run, aborted);
        store.audit(abort.caller().audited(now, abort.reason(), 200, "run " + run.id() + ": " + wire(run.state())
                + " -> aborted"));
        return Outcomes.value(aborted);
    }

    private Outcome ended(String id) {
        Optional<RunRecord> stored = store.run(id);
        if (stored.isEmpty()) {
            return Outcomes.problem(Problem.of(404, "not-found", "Not found", "no run " + id, null));
        }
        return Outcomes.problem(Problem.of(409, "conflict", "Conflict", "run " + id + " already ended "
                + wire(stored.get().state()) + ": " + stored.get().reason(), null));
    }

    private Outcome resume(Mutation.ResumeAutomation resume, Instant now) {
        boolean was = breaker.halted();
        breaker = new Store.Breaker(false, "resumed by " + resume.caller().actor() + ": " + resume.reason(),
                resume.caller().actor(), now);
        store.put(breaker);
        // The window starts again: the cordons that tripped it are the operator's to judge now.
        cordonings.clear();
        store.audit(resume.caller().audited(now, resume.reason(), 200, "automation: " + (was ? "halted" : "active")
                + " -> active"));
        LOG.atInfo().addKeyValue("actor", resume.caller().actor()).addKeyValue("reason", resume.reason())
                .addKeyValue("was_halted", was).log("automation_resumed");
        wake();
        return Outcomes.value(automation(now));
    }

    private Outcome reload(Mutation.ReloadRunbooks reload) {
        Instant now = clock.instant();
        List<RunbookFile> loaded;
        try {
            loaded = read(settings, dataDir, alertNames.get());
        } catch (InvalidDocumentException e) {
            store.audit(reload.caller().audited(now, reload.reason(), 400, "runbooks not reloaded: " + e.getMessage()));
            return Outcomes.problem(Problem.invalidInput(e, null));
        }
        books = loaded;
        schedules.start(books);
        store.audit(reload.caller().audited(now, reload.reason(), 200, "runbooks reloaded: " + loaded.size()));
        LOG.atInfo().addKeyValue("runbooks", loaded.size()).addKeyValue("actor", reload.caller().actor())
                .log("runbooks_reloaded");
        return Outcomes.value(summaries());
    }

    /** A schedule fired: a fleet runbook runs once; a selector's runs once on each node it selects. */
    private void scheduled(String name) {
        if (!leading) {
            return;
        }
        book(name).ifPresent(book -> startOn(book.runbook(), "schedule " + book.runbook().trigger(), "schedule",
                clock.instant()));
    }

    /** Schedules whose fire time passed while no member led run once now (the misfire policy). */
    private void catchUpSchedules(List<RunRecord> stored, Instant now) {
        for (RunbookFile book : books) {
            Runbook runbook = book.runbook();
            if (runbook.trigger() == null || runbook.trigger().schedule() == null) {
                continue;
            }
            Instant last = stored.stream().filter(r -> r.runbook().equals(runbook.name()) && r.startedBy()
                    .equals("schedule")).map(RunRecord::created).max(Comparator.naturalOrder()).orElse(null);
            if (runbook.trigger().schedule().missedSince(last, now)) {
                startOn(runbook, "schedule " + runbook.trigger() + " (missed while no member led)", "schedule", now);
            }
        }
    }

    private void startOn(Runbook runbook, String trigger, String startedBy, Instant now) {
        List<RunTarget> targets = switch (runbook.target().kind()) {
            case FLEET -> Collections.singletonList(null);
            case SELECTOR -> select(runbook.target().selector());
            case NODE, GPU -> List.of();
        };
        if (targets.isEmpty()) {
            Admission refused = Guards.resolved(runbook, targets);
            RunRecord run = Runs.create(store.nextRunId(), runbook, null, dryOverride(), trigger, startedBy, now);
            save(null, Runs.admit(run, refused, runbook, fleet, now));
            return;
        }
        for (RunTarget target : targets) {
            RunRecord run = Runs.create(store.nextRunId(), runbook, target, dryOverride(), trigger, startedBy, now);
            save(null, advance(run, runbook, now));
        }
    }

    private List<RunTarget> select(Selector selector) {
        List<RunTarget> targets = new ArrayList<>();
        for (NodeRecord node : store.nodes()) {
            String model = node.inventory() == null || node.inventory().gpus().isEmpty() ? null
                    : node.inventory().gpus().stream().map(GpuDevice::model).findFirst().orElse(null);
            boolean matches = (selector.pool() == null || selector.pool().equals(places.poolOf(node.name())))
                    && (selector.model() == null || model != null && model.contains(selector.model()))
                    && (selector.leaf() == null || selector.leaf().equals(places.leafOf(node.name())))
                    && (selector.state() == null || selector.state() == node.state())
                    // Nodes carry no labels yet: a selector that asks for some selects nothing (refused, never all).
                    && selector.labels().isEmpty();
            if (matches) {
                targets.add(new RunTarget(node.name(), null));
            }
        }
        return targets;
    }

    /** Every firing, unsilenced alert starts the runbooks it triggers, once per target since it fired. */
    private void startFromAlerts(Instant now) {
        for (AlertView alert : firing.get()) {
            if (!alert.silencedBy().isEmpty() || alert.inhibitedBy() != null) {
                continue;
            }
            for (RunbookFile book : books) {
                Runbook runbook = book.runbook();
                if (runbook.trigger() == null || runbook.trigger().alert() == null
                        || !runbook.trigger().alert().matches(alert.name(), alert.labels())) {
                    continue;
                }
                RunTarget target = targetOf(runbook, alert.labels());
                Instant since = alert.firedAt() != null ? alert.firedAt() : alert.activeAt();
                boolean ran = runs.values().stream().anyMatch(r -> r.runbook().equals(runbook.name())
                        && Objects.equals(r.target(), target) && (!r.state().ended() || !r.created().isBefore(since)));
                if (ran) {
                    continue;
                }
                String trigger = "alert " + alert.name() + alert.labels().entrySet().stream()
                        .filter(e -> !e.getKey().equals("alertname") && !e.getKey().equals("severity"))
                        .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(",", "{", "}"));
                RunRecord run = Runs.create(store.nextRunId(), runbook, target, dryOverride(), trigger, "alert", now);
                save(null, advance(run, runbook, now));
            }
        }
    }

    /** The node (and GPU) an alert names; null where it names none (the guards refuse the run). */
    private static RunTarget targetOf(Runbook runbook, Map<String, String> labels) {
        String node = labels.get("node");
        if (node == null) {
            return null;
        }
        Integer gpu = null;
        if (runbook.target().kind() == Target.Kind.GPU && labels.get("gpu") != null) {
            try {
                gpu = Integer.valueOf(labels.get("gpu"));
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return new RunTarget(node, gpu);
    }

    private void tick() {
        try {
            if (!leading || !acting.getAsBoolean()) {
                return;
            }
            Instant now = clock.instant();
            tripBreaker(now);
            startFromAlerts(now);
            for (RunRecord run : List.copyOf(runs.values())) {
                if (run.state().ended()) {
                    continue;
                }
                Runbook runbook = book(run.runbook()).map(RunbookFile::runbook).orElse(null);
                save(run, advance(run, runbook, now));
            }
            forgetOld(now);
            publish();
        } catch (RuntimeException e) {
            // The next tick tries again; a periodic task that throws would never run again.
            LOG.atError().addKeyValue("error", e.toString()).setCause(e).log("runbook_tick_failed");
        }
    }

    /** Moves a run as far as it goes now: a queued one asks the guards first. */
    private RunRecord advance(RunRecord run, Runbook runbook, Instant now) {
        if (runbook == null) {
            return Runs.abort(run, "controller", "runbook " + run.runbook() + " is no longer loaded", fleet, now);
        }
        if (run.state() == RunState.QUEUED) {
            runs.put(run.id(), run);
            Admission admission = guards.admit(runbook, run, fleetView(), now);
            return Runs.admit(run, admission, runbook, fleet, now);
        }
        return Runs.advance(run, runbook, fleet, now);
    }

    /** Stores a run that changed, with an audit entry and a log line for each step that moved. */
    private void save(RunRecord before, RunRecord after) {
        if (after.equals(before)) {
            return;
        }
        store.put(after);
        runs.put(after.id(), after);
        for (int i = 0; i < after.steps().size(); i++) {
            StepRecord now = after.steps().get(i);
            StepRecord was = before == null ? null : before.steps().get(i);
            if (was != null && was.state() == now.state() && was.attempts() == now.attempts()) {
                continue;
            }
            if (was == null && now.attempts() == 0) {
                continue;
            }
            store.audit(new AuditEntry(0, clock.instant(), after.actor(), "operator", "controller",
                    "runbook step " + now.kind() + " on " + after.target(), now.name(), 200, "run " + after.id()
                    + " step " + (i + 1) + " " + now.name() + ": " + wire(now.state()) + (now.output() == null ? ""
                    : ": " + now.output())));
            LOG.atInfo().addKeyValue("run", after.id()).addKeyValue("runbook", after.runbook())
                    .addKeyValue("target", String.valueOf(after.target())).addKeyValue("step", i + 1)
                    .addKeyValue("name", now.name()).addKeyValue("state", wire(now.state()))
                    .addKeyValue("attempt", now.attempts()).addKeyValue("dry_run", after.dryRun())
                    .addKeyValue("output", now.output()).log("runbook_step");
        }
        if (after.state().ended()) {
            telling.clear(Map.of("alertname", LeaderFleet.NOTE, "run", after.id()));
        }
        if (after.state().ended() && after.target() != null) {
            // An ended run asks its agent for nothing more.
            store.node(after.target().node()).ifPresent(node -> node.actions().stream()
                    .filter(a -> a.id().startsWith(after.id() + "/"))
                    .forEach(a -> fleet.withdraw(node.name(), a.id())));
        }
        if (after.state().ended() && (before == null || !before.state().ended())) {
            endedCounts.computeIfAbsent(after.runbook(), k -> new TreeMap<>()).merge(wire(after.state()), 1L, Long::sum);
        }
        if (before == null || before.state() != after.state()) {
            LOG.atInfo().addKeyValue("run", after.id()).addKeyValue("runbook", after.runbook())
                    .addKeyValue("target", String.valueOf(after.target())).addKeyValue("state", wire(after.state()))
                    .addKeyValue("reason", after.reason()).log("runbook_run");
        }
    }

    /** When the reflex and runbooks cordoned more nodes than the breaker allows, automation halts until resumed. */
    private void tripBreaker(Instant now) {
        if (breaker.halted() || cordonings.isEmpty()) {
            return;
        }
        Optional<String> tripped = guards.breaker(fleetView(), now);
        if (tripped.isPresent()) {
            breaker = new Store.Breaker(true, tripped.get(), "controller", now);
            store.put(breaker);
            fleet.page("breaker/" + now, "automation halted: " + tripped.get(), "vigil runbooks; vigil runbooks "
                    + "resume --reason '...' once the cause is understood");
            LOG.atWarn().addKeyValue("reason", tripped.get()).log("automation_halted");
        }
    }

    private FleetView fleetView() {
        return new FleetView(store.facts().keySet(), List.copyOf(runs.values()), cordonings, breaker.halted());
    }

    /** Ended runs leave memory once out of the repeat window; cordons once out of the breaker's. */
    private void forgetOld(Instant now) {
        Instant repeat = now.minus(settings.guards().repeatWindow());
        runs.values().removeIf(r -> r.state().ended() && r.created().isBefore(repeat));
        Instant window = now.minus(settings.guards().breakerWindow());
        cordonings.removeIf(c -> c.at().isBefore(window));
    }

    private void publish() {
        Map<String, Map<String, Long>> ended = new TreeMap<>();
        endedCounts.forEach((book, counts) -> ended.put(book, Map.copyOf(counts)));
        stats = new Stats(ended, (int) runs.values().stream().filter(r -> !r.state().ended()).count(),
                breaker.halted());
        Instant day = clock.instant().minus(Duration.ofDays(1));
        facts = new RunbookFacts(runs.values().stream().filter(r -> !r.state().ended() || r.updated().isAfter(day))
                .map(r -> new RunbookRun(r.id(), r.runbook(), r.target() == null ? null : r.target().node(),
                        r.target() == null ? null : r.target().gpu(), r.state(), r.reason(),
                        r.state().ended() ? r.updated() : null)).toList(),
                new Automation(breaker.halted(), breaker.reason(), breaker.since()));
    }

    /** For the alert rules that watch automation; none while this member does not lead. */
    public RunbookFacts facts() {
        return leading ? facts : RunbookFacts.NONE;
    }

    /** For the metrics. */
    public Stats stats() {
        return stats;
    }

    private Optional<RunbookFile> book(String name) {
        return books.stream().filter(f -> f.runbook().name().equals(name)).findFirst();
    }

    /** The runs' dryness as the config forces it, or null: each runbook's own mode. */
    private Boolean dryOverride() {
        return settings.mode() == null ? null : settings.mode() == Mode.DRY_RUN;
    }

    private void wake() {
        if (leading && wakeQueued.compareAndSet(false, true)) {
            loop.post("runbook-tick", () -> {
                wakeQueued.set(false);
                tick();
            });
        }
    }

    private static Problem invalid(InvalidValueException e) {
        return new Problem("/problems/invalid-input", "Invalid input", 400, "request body: " + e.getMessage(), null,
                e.field(), e.value(), e.allowed());
    }

    private static String wire(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    @Override
    public void close() {
        schedules.close();
        bmc.close();
        shell.close();
    }
}
