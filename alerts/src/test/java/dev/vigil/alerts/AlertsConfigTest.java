package dev.vigil.alerts;

import dev.vigil.alerts.rules.AlertSeverity;
import dev.vigil.alerts.rules.Condition;
import dev.vigil.api.binding.InvalidDocumentException;
import dev.vigil.api.gpu.RepairAction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class AlertsConfigTest {
    private static final Path SHIPPED = Path.of(System.getProperty("vigil.alerts.dir", "."), "conf", "alerts.yaml");

    @Test
    void theShippedFileBindsAndIsTheBuiltInDefault() {
        AlertsConfig shipped = AlertsConfig.load(SHIPPED);
        assertThat(AlertsConfig.defaults()).isEqualTo(shipped);
        assertThat(shipped.rules()).extracting(r -> r.alert()).contains("GpuXidFatal", "GpuEccDoubleBitError",
                "GpuRowRemapFailure", "GpuTemperatureHigh", "GpuPowerHigh", "GpuNvlinkDown", "NodeUnreachable",
                "GpuAllocatedIdle", "JobPendingTooLong", "TenantOverQuota", "FleetCapacityLow");
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
}
