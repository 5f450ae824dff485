package dev.vigil.alerts;

import dev.vigil.alerts.rules.AlertSeverity;
import dev.vigil.alerts.rules.Condition;
import dev.vigil.api.binding.InvalidDocumentException;
import dev.vigil.api.gpu.RepairAction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class AlertsConfigTest {
    private static final Path SHIPPED = Path.of(System.getProperty("vigil.alerts.dir", "."), "conf", "alerts.yaml");
    private static final String KEY = "0123456789abcdef0123456789abcdef";

    @Test
    void theShippedFileBindsAndIsTheBuiltInDefault() {
        AlertsConfig shipped = AlertsConfig.load(SHIPPED);
        assertThat(AlertsConfig.defaults()).isEqualTo(shipped);
        assertThat(shipped.rules()).extracting(r -> r.alert()).contains("GpuXidFatal", "GpuEccDoubleBitError",
                "GpuRowRemapFailure", "GpuTemperatureHigh", "GpuPowerHigh", "GpuNvlinkDown", "NodeUnreachable",
                "GpuAllocatedIdle", "JobPendingTooLong", "TenantOverQuota", "FleetCapacityLow", "RunbookFailed",
                "AutomationHalted");
        var fatal = shipped.rules().get(0);
        assertThat(fatal.when().condition()).isInstanceOfSatisfying(Condition.Xid.class,
                xid -> assertThat(xid.actions()).contains(RepairAction.POWER_CYCLE, RepairAction.RESET_GPU));
        assertThat(fatal.severity()).isEqualTo(AlertSeverity.CRITICAL);
        assertThat(shipped.route().routes().get(0).groupWait()).isEqualTo(Duration.ZERO);
        assertThat(shipped.inhibitRules()).extracting(r -> r.name()).contains("node-unreachable-inhibits-its-gpus");
    }

    @Test
    void anEmptyFileGivesSafeDefaults() {
        AlertsConfig config = AlertsConfig.parse("", "alerts.yaml");
        assertThat(config.receivers()).singleElement().satisfies(r -> assertThat(r.log()).isNotNull());
        assertThat(config.route().receiver()).isEqualTo("log");
        assertThat(config.inhibitRules()).singleElement()
                .satisfies(r -> assertThat(r.name()).isEqualTo("node-unreachable-inhibits-its-gpus"));
        assertThat(config.rules()).isEmpty();
    }

    private static InvalidDocumentException refused(String yaml) {
        try {
            AlertsConfig.parse(yaml, "alerts.yaml");
        } catch (InvalidDocumentException e) {
            return e;
        }
        throw new AssertionError("expected the document to be refused:\n" + yaml);
    }

    @Test
    void aKeyThatDoesNotBelongToTheKindIsUnknownWithTheKindsKeysListed() {
        InvalidDocumentException e = refused("""
                rules:
                  - alert: Hot
                    when: {gpuTemperature: {abve: 85}}
                """);
        assertThat(e.field()).isEqualTo("rules[0].when.gpuTemperature.abve");
        assertThat(e.getMessage()).contains("allowed keys under rules[0].when.gpuTemperature: above");
    }

    @Test
    void twoConditionKindsInOneRuleAreRefusedNamingBoth() {
        InvalidDocumentException e = refused("""
                rules:
                  - alert: Confused
                    when: {xid: {codes: [79]}, gpuIdle: {below: 5}}
                """);
        assertThat(e.field()).isEqualTo("rules[0].when");
        assertThat(e.value()).isEqualTo("xid, gpuIdle");
        assertThat(e.allowed()).startsWith("exactly one of xid, gpuHealth");
    }

    @Test
    void aTemplateNameTheRuleCanNeverHaveStopsTheLoad() {
        InvalidDocumentException e = refused("""
                rules:
                  - alert: Hot
                    when: {gpuTemperature: {above: 85}}
                    annotations: {summary: "${node} GPU ${gpu} at ${temp}"}
                """);
        assertThat(e.field()).isEqualTo("rules[0].annotations.summary");
        assertThat(e.value()).isEqualTo("${node} GPU ${gpu} at ${temp}");
        assertThat(e.allowed()).contains("gpu", "node", "threshold", "value").doesNotContain("temp,");
    }

    @Test
    void aRuleMayNotSetALabelItsKindSets() {
        InvalidDocumentException e = refused("""
                rules:
                  - alert: Hot
                    when: {gpuTemperature: {above: 85}}
                    labels: {node: other}
                """);
        assertThat(e.field()).isEqualTo("rules[0].labels.node");
        assertThat(e.allowed()).contains("alertname, gpu, node, severity, uuid");
    }

    @Test
    void aRouteNamingAMissingReceiverIsRefusedWithItsPath() {
        InvalidDocumentException e = refused("""
                receivers: [{name: log, log: {}}]
                route:
                  receiver: log
                  routes:
                    - matchers: ['severity="critical"']
                      receiver: pager
                """);
        assertThat(e.field()).isEqualTo("route.routes[0].receiver");
        assertThat(e.value()).isEqualTo("pager");
        assertThat(e.allowed()).contains("log");
    }

    @Test
    void aBadMatcherAndABadDurationNameTheirField() {
        InvalidDocumentException matcher = refused("""
                route: {receiver: log, routes: [{matchers: ['severity=="critical"']}]}
                """);
        assertThat(matcher.field()).isEqualTo("route.routes[0].matchers[0]");
        assertThat(matcher.allowed()).contains("name=~\"regex\"");
        InvalidDocumentException duration = refused("""
                rules: [{alert: Hot, when: {gpuTemperature: {above: 85}}, for: 5}]
                """);
        assertThat(duration.field()).isEqualTo("rules[0].for");
        assertThat(duration.allowed()).contains("a duration with a unit");
    }

    @Test
    void duplicateRuleNamesAndUnknownSeveritiesAreRefused() {
        InvalidDocumentException duplicate = refused("""
                rules:
                  - {alert: Hot, when: {gpuTemperature: {above: 85}}}
                  - {alert: Hot, when: {gpuTemperature: {above: 90}}, severity: critical}
                """);
        assertThat(duplicate.field()).isEqualTo("rules[1].alert");
        InvalidDocumentException severity = refused("""
                rules: [{alert: Hot, when: {gpuTemperature: {above: 85}}, severity: page}]
                """);
        assertThat(severity.field()).isEqualTo("rules[0].severity");
        assertThat(severity.allowed()).isEqualTo("one of critical, error, warning, info");
    }

    @Test
    void aPagerDutyKeyMustBe32CharactersAndIsNeverShown(@TempDir Path dir) throws IOException {
        InvalidDocumentException inline = refused("""
                receivers: [{name: oncall, pagerduty: {routingKey: not-a-key}}]
                """);
        assertThat(inline.field()).isEqualTo("receivers[0].pagerduty.routingKey");
        assertThat(inline.getMessage()).doesNotContain("not-a-key").contains("32 letters and digits");
        Path key = dir.resolve("pd.key");
        Files.writeString(key, "0123456789abcdef0123456789ABCDEF\n");
        AlertsConfig config = AlertsConfig.parse("receivers: [{name: oncall, pagerduty: {routingKeyFile: " + key + "}}]",
                "alerts.yaml");
        assertThat(config.receivers().get(0).pagerduty().routingKey()).hasSize(32);
        assertThat(config.toString()).doesNotContain("0123456789abcdef");
        InvalidDocumentException missing = refused("""
                receivers: [{name: oncall, pagerduty: {routingKeyFile: /nonexistent/pd.key}}]
                """);
        assertThat(missing.field()).isEqualTo("receivers[0].pagerduty.routingKeyFile");
        assertThat(missing.value()).isEqualTo("/nonexistent/pd.key");
    }

    @Test
    void aReceiverNeedsExactlyOneKind() {
        InvalidDocumentException e = refused("""
                receivers: [{name: both, log: {}, webhook: {url: "http://127.0.0.1:1/x"}}]
                """);
        assertThat(e.field()).isEqualTo("receivers[0]");
        assertThat(e.value()).isEqualTo("webhook, log");
        InvalidDocumentException url = refused("""
                receivers: [{name: hook, webhook: {url: "ftp://example.com/x"}}]
                """);
        assertThat(url.field()).isEqualTo("receivers[0].webhook.url");
    }

    /** One bad value per check, each refused naming its field; the value at each limit is taken. */
    static Stream<Arguments> refusals() {
        return Stream.of(
                arguments("externalUrl: vigil.example.com", "externalUrl"),
                arguments("externalUrl: ftp://vigil.example.com", "externalUrl"),
                arguments("receivers: []", "receivers"),
                arguments("receivers: [{name: 'bad name', log: {}}]", "receivers[0].name"),
                arguments("receivers: [{name: p, pagerduty: {routingKey: " + KEY + ", routingKeyFile: /k}}]",
                        "receivers[0].pagerduty.routingKeyFile"),
                arguments("receivers: [{name: p, pagerduty: {}}]", "receivers[0].pagerduty.routingKey"),
                arguments("receivers: [{name: p, pagerduty: {routingKey: " + KEY + ", url: 'ftp://x/y'}}]",
                        "receivers[0].pagerduty.url"),
                arguments("receivers: [{name: p, pagerduty: {routingKey: " + KEY + ", eventsPerMinute: 0}}]",
                        "receivers[0].pagerduty.eventsPerMinute"),
                arguments("receivers: [{name: p, pagerduty: {routingKey: " + KEY + ", eventsPerMinute: 10001}}]",
                        "receivers[0].pagerduty.eventsPerMinute"),
                arguments("receivers: [{name: w, webhook: {url: 'http://h/x', maxAlerts: -1}}]",
                        "receivers[0].webhook.maxAlerts"),
                arguments("alertmanagers: {urls: ['ftp://am:9093']}", "alertmanagers.urls[0]"),
                arguments("alertmanagers: {urls: ['http://am:9093'], resendInterval: 0s}", "alertmanagers.resendInterval"),
                arguments("alertmanagers: {urls: ['http://am:9093'], resendInterval: 31m}", "alertmanagers.resendInterval"),
                arguments("inhibitRules: [{sourceMatchers: [], targetMatchers: ['a=\"b\"']}]",
                        "inhibitRules[0].sourceMatchers"),
                arguments("inhibitRules: [{sourceMatchers: ['a=\"b\"'], targetMatchers: []}]",
                        "inhibitRules[0].targetMatchers"),
                arguments("receivers: [{name: a, log: {}}, {name: a, log: {}}]", "receivers[1].name"),
                arguments("route: {receiver: log, matchers: ['severity=\"critical\"']}", "route.matchers"),
                arguments("route: {receiver: log, groupBy: [bad-label]}", "route.groupBy[0]"),
                arguments("route: {receiver: log, groupBy: ['...', node]}", "route.groupBy"),
                arguments("route: {receiver: log, groupWait: 61m}", "route.groupWait"),
                arguments("route: {receiver: log, groupInterval: 0s}", "route.groupInterval"),
                arguments("route: {receiver: log, groupInterval: 25h}", "route.groupInterval"),
                arguments("route: {receiver: log, repeatInterval: 59s}", "route.repeatInterval"),
                arguments("route: {receiver: log, repeatInterval: 31d}", "route.repeatInterval"),
                arguments("rules: [{when: {gpuTemperature: {above: 85}}}]", "rules[0].alert"),
                arguments("rules: [{alert: Hot, when: {gpuTemperature: {above: 85}}, for: 8d}]", "rules[0].for"),
                arguments("rules: [{alert: Hot, when: {gpuTemperature: {above: 85}}, keepFiringFor: 8d}]",
                        "rules[0].keepFiringFor"),
                arguments("rules: [{alert: Hot, when: {gpuTemperature: {above: 85}}, labels: {bad-name: x}}]",
                        "rules[0].labels"),
                arguments("rules: [{alert: Hot, when: {gpuTemperature: {above: 85}}, labels: {alertname: x}}]",
                        "rules[0].labels.alertname"),
                arguments("rules: [{alert: Hot, when: {gpuTemperature: {above: 85}}, labels: {team: ''}}]",
                        "rules[0].labels.team"),
                arguments("rules: [{alert: Hot, when: {gpuTemperature: {above: 85}}, annotations: {bad-name: x}}]",
                        "rules[0].annotations"),
                arguments("rules: [{alert: Hot, when: {gpuTemperature: {above: 85}}, runbook: 'ftp://x/y'}]",
                        "rules[0].runbook"),
                arguments("rules: [{alert: X, when: {xid: {codes: [0]}}}]", "rules[0].when.xid.codes[0]"),
                arguments("rules: [{alert: X, when: {xid: {codes: [1000]}}}]", "rules[0].when.xid.codes[0]"),
                arguments("rules: [{alert: X, when: {xid: {window: -1s}}}]", "rules[0].when.xid.window"),
                arguments("rules: [{alert: X, when: {xid: {window: 25h}}}]", "rules[0].when.xid.window"));
    }

    @ParameterizedTest
    @MethodSource("refusals")
    void aBadValueIsRefusedNamingItsField(String yaml, String field) {
        assertThat(refused(yaml).field()).isEqualTo(field);
    }

    @Test
    void valuesAtTheLimitsAreTaken() {
        AlertsConfig config = AlertsConfig.parse("""
                externalUrl: http://vigil.example.com/
                receivers:
                  - {name: log, log: {}}
                  - {name: few, pagerduty: {routingKey: %s, eventsPerMinute: 1}}
                  - {name: many, pagerduty: {routingKey: %s, eventsPerMinute: 10000}}
                alertmanagers: {urls: ['http://am:9093'], resendInterval: 1s}
                route:
                  receiver: log
                  groupWait: 1h
                  groupInterval: 1s
                  routes:
                    - {matchers: ['severity="critical"'], groupInterval: 1d, repeatInterval: 1m}
                    - {matchers: ['severity="info"'], repeatInterval: 30d, continue: true}
                rules:
                  - alert: Hot
                    when: {gpuTemperature: {above: 85}}
                    for: 7d
                    keepFiringFor: 7d
                    labels: {team: ml}
                    runbook: http://wiki.example.com/hot
                  - alert: AnyXid
                    when: {xid: {codes: [1, 999], window: 1d}}
                  - alert: XidNow
                    when: {xid: {window: 0s}}
                """.formatted(KEY, KEY), "alerts.yaml");
        assertThat(config.externalUrl()).isEqualTo("http://vigil.example.com");
        assertThat(config.route().groupWait()).isEqualTo(Duration.ofHours(1));
        assertThat(config.route().routes()).extracting(r -> r.continueMatching()).containsExactly(false, true);
        assertThat(config.rules().get(0).keepFiringFor()).isEqualTo(Duration.ofDays(7));
        assertThat(config.rules().get(0).labels()).containsEntry("team", "ml");
        assertThat(config.receivers().get(2).pagerduty()).hasToString(
                "PagerDutyConfig[url=https://events.pagerduty.com/v2/enqueue, eventsPerMinute=10000]");
        assertThat(AlertsConfig.parse("alertmanagers: {urls: ['http://am:9093'], resendInterval: 30m}", "alerts.yaml")
                .alertmanagers().resendInterval()).isEqualTo(Duration.ofMinutes(30));
    }

    @Test
    void aBadKeyInAFileIsReportedByTheFilesNameNotItsContent(@TempDir Path dir) throws IOException {
        Path key = dir.resolve("pd.key");
        Files.writeString(key, "too-short\n");
        InvalidDocumentException e = refused("receivers: [{name: oncall, pagerduty: {routingKeyFile: " + key + "}}]");
        assertThat(e.field()).isEqualTo("receivers[0].pagerduty.routingKeyFile");
        assertThat(e.value()).isEqualTo(key.toString());
    }
}
