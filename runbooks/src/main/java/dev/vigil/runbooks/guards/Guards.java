package dev.vigil.runbooks.guards;

import dev.vigil.api.binding.HumanDurations;
import dev.vigil.api.runbooks.RunRecord;
import dev.vigil.api.runbooks.RunState;
import dev.vigil.api.runbooks.RunTarget;
import dev.vigil.api.runbooks.StepRecord;
import dev.vigil.api.runbooks.StepState;
import dev.vigil.runbooks.Runbook;

import java.time.Instant;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Whether a run may start. In order: a target that is empty or not a known node is refused (never
 * "everything"); an open breaker, or one that trips now, halts it; a node another run repairs is
 * refused; a repeat offender escalates; a runbook at its concurrency, or a fleet at its remediation
 * limit, queues it. Runs that only report (fleet runbooks) pass every guard but concurrency.
 */
public final class Guards {
    /** The step kinds that make a run a remediation. */
    private static final Set<String> REPAIRS = Set.of("drain", "gpu-reset", "reboot", "power-cycle");

    private final GuardLimits limits;

    public Guards(GuardLimits limits) {
        this.limits = limits;
    }

    /** For a selector's runbook: the nodes it resolved to; none is an error, never "every node". */
    public static Admission resolved(Runbook runbook, Collection<RunTarget> targets) {
        return targets.isEmpty()
                ? Admission.of(Admission.Verdict.REFUSE, "runbook " + runbook.name() + ": its target "
                + runbook.target() + " matches no node (an empty target is an error, never every node)")
                : Admission.start();
    }

    public Admission admit(Runbook runbook, RunRecord run, FleetView fleet, Instant now) {
        if (runbook.target().actsOnNodes()) {
            RunTarget target = run.target();
            if (target == null || target.node() == null || !fleet.nodes().contains(target.node())) {
                return Admission.of(Admission.Verdict.REFUSE, "target " + (target == null ? "missing" : target)
                        + " is not a known node (an unresolved target is an error, never every node)");
            }
            Optional<String> breaker = breaker(fleet, now);
            if (breaker.isPresent()) {
                return Admission.of(Admission.Verdict.HALT, breaker.get());
            }
            Optional<RunRecord> other = fleet.runs().stream()
                    .filter(r -> !r.id().equals(run.id()) && started(r) && !r.dryRun() && sameNode(r, target))
                    .findFirst();
            if (other.isPresent()) {
                return Admission.of(Admission.Verdict.REFUSE, "run " + other.get().id() + " (" + other.get().runbook()
                        + ") is repairing " + target.node());
            }
            if (runbook.repairs()) {
                long remediations = fleet.runs().stream().filter(r -> !r.id().equals(run.id()) && !r.dryRun()
                        && sameNode(r, target) && r.created() != null
                        && r.created().isAfter(now.minus(limits.repeatWindow())) && remediated(r)).count();
                if (remediations >= limits.repeatLimit()) {
                    return Admission.of(Admission.Verdict.ESCALATE, target.node() + " was remediated " + remediations
                            + " times within " + days(limits) + ": no automatic repair, it goes to people (RMA path)");
                }
            }
        }
        long ofRunbook = fleet.runs().stream()
                .filter(r -> !r.id().equals(run.id()) && r.runbook().equals(runbook.name()) && started(r)).count();
        if (ofRunbook >= runbook.guards().concurrency()) {
            return Admission.of(Admission.Verdict.QUEUE, "runbook " + runbook.name() + " has " + ofRunbook
                    + " runs under way, its concurrency is " + runbook.guards().concurrency());
        }
        if (runbook.target().actsOnNodes() && !run.dryRun()) {
            Set<String> inRemediation = inRemediation(fleet, run);
            int limit = limits.remediationLimit(fleet.nodes().size());
            if (inRemediation.size() >= limit) {
                return Admission.of(Admission.Verdict.QUEUE, inRemediation.size() + " nodes in remediation, the limit is "
                        + limit + " of " + fleet.nodes().size());
            }
        }
        return Admission.start();
    }

    /**
     * Why the breaker is open or trips now: more nodes than its limit cordoned by the reflex or by
     * runbooks within its window. Empty when automation may go on.
     */
    public Optional<String> breaker(FleetView fleet, Instant now) {
        if (fleet.halted()) {
            return Optional.of("automation is halted until an operator resumes it (vigil runbooks resume)");
        }
        Instant from = now.minus(limits.breakerWindow());
        Set<String> cordoned = fleet.cordonings().stream().filter(c -> !c.at().isBefore(from) && !c.at().isAfter(now))
                .map(Cordoning::node).collect(Collectors.toSet());
        int limit = limits.breakerLimit(fleet.nodes().size());
        if (cordoned.size() > limit) {
            return Optional.of(cordoned.size() + " nodes cordoned within " + HumanDurations.format(
                    limits.breakerWindow()) + " (more than " + limit + " of " + fleet.nodes().size()
                    + "): automation halts until an operator resumes it");
        }
        return Optional.empty();
    }

    /** The nodes active (not dry) runs are repairing now, {@code run} left out. */
    public Set<String> inRemediation(FleetView fleet, RunRecord run) {
        return fleet.runs().stream()
                .filter(r -> !r.id().equals(run.id()) && started(r) && !r.dryRun() && r.target() != null)
                .map(r -> r.target().node()).collect(Collectors.toSet());
    }

    private static boolean started(RunRecord run) {
        return run.state() == RunState.RUNNING || run.state() == RunState.WAITING_APPROVAL;
    }

    private static boolean sameNode(RunRecord run, RunTarget target) {
        return run.target() != null && target.node().equals(run.target().node());
    }

    /** Whether the run got as far as a repair: a drain, reset, reboot or power cycle attempted. */
    private static boolean remediated(RunRecord run) {
        return run.steps().stream().anyMatch(step -> REPAIRS.contains(step.kind()) && attempted(step));
    }

    private static boolean attempted(StepRecord step) {
        return step.attempts() > 0 && step.state() != StepState.SKIPPED;
    }

    private static String days(GuardLimits limits) {
        return HumanDurations.format(limits.repeatWindow());
    }
}
