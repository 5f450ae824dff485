package dev.vigil.runbooks.guards;

import dev.vigil.api.binding.Documents;
import dev.vigil.api.runbooks.RunRecord;
import dev.vigil.api.runbooks.RunState;
import dev.vigil.api.runbooks.RunTarget;
import dev.vigil.api.runbooks.StepRecord;
import dev.vigil.api.runbooks.StepState;
import dev.vigil.runbooks.Runbook;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class GuardsTest {
    private static final Instant NOW = Instant.parse("2026-12-06T10:00:00Z");
    private static final Guards GUARDS = new Guards(GuardLimits.defaults());
    private static final Runbook REPAIR = runbook("repair", "node", 1, "  - kind: drain\n  - kind: reboot\n");
    private static final Runbook CORDON = runbook("cordon-only", "node", 5, "  - kind: cordon\n");
    private static final Runbook REPORT = runbook("report", "fleet", 1, "  - kind: report\n");

    private static Runbook runbook(String name, String target, int concurrency, String steps) {
        return Documents.readYaml("name: " + name + "\ntarget: " + target + "\nguards: {concurrency: " + concurrency
                + "}\nsteps:\n" + steps, Runbook.class, "test");
    }

    private static Set<String> nodes(int count) {
        return IntStream.range(0, count).mapToObj(i -> "n" + i).collect(Collectors.toSet());
    }

    private static RunRecord run(String id, Runbook runbook, String node, RunState state, boolean dryRun, Instant created,
                                 StepState first) {
        List<StepRecord> steps = new ArrayList<>();
        for (var spec : runbook.steps()) {
            StepRecord pending = StepRecord.pending(spec.name(), spec.kind().wireName());
            steps.add(steps.isEmpty() && first != StepState.PENDING
                    ? new StepRecord(pending.name(), pending.kind(), first, 1, created, null, null, null, null) : pending);
        }
        return new RunRecord(id, runbook.name(), node == null ? null : new RunTarget(node, null), dryRun, state, "",
                "manual", "runbook:" + runbook.name() + "/" + id, "alice", created, created, 0, null, steps);
    }

    private static RunRecord candidate(Runbook runbook, String node) {
        return run("run-new", runbook, node, RunState.QUEUED, false, NOW, StepState.PENDING);
    }

    private static RunRecord running(String id, Runbook runbook, String node) {
        return run(id, runbook, node, RunState.RUNNING, false, NOW.minusSeconds(60), StepState.RUNNING);
    }

    private static FleetView fleet(int nodes, List<RunRecord> runs, List<Cordoning> cordons, boolean halted) {
        return new FleetView(nodes(nodes), runs, cordons, halted);
    }

    private static Admission admit(Runbook runbook, RunRecord run, FleetView fleet) {
        return GUARDS.admit(runbook, run, fleet, NOW);
    }

    @Test
    void aRunOnAKnownIdleNodeStarts() {
        assertThat(admit(REPAIR, candidate(REPAIR, "n1"), fleet(10, List.of(), List.of(), false)).verdict())
                .isEqualTo(Admission.Verdict.START);
    }

    @Test
    void anEmptyOrUnresolvedTargetIsRefusedNeverEverything() {
        FleetView fleet = fleet(4, List.of(), List.of(), false);
        assertThat(admit(REPAIR, candidate(REPAIR, null), fleet))
                .isEqualTo(new Admission(Admission.Verdict.REFUSE,
                        "target missing is not a known node (an unresolved target is an error, never every node)"));
        assertThat(admit(REPAIR, candidate(REPAIR, "n9"), fleet).verdict()).isEqualTo(Admission.Verdict.REFUSE);
        RunRecord noNode = run("run-new", REPAIR, null, RunState.QUEUED, false, NOW, StepState.PENDING);
        RunRecord nullNode = new RunRecord(noNode.id(), noNode.runbook(), new RunTarget(null, null), false,
                RunState.QUEUED, "", "", "", "", NOW, NOW, 0, null, noNode.steps());
        assertThat(admit(REPAIR, nullNode, fleet).verdict()).isEqualTo(Admission.Verdict.REFUSE);

        Runbook selector = runbook("sel", "{selector: {pool: a100}}", 1, "  - kind: cordon\n");
        assertThat(Guards.resolved(selector, List.of()).verdict()).isEqualTo(Admission.Verdict.REFUSE);
        assertThat(Guards.resolved(selector, List.of()).reason()).contains("selector{pool=a100} matches no node");
        assertThat(Guards.resolved(selector, List.of(new RunTarget("n1", null))).verdict())
                .isEqualTo(Admission.Verdict.START);
    }

    @Test
    void atMostTenPercentOfTheFleetAndAtLeastOneNodeIsInRemediation() {
        Runbook wide = runbook("wide", "node", 100, "  - kind: drain\n");
        List<RunRecord> runs = List.of(running("r1", wide, "n1"));

        assertThat(admit(wide, candidate(wide, "n2"), fleet(4, runs, List.of(), false)))
                .isEqualTo(new Admission(Admission.Verdict.QUEUE, "1 nodes in remediation, the limit is 1 of 4"));
        assertThat(admit(wide, candidate(wide, "n2"), fleet(20, runs, List.of(), false)).verdict())
                .isEqualTo(Admission.Verdict.START);
        List<RunRecord> two = List.of(running("r1", wide, "n1"), running("r2", wide, "n2"));
        assertThat(admit(wide, candidate(wide, "n3"), fleet(20, two, List.of(), false)).verdict())
                .isEqualTo(Admission.Verdict.QUEUE);
        assertThat(new GuardLimits(50, null, null, null, null, null).remediationLimit(4)).isEqualTo(2);
    }

    @Test
    void dryAndEndedAndQueuedRunsAreNotInRemediation() {
        Runbook wide = runbook("wide", "node", 100, "  - kind: drain\n");
        List<RunRecord> runs = List.of(
                run("r1", wide, "n1", RunState.RUNNING, true, NOW, StepState.RUNNING),
                run("r2", wide, "n2", RunState.SUCCEEDED, false, NOW, StepState.SUCCEEDED),
                run("r3", wide, "n3", RunState.QUEUED, false, NOW, StepState.PENDING));
        FleetView fleet = fleet(4, runs, List.of(), false);

        assertThat(GUARDS.inRemediation(fleet, candidate(wide, "n0"))).isEmpty();
        assertThat(admit(wide, candidate(wide, "n0"), fleet).verdict()).isEqualTo(Admission.Verdict.START);
        RunRecord waiting = run("r4", wide, "n3", RunState.WAITING_APPROVAL, false, NOW, StepState.RUNNING);
        assertThat(GUARDS.inRemediation(fleet(4, List.of(waiting), List.of(), false), candidate(wide, "n0")))
                .containsExactly("n3");
    }

    @Test
    void aDryRunIsNotHeldBackByTheRemediationLimit() {
        Runbook wide = runbook("wide", "node", 100, "  - kind: drain\n");
        RunRecord dry = run("run-new", wide, "n2", RunState.QUEUED, true, NOW, StepState.PENDING);

        assertThat(admit(wide, dry, fleet(4, List.of(running("r1", wide, "n1")), List.of(), false)).verdict())
                .isEqualTo(Admission.Verdict.START);
    }

    @Test
    void aRunbookAtItsConcurrencyQueuesItsNextRun() {
        List<RunRecord> runs = List.of(running("r1", REPAIR, "n1"));

        assertThat(admit(REPAIR, candidate(REPAIR, "n2"), fleet(100, runs, List.of(), false)))
                .isEqualTo(new Admission(Admission.Verdict.QUEUE, "runbook repair has 1 runs under way, its concurrency is 1"));
        assertThat(admit(CORDON, candidate(CORDON, "n2"), fleet(100, runs, List.of(), false)).verdict())
                .isEqualTo(Admission.Verdict.START);
        // The run itself, stored queued or re-admitted, does not count against itself.
        RunRecord self = running("run-new", REPAIR, "n2");
        assertThat(admit(REPAIR, self, fleet(100, List.of(self), List.of(), false)).verdict())
                .isEqualTo(Admission.Verdict.START);
    }

    @Test
    void aNodeAnotherRunRepairsIsRefused() {
        List<RunRecord> runs = List.of(running("r1", CORDON, "n1"));

        assertThat(admit(REPAIR, candidate(REPAIR, "n1"), fleet(100, runs, List.of(), false)))
                .isEqualTo(new Admission(Admission.Verdict.REFUSE, "run r1 (cordon-only) is repairing n1"));
    }

    @Test
    void theBreakerTripsWhenMoreThanTwentyPercentAndTwoNodesWereCordonedWithinTenMinutes() {
        List<Cordoning> three = List.of(new Cordoning("n1", NOW.minusSeconds(60)), new Cordoning("n2", NOW.minusSeconds(60)),
                new Cordoning("n3", NOW));
        // 10 nodes: the limit is max(2, 2) = 2; three cordoned trip it.
        Admission halted = admit(REPAIR, candidate(REPAIR, "n5"), fleet(10, List.of(), three, false));
        assertThat(halted.verdict()).isEqualTo(Admission.Verdict.HALT);
        assertThat(halted.reason()).isEqualTo("3 nodes cordoned within 10m (more than 2 of 10): automation halts "
                + "until an operator resumes it");
        // 15 nodes: the limit is max(2, 3) = 3.
        assertThat(admit(REPAIR, candidate(REPAIR, "n5"), fleet(15, List.of(), three, false)).verdict())
                .isEqualTo(Admission.Verdict.START);
    }

    @Test
    void oneFailingNodeInASmallFleetIsRepairedAndOldOrRepeatedCordonsDoNotCount() {
        assertThat(admit(REPAIR, candidate(REPAIR, "n1"), fleet(4, List.of(),
                List.of(new Cordoning("n1", NOW), new Cordoning("n2", NOW)), false)).verdict())
                .isEqualTo(Admission.Verdict.START);
        List<Cordoning> spread = List.of(new Cordoning("n1", NOW.minus(Duration.ofMinutes(10)).minusMillis(1)),
                new Cordoning("n2", NOW), new Cordoning("n3", NOW), new Cordoning("n3", NOW.minusSeconds(1)),
                new Cordoning("n4", NOW.plusSeconds(1)));
        assertThat(GUARDS.breaker(fleet(10, List.of(), spread, false), NOW)).isEmpty();
        List<Cordoning> edge = List.of(new Cordoning("n1", NOW.minus(Duration.ofMinutes(10))), new Cordoning("n2", NOW),
                new Cordoning("n3", NOW));
        assertThat(GUARDS.breaker(fleet(10, List.of(), edge, false), NOW)).isPresent();
    }

    @Test
    void anOpenBreakerHaltsUntilAnOperatorResumes() {
        assertThat(admit(REPAIR, candidate(REPAIR, "n1"), fleet(100, List.of(), List.of(), true)))
                .isEqualTo(new Admission(Admission.Verdict.HALT,
                        "automation is halted until an operator resumes it (vigil runbooks resume)"));
    }

    @Test
    void aNodeRemediatedTwiceInSevenDaysEscalates() {
        List<RunRecord> history = List.of(
                run("r1", REPAIR, "n1", RunState.SUCCEEDED, false, NOW.minus(Duration.ofDays(6)), StepState.SUCCEEDED),
                run("r2", REPAIR, "n1", RunState.FAILED, false, NOW.minus(Duration.ofDays(1)), StepState.FAILED));

        Admission admission = admit(REPAIR, candidate(REPAIR, "n1"), fleet(100, history, List.of(), false));

        assertThat(admission.verdict()).isEqualTo(Admission.Verdict.ESCALATE);
        assertThat(admission.reason()).startsWith("n1 was remediated 2 times within 168h");
        assertThat(admit(REPAIR, candidate(REPAIR, "n2"), fleet(100, history, List.of(), false)).verdict())
                .isEqualTo(Admission.Verdict.START);
        // A runbook that does not repair (cordon and page) still runs: it is the escalation path.
        assertThat(admit(CORDON, candidate(CORDON, "n1"), fleet(100, history, List.of(), false)).verdict())
                .isEqualTo(Admission.Verdict.START);
    }

    @Test
    void onlyRealRepairsWithinTheWindowCountAsRemediations() {
        List<RunRecord> history = List.of(
                run("old", REPAIR, "n1", RunState.SUCCEEDED, false, NOW.minus(Duration.ofDays(7)), StepState.SUCCEEDED),
                run("dry", REPAIR, "n1", RunState.SUCCEEDED, true, NOW.minusSeconds(60), StepState.SUCCEEDED),
                run("refused", REPAIR, "n1", RunState.FAILED, false, NOW.minusSeconds(60), StepState.SKIPPED),
                run("cordon", CORDON, "n1", RunState.SUCCEEDED, false, NOW.minusSeconds(60), StepState.SUCCEEDED),
                run("one", REPAIR, "n1", RunState.SUCCEEDED, false, NOW.minusSeconds(60), StepState.SUCCEEDED));

        assertThat(admit(REPAIR, candidate(REPAIR, "n1"), fleet(100, history, List.of(), false)).verdict())
                .isEqualTo(Admission.Verdict.START);
        GuardLimits strict = new GuardLimits(null, null, null, null, 1, null);
        assertThat(new Guards(strict).admit(REPAIR, candidate(REPAIR, "n1"), fleet(100, history, List.of(), false), NOW)
                .verdict()).isEqualTo(Admission.Verdict.ESCALATE);
    }

    @Test
    void aFleetReportPassesEveryGuardButItsConcurrency() {
        RunRecord report = candidate(REPORT, null);
        assertThat(admit(REPORT, report, fleet(0, List.of(), List.of(), true)).verdict())
                .isEqualTo(Admission.Verdict.START);
        assertThat(admit(REPORT, report, fleet(0, List.of(running("r1", REPORT, null)), List.of(), true)).verdict())
                .isEqualTo(Admission.Verdict.QUEUE);
    }

    @Test
    void limitsDefaultAsTheIssueSaysAndRefuseNonsense() {
        GuardLimits limits = GuardLimits.defaults();
        assertThat(limits.remediationLimit(4)).isEqualTo(1);
        assertThat(limits.remediationLimit(30)).isEqualTo(3);
        assertThat(limits.breakerLimit(4)).isEqualTo(2);
        assertThat(limits.breakerLimit(50)).isEqualTo(10);
        assertThat(limits.repeatLimit()).isEqualTo(2);
        assertThat(limits.repeatWindow()).hasDays(7);
        assertThat(limits.breakerWindow()).hasMinutes(10);
        assertThat(Documents.readYaml("breakerMinNodes: 3", GuardLimits.class, "t").breakerLimit(4)).isEqualTo(3);
        GuardLimits edges = Documents.readYaml("{remediationPercent: 100, breakerPercent: 100, breakerMinNodes: 1, "
                + "breakerWindow: 1d, repeatLimit: 1, repeatWindow: 90d}", GuardLimits.class, "t");
        assertThat(edges.remediationLimit(4)).isEqualTo(4);
        assertThat(edges.breakerLimit(4)).isEqualTo(4);
        GuardLimits low = Documents.readYaml("{remediationPercent: 1, breakerPercent: 1}", GuardLimits.class, "t");
        assertThat(low.remediationLimit(200)).isEqualTo(2);
        assertThat(low.breakerLimit(300)).isEqualTo(3);
        for (String bad : List.of("remediationPercent: 0", "remediationPercent: 101", "breakerPercent: 0",
                "breakerPercent: 101", "breakerMinNodes: 0", "breakerWindow: 0s", "breakerWindow: 2d", "repeatLimit: 0",
                "repeatWindow: 0s", "repeatWindow: 91d")) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> Documents.readYaml(bad, GuardLimits.class, "t"))
                    .hasMessageContaining(bad.substring(0, bad.indexOf(':')));
        }
    }
}
