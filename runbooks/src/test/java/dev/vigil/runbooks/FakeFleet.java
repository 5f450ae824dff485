package dev.vigil.runbooks;

import dev.vigil.api.cluster.AgentAction;
import dev.vigil.api.cluster.AgentActionResult;
import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.cluster.NodeState;
import dev.vigil.api.runbooks.RunTarget;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A test double of the port: nodes as records, the targets where work runs, and every call that
 * changes something, in order, as one line each ({@code cordon sim-1 gpu 3}).
 */
public final class FakeFleet implements Fleet {
    public final Map<String, NodeRecord> nodes = new LinkedHashMap<>();
    public final Set<RunTarget> busy = new HashSet<>();
    public final List<String> calls = new ArrayList<>();
    public final Map<String, BmcResult> bmc = new HashMap<>();
    public final Map<String, ExecResult> execs = new HashMap<>();
    /** Commands whose exec fails at once, as a command that exits 1 would. */
    public final Set<String> failingCommands = new HashSet<>();
    /** The actor and reason of each cordon, uncordon, drain, requeue and resume, in order. */
    public final List<String> reasons = new ArrayList<>();
    /** The details of each note. */
    public final List<String> notes = new ArrayList<>();
    /** Requeue empties the target, as the controller's requeue does. */
    public boolean requeueEmpties = true;

    public FakeFleet node(String name, NodeState state) {
        nodes.put(name, NodeRecord.named(name).state(state).build());
        return this;
    }

    /** The agent of {@code node} reports how {@code actionId} went. */
    public void report(String node, String actionId, AgentActionResult.State state, String message) {
        NodeRecord record = nodes.get(node);
        AgentAction action = record.actions().stream().filter(a -> a.id().equals(actionId)).findFirst().orElseThrow();
        List<AgentActionResult> results = new ArrayList<>(record.actionResults());
        results.removeIf(r -> r.id().equals(actionId));
        results.add(new AgentActionResult(actionId, action.kind(), state, message, null, null, null));
        nodes.put(node, record.with().actionResults(results).build());
    }

    public void update(String node, java.util.function.UnaryOperator<NodeRecord.Builder> change) {
        nodes.put(node, change.apply(nodes.get(node).with()).build());
    }

    /** The calls of one kind, e.g. {@code ask}. */
    public List<String> calls(String kind) {
        return calls.stream().filter(call -> call.startsWith(kind + " ")).toList();
    }

    @Override
    public Optional<NodeRecord> node(String name) {
        return Optional.ofNullable(nodes.get(name));
    }

    @Override
    public boolean busy(RunTarget target) {
        return busy.stream().anyMatch(b -> b.node().equals(target.node())
                && (target.gpu() == null || b.gpu() == null || b.gpu().equals(target.gpu())));
    }

    @Override
    public void cordon(RunTarget target, String actor, String reason) {
        calls.add("cordon " + target);
        reasons.add(actor + ": " + reason);
    }

    @Override
    public void uncordon(RunTarget target, String actor, String reason) {
        calls.add("uncordon " + target);
        reasons.add(actor + ": " + reason);
    }

    @Override
    public void drain(RunTarget target, String actor, String reason) {
        calls.add("drain " + target);
        reasons.add(actor + ": " + reason);
    }

    @Override
    public void requeue(RunTarget target, String actor, String reason) {
        calls.add("requeue " + target);
        reasons.add(actor + ": " + reason);
        if (requeueEmpties) {
            busy.removeIf(b -> b.node().equals(target.node()) && (target.gpu() == null || target.gpu().equals(b.gpu())));
        }
    }

    @Override
    public void resume(RunTarget target, String actor, String reason) {
        calls.add("resume " + target);
        reasons.add(actor + ": " + reason);
    }

    @Override
    public void ask(String node, AgentAction action) {
        calls.add("ask " + node + " " + action.id() + " " + action.kind());
        NodeRecord record = nodes.get(node);
        List<AgentAction> actions = new ArrayList<>(record.actions());
        actions.add(action);
        nodes.put(node, record.with().actions(actions).build());
    }

    @Override
    public void withdraw(String node, String actionId) {
        calls.add("withdraw " + node + " " + actionId);
        NodeRecord record = nodes.get(node);
        nodes.put(node, record.with()
                .actions(record.actions().stream().filter(a -> !a.id().equals(actionId)).toList())
                .actionResults(record.actionResults().stream().filter(r -> !r.id().equals(actionId)).toList())
                .build());
    }

    @Override
    public void powerCycle(String id, String node, String actor) {
        calls.add("power-cycle " + node + " " + id);
        bmc.putIfAbsent(id, new BmcResult(id, AgentActionResult.State.RUNNING, "ipmitool chassis power cycle"));
    }

    @Override
    public Optional<BmcResult> powerCycleResult(String id) {
        return Optional.ofNullable(bmc.get(id));
    }

    @Override
    public void exec(String id, String node, String command, String actor) {
        calls.add("exec " + node + " " + id + " " + command);
        execs.putIfAbsent(id, failingCommands.contains(command)
                ? new ExecResult(id, AgentActionResult.State.FAILED, "exit 1: refused")
                : new ExecResult(id, AgentActionResult.State.RUNNING, "ssh " + node + " " + command));
    }

    @Override
    public Optional<ExecResult> execResult(String id) {
        return Optional.ofNullable(execs.get(id));
    }

    @Override
    public void notify(String id, String summary, String details) {
        calls.add("notify " + id + " " + summary);
        notes.add(details);
    }

    @Override
    public void page(String id, String summary, String details) {
        calls.add("page " + id + " " + summary + "\n" + details);
    }

    @Override
    public void report(String id, String actor, Instant now) {
        calls.add("report " + id);
    }
}
