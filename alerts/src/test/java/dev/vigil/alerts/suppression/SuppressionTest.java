package dev.vigil.alerts.suppression;

import dev.vigil.alerts.lifecycle.Alert;
import dev.vigil.alerts.lifecycle.AlertState;
import dev.vigil.alerts.lifecycle.Fingerprint;
import dev.vigil.api.binding.Documents;
import dev.vigil.api.binding.InvalidDocumentException;
import dev.vigil.api.binding.InvalidValueException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SuppressionTest {
    private static final Instant NOW = Instant.parse("2026-11-22T03:00:00Z");

    private static Alert firing(String... labels) {
        TreeMap<String, String> map = new TreeMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            map.put(labels[i], labels[i + 1]);
        }
        return new Alert(Fingerprint.of(map), map, Map.of(), 1, AlertState.FIRING, Alert.RULE, NOW, NOW, NOW, null,
                null);
    }

    @Test
    void matchersParseAlertmanagersFourOperatorsAndMatchWholeValues() {
        Map<String, String> labels = Map.of("node", "gpu-07", "severity", "critical");
        assertThat(Matcher.parse("node=\"gpu-07\"").matches(labels)).isTrue();
        assertThat(Matcher.parse("node!=\"gpu-07\"").matches(labels)).isFalse();
        assertThat(Matcher.parse("node=~\"gpu-0[0-9]\"").matches(labels)).isTrue();
        assertThat(Matcher.parse("node=~\"gpu\"").matches(labels)).as("anchored").isFalse();
        assertThat(Matcher.parse("node!~\"gpu-1.*\"").matches(labels)).isTrue();
        assertThat(Matcher.parse("gpu=~\".+\"").matches(labels)).as("a missing label is empty").isFalse();
        assertThat(Matcher.parse("team=\"\"").matches(labels)).isTrue();
        assertThat(Matcher.parse(" node = gpu-07 ").toString()).isEqualTo("node=\"gpu-07\"");
        assertThatThrownBy(() -> Matcher.parse("node==gpu")).isInstanceOf(InvalidValueException.class);
        assertThatThrownBy(() -> Matcher.parse("node=~\"(\"")).isInstanceOfSatisfying(InvalidValueException.class,
                e -> assertThat(e.field()).isEqualTo("value"));
    }

    @Test
    void anUnreachableNodeInhibitsItsGpusAlertsButNotOtherNodesOrItself() {
        Alert down = firing("alertname", "NodeUnreachable", "node", "n1", "severity", "critical");
        Alert gpuOnN1 = firing("alertname", "GpuXidFatal", "node", "n1", "gpu", "3", "severity", "critical");
        Alert gpuOnN2 = firing("alertname", "GpuXidFatal", "node", "n2", "gpu", "3", "severity", "critical");
        Suppression suppression = new Suppression(List.of(InhibitRule.nodeDownInhibitsItsGpus()), List.of(),
                List.of(down, gpuOnN1, gpuOnN2), NOW);
        assertThat(suppression.inhibitedBy(gpuOnN1)).isEqualTo(down.fingerprint());
        assertThat(suppression.inhibitedBy(gpuOnN2)).isNull();
        assertThat(suppression.inhibitedBy(down)).isNull();
    }

    @Test
    void alertsMatchingBothSidesDoNotInhibitEachOther() {
        InhibitRule criticalMutesWarnings = new InhibitRule("x", List.of(Matcher.parse("tier=\"gpu\"")),
                List.of(Matcher.parse("tier=\"gpu\"")), List.of("node"));
        Alert a = firing("alertname", "A", "tier", "gpu", "node", "n1");
        Alert b = firing("alertname", "B", "tier", "gpu", "node", "n1");
        Suppression suppression = new Suppression(List.of(criticalMutesWarnings), List.of(), List.of(a, b), NOW);
        assertThat(suppression.inhibitedBy(a)).isNull();
        assertThat(suppression.inhibitedBy(b)).isNull();
    }

    @Test
    void aSilenceMutesWhatAllItsMatchersMatchWhileActiveOnly() {
        Silence silence = new Silence("s1", List.of(Matcher.parse("node=\"n1\""), Matcher.parse("alertname=~\"Gpu.*\"")),
                NOW.plus(Duration.ofMinutes(1)), NOW.plus(Duration.ofHours(2)), "alice", "replacing GPU 3", NOW, "alice");
        Alert onN1 = firing("alertname", "GpuXidFatal", "node", "n1", "gpu", "3");
        Alert onN2 = firing("alertname", "GpuXidFatal", "node", "n2", "gpu", "3");
        assertThat(silence.status(NOW)).isEqualTo(Silence.Status.PENDING);
        assertThat(silence.mutes(onN1.labels(), NOW)).isFalse();
        Instant during = NOW.plus(Duration.ofMinutes(30));
        assertThat(silence.status(during)).isEqualTo(Silence.Status.ACTIVE);
        Suppression suppression = new Suppression(List.of(), List.of(silence), List.of(onN1, onN2), during);
        assertThat(suppression.muted(onN1).silencedBy()).containsExactly("s1");
        assertThat(suppression.muted(onN2)).isNull();
        assertThat(silence.mutes(onN1.labels(), NOW.plus(Duration.ofHours(2)))).as("expired").isFalse();
        Silence expired = silence.expired(during, "bob");
        assertThat(expired.status(during)).isEqualTo(Silence.Status.EXPIRED);
        assertThat(expired.updatedBy()).isEqualTo("bob");
    }

    @Test
    void aSilenceRequestNeedsAMatcherThatCannotMatchEverythingACommentAndAnEnd() {
        assertThatThrownBy(() -> new SilenceRequest(List.of(Matcher.parse("node=~\".*\"")), null, null,
                Duration.ofHours(1), null, "x")).isInstanceOfSatisfying(InvalidValueException.class, e -> {
                    assertThat(e.field()).isEqualTo("matchers");
                    assertThat(e.allowed()).contains("mute every alert");
                });
        assertThatThrownBy(() -> new SilenceRequest(List.of(Matcher.parse("node=\"n1\"")), null, null,
                Duration.ofHours(1), null, " ")).isInstanceOfSatisfying(InvalidValueException.class,
                e -> assertThat(e.field()).isEqualTo("comment"));
        assertThatThrownBy(() -> new SilenceRequest(List.of(Matcher.parse("node=\"n1\"")), null, null, null, null,
                "x")).isInstanceOfSatisfying(InvalidValueException.class,
                e -> assertThat(e.field()).isEqualTo("endsAt"));
    }

    @Test
    void aSilenceRequestTakesAlertmanagersMatcherObjectsOrMatcherTextAndRoundTripsAsJson() throws Exception {
        SilenceRequest request = Documents.readJson("""
                {"matchers":[{"name":"node","value":"gpu-0[78]","isRegex":true},"alertname!=\\"GpuIdle\\""],
                 "duration":"2h","comment":"rack 12 maintenance"}
                """.getBytes(StandardCharsets.UTF_8), SilenceRequest.class, "request body");
        assertThat(request.matchers()).extracting(Matcher::toString)
                .containsExactly("node=~\"gpu-0[78]\"", "alertname!=\"GpuIdle\"");
        assertThat(request.duration()).isEqualTo(Duration.ofHours(2));
        String json = Documents.json().writeValueAsString(request.matchers().get(0));
        assertThat(json).isEqualTo("{\"name\":\"node\",\"value\":\"gpu-0[78]\",\"isRegex\":true,\"isEqual\":true}");
        assertThatThrownBy(() -> Documents.readJson(
                "{\"matchers\":[{\"name\":\"node\"}],\"duration\":\"1h\",\"comment\":\"x\"}"
                        .getBytes(StandardCharsets.UTF_8), SilenceRequest.class, "request body"))
                .isInstanceOfSatisfying(InvalidDocumentException.class,
                        e -> assertThat(e.field()).isEqualTo("matchers[0].value"));
    }

    @Test
    void aSilenceRequestsOtherChecksNameTheirField() {
        List<Matcher> node = List.of(Matcher.parse("node=\"n1\""));
        assertThat(refusal(() -> new SilenceRequest(null, null, null, Duration.ofHours(1), null, "x")).field())
                .isEqualTo("matchers");
        assertThat(refusal(() -> new SilenceRequest(List.of(), null, null, Duration.ofHours(1), null, "x")).allowed())
                .isEqualTo("at least one matcher");
        assertThat(refusal(() -> new SilenceRequest(node, null, NOW, Duration.ofHours(1), null, "x")).field())
                .as("endsAt and duration").isEqualTo("duration");
        assertThat(refusal(() -> new SilenceRequest(node, null, null, Duration.ZERO, null, "x")).field())
                .isEqualTo("duration");
        assertThat(refusal(() -> new SilenceRequest(node, null, null, Duration.ofHours(-1), null, "x")).field())
                .isEqualTo("duration");
        assertThat(refusal(() -> new SilenceRequest(node, NOW, NOW, null, null, "x")).field()).isEqualTo("endsAt");
        assertThat(new SilenceRequest(node, null, NOW, null, null, "x").endsAt()).as("no start: from now").isEqualTo(NOW);
        assertThat(new SilenceRequest(node, NOW, NOW.plusSeconds(1), null, null, "x").startsAt()).isEqualTo(NOW);
    }

    @Test
    void aMatcherNeedsALabelNameAndMatchesARegexItHasNotSeenBefore() {
        assertThat(refusal(() -> Matcher.equal("bad-name", "x")).field()).isEqualTo("name");
        Matcher fresh = Matcher.parse("gpu=~\"[0-3]only-in-this-test?\"");
        assertThat(fresh.matches(Map.of("gpu", "2only-in-this-tes"))).isTrue();
        assertThat(fresh.matches(Map.of("gpu", "4only-in-this-test"))).isFalse();
    }

    private static InvalidValueException refusal(Runnable make) {
        try {
            make.run();
        } catch (InvalidValueException e) {
            return e;
        }
        throw new AssertionError("expected a refusal");
    }

    @Test
    void onlyTheRulesSourcesInhibitAndOnlyItsTargetsAreInhibited() {
        Alert down = firing("alertname", "NodeUnreachable", "node", "n1", "severity", "critical");
        Alert disk = firing("alertname", "NodeDiskFull", "node", "n1", "severity", "warning");
        Alert gpu = firing("alertname", "GpuXidFatal", "node", "n1", "gpu", "3", "severity", "critical");
        List<InhibitRule> rules = List.of(InhibitRule.nodeDownInhibitsItsGpus());
        assertThat(new Suppression(rules, List.of(), List.of(disk, gpu), NOW).inhibitedBy(gpu))
                .as("a node's other alert is no source").isNull();
        assertThat(new Suppression(rules, List.of(), List.of(down, disk), NOW).inhibitedBy(disk))
                .as("an alert without a gpu label is no target").isNull();
    }

    @Test
    void expiringASilenceThatHasNotStartedEndsItBeforeItStarts() {
        Silence later = new Silence("s2", List.of(Matcher.parse("node=\"n1\"")), NOW.plus(Duration.ofHours(1)),
                NOW.plus(Duration.ofHours(2)), "alice", "planned", NOW, "alice");
        Silence expired = later.expired(NOW, "bob");
        assertThat(expired.startsAt()).isEqualTo(NOW);
        assertThat(expired.endsAt()).isEqualTo(NOW);
        Silence running = new Silence("s3", later.matchers(), NOW.minus(Duration.ofHours(1)),
                NOW.plus(Duration.ofHours(2)), "alice", "now", NOW, "alice");
        assertThat(running.expired(NOW, "bob").startsAt()).isEqualTo(NOW.minus(Duration.ofHours(1)));
    }
}
