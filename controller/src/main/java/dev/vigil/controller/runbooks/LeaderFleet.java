package dev.vigil.controller.runbooks;

import dev.vigil.api.cluster.AgentAction;
import dev.vigil.api.cluster.ClusterEvent;
import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.cluster.Role;
import dev.vigil.api.gpu.RepairAction;
import dev.vigil.api.gpu.Severity;
import dev.vigil.api.jobs.Allocation;
import dev.vigil.api.runbooks.RunRecord;
import dev.vigil.api.runbooks.RunTarget;
import dev.vigil.controller.leader.Caller;
import dev.vigil.controller.leader.Mutation;
import dev.vigil.controller.leader.NodeAction;
import dev.vigil.controller.leader.NodeControl;
import dev.vigil.controller.leader.Outcome;
import dev.vigil.controller.state.Store;
import dev.vigil.runbooks.BmcResult;
import dev.vigil.runbooks.ExecResult;
import dev.vigil.runbooks.Fleet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The runbooks' port on the leader: each step acts through the same control classes an operator's
 * request goes through (so it is audited as {@code runbook:<name>/<run>}), on the leader's event
 * loop. Slow work (ipmitool, the capacity report) runs elsewhere and is read back by id.
 */
public final class LeaderFleet implements Fleet {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderFleet.class);
    /** The raised alerts a step's note and page become. */
    static final String NOTE = "RunbookNote";
    static final String PAGE = "RunbookPage";

    /** Drains a GPU: what runs there is stopped and requeued (the jobs' control does it). */
    @FunctionalInterface
    public interface Vacate {
        void vacate(String node, int gpu, String why);
    }

    /** Tells people: raises an alert of Vigil's own, routed to the receivers, or resolves such alerts. */
    public interface Telling {
        void raise(Map<String, String> labels, Map<String, String> annotations);

        void clear(Map<String, String> matching);
    }

    /** Produces the capacity report off the leader's thread. */
    @FunctionalInterface
    public interface Reports {
        void report(String id, Instant now);
    }

    private final Store store;
    private final NodeControl nodes;
    private final Vacate jobs;
    private final Bmc bmc;
    private final NodeShell shell;
    private final Reports reports;
    private final Telling telling;
    private final Function<String, Optional<RunRecord>> runs;
    private final Clock clock;
    private final String member;
    /** Notes and pages already told (ids), so that a step advanced again does not tell twice. */
    private final Set<String> told = ConcurrentHashMap.newKeySet();

    /** @param runs the runs not ended and the recent ones, by id (a note names its run's runbook and node) */
    LeaderFleet(Store store, NodeControl nodes, Vacate jobs, Bmc bmc, NodeShell shell, Reports reports,
                Telling telling, Function<String, Optional<RunRecord>> runs, Clock clock, String member) {
        this.store = store;
        this.nodes = nodes;
        this.jobs = jobs;
        this.bmc = bmc;
        this.shell = shell;
        this.reports = reports;
        this.telling = telling;
        this.runs = runs;
        this.clock = clock;
        this.member = member;
    }

    @Override
    public Optional<NodeRecord> node(String name) {
        return store.node(name);
    }

    @Override
    public boolean busy(RunTarget target) {
        NodeRecord node = store.node(target.node()).orElse(null);
        if (node == null) {
            return false;
        }
        if (target.gpu() == null) {
            return !node.allocations().isEmpty() || !node.foreignGpus().isEmpty();
        }
        return node.foreignGpus().contains(target.gpu())
                || node.allocations().stream().map(Allocation::gpus).anyMatch(gpus -> gpus.contains(target.gpu()));
    }

    @Override
    public void cordon(RunTarget target, String actor, String reason) {
        change(target, NodeAction.CORDON, actor, reason);
    }

    @Override
    public void uncordon(RunTarget target, String actor, String reason) {
        boolean draining = target.gpu() == null && store.node(target.node()).map(NodeRecord::drain).orElse(false);
        change(target, draining ? NodeAction.RESUME : NodeAction.UNCORDON, actor, reason);
    }

    /** A drain that lets work finish: the node or GPU is cordoned; {@link #requeue} moves the work. */
    @Override
    public void drain(RunTarget target, String actor, String reason) {
        change(target, NodeAction.CORDON, actor, reason);
    }

    /** A node is drained (its work requeued at once, as an operator's drain does); a GPU's jobs are requeued. */
    @Override
    public void requeue(RunTarget target, String actor, String reason) {
        if (target.gpu() == null) {
            change(target, NodeAction.DRAIN, actor, reason);
            return;
        }
        change(target, NodeAction.CORDON, actor, reason);
        jobs.vacate(target.node(), target.gpu(), "drained by " + actor + " (" + reason + ")");
    }

    @Override
    public void resume(RunTarget target, String actor, String reason) {
        change(target, target.gpu() == null ? NodeAction.RESUME : NodeAction.UNCORDON, actor, reason);
    }

    @Override
    public void ask(String node, AgentAction action) {
        nodes.requestAction(node, action);
    }

    @Override
    public void withdraw(String node, String actionId) {
        nodes.withdrawAction(node, actionId);
    }

    @Override
    public void powerCycle(String id, String node, String actor) {
        bmc.powerCycle(id, node);
    }

    @Override
    public Optional<BmcResult> powerCycleResult(String id) {
        return bmc.result(id);
    }

    @Override
    public void exec(String id, String node, String command, String actor) {
        shell.exec(id, node, command);
    }

    @Override
    public Optional<ExecResult> execResult(String id) {
        return shell.result(id);
    }

    @Override
    public void notify(String id, String summary, String details) {
        tell(id, false, summary, details);
    }

    @Override
    public void page(String id, String summary, String details) {
        tell(id, true, summary, details);
    }

    @Override
    public void report(String id, String actor, Instant now) {
        if (told.add(id)) {
            reports.report(id, now);
        }
    }

    /**
     * A note or a page goes into the event log ({@code vigil events}) and the log. A step's note or
     * page (its id is the step's, {@code <run>/<step>/<attempt>}) is also raised as an alert,
     * {@code RunbookNote} (info; resolved when the run ends) or {@code RunbookPage} (critical;
     * resolved when the node is back in service), so it reaches the receivers like any alert.
     * The pages for a failed or escalated run and for the breaker are the rules' to send
     * ({@code RunbookFailed}, {@code AutomationHalted}), from the stored runs: not raised twice.
     */
    private void tell(String id, boolean page, String summary, String details) {
        if (!told.add(id)) {
            return;
        }
        store.append(new ClusterEvent(0, clock.instant(), null, null, "runbook", page ? Severity.CRITICAL
                : Severity.INFO, RepairAction.NONE, summary, "runbook"));
        LOG.atInfo().addKeyValue("id", id).addKeyValue("summary", summary).addKeyValue("details", details)
                .log(page ? "runbook_page" : "runbook_note");
        String[] parts = id.split("/");
        if (parts.length != 3) {
            return;
        }
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("alertname", page ? PAGE : NOTE);
        labels.put("severity", page ? "critical" : "info");
        labels.put("run", parts[0]);
        runs.apply(parts[0]).ifPresent(run -> {
            labels.put("runbook", run.runbook());
            if (run.target() != null) {
                labels.put("node", run.target().node());
            }
        });
        telling.raise(labels, Map.of("summary", summary, "description", details == null ? "" : details));
    }

    private void change(RunTarget target, NodeAction action, String actor, String reason) {
        Caller caller = new Caller(actor, Role.OPERATOR, "controller", member, "runbook " + wire(action)
                + " " + target, null);
        Outcome outcome = target.gpu() == null
                ? nodes.nodeChange(new Mutation.NodeChange(target.node(), action, reason, caller))
                : nodes.gpuChange(new Mutation.GpuChange(target.node(), target.gpu(), action, reason, caller));
        if (outcome.problem() != null) {
            LOG.atWarn().addKeyValue("target", target.toString()).addKeyValue("action", wire(action))
                    .addKeyValue("actor", actor).addKeyValue("problem", outcome.problem().detail())
                    .log("runbook_change_refused");
        }
    }

    private static String wire(NodeAction action) {
        return action.name().toLowerCase(Locale.ROOT);
    }
}
