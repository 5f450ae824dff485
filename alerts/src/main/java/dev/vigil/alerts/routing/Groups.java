package dev.vigil.alerts.routing;

import dev.vigil.alerts.lifecycle.Alert;
import dev.vigil.alerts.store.AlertStore;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Aggregation groups with Alertmanager's timing: a new group waits {@code groupWait}, then is
 * looked at every {@code groupInterval}; a look sends a notification when an alert fired that
 * the receiver was not told about, when one it was told about is over, or when
 * {@code repeatInterval} passed with alerts still firing. An alert that resolves before its
 * group's first notification is never notified. A group with nothing firing and nothing left to
 * tell is removed.
 *
 * <p>Only the leader uses this; which alerts belong to a group is derived from the alerts (the
 * routing is a function of the labels), what was told is stored.
 */
public final class Groups {
    private final RouteTree tree;
    private final AlertStore store;
    private final Map<String, Group> groups = new TreeMap<>();

    private static final class Group {
        GroupState state;
        final RouteTree.Node route;
        final Set<String> members = new HashSet<>();
        Instant nextFlushAt;

        Group(GroupState state, RouteTree.Node route, Instant nextFlushAt) {
            this.state = state;
            this.route = route;
            this.nextFlushAt = nextFlushAt;
        }
    }

    /**
     * A flush's result: what to tell, and the group's state once it is told. The caller records
     * the deliveries first and then {@link #commit}s, so a leader that dies in between leaves the
     * old state, and its successor plans the same notification again under the same ids.
     */
    public record Flush(Notification notification, GroupState next) {
    }

    /** Loads the stored groups and puts the firing alerts back in theirs. */
    public Groups(RouteTree tree, AlertStore store, Collection<Alert> alerts) {
        this.tree = tree;
        this.store = store;
        for (GroupState state : store.groups()) {
            RouteTree.Node route = tree.byId(state.route());
            // A route removed from the config: the group stays until what it told is told resolved.
            RouteTree.Node timing = route != null ? route : tree.root();
            Instant next = state.lastNotifiedAt() == null ? state.createdAt().plus(timing.groupWait())
                    : state.lastNotifiedAt().plus(timing.groupInterval());
            groups.put(state.key(), new Group(state, timing, next));
        }
        for (Alert alert : alerts) {
            if (alert.firing()) {
                route(alert, null);
            }
        }
    }

    /** Puts a firing alert into the groups its routes give it, creating them (their wait starts {@code now}). */
    public void route(Alert alert, Instant now) {
        for (RouteTree.Node route : tree.match(alert.labels())) {
            SortedMap<String, String> labels = route.groupLabels(alert.labels());
            String key = route.groupKey(labels);
            Group group = groups.get(key);
            if (group == null) {
                Instant created = now != null ? now : alert.firedAt();
                GroupState state = new GroupState(key, route.id(), route.receiver(), labels, created, null, 0, Map.of());
                store.putGroup(state);
                group = new Group(state, route, created.plus(route.groupWait()));
                groups.put(key, group);
            }
            group.members.add(alert.fingerprint());
        }
    }

    /** Forgets an alert that no longer exists. */
    public void forget(String fingerprint) {
        for (Group group : groups.values()) {
            group.members.remove(fingerprint);
        }
    }

    /** Whether some receiver was told this alert fires and not yet that it is over. */
    public boolean holdsOpen(String fingerprint) {
        for (Group group : groups.values()) {
            if (group.state.open().containsKey(fingerprint)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Looks at every group whose time has come.
     *
     * @param alerts the alerts by fingerprint
     * @param muted  whether a firing alert is silenced or inhibited
     */
    public List<Flush> flushDue(Function<String, Alert> alerts, Predicate<Alert> muted, Instant now) {
        List<Flush> flushes = new ArrayList<>();
        for (Group group : new ArrayList<>(groups.values())) {
            if (group.nextFlushAt.isAfter(now)) {
                continue;
            }
            group.nextFlushAt = now.plus(group.route.groupInterval());
            Flush flush = flush(group, alerts, muted, now);
            if (flush != null) {
                flushes.add(flush);
            } else if (group.members.isEmpty() && group.state.open().isEmpty()) {
                groups.remove(group.state.key());
                store.removeGroup(group.state.key());
            }
        }
        return flushes;
    }

    private Flush flush(Group group, Function<String, Alert> alerts, Predicate<Alert> muted, Instant now) {
        GroupState state = group.state;
        List<Alert> firing = new ArrayList<>();
        List<Alert> newlyFiring = new ArrayList<>();
        Map<String, Instant> open = new LinkedHashMap<>(state.open());
        boolean openChanged = false;
        for (String fingerprint : new ArrayList<>(group.members)) {
            Alert alert = alerts.apply(fingerprint);
            if (alert == null || !alert.firing()) {
                group.members.remove(fingerprint);
                continue;
            }
            Instant told = open.get(fingerprint);
            if (told != null && !told.equals(alert.activeAt())) {
                // It resolved and fired again between two looks: to the receiver it never stopped.
                open.put(fingerprint, alert.activeAt());
                openChanged = true;
            }
            if (!muted.test(alert)) {
                firing.add(alert);
                if (told == null) {
                    newlyFiring.add(alert);
                }
            }
        }
        List<Alert> resolved = new ArrayList<>();
        for (var told : state.open().entrySet()) {
            Alert alert = alerts.apply(told.getKey());
            if (alert == null) {
                // Not kept while open; only a store edited by hand gets here.
                open.remove(told.getKey());
                openChanged = true;
            } else if (!alert.firing()) {
                resolved.add(alert.resolved() ? alert : alert.resolvedAt(now));
            }
        }
        boolean repeat = newlyFiring.isEmpty() && resolved.isEmpty() && !firing.isEmpty()
                && state.lastNotifiedAt() != null
                && !now.isBefore(state.lastNotifiedAt().plus(group.route.repeatInterval()));
        if (newlyFiring.isEmpty() && resolved.isEmpty() && !repeat) {
            if (openChanged) {
                commit(new GroupState(state.key(), state.route(), state.receiver(), state.labels(), state.createdAt(),
                        state.lastNotifiedAt(), state.seq(), open));
            }
            return null;
        }
        for (Alert alert : resolved) {
            open.remove(alert.fingerprint());
        }
        for (Alert alert : newlyFiring) {
            open.put(alert.fingerprint(), alert.activeAt());
        }
        long seq = state.seq() + 1;
        Notification notification = new Notification(state.key(), state.receiver(), state.labels(), seq,
                List.copyOf(firing), List.copyOf(newlyFiring), List.copyOf(resolved), repeat, now);
        return new Flush(notification, new GroupState(state.key(), state.route(), state.receiver(), state.labels(),
                state.createdAt(), now, seq, open));
    }

    /** Records a group's state after its notification's deliveries were recorded. */
    public void commit(GroupState next) {
        Group group = groups.get(next.key());
        if (group == null) {
            return;
        }
        group.state = next;
        if (group.members.isEmpty() && next.open().isEmpty()) {
            groups.remove(next.key());
            store.removeGroup(next.key());
        } else {
            store.putGroup(next);
        }
    }

    /** When the next group is due to be looked at, or null when there is none. */
    public Instant nextDue() {
        Instant next = null;
        for (Group group : groups.values()) {
            if (next == null || group.nextFlushAt.isBefore(next)) {
                next = group.nextFlushAt;
            }
        }
        return next;
    }

    /** The groups' stored states, for people. */
    public List<GroupState> states() {
        List<GroupState> states = new ArrayList<>();
        for (Group group : groups.values()) {
            states.add(group.state);
        }
        return states;
    }
}
