package dev.vigil.alerts.notify;

import dev.vigil.alerts.store.AlertStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The notifications to send, recorded before they are sent and marked once they were: what makes
 * a failed notification retried rather than lost, and a leader's successor neither lose nor
 * repeat one. Per order key one delivery is out at a time, oldest first. Failures that may pass
 * (429, 5xx, no answer) are retried with exponential backoff from 1 s up to 5 min, for as long as
 * it takes; a refusal (400) is kept, with the receiver's answer, and never retried.
 */
public final class Outbox {
    private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofMinutes(5);
    static final Duration KEEP_SENT = Duration.ofHours(1);
    static final Duration KEEP_UNSENT = Duration.ofDays(1);

    /** Decides whether a delivery may go now: null when yes, else when it may. */
    @FunctionalInterface
    public interface Gate {
        Instant admit(Delivery delivery, Instant now);
    }

    private final AlertStore store;
    private final Map<String, Delivery> deliveries = new HashMap<>();
    private final Set<String> inFlight = new HashSet<>();
    private final Map<String, Counters> counters = new TreeMap<>();
    private long sequence;

    private static final class Counters {
        String kind;
        long sent;
        long failed;
        long retries;
        long superseded;
        String lastError;
        Instant lastErrorAt;
        Instant lastSentAt;
    }

    public Outbox(AlertStore store) {
        this.store = store;
        for (Delivery delivery : store.deliveries()) {
            deliveries.put(delivery.id(), delivery);
            sequence = Math.max(sequence, delivery.sequence());
        }
    }

    /**
     * Records planned deliveries. One whose id is already recorded (planned by this leader or its
     * predecessor) is left out. A snapshot replaces older unsent ones of its key; a resolve whose
     * trigger has not been tried yet retires both: nobody needs to hear of an alert that is over
     * before it could be told.
     *
     * @return the deliveries added
     */
    public synchronized List<Delivery> enqueue(List<Delivery> planned, Instant now) {
        List<Delivery> added = new ArrayList<>();
        for (Delivery delivery : planned) {
            if (deliveries.containsKey(delivery.id())) {
                continue;
            }
            Delivery numbered = delivery.numbered(++sequence);
            if (!store.addDelivery(numbered)) {
                continue;
            }
            deliveries.put(numbered.id(), numbered);
            added.add(numbered);
            supersede(numbered, now);
        }
        return added;
    }

    private void supersede(Delivery newer, Instant now) {
        for (Delivery older : new ArrayList<>(deliveries.values())) {
            if (older.status().done() || inFlight.contains(older.id()) || older.sequence() >= newer.sequence()
                    || !older.orderKey().equals(newer.orderKey())) {
                continue;
            }
            if (newer.snapshot()) {
                retire(older, "replaced by " + newer.id(), now);
            } else if ("resolve".equals(newer.action()) && "trigger".equals(older.action()) && older.attempts() == 0) {
                retire(older, "the alert resolved before the trigger could be sent", now);
                retire(newer, "its trigger was never sent", now);
            }
        }
    }

    private void retire(Delivery delivery, String why, Instant now) {
        Delivery retired = delivery.finished(Delivery.Status.SUPERSEDED, delivery.attempts(), now, why);
        deliveries.put(retired.id(), retired);
        store.putDelivery(retired);
        counters(retired).superseded++;
        LOG.atInfo().addKeyValue("receiver", retired.receiver()).addKeyValue("kind", retired.kind())
                .addKeyValue("action", retired.action()).addKeyValue("id", retired.id()).addKeyValue("why", why)
                .log("notification_superseded");
    }

    /** Takes the deliveries that may go now (marking them in flight); each must be {@link #complete}d. */
    public synchronized List<Delivery> takeDue(Instant now, Gate gate) {
        Map<String, Delivery> heads = new HashMap<>();
        for (Delivery delivery : deliveries.values()) {
            if (!delivery.status().done()) {
                heads.merge(delivery.orderKey(), delivery, (a, b) -> a.sequence() < b.sequence() ? a : b);
            }
        }
        List<Delivery> due = new ArrayList<>();
        List<Delivery> sorted = new ArrayList<>(heads.values());
        sorted.sort(Comparator.comparingLong(Delivery::sequence));
        for (Delivery head : sorted) {
            if (inFlight.contains(head.id()) || head.nextAttemptAt().isAfter(now)) {
                continue;
            }
            Instant wait = gate.admit(head, now);
            if (wait != null) {
                deliveries.put(head.id(), head.retryAt(head.attempts(), wait, head.lastError()));
                continue;
            }
            inFlight.add(head.id());
            due.add(head);
        }
        return due;
    }

    /** Records how an attempt went. */
    public synchronized void complete(String id, Outcome outcome, Instant now) {
        inFlight.remove(id);
        Delivery delivery = deliveries.get(id);
        if (delivery == null || delivery.status().done()) {
            return;
        }
        int attempts = delivery.attempts() + 1;
        Counters counts = counters(delivery);
        Delivery next;
        if (outcome instanceof Outcome.Sent) {
            next = delivery.finished(Delivery.Status.SENT, attempts, now, delivery.lastError());
            counts.sent++;
            counts.lastSentAt = now;
            log(Level.INFO, next, "notification_sent", null);
        } else if (outcome instanceof Outcome.Failed failed) {
            next = delivery.finished(Delivery.Status.FAILED, attempts, now, failed.error());
            counts.failed++;
            counts.lastError = failed.error();
            counts.lastErrorAt = now;
            log(Level.ERROR, next, "notification_failed", "refused by the receiver; not retried");
        } else {
            Outcome.Retry retry = (Outcome.Retry) outcome;
            Duration backoff = backoff(attempts);
            if (retry.after() != null && retry.after().compareTo(backoff) > 0) {
                backoff = retry.after();
            }
            next = delivery.retryAt(attempts, now.plus(backoff), retry.error());
            counts.retries++;
            counts.lastError = retry.error();
            counts.lastErrorAt = now;
            log(Level.WARN, next, "notification_retry", "next attempt in " + backoff.toMillis() + "ms");
        }
        deliveries.put(id, next);
        store.putDelivery(next);
    }

    /** 1 s, 2 s, 4 s ... up to 5 min, after the {@code attempts}-th failure. */
    static Duration backoff(int attempts) {
        int doublings = Math.min(Math.max(attempts - 1, 0), 20);
        Duration delay = FIRST_BACKOFF.multipliedBy(1L << doublings);
        return delay.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : delay;
    }

    private void log(Level level, Delivery delivery, String event, String note) {
        var line = LOG.atLevel(level).addKeyValue("receiver", delivery.receiver())
                .addKeyValue("kind", delivery.kind()).addKeyValue("action", delivery.action())
                .addKeyValue("alerts", delivery.fingerprints().size())
                .addKeyValue("attempts", delivery.attempts());
        if (delivery.fingerprints().size() == 1) {
            line = line.addKeyValue("fingerprint", delivery.fingerprints().get(0));
        }
        if (delivery.lastError() != null && !delivery.status().equals(Delivery.Status.SENT)) {
            line = line.addKeyValue("error", delivery.lastError());
        }
        if (note != null) {
            line = line.addKeyValue("note", note);
        }
        line.log(event);
    }

    /** When the earliest waiting delivery may go, or null when none waits. */
    public synchronized Instant nextDue() {
        Instant next = null;
        for (Delivery delivery : deliveries.values()) {
            if (!delivery.status().done() && !inFlight.contains(delivery.id())
                    && (next == null || delivery.nextAttemptAt().isBefore(next))) {
                next = delivery.nextAttemptAt();
            }
        }
        return next;
    }

    /** Drops finished deliveries: sent ones after an hour, refused and superseded ones after a day. */
    public synchronized void prune(Instant now) {
        for (Delivery delivery : new ArrayList<>(deliveries.values())) {
            if (delivery.status().done() && delivery.doneAt() != null && !now.isBefore(delivery.doneAt().plus(
                    delivery.status() == Delivery.Status.SENT ? KEEP_SENT : KEEP_UNSENT))) {
                deliveries.remove(delivery.id());
                store.removeDelivery(delivery.id());
            }
        }
    }

    public synchronized List<Delivery> deliveries() {
        List<Delivery> all = new ArrayList<>(deliveries.values());
        all.sort(Comparator.comparingLong(Delivery::sequence));
        return all;
    }

    /** Every receiver's state, those named first (so a receiver with nothing sent yet shows too). */
    public synchronized List<NotifierStatus> status(Map<String, String> kindsByReceiver) {
        Map<String, String> kinds = new TreeMap<>(kindsByReceiver);
        counters.forEach((receiver, counts) -> kinds.putIfAbsent(receiver, counts.kind));
        deliveries.values().forEach(d -> kinds.putIfAbsent(d.receiver(), d.kind()));
        List<NotifierStatus> status = new ArrayList<>();
        kinds.forEach((receiver, kind) -> {
            Counters counts = counters.getOrDefault(receiver, new Counters());
            int pending = 0;
            int retrying = 0;
            String lastError = counts.lastError;
            Instant lastErrorAt = counts.lastErrorAt;
            for (Delivery delivery : deliveries.values()) {
                if (delivery.receiver().equals(receiver)) {
                    if (!delivery.status().done()) {
                        pending++;
                        retrying += delivery.attempts() > 0 ? 1 : 0;
                    }
                    // A refusal stored by a previous leader still shows.
                    if (lastError == null && delivery.status() == Delivery.Status.FAILED) {
                        lastError = delivery.lastError();
                        lastErrorAt = delivery.doneAt();
                    }
                }
            }
            status.add(new NotifierStatus(receiver, kind, counts.sent, counts.failed, counts.retries,
                    counts.superseded, pending, retrying, lastError, lastErrorAt, counts.lastSentAt));
        });
        return status;
    }

    private Counters counters(Delivery delivery) {
        Counters counts = counters.computeIfAbsent(delivery.receiver(), r -> new Counters());
        counts.kind = delivery.kind();
        return counts;
    }
}
