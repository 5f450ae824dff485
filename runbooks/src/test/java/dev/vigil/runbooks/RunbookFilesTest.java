package dev.vigil.runbooks;

import dev.vigil.api.binding.InvalidDocumentException;
import dev.vigil.runbooks.steps.StepKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RunbookFilesTest {
    private static final Set<String> ALERTS = Set.of("GpuXidFatal", "GpuNvlinkDown");
    private static final String STEPS = "steps:\n  - kind: cordon\n";

    @TempDir
    Path dir;

    /** The alert rules the project ships: a renamed rule breaks the runbooks that name it. */
    private static Set<String> shippedAlerts() throws IOException {
        String rules = Files.readString(Path.of("..", "alerts", "conf", "alerts.yaml"));
        Matcher names = Pattern.compile("(?m)^\\s*- alert: (\\w+)").matcher(rules);
        Set<String> found = new java.util.TreeSet<>();
        while (names.find()) {
            found.add(names.group(1));
        }
        return found;
    }

    @Test
    void everyShippedRunbookLoadsAgainstTheShippedAlertRules() throws IOException, URISyntaxException {
        Path shipped = Path.of(RunbookFilesTest.class.getResource("/runbooks").toURI());

        List<RunbookFile> loaded = RunbookFiles.load(shipped, shippedAlerts());

        assertThat(loaded).extracting(file -> file.runbook().name()).containsExactly("capacity-report",
                "gpu-fallen-off-bus", "gpu-reset-needed", "nvlink-degraded", "rma", "thermal");
        assertThat(loaded).allSatisfy(file -> assertThat(file.runbook().mode()).isEqualTo(Mode.DRY_RUN));
        RunbookFile offTheBus = loaded.get(1);
        assertThat(offTheBus.summary(0).steps()).containsExactly("drain", "reboot", "power-cycle", "wait",
                "health-check", "return");
        assertThat(offTheBus.summary(2).trigger()).isEqualTo("alert GpuXidFatal{xid=79}");
        assertThat(offTheBus.summary(2).running()).isEqualTo(2);
        assertThat(loaded.get(0).summary(0).trigger()).isEqualTo("cron 0 0 6 ? * MON");
    }

    @Test
    void aRunbookWithEveryKeyBindsEachOne() throws IOException {
        write("full.yaml", """
                name: full
                description: every key
                trigger:
                  alert: {name: GpuNvlinkDown, matchers: {gpu: "3"}}
                target: gpu
                mode: active
                guards: {concurrency: 3}
                steps:
                  - {kind: drain, name: off, mode: allow-completion, deadline: 5m, timeout: 20m, scope: node}
                  - {kind: wait, until: gpu-healthy, retries: 2, backoff: 1s, onFailure: continue}
                  - {kind: health-check, level: 2, onFailure: escalate}
                  - {kind: notify, message: hi, page: true}
                  - {kind: exec, command: "true"}
                """);

        Runbook runbook = RunbookFiles.load(dir, ALERTS).get(0).runbook();

        assertThat(runbook.mode()).isEqualTo(Mode.ACTIVE);
        assertThat(RunbookFiles.load(dir, ALERTS).get(0).summary(0).mode()).isEqualTo("active");
        assertThat(runbook.description()).isEqualTo("every key");
        assertThat(runbook.guards().concurrency()).isEqualTo(3);
        assertThat(runbook.trigger().alert().matches("GpuNvlinkDown", Map.of("gpu", "3", "node", "n"))).isTrue();
        assertThat(runbook.trigger().alert().matches("GpuNvlinkDown", Map.of("gpu", "2"))).isFalse();
        assertThat(runbook.trigger().alert().matches("GpuXidFatal", Map.of("gpu", "3"))).isFalse();
        assertThat(runbook.steps().get(0).name()).isEqualTo("off");
        assertThat(runbook.steps().get(0).timeout()).hasMinutes(20);
        assertThat(runbook.steps().get(1).name()).isEqualTo("wait");
        assertThat(runbook.steps().get(1).retries()).isEqualTo(2);
        assertThat(runbook.steps().get(1).backoffBefore(1)).hasSeconds(1);
        assertThat(runbook.steps().get(1).backoffBefore(3)).hasSeconds(4);
        assertThat(runbook.steps().get(2).level()).isEqualTo(2);
        assertThat(runbook.steps().get(3).page()).isTrue();
        assertThat(runbook.repairs()).isTrue();
    }

    @Test
    void defaultsAreDryRunConcurrencyOneAKindsTimeoutNoRetryTenSecondsStop() throws IOException {
        write("a.yaml", "name: a\ntarget: node\nsteps:\n  - kind: reboot\n  - kind: drain\n  - kind: approve\n");

        Runbook runbook = RunbookFiles.load(dir, ALERTS).get(0).runbook();

        assertThat(runbook.trigger()).isNull();
        assertThat(runbook.description()).isEmpty();
        RunbookFile file = RunbookFiles.load(dir, ALERTS).get(0);
        assertThat(file.summary(0).trigger()).isEqualTo("manual");
        assertThat(file.summary(0).mode()).isEqualTo("dry-run");
        assertThat(file.summary(0).target()).isEqualTo("node");
        assertThat(file.summary(0).file()).isEqualTo(dir.resolve("a.yaml").toString());
        assertThat(runbook.mode()).isEqualTo(Mode.DRY_RUN);
        assertThat(runbook.guards().concurrency()).isEqualTo(1);
        var reboot = runbook.steps().get(0);
        assertThat(reboot.timeout()).isEqualTo(StepKind.REBOOT.defaultTimeout());
        assertThat(reboot.retries()).isZero();
        assertThat(reboot.backoffBefore(1)).hasSeconds(10);
        assertThat(reboot.backoffBefore(2)).hasSeconds(20);
        assertThat(reboot.backoffBefore(20)).hasHours(1);
        assertThat(reboot.onFailure()).isEqualTo(dev.vigil.runbooks.steps.OnFailure.STOP);
        assertThat(runbook.steps().get(1).mode()).isEqualTo(dev.vigil.runbooks.steps.DrainMode.REQUEUE);
        assertThat(runbook.steps().get(2).timeout()).hasHours(4);
    }

    @Test
    void allowCompletionWithoutATimeoutGetsTheDeadlinePlusTheDrainsOwn() throws IOException {
        write("a.yaml", "name: a\ntarget: node\nsteps:\n  - {kind: drain, mode: allow-completion, deadline: 1h}\n");

        assertThat(RunbookFiles.load(dir, ALERTS).get(0).runbook().steps().get(0).timeout()).hasMinutes(90);
    }

    @Test
    void aMissingDirectoryHoldsNoRunbooksAndOtherFilesAreIgnored() throws IOException {
        assertThat(RunbookFiles.load(dir.resolve("none"), ALERTS)).isEmpty();
        write("notes.txt", "not a runbook");
        assertThat(RunbookFiles.load(dir, ALERTS)).isEmpty();
    }

    @Test
    void anUnknownKeyNamesFileFieldAndTheAllowedKeys() throws IOException {
        write("bad.yaml", "name: a\ntarget: node\ntriger: {}\n" + STEPS);

        assertInvalid("bad.yaml", "triger", "allowed keys");
    }

    @Test
    void anUnknownStepKindNamesTheStepsPathValueAndEveryKind() throws IOException {
        write("bad.yaml", "name: a\ntarget: node\nsteps:\n  - kind: cordon\n  - kind: cordon\n  - kind: reimage\n");

        assertInvalid("bad.yaml", "steps[2].kind", "\"reimage\"", "gpu-reset", "power-cycle", "health-check");
    }

    @Test
    void aKeyOfAnotherKindNamesTheKeysThisKindTakes() throws IOException {
        write("bad.yaml", "name: a\ntarget: node\nsteps:\n  - {kind: drain, level: 2}\n");

        assertInvalid("bad.yaml", "steps[0].level", "\"2\"", "the keys of a drain step", "deadline");
    }

    @Test
    void aBadCronNamesTheFieldTheValueAndTheSyntax() throws IOException {
        write("bad.yaml", "name: a\ntarget: fleet\ntrigger:\n  schedule: {cron: \"0 0 6 * * MON\"}\nsteps:\n"
                + "  - kind: report\n");

        assertInvalid("bad.yaml", "trigger.schedule.cron", "\"0 0 6 * * MON\"", "Quartz cron");
    }

    @Test
    void anAlertNoRuleFiresNamesTheRules() throws IOException {
        write("bad.yaml", "name: a\ntarget: node\ntrigger:\n  alert: {name: GpuOnFire}\n" + STEPS);

        assertInvalid("bad.yaml", "trigger.alert.name", "\"GpuOnFire\"", "GpuNvlinkDown, GpuXidFatal");
    }

    @Test
    void aMissingRequiredKeyIsNamed() throws IOException {
        write("a.yaml", "target: node\n" + STEPS);
        assertInvalid("a.yaml", "name", "missing");
        write("a.yaml", "name: a\n" + STEPS);
        assertInvalid("a.yaml", "target", "missing");
        write("a.yaml", "name: a\ntarget: node\n");
        assertInvalid("a.yaml", "steps", "missing");
        write("a.yaml", "name: a\ntarget: node\nsteps: []\n");
        assertInvalid("a.yaml", "steps", "at least one step");
        write("a.yaml", "name: a\ntarget: node\nsteps:\n  - {name: x}\n");
        assertInvalid("a.yaml", "steps[0].kind", "missing", "one of cordon, uncordon, drain, wait, gpu-reset");
        write("a.yaml", "name: a\ntarget: node\nsteps:\n  - kind: notify\n    message: \"\"\n    page: false\n"
                + "  - {kind: notify, message: hi, fallback: false}\n");
        assertThat(RunbookFiles.load(dir, ALERTS).get(0).runbook().steps()).extracting(step -> step.page())
                .containsExactly(false, false);
        write("a.yaml", "name: a\ntarget: node\nsteps:\n  - {kind: wait}\n");
        assertInvalid("a.yaml", "steps[0].until", "missing", "node-reporting");
        write("a.yaml", "name: a\ntarget: node\nsteps:\n  - {kind: notify}\n");
        assertInvalid("a.yaml", "steps[0].message", "missing");
        write("a.yaml", "name: a\ntarget: node\nsteps:\n  - {kind: exec}\n");
        assertInvalid("a.yaml", "steps[0].command", "missing");
        write("a.yaml", "name: a\ntarget: node\nsteps:\n  - {kind: drain, mode: allow-completion}\n");
        assertInvalid("a.yaml", "steps[0].deadline", "allow-completion");
    }

    @Test
    void twoFilesWithOneNameNameBothFiles() throws IOException {
        write("a.yaml", "name: same\ntarget: node\n" + STEPS);
        write("b.yaml", "name: same\ntarget: node\n" + STEPS);

        assertInvalid("b.yaml", "name", "\"same\"", "a.yaml has it");
    }

    @Test
    void stepsThatActOnAGpuNeedAGpuTarget() throws IOException {
        write("a.yaml", "name: a\ntarget: node\nsteps:\n  - kind: gpu-reset\n");
        assertInvalid("a.yaml", "steps[0].kind", "\"gpu-reset\"", "target is gpu");
        write("a.yaml", "name: a\ntarget: node\nsteps:\n  - {kind: cordon, scope: gpu}\n");
        assertInvalid("a.yaml", "steps[0].scope", "\"gpu\"", "target is gpu");
        write("a.yaml", "name: a\ntarget: node\nsteps:\n  - {kind: wait, until: gpu-healthy}\n");
        assertInvalid("a.yaml", "steps[0].until", "\"gpu-healthy\"", "target is gpu");
    }

    @Test
    void aFleetRunbookOnlyNotifiesAndReportsAndASchedulesTargetNamesNoNode() throws IOException {
        write("a.yaml", "name: a\ntarget: fleet\nsteps:\n  - kind: report\n  - kind: drain\n");
        assertInvalid("a.yaml", "steps[1].kind", "\"drain\"", "fleet runbook");
        write("a.yaml", "name: a\ntarget: node\ntrigger:\n  schedule: {cron: \"0 0 6 ? * MON\"}\n" + STEPS);
        assertInvalid("a.yaml", "target", "\"node\"", "a schedule names no node");
    }

    @Test
    void aSelectorTargetMustSelectSomething() throws IOException {
        write("a.yaml", "name: a\ntarget: {selector: {pool: a100, state: cordoned}}\n" + STEPS);
        assertThat(RunbookFiles.load(dir, ALERTS).get(0).runbook().target())
                .hasToString("selector{pool=a100, state=cordoned}");
        write("a.yaml", "name: a\ntarget: {selector: {}}\n" + STEPS);
        assertInvalid("a.yaml", "target.selector", "never means every node");
        write("a.yaml", "name: a\ntarget: everything\n" + STEPS);
        assertInvalid("a.yaml", "target", "\"everything\"", "node, gpu, fleet");
    }

    @Test
    void aTriggerIsAnAlertOrASchedule() throws IOException {
        write("a.yaml", "name: a\ntarget: {selector: {pool: p}}\ntrigger:\n  alert: {name: GpuXidFatal}\n"
                + "  schedule: {cron: \"0 0 6 ? * MON\"}\n" + STEPS);
        assertInvalid("a.yaml", "trigger", "\"alert, schedule\"", "exactly one of alert, schedule");
        write("a.yaml", "name: a\ntarget: node\ntrigger: {}\n" + STEPS);
        assertInvalid("a.yaml", "trigger", "missing", "exactly one of alert, schedule");
        write("a.yaml", "name: a\ntarget: node\ntrigger:\n  alert: {name: GpuXidFatal, matchers: {xid: \"\"}}\n" + STEPS);
        assertInvalid("a.yaml", "trigger.alert.matchers.xid", "a label value to equal");
    }

    @Test
    void aFallbackFollowsAStepThatMayFailAndAHealthCheckNeverLetsAFailureThrough() throws IOException {
        write("a.yaml", "name: a\ntarget: node\nsteps:\n  - kind: reboot\n  - {kind: power-cycle, fallback: true}\n");
        assertInvalid("a.yaml", "steps[1].fallback", "onFailure: continue");
        write("a.yaml", "name: a\ntarget: node\nsteps:\n  - {kind: power-cycle, fallback: true}\n");
        assertInvalid("a.yaml", "steps[0].fallback", "onFailure: continue");
        write("a.yaml", "name: a\ntarget: node\nsteps:\n  - {kind: health-check, onFailure: continue}\n");
        assertInvalid("a.yaml", "steps[0].onFailure", "\"continue\"", "must never let the run return");
    }

    @Test
    void valuesOutOfRangeAreNamed() throws IOException {
        write("a.yaml", "name: A_b\ntarget: node\n" + STEPS);
        assertInvalid("a.yaml", "name", "\"A_b\"", "lower-case");
        write("a.yaml", "name: a\ntarget: node\nsteps:\n  - {kind: cordon, retries: 11}\n");
        assertInvalid("a.yaml", "steps[0].retries", "\"11\"", "0 to 10");
        write("a.yaml", "name: a\ntarget: node\nsteps:\n  - {kind: cordon, timeout: 0s}\n");
        assertInvalid("a.yaml", "steps[0].timeout", "\"0s\"");
        write("a.yaml", "name: a\ntarget: node\nsteps:\n  - {kind: cordon, backoff: 2h}\n");
        assertInvalid("a.yaml", "steps[0].backoff", "\"2h\"");
        write("a.yaml", "name: a\ntarget: node\nsteps:\n  - {kind: health-check, level: 3}\n");
        assertInvalid("a.yaml", "steps[0].level", "\"3\"");
        write("a.yaml", "name: a\ntarget: node\nguards: {concurrency: 0}\n" + STEPS);
        assertInvalid("a.yaml", "guards.concurrency", "\"0\"");
        write("a.yaml", "name: a\ntarget: node\nsteps:\n  - {kind: drain, mode: allow-completion, deadline: 1h, "
                + "timeout: 30m}\n");
        assertInvalid("a.yaml", "steps[0].deadline", "\"1h\"", "less than the step's timeout (30m)");
        write("a.yaml", "name: a\ntarget: node\nsteps:\n  - {kind: cordon, timeout: 5}\n");
        assertInvalid("a.yaml", "steps[0].timeout", "\"5\"", "a duration with a unit");
    }

    @Test
    void limitsAreInclusive() throws IOException {
        String name = "x".repeat(64);
        write("a.yaml", "name: " + "a".repeat(64) + "\ntarget: node\nsteps:\n  - {kind: cordon, name: " + name
                + ", retries: 10, backoff: 1h, timeout: 7d}\n  - {kind: cordon, retries: 0, backoff: 0s}\n");
        assertThat(RunbookFiles.load(dir, ALERTS).get(0).runbook().steps().get(0).name()).isEqualTo(name);
        write("a.yaml", "name: a\ntarget: node\nsteps:\n  - {kind: cordon, name: " + name + "x}\n");
        assertInvalid("a.yaml", "steps[0].name", "1 to 64 characters");
        write("a.yaml", "name: a\ntarget: node\nsteps:\n  - {kind: cordon, name: \" \"}\n");
        assertInvalid("a.yaml", "steps[0].name", "1 to 64 characters");
        write("a.yaml", "name: a\ntarget: node\nsteps:\n  - {kind: cordon, retries: -1}\n");
        assertInvalid("a.yaml", "steps[0].retries", "\"-1\"");
        write("a.yaml", "name: a\ntarget: node\nsteps:\n  - {kind: cordon, backoff: 1h1ms}\n");
        assertInvalid("a.yaml", "steps[0].backoff", "0s to 1h");
        write("a.yaml", "name: a\ntarget: node\nsteps:\n  - {kind: cordon, timeout: 7d1ms}\n");
        assertInvalid("a.yaml", "steps[0].timeout", "at most 7d");
        write("a.yaml", "name: a\ntarget: node\nsteps:\n  - {kind: drain, mode: allow-completion, deadline: 10m, "
                + "timeout: 10m}\n");
        assertInvalid("a.yaml", "steps[0].deadline", "less than the step's timeout");
    }

    @Test
    void aTargetIsASelectorExactlyWhenItHasOne() {
        Selector selector = new Selector("p", null, null, null, null);
        assertThatThrownBy(() -> new Target(Target.Kind.NODE, selector)).hasMessageContaining("selector");
        assertThatThrownBy(() -> new Target(Target.Kind.SELECTOR, null)).hasMessageContaining("selector");
        assertThat(new Selector("p", "h100", "leaf-1", dev.vigil.api.cluster.NodeState.DRAINED,
                Map.of("rack", "r2", "zone", "a"))).hasToString("selector{pool=p, model=h100, leaf=leaf-1, state=drained, "
                + "rack=r2, zone=a}");
    }

    private void write(String name, String text) throws IOException {
        Files.writeString(dir.resolve(name), text);
    }

    private void assertInvalid(String file, String field, String... mentions) {
        assertThatThrownBy(() -> RunbookFiles.load(dir, ALERTS))
                .isInstanceOfSatisfying(InvalidDocumentException.class, e -> {
                    assertThat(e.source()).endsWith(file);
                    assertThat(e.field()).isEqualTo(field);
                    assertThat(e.getMessage()).startsWith(dir.resolve(file) + ": ").contains(field).contains(mentions);
                });
    }
}
