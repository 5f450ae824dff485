package dev.vigil.alerts;

import dev.vigil.alerts.fleet.Fleet;
import dev.vigil.alerts.inbound.AlertmanagerWebhook;
import dev.vigil.alerts.lifecycle.Alert;
import dev.vigil.alerts.lifecycle.AlertState;
import dev.vigil.alerts.lifecycle.Fingerprint;
import dev.vigil.alerts.lifecycle.Lifecycle;
import dev.vigil.alerts.notify.AlertmanagerPush;
import dev.vigil.alerts.notify.Delivery;
import dev.vigil.alerts.notify.Dispatcher;
import dev.vigil.alerts.notify.Notifier;
import dev.vigil.alerts.notify.NotifierStatus;
import dev.vigil.alerts.notify.Outbox;
import dev.vigil.alerts.notify.Receiver;
import dev.vigil.alerts.notify.Sender;
import dev.vigil.alerts.routing.GroupState;
import dev.vigil.alerts.routing.Groups;
import dev.vigil.alerts.routing.RouteTree;
import dev.vigil.alerts.rules.Finding;
import dev.vigil.alerts.rules.Rule;
import dev.vigil.alerts.rules.RuleSet;
import dev.vigil.alerts.rules.Template;
import dev.vigil.alerts.store.AlertStore;
import dev.vigil.alerts.suppression.Silence;
import dev.vigil.alerts.suppression.SilenceRequest;
import dev.vigil.alerts.suppression.Suppression;
import dev.vigil.api.binding.InvalidValueException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The alert engine the controller's leader drives: rules over the fleet, the alert lifecycle,
 * grouping, inhibition, silences, and the notifications those call for. Pure in the sense that
 * matters: it reads nothing but the fleet it is given and the clock it is given, and keeps every
 * piece of state in the {@link AlertStore}, so a new leader that builds an engine over the same
 * store goes on where the old one stopped.
 *
 * <p>What the leader calls: {@link #evaluate} with the fleet on every agent report that changes
 * something and {@link #tick} on a timer (about every second; {@link #nextDue} says when it
 * matters); {@link #receive} for Alertmanager's webhook; the silence methods for the REST API;
 * {@link #start} when it takes over and {@link #close} when it steps down.
 *
 * <p>The delivery guarantee: a notification is recorded in the store (its id derived from what it
 * tells) before it is sent, and marked sent after. A leader that dies before recording it leaves
 * the group's state as it was, so its successor plans the same notification under the same id;
 * one that dies after recording it leaves it pending, so its successor sends it. Only a leader
 * that dies between a receiver's answer and the mark (milliseconds) makes its successor send a
 * notification twice, and PagerDuty folds that repeat into the same incident by its dedup_key.
 * Nothing is lost; nothing else is repeated.
 */
public final class AlertEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AlertEngine.class);
    /** How long a resolved alert is kept: pushed to Alertmanager as resolved, and shown. */
    static final Duration RESOLVED_RETENTION = Duration.ofMinutes(15);
    /** How long an expired silence is kept, to show what was silenced (Alertmanager keeps 5 days). */
    static final Duration EXPIRED_SILENCE_RETENTION = Duration.ofDays(5);
    /** Readings of an unchanged alert are written at most this often. */
    static final Duration STORE_REFRESH = Duration.ofSeconds(30);

    private final AlertsConfig config;
    private final AlertStore store;
    private final InstantSource clock;
    private final RuleSet rules;
    private final Groups groups;
    private final Map<String, Notifier> notifiers = new LinkedHashMap<>();
    private final List<AlertmanagerPush> pushes = new ArrayList<>();
    private final Outbox outbox;
    private final Dispatcher dispatcher;
    private final Map<String, Alert> alerts = new HashMap<>();
    /** Each alert as last written, to write only what is worth writing. */
    private final Map<String, Alert> stored = new HashMap<>();
    private final Map<String, Silence> silences = new HashMap<>();
    private Fleet lastFleet = Fleet.empty();
    private Instant lastPushAt;
    private boolean pushNeeded;

    /** An engine over {@code store} that sends with its own HTTP client. */
    public AlertEngine(AlertsConfig config, AlertStore store, InstantSource clock) {
        this(config, store, clock, Dispatcher.httpClient());
    }

    /** Loads the state a previous leader left in {@code store}. */
    public AlertEngine(AlertsConfig config, AlertStore store, InstantSource clock, HttpClient http) {
        this.config = config;
        this.store = store;
        this.clock = clock;
        this.rules = new RuleSet(config.rules());
        for (Alert alert : store.alerts()) {
            alerts.put(alert.fingerprint(), alert);
            stored.put(alert.fingerprint(), alert);
        }
        for (Silence silence : store.silences()) {
            silences.put(silence.id(), silence);
        }
        Set<String> receiverNames = config.receivers().stream().map(Receiver::name)
                .collect(Collectors.toCollection(LinkedHashSet::new));
        this.groups = new Groups(new RouteTree(config.route(), receiverNames), store, alerts.values());
        Map<String, Sender> senders = new HashMap<>();
        for (Receiver receiver : config.receivers()) {
            Notifier notifier = Notifier.of(receiver, config.externalUrl());
            notifiers.put(receiver.name(), notifier);
            senders.put(receiver.name(), notifier);
        }
        for (URI url : config.alertmanagers().urls()) {
            AlertmanagerPush push = new AlertmanagerPush(url, config.alertmanagers().resendInterval(),
                    config.externalUrl());
            pushes.add(push);
            senders.put(push.receiver(), push);
        }
        this.outbox = new Outbox(store);
        this.dispatcher = new Dispatcher(outbox, senders, http, clock);
        LOG.atInfo().addKeyValue("rules", config.rules().size()).addKeyValue("receivers", notifiers.size())
                .addKeyValue("alertmanagers", pushes.size()).addKeyValue("alerts", alerts.size())
                .addKeyValue("silences", silences.size()).log("alert_engine_started");
    }

    /** Starts sending notifications in the background. */
    public void start() {
        dispatcher.start();
    }

    /** Stops sending; pending notifications stay in the store for the next leader. */
    @Override
    public void close() {
        dispatcher.close();
    }

    /**
     * Evaluates every rule over {@code fleet}, moves alerts through their lifecycle, looks at the
     * groups that are due and records the notifications they call for (sent in the background).
     */
    public synchronized void evaluate(Fleet fleet) {
        Instant now = clock.instant();
        lastFleet = fleet;
        Map<String, List<Finding>> found = rules.evaluate(fleet, now);
        Map<String, Finding> findings = new HashMap<>();
        found.values().forEach(list -> list.forEach(f -> findings.put(Fingerprint.of(f.labels()), f)));
        for (Alert alert : new ArrayList<>(alerts.values())) {
            if (alert.fromRule() && !findings.containsKey(alert.fingerprint())) {
                Rule rule = rules.rule(alert.name());
                Duration keep = rule == null ? Duration.ZERO : rule.keepFiringFor();
                apply(alert, Lifecycle.step(alert, null, Duration.ZERO, keep, now), now);
            }
        }
        for (var entry : findings.entrySet()) {
            Alert previous = alerts.get(entry.getKey());
            Rule rule = entry.getValue().rule();
            apply(previous, Lifecycle.step(previous, entry.getValue(), rule.pendingFor(), rule.keepFiringFor(), now),
                    now);
        }
        afterChanges(now);
    }

    /** Evaluates the last fleet again: time passed ({@code for}, group timers, retries of the push). */
    public synchronized void tick() {
        evaluate(lastFleet);
    }

    /**
     * Takes alerts from Alertmanager's webhook: a firing one fires here (Alertmanager already
     * waited its {@code for}), a resolved one resolves. Vigil's own alerts coming back (pushed to
     * Alertmanager, which sends them to Vigil's receiver) have a fingerprint Vigil's rules (or a
     * raised alert) own, and are left out rather than notified twice.
     *
     * @return how many were taken (the rest were Vigil's own, or resolutions of alerts Vigil never had)
     */
    public synchronized int receive(AlertmanagerWebhook message) {
        Instant now = clock.instant();
        int taken = 0;
        for (AlertmanagerWebhook.ReceivedAlert received : message.alerts()) {
            TreeMap<String, String> labels = new TreeMap<>(received.labels());
            String fingerprint = Fingerprint.of(labels);
            Alert previous = alerts.get(fingerprint);
            if (previous != null && !Alert.ALERTMANAGER.equals(previous.source())) {
                continue;
            }
            Alert next;
            if (received.firing()) {
                Instant started = received.startsAt() != null ? received.startsAt() : now;
                next = previous != null && previous.firing()
                        ? new Alert(fingerprint, labels, received.annotations(), 0, AlertState.FIRING,
                        Alert.ALERTMANAGER, previous.activeAt(), previous.firedAt(), now, null, received.generatorURL())
                        : new Alert(fingerprint, labels, received.annotations(), 0, AlertState.FIRING,
                        Alert.ALERTMANAGER, started, started, now, null, received.generatorURL());
            } else if (previous != null && previous.firing()) {
                next = previous.resolvedAt(now);
            } else {
                continue;
            }
            taken++;
            apply(previous, next, now);
        }
        LOG.atInfo().addKeyValue("receiver", message.receiver()).addKeyValue("status", message.status())
                .addKeyValue("alerts", message.alerts().size()).addKeyValue("taken", taken)
                .log("alertmanager_webhook_received");
        afterChanges(now);
        return taken;
    }

    /**
     * Raises an alert of Vigil's own, not from a rule (a runbook's note or page): it fires now and
     * is routed, grouped, silenced and notified like any other, until {@link #clear} resolves it.
     * Raising one that fires already changes nothing.
     */
    public synchronized void raise(Map<String, String> labels, Map<String, String> annotations) {
        Instant now = clock.instant();
        TreeMap<String, String> sorted = new TreeMap<>(labels);
        String fingerprint = Fingerprint.of(sorted);
        Alert previous = alerts.get(fingerprint);
        if (previous != null && previous.firing()) {
            return;
        }
        apply(previous, new Alert(fingerprint, sorted, annotations, 0, AlertState.FIRING, Alert.RAISED, now, now, now,
                null, null), now);
        afterChanges(now);
    }

    /**
     * Resolves the raised alerts that fire with every label of {@code matching}.
     *
     * @return how many it resolved
     */
    public synchronized int clear(Map<String, String> matching) {
        Instant now = clock.instant();
        int resolved = 0;
        for (Alert alert : new ArrayList<>(alerts.values())) {
            if (Alert.RAISED.equals(alert.source()) && alert.firing()
                    && alert.labels().entrySet().containsAll(matching.entrySet())) {
                apply(alert, alert.resolvedAt(now), now);
                resolved++;
            }
        }
        if (resolved > 0) {
            afterChanges(now);
        }
        return resolved;
    }

    private void apply(Alert previous, Alert next, Instant now) {
        if (next == previous) {
            return;
        }
        if (next == null) {
            forget(previous.fingerprint());
            return;
        }
        alerts.put(next.fingerprint(), next);
        Alert written = stored.get(next.fingerprint());
        if (written == null || written.worthStoring(next, STORE_REFRESH)) {
            store.putAlert(next);
            stored.put(next.fingerprint(), next);
        }
        AlertState before = previous == null ? null : previous.state();
        if (before != next.state() || !Objects.equals(previous.activeAt(), next.activeAt())) {
            log(next, "alert_" + next.state().name().toLowerCase(Locale.ROOT));
            if (next.firing()) {
                groups.route(next, now);
            }
            pushNeeded |= next.firing() || before == AlertState.FIRING;
        }
    }

    private void forget(String fingerprint) {
        alerts.remove(fingerprint);
        if (stored.remove(fingerprint) != null) {
            store.removeAlert(fingerprint);
        }
        groups.forget(fingerprint);
    }

    private void afterChanges(Instant now) {
        for (Alert alert : new ArrayList<>(alerts.values())) {
            if (alert.resolved() && !now.isBefore(alert.resolvedAt().plus(RESOLVED_RETENTION))
                    && !groups.holdsOpen(alert.fingerprint())) {
                forget(alert.fingerprint());
            }
        }
        for (Silence silence : new ArrayList<>(silences.values())) {
            if (!now.isBefore(silence.endsAt().plus(EXPIRED_SILENCE_RETENTION))) {
                silences.remove(silence.id());
                store.removeSilence(silence.id());
            }
        }
        Suppression suppression = suppression(now);
        boolean planned = false;
        for (Groups.Flush flush : groups.flushDue(alerts::get, alert -> suppression.muted(alert) != null, now)) {
            Notifier notifier = notifiers.get(flush.notification().receiver());
            if (notifier == null) {
                LOG.atWarn().addKeyValue("receiver", flush.notification().receiver())
                        .addKeyValue("group", flush.notification().groupKey())
                        .log("notification_dropped_receiver_removed");
            } else {
                planned |= !outbox.enqueue(notifier.plan(flush.notification(), now), now).isEmpty();
            }
            groups.commit(flush.next());
        }
        if (!pushes.isEmpty()) {
            boolean resend = lastPushAt == null
                    || !now.isBefore(lastPushAt.plus(config.alertmanagers().resendInterval()));
            boolean anything = alerts.values().stream().anyMatch(a -> a.firing() || a.resolved());
            if ((pushNeeded || resend) && anything) {
                for (AlertmanagerPush push : pushes) {
                    planned |= !outbox.enqueue(List.of(push.plan(alerts.values(), now)), now).isEmpty();
                }
                lastPushAt = now;
            }
            pushNeeded = false;
        }
        outbox.prune(now);
        if (planned) {
            dispatcher.wake();
        }
    }

    private Suppression suppression(Instant now) {
        return new Suppression(config.inhibitRules(), silences.values(),
                alerts.values().stream().filter(Alert::firing).toList(), now);
    }

    private void log(Alert alert, String event) {
        StringBuilder labels = new StringBuilder();
        alert.labels().forEach((name, value) -> {
            if (!name.equals("alertname") && !name.equals("severity")) {
                labels.append(labels.length() == 0 ? "" : ",").append(name).append('=').append(value);
            }
        });
        // Firing and resolved are what an operator reads the log for; a pending alert pages nobody and may
        // come and go with every evaluation near its threshold (vigil alerts shows it): debug only.
        var line = alert.firing() ? LOG.atWarn() : alert.state() == AlertState.PENDING ? LOG.atDebug() : LOG.atInfo();
        line.addKeyValue("alertname", alert.name()).addKeyValue("severity", alert.labels().get("severity"))
                .addKeyValue("fingerprint", alert.fingerprint()).addKeyValue("labels", labels.toString())
                .addKeyValue("value", Template.number(alert.value())).addKeyValue("source", alert.source())
                .log(event);
    }

    /**
     * When something time-driven is next due (a group's timer, a pending alert's {@code for}, the
     * push to Alertmanager), or null when nothing is: the leader may tick then instead of polling.
     */
    public synchronized Instant nextDue() {
        List<Instant> due = new ArrayList<>();
        due.add(groups.nextDue());
        for (Alert alert : alerts.values()) {
            Rule rule = alert.fromRule() ? rules.rule(alert.name()) : null;
            if (rule != null && alert.state() == AlertState.PENDING) {
                due.add(alert.activeAt().plus(rule.pendingFor()));
            } else if (rule != null && alert.firing() && !rule.keepFiringFor().isZero()) {
                due.add(alert.lastTrueAt().plus(rule.keepFiringFor()));
            }
        }
        if (!pushes.isEmpty() && lastPushAt != null) {
            due.add(lastPushAt.plus(config.alertmanagers().resendInterval()));
        }
        return due.stream().filter(Objects::nonNull).min(Comparator.naturalOrder()).orElse(null);
    }

    /**
     * Creates a silence. Times default to now; the request's {@code createdBy} defaults to the
     * caller. Errors name the field (an end in the past, say).
     *
     * @param actor who asks (the REST caller's identity)
     */
    public synchronized Silence createSilence(SilenceRequest request, String actor) {
        Instant now = clock.instant();
        Instant startsAt = request.startsAt() != null ? request.startsAt() : now;
        Instant endsAt = request.endsAt() != null ? request.endsAt() : startsAt.plus(request.duration());
        InvalidValueException.require(endsAt.isAfter(now), "endsAt", endsAt, "a time in the future");
        InvalidValueException.require(endsAt.isAfter(startsAt), "endsAt", endsAt, "a time after startsAt (" + startsAt + ")");
        String createdBy = request.createdBy() != null && !request.createdBy().isBlank() ? request.createdBy() : actor;
        InvalidValueException.require(createdBy != null && !createdBy.isBlank(), "createdBy", createdBy,
                "who creates the silence");
        Silence silence = new Silence(UUID.randomUUID().toString(), request.matchers(), startsAt, endsAt, createdBy,
                request.comment(), now, actor);
        store.putSilence(silence);
        silences.put(silence.id(), silence);
        LOG.atInfo().addKeyValue("id", silence.id()).addKeyValue("matchers", silence.matchers().toString())
                .addKeyValue("starts_at", startsAt).addKeyValue("ends_at", endsAt)
                .addKeyValue("created_by", createdBy).addKeyValue("actor", actor)
                .addKeyValue("comment", silence.comment()).log("silence_created");
        return silence;
    }

    /** Ends a silence now; empty when there is no silence with that id. */
    public synchronized Optional<Silence> expireSilence(String id, String actor) {
        Silence silence = silences.get(id);
        if (silence == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        if (silence.status(now) == Silence.Status.EXPIRED) {
            return Optional.of(silence);
        }
        Silence expired = silence.expired(now, actor);
        store.putSilence(expired);
        silences.put(id, expired);
        LOG.atInfo().addKeyValue("id", id).addKeyValue("matchers", expired.matchers().toString())
                .addKeyValue("actor", actor).log("silence_expired");
        return Optional.of(expired);
    }

    /** Every silence kept (active, pending, and expired ones for 5 days), newest first. */
    public synchronized List<Silence> silences() {
        List<Silence> all = new ArrayList<>(silences.values());
        all.sort(Comparator.comparing(Silence::startsAt).reversed().thenComparing(Silence::id));
        return all;
    }

    /** Every alert with why it is muted and how its notifications went: firing first, then pending, then resolved. */
    public synchronized List<AlertView> alerts() {
        Instant now = clock.instant();
        Suppression suppression = suppression(now);
        Map<String, List<AlertView.Notified>> told = new HashMap<>();
        for (Delivery delivery : outbox.deliveries()) {
            for (String fingerprint : delivery.fingerprints()) {
                told.computeIfAbsent(fingerprint, f -> new ArrayList<>()).add(new AlertView.Notified(
                        delivery.receiver(), delivery.kind(), delivery.action(), delivery.status(),
                        delivery.attempts(), delivery.createdAt(),
                        delivery.status().done() ? null : delivery.nextAttemptAt(), delivery.lastError()));
            }
        }
        List<AlertView> views = new ArrayList<>();
        for (Alert alert : alerts.values()) {
            Suppression.Muted muted = alert.firing() ? suppression.muted(alert) : null;
            views.add(new AlertView(alert.fingerprint(), alert.name(), alert.state(), alert.source(), alert.labels(),
                    alert.annotations(), Template.number(alert.value()), alert.activeAt(), alert.firedAt(),
                    alert.resolvedAt(), muted == null ? List.of() : muted.silencedBy(),
                    muted == null ? null : muted.inhibitedBy(), told.getOrDefault(alert.fingerprint(), List.of())));
        }
        views.sort(Comparator.comparing((AlertView v) -> v.state() == AlertState.FIRING ? 0
                        : v.state() == AlertState.PENDING ? 1 : 2)
                .thenComparing(AlertView::name).thenComparing(v -> v.labels().toString()));
        return views;
    }

    /** The aggregation groups, for people debugging routing. */
    public synchronized List<GroupState> groups() {
        return groups.states();
    }

    /** Counts for the controller's metrics. */
    public synchronized AlertStats stats() {
        Instant now = clock.instant();
        Map<AlertState, Integer> byState = new EnumMap<>(AlertState.class);
        for (AlertState state : AlertState.values()) {
            byState.put(state, 0);
        }
        alerts.values().forEach(alert -> byState.merge(alert.state(), 1, Integer::sum));
        Suppression suppression = suppression(now);
        int silenced = 0;
        int inhibited = 0;
        for (Alert alert : alerts.values()) {
            Suppression.Muted muted = alert.firing() ? suppression.muted(alert) : null;
            if (muted != null) {
                silenced += muted.silencedBy().isEmpty() ? 0 : 1;
                inhibited += muted.inhibitedBy() == null ? 0 : 1;
            }
        }
        int active = (int) silences.values().stream().filter(s -> s.status(now) == Silence.Status.ACTIVE).count();
        return new AlertStats(byState, silenced, inhibited, active, notifierStatus());
    }

    /** Each receiver's notifications: counts, pending retries, the last error. */
    public List<NotifierStatus> notifierStatus() {
        Map<String, String> kinds = new LinkedHashMap<>();
        notifiers.values().forEach(n -> kinds.put(n.receiver(), n.kind()));
        pushes.forEach(p -> kinds.put(p.receiver(), p.kind()));
        return outbox.status(kinds);
    }

    /**
     * Sends what is due now and waits for the answers, on the caller's thread: for tests and
     * benchmarks that drive the clock. The leader uses {@link #start} instead.
     *
     * @return how many attempts were made
     */
    public int deliverDue() {
        return dispatcher.deliverDue();
    }
}
