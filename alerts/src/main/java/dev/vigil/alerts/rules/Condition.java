package dev.vigil.alerts.rules;

import dev.vigil.alerts.fleet.Automation;
import dev.vigil.alerts.fleet.Fleet;
import dev.vigil.alerts.fleet.FleetGpu;
import dev.vigil.alerts.fleet.FleetNode;
import dev.vigil.alerts.fleet.PendingJob;
import dev.vigil.alerts.fleet.RunbookRun;
import dev.vigil.alerts.fleet.TenantUsage;
import dev.vigil.alerts.fleet.XidSeen;
import dev.vigil.api.binding.HumanDurations;
import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.cluster.NodeState;
import dev.vigil.api.gpu.HealthReason;
import dev.vigil.api.gpu.HealthState;
import dev.vigil.api.gpu.RepairAction;
import dev.vigil.api.placement.JudgedProcess;
import dev.vigil.api.placement.PlacementVerdict;
import dev.vigil.api.runbooks.RunState;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * What a rule looks for in the fleet: one of a closed set of kinds, each finding zero or more
 * {@link Candidate}s with the labels that identify them and the facts about them.
 */
public sealed interface Condition {

    /** The labels every candidate carries (besides alertname, severity and the rule's own labels). */
    List<String> labels();

    /** The facts candidates carry as annotations; a rule's templates may use these and the labels. */
    List<String> facts();

    List<Candidate> evaluate(Fleet fleet, Instant now);

    /**
     * A GPU has an XID: a standing one (a fatal XID holds until repaired) or one reported within
     * {@code window}. Picked by code and/or by the catalog's class (its immediate action); with
     * neither, any XID.
     */
    record Xid(List<Integer> codes, List<RepairAction> actions, Duration window) implements Condition {
        public Xid {
            codes = codes == null ? List.of() : List.copyOf(codes);
            actions = actions == null ? List.of() : List.copyOf(actions);
            for (int i = 0; i < codes.size(); i++) {
                InvalidValueException.require(codes.get(i) > 0 && codes.get(i) < 1000, "codes[" + i + "]",
                        codes.get(i), "an XID from 1 to 999");
            }
            window = window == null ? Duration.ofMinutes(5) : window;
            InvalidValueException.require(!window.isNegative() && window.compareTo(Duration.ofDays(1)) <= 0,
                    "window", window, "from 0s to 1d");
        }

        @Override
        public List<String> labels() {
            return List.of("node", "gpu", "uuid", "xid");
        }

        @Override
        public List<String> facts() {
            return List.of("message", "action", "since", "model", "job", "tenant");
        }

        @Override
        public List<Candidate> evaluate(Fleet fleet, Instant now) {
            List<Candidate> found = new ArrayList<>();
            Instant from = now.minus(window);
            for (FleetNode node : fleet.nodes()) {
                for (FleetGpu gpu : node.gpus()) {
                    Map<Integer, XidSeen> seen = new TreeMap<>();
                    for (HealthReason reason : gpu.reasons()) {
                        if (reason.xid() != null) {
                            seen.putIfAbsent(reason.xid(), new XidSeen(reason.xid(), reason.action(), null,
                                    reason.message(), reason.since()));
                        }
                    }
                    for (XidSeen xid : gpu.recentXids()) {
                        if (xid.at() != null && !xid.at().isBefore(from)) {
                            seen.putIfAbsent(xid.xid(), xid);
                        }
                    }
                    for (XidSeen xid : seen.values()) {
                        if ((codes.isEmpty() || codes.contains(xid.xid()))
                                && (actions.isEmpty() || actions.contains(xid.action()))) {
                            Map<String, String> labels = gpuLabels(node, gpu);
                            labels.put("xid", Integer.toString(xid.xid()));
                            Map<String, String> facts = new LinkedHashMap<>();
                            put(facts, "message", xid.message());
                            put(facts, "action", wire(xid.action()));
                            put(facts, "since", xid.at());
                            facts.putAll(gpuFacts(gpu));
                            found.add(new Candidate(labels, facts, xid.xid()));
                        }
                    }
                }
            }
            return found;
        }
    }

    /**
     * A GPU has a health reason with one of these codes ({@code ecc-dbe}, {@code row-remap-failure},
     * {@code nvlink-down}, {@code gpu-lost}, ...) and/or one that puts it in one of these states.
     */
    record GpuHealth(List<String> reasons, List<HealthState> states) implements Condition {
        public GpuHealth {
            reasons = reasons == null ? List.of() : List.copyOf(reasons);
            states = states == null ? List.of() : List.copyOf(states);
            InvalidValueException.require(!reasons.isEmpty() || !states.isEmpty(), "reasons", null,
                    "health reason codes (e.g. [ecc-dbe, row-remap-failure]) and/or states (degraded, failed)");
        }

        @Override
        public List<String> labels() {
            return List.of("node", "gpu", "uuid", "reason");
        }

        @Override
        public List<String> facts() {
            return List.of("message", "action", "state", "since", "model", "job", "tenant");
        }

        @Override
        public List<Candidate> evaluate(Fleet fleet, Instant now) {
            List<Candidate> found = new ArrayList<>();
            for (FleetNode node : fleet.nodes()) {
                for (FleetGpu gpu : node.gpus()) {
                    for (HealthReason reason : gpu.reasons()) {
                        if ((reasons.isEmpty() || reasons.contains(reason.code()))
                                && (states.isEmpty() || states.contains(reason.state()))) {
                            Map<String, String> labels = gpuLabels(node, gpu);
                            labels.put("reason", reason.code());
                            Map<String, String> facts = new LinkedHashMap<>();
                            put(facts, "message", reason.message());
                            put(facts, "action", wire(reason.action()));
                            put(facts, "state", wire(reason.state()));
                            put(facts, "since", reason.since());
                            facts.putAll(gpuFacts(gpu));
                            found.add(new Candidate(labels, facts, reason.state() == null ? 0
                                    : reason.state().ordinal()));
                        }
                    }
                }
            }
            return found;
        }
    }

    /** A GPU is hotter than {@code above} degrees C. */
    record GpuTemperature(Double above) implements Condition {
        public GpuTemperature {
            InvalidValueException.required(above, "above", "degrees C, e.g. 85");
            InvalidValueException.require(above > 0 && above < 150, "above", above, "degrees C from 1 to 149");
        }

        @Override
        public List<String> labels() {
            return List.of("node", "gpu", "uuid");
        }

        @Override
        public List<String> facts() {
            return List.of("threshold", "model", "job", "tenant");
        }

        @Override
        public List<Candidate> evaluate(Fleet fleet, Instant now) {
            return readingAbove(fleet, above, FleetGpu::temperature);
        }
    }

    /** A GPU draws more than {@code above} watts. */
    record GpuPower(Double above) implements Condition {
        public GpuPower {
            InvalidValueException.required(above, "above", "watts, e.g. 650");
            InvalidValueException.require(above > 0 && above < 10_000, "above", above, "watts from 1 to 9999");
        }

        @Override
        public List<String> labels() {
            return List.of("node", "gpu", "uuid");
        }

        @Override
        public List<String> facts() {
            return List.of("threshold", "model", "job", "tenant");
        }

        @Override
        public List<Candidate> evaluate(Fleet fleet, Instant now) {
            return readingAbove(fleet, above, FleetGpu::power);
        }
    }

    /** A node's agent stopped reporting (the controller marked it unknown). */
    record NodeUnreachable() implements Condition {
        @Override
        public List<String> labels() {
            return List.of("node");
        }

        @Override
        public List<String> facts() {
            return List.of("last_report", "gpus");
        }

        @Override
        public List<Candidate> evaluate(Fleet fleet, Instant now) {
            List<Candidate> found = new ArrayList<>();
            for (FleetNode node : fleet.nodes()) {
                if (node.unreachable()) {
                    Map<String, String> facts = new LinkedHashMap<>();
                    put(facts, "last_report", node.lastReport());
                    facts.put("gpus", Integer.toString(node.gpus().size()));
                    found.add(new Candidate(new TreeMap<>(Map.of("node", node.name())), facts,
                            secondsSince(node.lastReport(), now)));
                }
            }
            return found;
        }
    }

    /** A GPU a job holds is busy less than {@code below} percent: money burning. Use {@code for} for how long. */
    record GpuIdle(Double below) implements Condition {
        public GpuIdle {
            InvalidValueException.required(below, "below", "percent utilization, e.g. 5");
            InvalidValueException.require(below > 0 && below <= 100, "below", below, "percent from 0 (exclusive) to 100");
        }

        @Override
        public List<String> labels() {
            return List.of("node", "gpu", "uuid", "tenant", "job");
        }

        @Override
        public List<String> facts() {
            return List.of("threshold", "model");
        }

        @Override
        public List<Candidate> evaluate(Fleet fleet, Instant now) {
            List<Candidate> found = new ArrayList<>();
            for (FleetNode node : fleet.nodes()) {
                if (node.unreachable()) {
                    continue;
                }
                for (FleetGpu gpu : node.gpus()) {
                    if (gpu.allocation() != null && gpu.utilization() != null && gpu.utilization() < below) {
                        Map<String, String> labels = gpuLabels(node, gpu);
                        put(labels, "tenant", gpu.allocation().tenant());
                        put(labels, "job", gpu.allocation().job());
                        Map<String, String> facts = new LinkedHashMap<>();
                        facts.put("threshold", Template.number(below));
                        put(facts, "model", gpu.model());
                        found.add(new Candidate(labels, facts, gpu.utilization()));
                    }
                }
            }
            return found;
        }
    }

    /**
     * A process runs on a GPU its job was not given (overreach) or belongs to no job there (rogue), as the node's
     * agent judged it: one candidate per process, for as long as it runs there. With {@code verdicts}, only those.
     */
    record PlacementViolation(List<PlacementVerdict> verdicts) implements Condition {
        public PlacementViolation {
            verdicts = verdicts == null || verdicts.isEmpty() ? List.of(PlacementVerdict.OVERREACH,
                    PlacementVerdict.ROGUE) : List.copyOf(verdicts);
            for (int i = 0; i < verdicts.size(); i++) {
                InvalidValueException.require(verdicts.get(i).violation(), "verdicts[" + i + "]",
                        verdicts.get(i).wire(), "overreach or rogue");
            }
        }

        @Override
        public List<String> labels() {
            return List.of("node", "gpu", "uuid", "pid");
        }

        @Override
        public List<String> facts() {
            return List.of("verdict", "user", "command", "owner", "job", "enforcement", "since", "model");
        }

        @Override
        public List<Candidate> evaluate(Fleet fleet, Instant now) {
            List<Candidate> found = new ArrayList<>();
            for (FleetNode node : fleet.nodes()) {
                for (FleetGpu gpu : node.gpus()) {
                    for (JudgedProcess process : gpu.violations()) {
                        if (!verdicts.contains(process.verdict())) {
                            continue;
                        }
                        Map<String, String> labels = gpuLabels(node, gpu);
                        labels.put("pid", Long.toString(process.pid()));
                        Map<String, String> facts = new LinkedHashMap<>();
                        put(facts, "verdict", process.verdict().wire());
                        put(facts, "user", process.user());
                        put(facts, "command", process.command());
                        put(facts, "owner", process.owner());
                        facts.put("job", process.job() == null ? "none" : process.job());
                        put(facts, "enforcement", process.enforcement() == null ? null
                                : process.enforcement().wire());
                        put(facts, "since", process.since());
                        put(facts, "model", gpu.model());
                        found.add(new Candidate(labels, facts, process.pid()));
                    }
                }
            }
            return found;
        }
    }

    /** A job has waited to start for longer than {@code longerThan}. */
    record JobPending(Duration longerThan) implements Condition {
        public JobPending {
            InvalidValueException.required(longerThan, "longerThan", "a duration, e.g. 1h");
            InvalidValueException.require(longerThan.compareTo(Duration.ofSeconds(1)) >= 0, "longerThan", longerThan,
                    "at least 1s");
        }

        @Override
        public List<String> labels() {
            return List.of("job", "tenant", "queue");
        }

        @Override
        public List<String> facts() {
            return List.of("name", "since", "waiting", "reason");
        }

        @Override
        public List<Candidate> evaluate(Fleet fleet, Instant now) {
            List<Candidate> found = new ArrayList<>();
            for (PendingJob job : fleet.pendingJobs()) {
                if (job.since() == null) {
                    continue;
                }
                Duration waiting = Duration.between(job.since(), now);
                if (waiting.compareTo(longerThan) >= 0) {
                    Map<String, String> labels = new TreeMap<>();
                    put(labels, "job", job.id());
                    put(labels, "tenant", job.tenant());
                    put(labels, "queue", job.queue());
                    Map<String, String> facts = new LinkedHashMap<>();
                    put(facts, "name", job.name());
                    put(facts, "since", job.since());
                    facts.put("waiting", HumanDurations.format(Duration.ofSeconds(waiting.toSeconds())));
                    put(facts, "reason", job.reason());
                    found.add(new Candidate(labels, facts, waiting.toMillis() / 1000.0));
                }
            }
            return found;
        }
    }

    /** A tenant's jobs hold more than {@code abovePercent} of its nominal GPU quota (100: over quota). */
    record TenantQuota(Double abovePercent) implements Condition {
        public TenantQuota {
            abovePercent = abovePercent == null ? 100.0 : abovePercent;
            InvalidValueException.require(abovePercent >= 0 && abovePercent <= 10_000, "abovePercent", abovePercent,
                    "percent of the quota from 0 to 10000");
        }

        @Override
        public List<String> labels() {
            return List.of("tenant");
        }

        @Override
        public List<String> facts() {
            return List.of("used", "quota", "threshold");
        }

        @Override
        public List<Candidate> evaluate(Fleet fleet, Instant now) {
            List<Candidate> found = new ArrayList<>();
            for (TenantUsage tenant : fleet.tenants()) {
                if (tenant.quota() == null || tenant.quota() < 0) {
                    continue;
                }
                // A tenant with a quota of 0 that holds GPUs (borrowed) is over it by any measure.
                double percent = tenant.quota() == 0 ? (tenant.used() > 0 ? Double.POSITIVE_INFINITY : 0)
                        : 100.0 * tenant.used() / tenant.quota();
                if (percent > abovePercent) {
                    Map<String, String> facts = new LinkedHashMap<>();
                    facts.put("used", Integer.toString(tenant.used()));
                    facts.put("quota", Integer.toString(tenant.quota()));
                    facts.put("threshold", Template.number(abovePercent));
                    found.add(new Candidate(new TreeMap<>(Map.of("tenant", tenant.tenant())), facts, percent));
                }
            }
            return found;
        }
    }

    /**
     * Fewer than {@code freeBelowPercent} percent of the fleet's GPUs are free: on a ready node,
     * not failed, not cordoned, not held by a job. Use {@code for} for how long.
     */
    record FleetCapacity(Double freeBelowPercent) implements Condition {
        public FleetCapacity {
            InvalidValueException.required(freeBelowPercent, "freeBelowPercent", "percent free GPUs, e.g. 10");
            InvalidValueException.require(freeBelowPercent > 0 && freeBelowPercent <= 100, "freeBelowPercent",
                    freeBelowPercent, "percent from 0 (exclusive) to 100");
        }

        @Override
        public List<String> labels() {
            return List.of();
        }

        @Override
        public List<String> facts() {
            return List.of("free", "total", "threshold");
        }

        @Override
        public List<Candidate> evaluate(Fleet fleet, Instant now) {
            int total = 0;
            int free = 0;
            for (FleetNode node : fleet.nodes()) {
                for (FleetGpu gpu : node.gpus()) {
                    total++;
                    if (node.state() == NodeState.READY && gpu.health() != HealthState.FAILED && !gpu.cordoned()
                            && gpu.allocation() == null) {
                        free++;
                    }
                }
            }
            if (total == 0) {
                return List.of();
            }
            double percent = 100.0 * free / total;
            if (percent >= freeBelowPercent) {
                return List.of();
            }
            Map<String, String> facts = new LinkedHashMap<>();
            facts.put("free", Integer.toString(free));
            facts.put("total", Integer.toString(total));
            facts.put("threshold", Template.number(freeBelowPercent));
            return List.of(new Candidate(new TreeMap<>(), facts, percent));
        }
    }

    /**
     * A runbook run ended failed or escalated within {@code window}: its node is cordoned and waits
     * for people. One candidate per run; it clears once the run ended longer ago than the window.
     */
    record RunbookFailed(Duration window) implements Condition {
        public RunbookFailed {
            window = window == null ? Duration.ofHours(1) : window;
            InvalidValueException.require(window.compareTo(Duration.ofSeconds(1)) >= 0
                    && window.compareTo(Duration.ofDays(1)) <= 0, "window", window, "from 1s to 1d");
        }

        @Override
        public List<String> labels() {
            return List.of("node", "runbook", "run");
        }

        @Override
        public List<String> facts() {
            return List.of("reason", "state", "gpu", "ended");
        }

        @Override
        public List<Candidate> evaluate(Fleet fleet, Instant now) {
            List<Candidate> found = new ArrayList<>();
            Instant from = now.minus(window);
            for (RunbookRun run : fleet.runs()) {
                if ((run.state() == RunState.FAILED || run.state() == RunState.ESCALATED) && run.ended() != null
                        && !run.ended().isBefore(from)) {
                    Map<String, String> labels = new TreeMap<>();
                    put(labels, "node", run.node());
                    put(labels, "runbook", run.runbook());
                    put(labels, "run", run.id());
                    Map<String, String> facts = new LinkedHashMap<>();
                    put(facts, "reason", run.reason());
                    put(facts, "state", wire(run.state()));
                    put(facts, "gpu", run.gpu());
                    put(facts, "ended", run.ended());
                    found.add(new Candidate(labels, facts, secondsSince(run.ended(), now)));
                }
            }
            return found;
        }
    }

    /** The runbooks' circuit breaker tripped: no run starts until an operator resumes automation. */
    record AutomationHalted() implements Condition {
        @Override
        public List<String> labels() {
            return List.of();
        }

        @Override
        public List<String> facts() {
            return List.of("reason", "since");
        }

        @Override
        public List<Candidate> evaluate(Fleet fleet, Instant now) {
            Automation automation = fleet.automation();
            if (!automation.halted()) {
                return List.of();
            }
            Map<String, String> facts = new LinkedHashMap<>();
            put(facts, "reason", automation.reason());
            put(facts, "since", automation.since());
            return List.of(new Candidate(new TreeMap<>(), facts, secondsSince(automation.since(), now)));
        }
    }

    /** Seconds from {@code then} to {@code now}; 0 when not known or in the future. */
    private static double secondsSince(Instant then, Instant now) {
        return then == null ? 0 : Math.max(0, Duration.between(then, now).toMillis() / 1000.0);
    }

    private static List<Candidate> readingAbove(Fleet fleet, double threshold,
                                                Function<FleetGpu, Double> reading) {
        List<Candidate> found = new ArrayList<>();
        for (FleetNode node : fleet.nodes()) {
            if (node.unreachable()) {
                continue;
            }
            for (FleetGpu gpu : node.gpus()) {
                Double value = reading.apply(gpu);
                if (value != null && value > threshold) {
                    Map<String, String> facts = new LinkedHashMap<>();
                    facts.put("threshold", Template.number(threshold));
                    facts.putAll(gpuFacts(gpu));
                    found.add(new Candidate(gpuLabels(node, gpu), facts, value));
                }
            }
        }
        return found;
    }

    private static Map<String, String> gpuLabels(FleetNode node, FleetGpu gpu) {
        Map<String, String> labels = new TreeMap<>();
        labels.put("node", node.name());
        labels.put("gpu", Integer.toString(gpu.index()));
        put(labels, "uuid", gpu.uuid());
        return labels;
    }

    private static Map<String, String> gpuFacts(FleetGpu gpu) {
        Map<String, String> facts = new LinkedHashMap<>();
        put(facts, "model", gpu.model());
        if (gpu.allocation() != null) {
            put(facts, "job", gpu.allocation().job());
            put(facts, "tenant", gpu.allocation().tenant());
        }
        return facts;
    }

    /** A fact as a person reads it; a time to the second ({@code 2026-11-22T08:57:45Z}), not the nanosecond. */
    private static void put(Map<String, String> map, String key, Object value) {
        Object shown = value instanceof Instant instant ? instant.truncatedTo(ChronoUnit.SECONDS) : value;
        if (shown != null && !shown.toString().isEmpty()) {
            map.put(key, shown.toString());
        }
    }

    private static String wire(Enum<?> value) {
        return value == null ? null : value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
