package dev.vigil.controller;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.api.binding.Documents;
import dev.vigil.api.cluster.AgentAction;
import dev.vigil.api.cluster.AgentActionResult;
import dev.vigil.api.cluster.AgentReport;
import dev.vigil.api.gpu.GpuEvent;
import dev.vigil.api.gpu.GpuHealth;
import dev.vigil.api.gpu.HealthState;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.api.mig.GpuMigStatus;
import dev.vigil.api.mig.GpuMigTarget;
import dev.vigil.api.mig.MigPhase;
import dev.vigil.api.placement.JudgedProcess;
import dev.vigil.gpu.backend.GpuBackendException;
import dev.vigil.gpu.mig.MigPlacement;
import dev.vigil.gpu.fields.FieldCatalog;
import dev.vigil.gpu.fields.FieldSet;
import dev.vigil.gpu.health.HealthEvaluator;
import dev.vigil.gpu.health.HealthThresholds;
import dev.vigil.gpu.simulated.SimulatedNode;
import dev.vigil.gpu.simulated.SimulatedSpec;

import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An agent as the controller sees one, in a test: it reports a simulated node's inventory,
 * health and events (until the controller acknowledges them) every 100 ms and, while
 * {@link #confirming}, says it applied the desired-state version the controller answered with.
 * The agent module's real agent does the same with real load; the controller must not depend on it.
 */
final class FakeAgent implements AutoCloseable {
    final String node;
    final SimulatedNode gpus;
    /** The GPU backend the agent says it reads: simulated, or dcgm/nvml for an agent on real GPUs. */
    private final String gpuBackend;
    private volatile TestController controller;
    private final String token;
    private final HealthEvaluator evaluator;
    private final FieldSet fields = new FieldSet(FieldCatalog.DEFAULTS);
    private final String agentId = UUID.randomUUID().toString();
    private final Thread thread;
    /** Whether the agent applies what it is told (the confirm step waits for it). */
    volatile boolean confirming = true;
    /** What the agent says it could not apply, or null. */
    volatile String applyError;
    private volatile boolean reporting = true;
    private volatile long applied;
    private volatile JsonNode desired;
    private final List<GpuEvent> unacknowledged = new ArrayList<>();
    private long eventSeq;
    /** Repairs asked in the desired state, by id, as this agent carried them out (each once). */
    private final Map<String, AgentActionResult> actions = new LinkedHashMap<>();
    /** Every repair carried out, by id, in order. */
    final List<String> carriedOut = new CopyOnWriteArrayList<>();
    /** How each MIG target of the desired state went, by GPU. */
    private final Map<Integer, GpuMigStatus> mig = new LinkedHashMap<>();
    /** When set, every MIG change fails with this message. */
    volatile String migRefusal;
    /** The processes on its GPUs with their verdicts, as this agent reports them. */
    volatile List<JudgedProcess> processes = List.of();
    /** How long a reboot keeps the node silent. */
    volatile Duration rebootTime = Duration.ofMillis(500);
    private volatile long silentUntil;

    FakeAgent(TestController controller, String token, String node, SimulatedSpec spec) throws Exception {
        this(controller, token, node, spec, "simulated");
    }

    FakeAgent(TestController controller, String token, String node, SimulatedSpec spec, String gpuBackend)
            throws Exception {
        this.node = node;
        this.gpuBackend = gpuBackend;
        this.controller = controller;
        this.token = token;
        this.gpus = new SimulatedNode(node, spec, Clock.systemUTC());
        this.evaluator = new HealthEvaluator(HealthThresholds.defaults(), fields);
        report();
        this.thread = new Thread(this::loop, "fake-agent-" + node);
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        while (reporting) {
            try {
                if (System.nanoTime() - silentUntil < 0) {
                    Thread.sleep(50);
                    continue;
                }
                report();
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                // The controller may be restarting: the next report tries again.
            }
        }
    }

    private synchronized void report() throws Exception {
        var sample = gpus.sample(fields);
        List<GpuEvent> fresh = new ArrayList<>();
        for (GpuEvent event : gpus.drainEvents()) {
            fresh.add(event.withSeq(++eventSeq));
        }
        unacknowledged.addAll(fresh);
        NodeInventory inventory = gpus.inventory();
        inventory = new NodeInventory(inventory.node(), gpuBackend, inventory.driverVersion(), inventory.gpus(),
                inventory.topology());
        List<GpuHealth> health = evaluator.evaluate(inventory, sample, fresh);
        // The hash follows the inventory, as the agent's does: a new MIG layout is a new inventory.
        AgentReport report = new AgentReport(agentId, "test", "hash-" + node + "-" + Integer.toHexString(
                inventory.gpus().hashCode()), inventory, health, List.of(), List.copyOf(unacknowledged), applied,
                applyError, List.copyOf(actions.values()), List.copyOf(mig.values()), processes);
        HttpResponse<String> answer = controller.send("POST", "/v1/agents/" + node + "/report", token,
                Documents.json().writeValueAsString(report), Duration.ofSeconds(2));
        if (answer.statusCode() == 200) {
            desired = Documents.json().readTree(answer.body());
            long stored = desired.get("lastEventSeq").asLong();
            unacknowledged.removeIf(e -> e.seq() <= stored);
            if (confirming) {
                applied = desired.get("version").asLong();
            }
            carryOut(Documents.json().convertValue(desired.path("actions"), AgentAction[].class), health);
            reconcile(Documents.json().convertValue(desired.path("mig"), GpuMigTarget[].class));
        }
    }

    /**
     * Brings each GPU to its MIG target at once, as the agent does on simulated GPUs, and says how it
     * went while the target is asked; {@link #migRefusal} makes every apply fail with that message.
     */
    private void reconcile(GpuMigTarget[] targets) {
        Map<Integer, GpuMigStatus> next = new LinkedHashMap<>();
        for (GpuMigTarget target : targets) {
            GpuMigStatus old = mig.get(target.gpu());
            if (old != null && old.version() == target.version()) {
                next.put(target.gpu(), old);
                continue;
            }
            Instant now = Instant.now();
            String refusal = migRefusal;
            try {
                if (refusal != null) {
                    throw new GpuBackendException(GpuBackendException.Reason.REFUSED, refusal);
                }
                gpus.applyMig(target.gpu(), target.enabled(), target.instances().stream()
                        .map(slot -> new MigPlacement(slot.profile(), slot.start())).toList());
                next.put(target.gpu(), new GpuMigStatus(target.gpu(), target.version(), MigPhase.SUCCESS,
                        "applied: " + target.describe(), now));
            } catch (GpuBackendException e) {
                next.put(target.gpu(), new GpuMigStatus(target.gpu(), target.version(), MigPhase.FAILED,
                        e.getMessage(), now));
            }
        }
        mig.clear();
        mig.putAll(next);
    }

    /**
     * Carries out each repair once, as the agent does on simulated GPUs: a reset repairs the GPU, a
     * reboot silences the node for {@link #rebootTime} and repairs every GPU, a health check passes
     * when every GPU is healthy. A result is reported while the action is asked.
     */
    private void carryOut(AgentAction[] asked, List<GpuHealth> health) {
        Set<String> ids = new HashSet<>();
        for (AgentAction action : asked) {
            ids.add(action.id());
            if (actions.containsKey(action.id())) {
                continue;
            }
            Instant now = Instant.now();
            String message;
            AgentActionResult.State state = AgentActionResult.State.SUCCEEDED;
            switch (action.kind()) {
                case GPU_RESET -> {
                    repair(action.gpu());
                    message = "gpu " + action.gpu() + " reset";
                }
                case REBOOT -> {
                    for (int gpu = 0; gpu < gpus.inventory().gpus().size(); gpu++) {
                        repair(gpu);
                    }
                    silentUntil = System.nanoTime() + rebootTime.toNanos();
                    message = "rebooted";
                }
                default -> {
                    boolean healthy = health.stream().allMatch(h -> h.state() == HealthState.HEALTHY);
                    state = healthy ? AgentActionResult.State.SUCCEEDED : AgentActionResult.State.FAILED;
                    message = healthy ? "every check passed" : "a GPU is not healthy";
                }
            }
            carriedOut.add(action.id());
            actions.put(action.id(), new AgentActionResult(action.id(), action.kind(), state, message, null, now, now));
        }
        actions.keySet().retainAll(ids);
    }

    /** Repairs a GPU, as the agent's {@code DELETE /v1/faults?gpu=N} does: its held XIDs are forgotten. */
    synchronized void repair(int gpu) {
        evaluator.forget(gpu);
        gpus.clearFaults(gpu);
    }

    /** Reports to another controller from now on (the same one restarted). */
    void reportTo(TestController restarted) {
        controller = restarted;
    }

    /** The latest desired state the controller answered with. */
    JsonNode desired() {
        return desired;
    }

    /** The node goes silent, as a node that lost power would. */
    void stopReporting() throws InterruptedException {
        reporting = false;
        thread.interrupt();
        thread.join(5_000);
    }

    @Override
    public void close() throws InterruptedException {
        stopReporting();
    }
}
