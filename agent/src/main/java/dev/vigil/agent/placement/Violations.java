package dev.vigil.agent.placement;

import dev.vigil.agent.sampling.EventLog;
import dev.vigil.api.gpu.GpuEvent;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.api.gpu.RepairAction;
import dev.vigil.api.gpu.Severity;
import dev.vigil.api.placement.Enforcement;
import dev.vigil.api.placement.JudgedProcess;
import dev.vigil.api.placement.PlacementPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The violating processes across passes and what the node pool's policy does about them: each new violating PID is
 * reported once (an event and a {@code placement_violation} log line); {@code kill} sends SIGTERM at once and SIGKILL
 * once {@code killGrace} has passed; {@code cordon-gpu} marks the process so, for the controller to cordon its GPU.
 * Each action is an event and a {@code placement_action} log line: what the controller audits. Used by one pass at
 * a time.
 */
final class Violations {
    private static final Logger LOG = LoggerFactory.getLogger(Violations.class);

    private final String node;
    private final Attribution attribution;
    private final Signals signals;
    private final EventLog events;
    /** Each PID violating as of the last pass: reported again only after it stopped violating. */
    private final Map<Long, Violation> violations = new HashMap<>();
    private final ReportedProcesses reported = new ReportedProcesses();

    Violations(String node, Attribution attribution, Signals signals, EventLog events) {
        this.node = node;
        this.attribution = attribution;
        this.signals = signals;
        this.events = events;
    }

    /**
     * Reports each new violating PID once, carries out the policy on it, and returns every process as reported.
     * A PID on several GPUs is acted on once; each of its violating entries shows what was done.
     */
    List<JudgedProcess> enforce(List<Judgement> judgements, NodeInventory inventory, PlacementPolicy policy,
                                Instant now) {
        Map<Long, Violation> thisPass = new HashMap<>();
        List<GpuEvent> added = new ArrayList<>();
        List<JudgedProcess> judged = new ArrayList<>(judgements.size());
        for (Judgement judgement : judgements) {
            if (!judgement.verdict().violation()) {
                judged.add(reported.of(judgement, null, null));
                continue;
            }
            long pid = judgement.identity().pid();
            Violation violation = thisPass.get(pid);
            if (violation == null) {
                violation = violations.get(pid);
                if (violation == null) {
                    violation = new Violation(judgement.identity(), now);
                    added.add(violation(judgement.judged(Enforcement.REPORTED, now), inventory));
                }
                thisPass.put(pid, violation);
                act(violation, judgement, policy, inventory, now, added);
            }
            judged.add(reported.of(judgement, violation.enforcement, violation.since));
        }
        violations.clear();
        violations.putAll(thisPass);
        reported.passed();
        events.append(added);
        return judged;
    }

    /** The policy's next step for one violating process, if it has one now. */
    private void act(Violation violation, Judgement judgement, PlacementPolicy policy, NodeInventory inventory,
                     Instant now, List<GpuEvent> added) {
        if (violation.settled) {
            return;
        }
        Enforcement current = violation.enforcement;
        switch (policy.action()) {
            case REPORT -> {
            }
            case CORDON_GPU -> {
                if (current == Enforcement.REPORTED) {
                    record(violation, judgement, Enforcement.CORDON_GPU, null, inventory, now, added);
                }
            }
            case KILL -> {
                if (current == Enforcement.REPORTED || current == Enforcement.CORDON_GPU) {
                    signal(violation, judgement, false, inventory, now, added);
                } else if (current == Enforcement.SIGTERM_SENT
                        && !now.isBefore(violation.terminatedAt.plus(policy.killGrace()))) {
                    signal(violation, judgement, true, inventory, now, added);
                }
            }
        }
    }

    /** SIGTERM or SIGKILL, only to the very process judged: a PID the kernel gave to another one is left alone. */
    private void signal(Violation violation, Judgement judgement, boolean force, NodeInventory inventory,
                        Instant now, List<GpuEvent> added) {
        long pid = violation.identity.pid();
        if (!attribution.sameProcess(violation.identity)) {
            violation.settled = true;
            LOG.atInfo().addKeyValue("node", node).addKeyValue("pid", pid)
                    .addKeyValue("signal", force ? "SIGKILL" : "SIGTERM")
                    .log("placement_process_gone");
            return;
        }
        try {
            if (!(force ? signals.kill(pid) : signals.terminate(pid))) {
                violation.settled = true;
                return;
            }
            record(violation, judgement, force ? Enforcement.SIGKILL_SENT : Enforcement.SIGTERM_SENT, null, inventory,
                    now, added);
            violation.terminatedAt = now;
        } catch (Signals.SignalFailedException e) {
            record(violation, judgement, Enforcement.SIGNAL_FAILED, e.getMessage(), inventory, now, added);
            violation.settled = true;
        }
    }

    /** One action: the violation's new enforcement, an event the controller audits and a log line. */
    private void record(Violation violation, Judgement judgement, Enforcement enforcement, String reason,
                        NodeInventory inventory, Instant now, List<GpuEvent> added) {
        violation.enforcement = enforcement;
        JudgedProcess process = judgement.judged(enforcement, violation.since);
        var log = LOG.atWarn().addKeyValue("node", node).addKeyValue("gpu", process.gpu())
                .addKeyValue("action", enforcement.wire()).addKeyValue("verdict", process.verdict().wire())
                .addKeyValue("pid", process.pid()).addKeyValue("user", process.user())
                .addKeyValue("command", process.command()).addKeyValue("owner", process.owner())
                .addKeyValue("job", process.job() == null ? "none" : process.job());
        if (reason != null) {
            log = log.addKeyValue("reason", reason);
        }
        log.log("placement_action");
        added.add(event(process, inventory, now, enforcement.wire(), reason));
    }

    private GpuEvent violation(JudgedProcess process, NodeInventory inventory) {
        String job = process.job() == null ? "none" : process.job();
        LOG.atWarn().addKeyValue("node", node).addKeyValue("gpu", process.gpu())
                .addKeyValue("verdict", process.verdict().wire()).addKeyValue("pid", process.pid())
                .addKeyValue("user", process.user()).addKeyValue("command", process.command())
                .addKeyValue("owner", process.owner()).addKeyValue("job", job)
                .log("placement_violation");
        return event(process, inventory, process.since(), process.verdict().wire(), null);
    }

    /**
     * {@code placement <what> on gpu N: pid P user U command C owner O job J[: reason]}, {@code what} being the
     * verdict or the action taken: what the controller audits.
     */
    private static GpuEvent event(JudgedProcess process, NodeInventory inventory, Instant at, String what,
                                  String reason) {
        int gpu = process.gpu();
        String uuid = gpu < inventory.gpus().size() ? inventory.gpus().get(gpu).uuid() : null;
        return new GpuEvent(0, at, gpu, uuid, process.gpuInstance(), null, GpuEvent.Kind.FAULT, null,
                Severity.WARNING, RepairAction.NONE, "placement " + what + " on gpu " + gpu + ": pid " + process.pid()
                + " user " + process.user() + " command " + process.command() + " owner " + process.owner()
                + " job " + (process.job() == null ? "none" : process.job()) + (reason == null ? "" : ": " + reason));
    }

    /** What the agent knows of one violating process and has done about it. */
    private static final class Violation {
        final ProcessIdentity identity;
        final Instant since;
        Enforcement enforcement = Enforcement.REPORTED;
        /** When SIGTERM went out. */
        Instant terminatedAt;
        /** Nothing more to do: it ended before a signal, or it could not be signalled. */
        boolean settled;

        Violation(ProcessIdentity identity, Instant since) {
            this.identity = identity;
            this.since = since;
        }
    }
}
