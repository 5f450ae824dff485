package dev.vigil.alerts.routing;

import dev.vigil.alerts.lifecycle.Alert;
import dev.vigil.alerts.lifecycle.AlertState;
import dev.vigil.alerts.lifecycle.Fingerprint;
import dev.vigil.alerts.store.MemoryAlertStore;
import dev.vigil.alerts.suppression.Matcher;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

class GroupsTest {
    private static final Instant T0 = Instant.parse("2026-11-22T03:00:00Z");
    private final MemoryAlertStore store = new MemoryAlertStore();
    private final Map<String, Alert> alerts = new HashMap<>();
    private Predicate<Alert> muted = a -> false;

    /** Alertmanager's defaults, grouped by alertname and node; critical ones at once, per GPU. */
    private static final Route ROUTE = new Route("log", List.of("alertname", "node"), Duration.ofSeconds(30),
            Duration.ofMinutes(5), Duration.ofHours(4), null, null, List.of(
            new Route("pager", List.of("alertname", "node", "gpu"), Duration.ZERO, Duration.ofMinutes(1), null,
                    List.of(Matcher.parse("severity=\"critical\"")), null, null)));

    private Groups groups() {
        return new Groups(new RouteTree(ROUTE, Set.of("log", "pager")), store, alerts.values());
    }

    private static Instant at(long seconds) {
        return T0.plusSeconds(seconds);
    }

    private Alert fire(String name, String node, String gpu, String severity, Instant at) {
        TreeMap<String, String> labels = new TreeMap<>(Map.of("alertname", name, "node", node, "gpu", gpu,
                "severity", severity));
        Alert alert = new Alert(Fingerprint.of(labels), labels, Map.of(), 1, AlertState.FIRING, Alert.RULE, at, at, at,
                null, null);
        alerts.put(alert.fingerprint(), alert);
        return alert;
    }

    private Alert resolve(Alert alert, Instant at) {
        Alert resolved = alert.resolvedAt(at);
        alerts.put(resolved.fingerprint(), resolved);
        return resolved;
    }

    private List<Notification> flush(Groups groups, Instant at) {
        List<Groups.Flush> flushes = groups.flushDue(alerts::get, a -> muted.test(a), at);
        flushes.forEach(f -> groups.commit(f.next()));
        return flushes.stream().map(Groups.Flush::notification).toList();
    }

    @Test
    void aNewGroupWaitsGroupWaitSoAlertsThatComeTogetherAreToldTogether() {
        Groups groups = groups();
        Alert a = fire("Hot", "n1", "0", "warning", at(0));
        groups.route(a, at(0));
        Alert b = fire("Hot", "n1", "1", "warning", at(10));
        groups.route(b, at(10));
        assertThat(flush(groups, at(29))).isEmpty();
        assertThat(flush(groups, at(30))).singleElement().satisfies(n -> {
            assertThat(n.receiver()).isEqualTo("log");
            assertThat(n.groupKey()).isEqualTo("{}:{alertname=\"Hot\", node=\"n1\"}");
            assertThat(n.newlyFiring()).containsExactlyInAnyOrder(a, b);
            assertThat(n.seq()).isEqualTo(1);
        });
    }

    @Test
    void anAlertJoiningAToldGroupWaitsForTheNextGroupInterval() {
        Groups groups = groups();
        groups.route(fire("Hot", "n1", "0", "warning", at(0)), at(0));
        assertThat(flush(groups, at(30))).hasSize(1);
        Alert late = fire("Hot", "n1", "2", "warning", at(40));
        groups.route(late, at(40));
        assertThat(flush(groups, at(40))).isEmpty();
        assertThat(flush(groups, at(30 + 299))).isEmpty();
        assertThat(flush(groups, at(30 + 300))).singleElement().satisfies(n -> {
            assertThat(n.newlyFiring()).containsExactly(late);
            assertThat(n.firing()).hasSize(2);
            assertThat(n.seq()).isEqualTo(2);
        });
    }

    @Test
    void anAlertResolvedWithinGroupWaitIsNeverNotifiedAndItsGroupGoes() {
        Groups groups = groups();
        Alert a = fire("Hot", "n1", "0", "warning", at(0));
        groups.route(a, at(0));
        resolve(a, at(10));
        assertThat(flush(groups, at(30))).isEmpty();
        assertThat(groups.states()).isEmpty();
        assertThat(store.groups()).isEmpty();
    }

    @Test
    void aToldAlertsResolutionIsToldAtTheNextLookThenTheGroupGoes() {
        Groups groups = groups();
        Alert a = fire("Hot", "n1", "0", "warning", at(0));
        groups.route(a, at(0));
        flush(groups, at(30));
        assertThat(groups.holdsOpen(a.fingerprint())).isTrue();
        resolve(a, at(100));
        assertThat(flush(groups, at(330))).singleElement().satisfies(n -> {
            assertThat(n.resolved()).extracting(Alert::fingerprint).containsExactly(a.fingerprint());
            assertThat(n.newlyFiring()).isEmpty();
        });
        assertThat(groups.holdsOpen(a.fingerprint())).isFalse();
        assertThat(groups.states()).isEmpty();
        assertThat(store.groups()).as("gone from the store too").isEmpty();
    }

    @Test
    void anUnchangedFiringGroupIsToldAgainAfterRepeatInterval() {
        Groups groups = groups();
        groups.route(fire("Hot", "n1", "0", "warning", at(0)), at(0));
        flush(groups, at(30));
        long repeat = Duration.ofHours(4).toSeconds();
        for (long t = 330; t < 30 + repeat; t += 300) {
            assertThat(flush(groups, at(t))).as("at %ds", t).isEmpty();
        }
        assertThat(flush(groups, at(30 + repeat + 300 - (repeat % 300)))).singleElement()
                .satisfies(n -> assertThat(n.repeat()).isTrue());
    }

    @Test
    void criticalAlertsGoToTheirRouteAtOnceOneGroupPerGpu() {
        Groups groups = groups();
        Alert xid = fire("GpuXidFatal", "n1", "3", "critical", at(0));
        groups.route(xid, at(0));
        assertThat(flush(groups, at(0))).singleElement().satisfies(n -> {
            assertThat(n.receiver()).isEqualTo("pager");
            assertThat(n.groupKey()).isEqualTo(
                    "{}/0{severity=\"critical\"}:{alertname=\"GpuXidFatal\", gpu=\"3\", node=\"n1\"}");
        });
    }

    @Test
    void aMutedAlertIsNotToldButItsResolutionIsWhenItWasToldBefore() {
        Groups groups = groups();
        Alert a = fire("Hot", "n1", "0", "warning", at(0));
        Alert b = fire("Hot", "n1", "1", "warning", at(0));
        groups.route(a, at(0));
        groups.route(b, at(0));
        muted = alert -> alert.fingerprint().equals(b.fingerprint());
        assertThat(flush(groups, at(30))).singleElement()
                .satisfies(n -> assertThat(n.newlyFiring()).containsExactly(a));
        muted = alert -> true;
        resolve(a, at(40));
        assertThat(flush(groups, at(330))).singleElement().satisfies(n -> {
            assertThat(n.resolved()).extracting(Alert::fingerprint).containsExactly(a.fingerprint());
            assertThat(n.firing()).isEmpty();
        });
    }

    @Test
    void anAlertThatResolvesAndFiresAgainBetweenTwoLooksNeverStoppedForTheReceiver() {
        Groups groups = groups();
        Alert a = fire("Hot", "n1", "0", "warning", at(0));
        groups.route(a, at(0));
        flush(groups, at(30));
        resolve(a, at(60));
        Alert again = fire("Hot", "n1", "0", "warning", at(90));
        groups.route(again, at(90));
        assertThat(flush(groups, at(330))).isEmpty();
        assertThat(store.groups()).singleElement()
                .satisfies(g -> assertThat(g.open()).containsEntry(a.fingerprint(), at(90)));
    }

    @Test
    void aNewLeaderLoadsWhatWasToldAndDoesNotTellItAgain() {
        Groups first = groups();
        Alert a = fire("Hot", "n1", "0", "warning", at(0));
        first.route(a, at(0));
        assertThat(flush(first, at(30))).hasSize(1);
        Groups second = groups();
        assertThat(flush(second, at(400))).isEmpty();
        resolve(a, at(500));
        assertThat(flush(second, at(700))).singleElement()
                .satisfies(n -> assertThat(n.resolved()).hasSize(1));
    }

    @Test
    void aNewGroupIsStoredAtOnceAndEachNotificationItSendsIsStoredOnCommit() {
        Groups groups = groups();
        groups.route(fire("Hot", "n1", "0", "warning", at(0)), at(0));
        assertThat(store.groups()).singleElement().satisfies(g -> {
            assertThat(g.seq()).isZero();
            assertThat(g.createdAt()).isEqualTo(at(0));
            assertThat(g.receiver()).isEqualTo("log");
        });
        flush(groups, at(30));
        assertThat(store.groups()).singleElement().satisfies(g -> {
            assertThat(g.seq()).isEqualTo(1);
            assertThat(g.lastNotifiedAt()).isEqualTo(at(30));
        });
        assertThat(groups.states()).singleElement().satisfies(g -> assertThat(g.seq()).isEqualTo(1));
    }

    @Test
    void aNewLeaderWithoutStoredGroupsPutsTheFiringAlertsInGroupsThatWaitFromWhenTheyFired() {
        Alert firing = fire("Hot", "n1", "0", "warning", at(0));
        resolve(fire("Hot", "n2", "0", "warning", at(0)), at(5));
        Groups groups = groups();
        assertThat(groups.states()).as("only the firing alert's group").singleElement().satisfies(g -> {
            assertThat(g.labels()).containsEntry("node", "n1");
            assertThat(g.createdAt()).isEqualTo(at(0));
        });
        assertThat(store.groups()).hasSize(1);
        assertThat(groups.nextDue()).isEqualTo(at(30));
        assertThat(flush(groups, at(30))).singleElement()
                .satisfies(n -> assertThat(n.newlyFiring()).containsExactly(firing));
    }

    @Test
    void theNextDueTimeIsTheEarliestGroupTimerAndNoneWithoutGroups() {
        Groups groups = groups();
        assertThat(groups.nextDue()).isNull();
        groups.route(fire("Hot", "n1", "0", "warning", at(0)), at(0));
        groups.route(fire("GpuXidFatal", "n1", "3", "critical", at(10)), at(10));
        groups.route(fire("Hot", "n2", "0", "warning", at(20)), at(20));
        assertThat(groups.nextDue()).isEqualTo(at(10));
        flush(groups, at(10));
        assertThat(groups.nextDue()).as("the Hot group on n1 waits 30 s").isEqualTo(at(30));
    }

    @Test
    void aToldAlertThatIsPendingAgainAtTheNextLookIsToldResolvedThen() {
        Groups groups = groups();
        Alert a = fire("Hot", "n1", "0", "warning", at(0));
        groups.route(a, at(0));
        flush(groups, at(30));
        Alert pending = new Alert(a.fingerprint(), a.labels(), Map.of(), 1, AlertState.PENDING, Alert.RULE, at(200),
                null, at(200), null, null);
        alerts.put(a.fingerprint(), pending);
        assertThat(flush(groups, at(330))).singleElement().satisfies(n -> assertThat(n.resolved()).singleElement()
                .satisfies(r -> {
                    assertThat(r.state()).isEqualTo(AlertState.RESOLVED);
                    assertThat(r.resolvedAt()).isEqualTo(at(330));
                }));
    }

    @Test
    void aResolvedAlertIsToldWithTheTimeItResolved() {
        Groups groups = groups();
        Alert a = fire("Hot", "n1", "0", "warning", at(0));
        groups.route(a, at(0));
        flush(groups, at(30));
        resolve(a, at(100));
        assertThat(flush(groups, at(330))).singleElement().satisfies(n -> assertThat(n.resolved()).singleElement()
                .satisfies(r -> assertThat(r.resolvedAt()).isEqualTo(at(100))));
    }

    @Test
    void aRouteWithContinueLetsTheNextSiblingTakeTheAlertToo() {
        Route critical = new Route("pager", null, null, null, null, List.of(Matcher.parse("severity=\"critical\"")),
                true, null);
        Route gpuAlerts = new Route("log", null, null, null, null, List.of(Matcher.parse("gpu=~\".+\"")), null, null);
        Route last = new Route("log", null, null, null, null, List.of(), null, null);
        Map<String, String> labels = Map.of("alertname", "X", "severity", "critical", "gpu", "3");
        assertThat(new RouteTree(new Route("log", null, null, null, null, null, null, List.of(critical, gpuAlerts, last)),
                Set.of("log", "pager")).match(labels)).extracting(RouteTree.Node::id)
                .as("continue on the first, not on the second").containsExactly("{}/0{severity=\"critical\"}",
                        "{}/1{gpu=~\".+\"}");
        Route stops = new Route("pager", null, null, null, null, critical.matchers(), null, null);
        assertThat(new RouteTree(new Route("log", null, null, null, null, null, null, List.of(stops, gpuAlerts)),
                Set.of("log", "pager")).match(labels)).extracting(RouteTree.Node::id)
                .containsExactly("{}/0{severity=\"critical\"}");
    }

    @Test
    void aGroupWhoseRouteWasRemovedFromTheConfigKeepsTheRootsTiming() {
        Alert a = fire("Hot", "n1", "0", "warning", at(0));
        store.putGroup(new GroupState("{}/7{team=\"gone\"}:{}", "{}/7{team=\"gone\"}", "log", new TreeMap<>(),
                at(0), at(0), 1, Map.of(a.fingerprint(), at(0))));
        resolve(a, at(10));
        Groups groups = groups();
        assertThat(groups.nextDue()).as("the root's 5 minute groupInterval").isEqualTo(at(300));
        assertThat(flush(groups, at(300))).singleElement()
                .satisfies(n -> assertThat(n.resolved()).extracting(Alert::fingerprint).containsExactly(a.fingerprint()));
    }

    @Test
    void groupingByEveryLabelKeepsThemAll() {
        RouteTree tree = new RouteTree(new Route("log", List.of("..."), null, null, null, null, null, null),
                Set.of("log"));
        Map<String, String> labels = Map.of("alertname", "X", "gpu", "3", "node", "n1");
        assertThat(tree.root().groupLabels(labels)).isEqualTo(labels);
    }
}
